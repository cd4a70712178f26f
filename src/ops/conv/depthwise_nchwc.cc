#include "ops/conv/depthwise_nchwc.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "ops/conv/depthwise_nchwc_kernels.h"

namespace hone {
namespace {

constexpr int kMaxOwTile = 16;
// Work items per conv the default aims for, so both threads stay busy and dynamic
// scheduling can even out the load.
constexpr int64_t kTargetWorkItems = 16;

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

int64_t floor_div(int64_t a, int64_t b) {  // b > 0
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// [N, C, HW] plain -> [N, ceil(C/b), HW, b], padding lanes zero.
void to_blocked(const float* src, float* dst, int64_t n, int64_t c, int64_t hw, int64_t b,
                ThreadPool* pool) {
  const int64_t cb = ceil_div(c, b);
  parallel_for(pool, static_cast<size_t>(n * cb), [&](size_t item) {
    const int64_t i = static_cast<int64_t>(item) / cb, blk = static_cast<int64_t>(item) % cb;
    float* d = dst + (i * cb + blk) * hw * b;
    const int64_t lanes = std::min(b, c - blk * b);
    for (int64_t p = 0; p < hw; ++p) {
      const float* s = src + (i * c + blk * b) * hw + p;
      for (int64_t l = 0; l < lanes; ++l) d[p * b + l] = s[l * hw];
      for (int64_t l = lanes; l < b; ++l) d[p * b + l] = 0.0f;
    }
  });
}

// [N, ceil(C/b), HW, b] -> [N, C, HW].
void from_blocked(const float* src, float* dst, int64_t n, int64_t c, int64_t hw, int64_t b,
                  ThreadPool* pool) {
  const int64_t cb = ceil_div(c, b);
  parallel_for(pool, static_cast<size_t>(n * cb), [&](size_t item) {
    const int64_t i = static_cast<int64_t>(item) / cb, blk = static_cast<int64_t>(item) % cb;
    const float* s = src + (i * cb + blk) * hw * b;
    const int64_t lanes = std::min(b, c - blk * b);
    for (int64_t l = 0; l < lanes; ++l) {
      float* d = dst + (i * c + blk * b + l) * hw;
      for (int64_t p = 0; p < hw; ++p) d[p] = s[p * b + l];
    }
  });
}

}  // namespace

DepthwiseRowsFn depthwise_rows_kernel(Isa isa, int block) {
  switch (isa) {
    case Isa::kAvx512:  // block 8 fills a ymm exactly: the AVX2 code
      return block == 16 ? &avx512::depthwise_rows : &avx2::depthwise_rows;
    case Isa::kAvx2:
      return &avx2::depthwise_rows;
    case Isa::kPortable:
      break;
  }
  return &depthwise_rows_portable;
}

void depthwise_interior_columns(const ConvGeometry& g, int64_t& lo, int64_t& hi) {
  lo = std::min(g.out_w, ceil_div(g.pad_left, g.stride_w));
  const int64_t last_start = g.in_w - 1 + g.pad_left - (g.kernel_w - 1) * g.dilation_w;
  hi = last_start < 0 ? 0 : floor_div(last_start, g.stride_w) + 1;
  hi = std::max(lo, std::min(g.out_w, hi));
}

int depthwise_default_ow_tile(const ConvGeometry& g, Isa isa, int block) {
  int64_t lo = 0, hi = 0;
  depthwise_interior_columns(g, lo, hi);
  // Portable code keeps its 8-lane accumulators in SSE pairs: fewer of them fit. AVX-512's 32
  // registers hold 14 accumulators beside the 3x3 row kernel's 9 weights; wider stride-1 tiles
  // measured faster on MobileNetV2's 14x14 layers, stride-2 ones did not. The 16 ymm registers
  // (AVX2, and AVX-512 with block 8, which runs the AVX2 code) hold 5 beside the 9 weights, the
  // bias and the input vector; 8 spilled: MobileNetV2's stride-1 layers 1.15-1.3x faster at 4-5
  // than at 8 on Zen 3 (bench_depthwise_nchwc, one thread, two alternating rounds).
  const bool ymm16 = isa == Isa::kAvx2 || (isa == Isa::kAvx512 && block == 8);
  const bool wide = isa == Isa::kAvx512 && block == 16 && g.stride_w == 1;
  const int64_t max_tile = isa == Isa::kPortable ? 4 : ymm16 ? 5 : wide ? 14 : 8;
  const int64_t width = std::max<int64_t>(1, hi - lo);
  const int64_t tiles = ceil_div(width, max_tile);
  return static_cast<int>(std::clamp<int64_t>(ceil_div(width, tiles), 1, max_tile));
}

bool depthwise_fits_3x3_kernel(const ConvGeometry& g, int64_t lo, int64_t hi) {
  if (g.kernel_h != 3 || g.kernel_w != 3 || g.dilation_h != 1 || g.dilation_w != 1) return false;
  if (g.stride_w > 2 || g.pad_left > 1 || lo != g.pad_left) return false;
  if (lo == 1 && g.in_w < 2) return false;  // the left pixel reads columns 0 and 1
  if (g.out_w - hi > 1) return false;
  if (g.out_w - hi == 1) {  // the right pixel reads columns c0, c0 + 1; c0 + 2 is padding
    const int64_t c0 = hi * g.stride_w - g.pad_left;
    if (c0 < 0 || c0 + 2 != g.in_w) return false;
  }
  return true;
}

nlohmann::json depthwise_nchwc_config_to_json(const DepthwiseNchwcConfig& c) {
  return {{"isa", std::string(isa_name(c.isa))},
          {"block", c.block},
          {"ow_tile", c.ow_tile},
          {"oh_chunk", c.oh_chunk},
          {"fast3x3", c.fast3x3},
          {"rows_outer", c.rows_outer}};
}

DepthwiseNchwcConfig depthwise_nchwc_config_from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw Error("depthwise_nchwc config: expected a JSON object");
  auto int_field = [&](const char* name, int lo, int hi) {
    auto it = json.find(name);
    if (it == json.end() || !it->is_number_integer())
      throw Error(std::string("depthwise_nchwc config: missing integer field '") + name + "'");
    const int64_t v = it->get<int64_t>();
    if (v < lo || v > hi)
      throw Error(std::string("depthwise_nchwc config: field '") + name +
                  "' = " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
                  std::to_string(hi) + "]");
    return static_cast<int>(v);
  };
  DepthwiseNchwcConfig c;
  auto isa = json.find("isa");
  if (isa == json.end() || !isa->is_string())
    throw Error("depthwise_nchwc config: missing string field 'isa'");
  c.isa = parse_isa(isa->get<std::string>());
  c.block = int_field("block", 8, 16);
  if (c.block != 8 && c.block != 16)
    throw Error("depthwise_nchwc config: field 'block' must be 8 or 16, got " +
                std::to_string(c.block));
  c.ow_tile = int_field("ow_tile", 1, kMaxOwTile);
  c.oh_chunk = int_field("oh_chunk", 1, 1 << 20);
  auto bool_field = [&](const char* name) {
    auto it = json.find(name);
    if (it == json.end() || !it->is_boolean())
      throw Error(std::string("depthwise_nchwc config: missing boolean field '") + name + "'");
    return it->get<bool>();
  };
  c.fast3x3 = bool_field("fast3x3");
  c.rows_outer = bool_field("rows_outer");
  return c;
}

std::string depthwise_nchwc_config_problem(const ConvGeometry& g, const DepthwiseNchwcConfig& c) {
  if (!isa_supported(c.isa)) return "isa " + std::string(isa_name(c.isa)) + " is not supported";
  if (c.block != 8 && c.block != 16) return "block must be 8 or 16";
  if (c.ow_tile < 1 || c.ow_tile > kMaxOwTile)
    return "ow_tile must be in [1, " + std::to_string(kMaxOwTile) + "]";
  if (c.oh_chunk < 1) return "oh_chunk must be >= 1";
  if (g.in_channels != g.out_channels || g.in_channels < 1)
    return "depthwise needs in_channels == out_channels >= 1";
  if (g.batch < 1 || g.in_h < 1 || g.in_w < 1 || g.out_h < 1 || g.out_w < 1 || g.kernel_h < 1 ||
      g.kernel_w < 1 || g.stride_h < 1 || g.stride_w < 1 || g.dilation_h < 1 || g.dilation_w < 1 ||
      g.pad_top < 0 || g.pad_left < 0)
    return "invalid geometry";
  return "";
}

DepthwiseNchwcConfig default_depthwise_nchwc_config(const ConvGeometry& g, Isa isa, int block) {
  DepthwiseNchwcConfig c;
  c.isa = isa;
  c.block = block;
  c.ow_tile = depthwise_default_ow_tile(g, isa, block);
  const int64_t planes = g.batch * ceil_div(g.out_channels, block);
  const int64_t chunks = std::max<int64_t>(1, ceil_div(kTargetWorkItems, planes));
  c.oh_chunk = static_cast<int>(std::max<int64_t>(1, ceil_div(g.out_h, chunks)));
  return c;
}

struct DepthwiseNchwc::Impl {
  ConvGeometry g;
  DepthwiseNchwcConfig config;
  int input_block = 0, output_block = 0;
  Epilogue epilogue;
  std::vector<float> weight;  // [Cb][KH*KW][b]
  std::vector<float> bias;    // [Cb][b]
  // Blocked copies of plain inputs/outputs; mutable because run() is const.
  mutable std::vector<float> x_scratch, y_scratch;
  std::vector<float> zero_row;  // [in_w][b] zeros, when the 3x3 row kernel runs
  void (*rows)(const DepthwiseRowArgs&, int64_t, int64_t) = nullptr;
  int64_t ow_lo = 0, ow_hi = 0;
  bool fast3x3 = false;
};

DepthwiseNchwc::DepthwiseNchwc(const ConvGeometry& g, const DepthwiseNchwcConfig& config,
                               const float* weight, const float* bias, int input_block,
                               int output_block, Epilogue epilogue)
    : impl_(std::make_unique<Impl>()) {
  std::string problem = depthwise_nchwc_config_problem(g, config);
  if (!problem.empty()) throw Error("depthwise_nchwc: " + problem);
  for (int blk : {input_block, output_block})
    if (blk != 0 && blk != config.block)
      throw Error("depthwise_nchwc: tensor block " + std::to_string(blk) +
                  " does not match the config's block " + std::to_string(config.block));
  Impl& m = *impl_;
  m.g = g;
  m.config = config;
  m.input_block = input_block;
  m.output_block = output_block;
  m.epilogue = epilogue;
  const int64_t b = config.block, c = g.out_channels, cb = ceil_div(c, b);
  const int64_t taps = g.kernel_h * g.kernel_w;
  m.weight.assign(static_cast<size_t>(cb * taps * b), 0.0f);
  m.bias.assign(static_cast<size_t>(cb * b), 0.0f);
  for (int64_t ch = 0; ch < c; ++ch) {
    for (int64_t t = 0; t < taps; ++t)
      m.weight[static_cast<size_t>(((ch / b) * taps + t) * b + ch % b)] = weight[ch * taps + t];
    if (bias) m.bias[static_cast<size_t>(ch)] = bias[ch];
  }
  if (input_block == 0) m.x_scratch.resize(static_cast<size_t>(g.batch * cb * g.in_h * g.in_w * b));
  if (output_block == 0)
    m.y_scratch.resize(static_cast<size_t>(g.batch * cb * g.out_h * g.out_w * b));
  m.rows = depthwise_rows_kernel(config.isa, static_cast<int>(b));
  depthwise_interior_columns(g, m.ow_lo, m.ow_hi);
  m.fast3x3 = config.fast3x3 && depthwise_fits_3x3_kernel(g, m.ow_lo, m.ow_hi);
  if (m.fast3x3) m.zero_row.assign(static_cast<size_t>(g.in_w * b), 0.0f);
}

DepthwiseNchwc::~DepthwiseNchwc() = default;
DepthwiseNchwc::DepthwiseNchwc(DepthwiseNchwc&&) noexcept = default;
DepthwiseNchwc& DepthwiseNchwc::operator=(DepthwiseNchwc&&) noexcept = default;

void DepthwiseNchwc::run(const float* x, const float* sum, float* y, ThreadPool* pool) const {
  const Impl& m = *impl_;
  const ConvGeometry& g = m.g;
  const int64_t b = m.config.block, c = g.out_channels, cb = ceil_div(c, b);
  const int64_t in_hw = g.in_h * g.in_w, out_hw = g.out_h * g.out_w;
  const float* xb = x;
  if (m.input_block == 0) {
    to_blocked(x, m.x_scratch.data(), g.batch, c, in_hw, b, pool);
    xb = m.x_scratch.data();
  }
  float* yb = y;
  const float* sb = sum;
  if (m.output_block == 0) {
    yb = m.y_scratch.data();
    // The kernel reads each sum element before writing the same place, so the blocked sum can
    // live in the output scratch; a plain y aliasing sum is only written afterwards.
    if (sum) {
      to_blocked(sum, yb, g.batch, c, out_hw, b, pool);
      sb = yb;
    }
  }
  DepthwiseRowArgs base;
  base.in_h = g.in_h;
  base.in_w = g.in_w;
  base.out_h = g.out_h;
  base.out_w = g.out_w;
  base.kernel_h = g.kernel_h;
  base.kernel_w = g.kernel_w;
  base.stride_h = g.stride_h;
  base.stride_w = g.stride_w;
  base.pad_top = g.pad_top;
  base.pad_left = g.pad_left;
  base.dilation_h = g.dilation_h;
  base.dilation_w = g.dilation_w;
  base.ow_lo = m.ow_lo;
  base.ow_hi = m.ow_hi;
  base.block = static_cast<int>(b);
  base.ow_tile = m.config.ow_tile;
  base.epilogue = m.epilogue;
  base.fast3x3 = m.fast3x3;
  base.zero_row = m.zero_row.data();
  const int64_t chunk = m.config.oh_chunk;
  const int64_t chunks = ceil_div(g.out_h, chunk);
  const int64_t taps = g.kernel_h * g.kernel_w;
  auto rows = m.rows;
  parallel_for(pool, static_cast<size_t>(g.batch * cb * chunks), [&](size_t item) {
    const int64_t i = static_cast<int64_t>(item), planes = g.batch * cb;
    const int64_t plane = m.config.rows_outer ? i % planes : i / chunks;
    const int64_t part = m.config.rows_outer ? i / planes : i % chunks;
    const int64_t blk = plane % cb;
    DepthwiseRowArgs a = base;
    a.x = xb + plane * in_hw * b;
    a.w = m.weight.data() + blk * taps * b;
    a.bias = m.bias.data() + blk * b;
    a.sum = sb ? sb + plane * out_hw * b : nullptr;
    a.y = yb + plane * out_hw * b;
    rows(a, part * chunk, std::min(g.out_h, (part + 1) * chunk));
  });
  if (m.output_block == 0) from_blocked(yb, y, g.batch, c, out_hw, b, pool);
}

int64_t DepthwiseNchwc::packed_bytes() const {
  const Impl& m = *impl_;
  return static_cast<int64_t>((m.weight.size() + m.bias.size() + m.x_scratch.size() +
                               m.y_scratch.size() + m.zero_row.size()) *
                              sizeof(float));
}

const DepthwiseNchwcConfig& DepthwiseNchwc::config() const {
  return impl_->config;
}

std::string DepthwiseNchwc::name() const {
  const Impl& m = *impl_;
  const int b = m.config.block;
  // AVX-512 with block 8 runs the AVX2 code (8 lanes per pixel fill a ymm exactly).
  const Isa ran = m.config.isa == Isa::kAvx512 && b == 8 ? Isa::kAvx2 : m.config.isa;
  return "depthwise_nchw" + std::to_string(b) + "c " + std::string(isa_name(ran)) +
         (m.fast3x3 ? " 3x3" : "") + " ow" + std::to_string(m.config.ow_tile) +
         (m.input_block == 0 ? " in:nchw" : "") + (m.output_block == 0 ? " out:nchw" : "");
}

}  // namespace hone
