#include "ops/conv/pointwise_depthwise_nchwc.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "ops/conv/conv_nchwc_kernel.h"
#include "ops/conv/depthwise_nchwc_kernels.h"

namespace hone {
namespace {

using conv_nchwc::Tile;
using conv_nchwc::TileFn;

constexpr int kMaxDwOwTile = 16;
// Bytes of expanded rows one band may hold: the rest of the 1 MB L2 keeps the band's input
// rows, the weights and the output rows the depthwise conv writes.
constexpr int64_t kScratchBudget = 384 * 1024;
// Images of at most this many pixels split over threads in two-block channel chunks.
constexpr int64_t kSmallImagePixels = 14 * 14;
// Images of at least this many pixels split over threads by rows.
constexpr int64_t kLargeImagePixels = 56 * 56;

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// 64-byte aligned floats, zero-filled.
struct AlignedFloats {
  float* data = nullptr;
  int64_t size = 0;
  explicit AlignedFloats(int64_t n = 0) : size(n) {
    data = static_cast<float*>(::operator new[](
        static_cast<size_t>(std::max<int64_t>(n, 1)) * sizeof(float), std::align_val_t(64)));
    std::memset(data, 0, static_cast<size_t>(std::max<int64_t>(n, 1)) * sizeof(float));
  }
  ~AlignedFloats() { ::operator delete[](data, std::align_val_t(64)); }
  AlignedFloats(const AlignedFloats&) = delete;
  AlignedFloats& operator=(const AlignedFloats&) = delete;
};

// Input rows [lo, hi) that depthwise output rows [oh0, oh1) read, clipped to the image.
struct RowSpan {
  int64_t lo = 0, hi = 0;
};
RowSpan input_rows(const ConvGeometry& dw, int64_t oh0, int64_t oh1) {
  RowSpan r;
  r.lo = std::clamp<int64_t>(oh0 * dw.stride_h - dw.pad_top, 0, dw.in_h);
  r.hi = std::clamp<int64_t>(
      (oh1 - 1) * dw.stride_h - dw.pad_top + (dw.kernel_h - 1) * dw.dilation_h + 1, r.lo, dw.in_h);
  return r;
}

// Most input rows a band of `rows` output rows reads.
int64_t band_input_rows(const ConvGeometry& dw, int64_t rows) {
  return std::min(dw.in_h, (rows - 1) * dw.stride_h + (dw.kernel_h - 1) * dw.dilation_h + 1);
}

// The calling thread's scratch of at least `floats` floats, 64-byte aligned. One per thread,
// shared by every fused kernel (a thread runs one work item at a time): grown on a thread's
// first item of a bigger kernel, never shrunk, so runs after the first allocate nothing.
float* thread_scratch(int64_t floats) {
  struct Buffer {
    float* data = nullptr;
    int64_t size = 0;
    ~Buffer() { ::operator delete[](data, std::align_val_t(64)); }
  };
  thread_local Buffer buffer;
  if (buffer.size < floats) {
    ::operator delete[](buffer.data, std::align_val_t(64));
    buffer.data = nullptr;
    buffer.size = 0;
    buffer.data = static_cast<float*>(
        ::operator new[](static_cast<size_t>(floats) * sizeof(float), std::align_val_t(64)));
    buffer.size = floats;
  }
  return buffer.data;
}

const char* const kWhere = "pointwise_depthwise_nchwc config: ";

}  // namespace

nlohmann::json pointwise_depthwise_nchwc_config_to_json(const PointwiseDepthwiseNchwcConfig& c) {
  return {{"isa", std::string(isa_name(c.isa))},
          {"block", c.block},
          {"rows", c.rows},
          {"cb_chunk", c.cb_chunk},
          {"row_splits", c.row_splits},
          {"pw_ow_tile", c.pw_ow_tile},
          {"pw_oc_tile", c.pw_oc_tile},
          {"dw_ow_tile", c.dw_ow_tile},
          {"fast3x3", c.fast3x3}};
}

PointwiseDepthwiseNchwcConfig pointwise_depthwise_nchwc_config_from_json(
    const nlohmann::json& json) {
  if (!json.is_object()) throw Error(std::string(kWhere) + "expected a JSON object");
  auto int_field = [&](const char* name, int lo, int hi) {
    auto it = json.find(name);
    if (it == json.end() || !it->is_number_integer())
      throw Error(std::string(kWhere) + "missing integer field '" + name + "'");
    const int64_t v = it->get<int64_t>();
    if (v < lo || v > hi)
      throw Error(std::string(kWhere) + "field '" + name + "' = " + std::to_string(v) +
                  " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<int>(v);
  };
  PointwiseDepthwiseNchwcConfig c;
  auto isa = json.find("isa");
  if (isa == json.end() || !isa->is_string())
    throw Error(std::string(kWhere) + "missing string field 'isa'");
  c.isa = parse_isa(isa->get<std::string>());
  c.block = int_field("block", 8, 16);
  if (c.block != 8 && c.block != 16)
    throw Error(std::string(kWhere) + "field 'block' must be 8 or 16, got " +
                std::to_string(c.block));
  c.rows = int_field("rows", 1, 1 << 20);
  c.cb_chunk = int_field("cb_chunk", 0, 1 << 20);
  c.row_splits = int_field("row_splits", 1, 1 << 20);
  c.pw_ow_tile = int_field("pw_ow_tile", 1, conv_nchwc::kMaxOwTile);
  c.pw_oc_tile = int_field("pw_oc_tile", 1, conv_nchwc::kMaxOcTile);
  c.dw_ow_tile = int_field("dw_ow_tile", 1, kMaxDwOwTile);
  auto fast = json.find("fast3x3");
  if (fast == json.end() || !fast->is_boolean())
    throw Error(std::string(kWhere) + "missing boolean field 'fast3x3'");
  c.fast3x3 = fast->get<bool>();
  return c;
}

std::string pointwise_depthwise_nchwc_config_problem(const ConvGeometry& pw, const ConvGeometry& dw,
                                                     const PointwiseDepthwiseNchwcConfig& c) {
  if (!isa_supported(c.isa)) return "isa " + std::string(isa_name(c.isa)) + " is not supported";
  if (c.block != 8 && c.block != 16) return "block must be 8 or 16";
  if (c.rows < 1) return "rows must be >= 1";
  if (c.cb_chunk < 0) return "cb_chunk must be >= 0";
  if (c.row_splits < 1) return "row_splits must be >= 1";
  if (!conv_nchwc::tile_fits(c.isa, c.block, c.pw_ow_tile, c.pw_oc_tile))
    return "pointwise tile " + std::to_string(c.pw_ow_tile) + "x" + std::to_string(c.pw_oc_tile) +
           " does not fit the registers of " + std::string(isa_name(c.isa)) + " with block " +
           std::to_string(c.block);
  if (c.dw_ow_tile < 1 || c.dw_ow_tile > kMaxDwOwTile)
    return "dw_ow_tile must be in [1, " + std::to_string(kMaxDwOwTile) + "]";
  if (pw.batch < 1 || pw.in_channels < 1 || pw.out_channels < 1 || pw.in_h < 1 || pw.in_w < 1)
    return "pointwise sizes must be positive";
  if (pw.kernel_h != 1 || pw.kernel_w != 1 || pw.stride_h != 1 || pw.stride_w != 1 ||
      pw.pad_top != 0 || pw.pad_left != 0 || pw.out_h != pw.in_h || pw.out_w != pw.in_w)
    return "the pointwise conv must be 1x1, stride 1, unpadded";
  if (dw.in_channels != pw.out_channels || dw.out_channels != pw.out_channels)
    return "the depthwise conv must have the pointwise conv's " + std::to_string(pw.out_channels) +
           " output channels in and out";
  if (dw.batch != pw.batch || dw.in_h != pw.out_h || dw.in_w != pw.out_w)
    return "the depthwise conv must read the pointwise conv's output (batch and size)";
  if (dw.out_h < 1 || dw.out_w < 1 || dw.kernel_h < 1 || dw.kernel_w < 1 || dw.stride_h < 1 ||
      dw.stride_w < 1 || dw.dilation_h < 1 || dw.dilation_w < 1 || dw.pad_top < 0 ||
      dw.pad_left < 0)
    return "invalid depthwise geometry";
  return "";
}

PointwiseDepthwiseNchwcConfig default_pointwise_depthwise_nchwc_config(const ConvGeometry& pw,
                                                                       const ConvGeometry& dw,
                                                                       Isa isa, int block,
                                                                       int threads) {
  PointwiseDepthwiseNchwcConfig c;
  c.isa = isa;
  c.block = block;
  const int64_t mid_cb = ceil_div(pw.out_channels, block);
  // Work items for the threads: images, then parts of an image.
  // - Large images (56x56 and up) split by rows: each thread reads the input rows the layer
  //   before (split by rows too) left in its own L2, and a split recomputes only the K - stride
  //   rows two parts share (MobileNetV2's 112x112 block: 1 of 56 rows).
  // - Small images (14x14 and below) split in chunks of two channel blocks (one pointwise
  //   tile): many items, which the pool's stealing evens out when a thread starts late.
  // - Between, channel chunks that divide evenly (no recomputed row), else rows.
  // Each image is split as at batch 1, whatever the batch: one item per image gave a batch of
  // two one image per thread and nothing to steal when one thread runs slower (EfficientNet-B0
  // at batch 2: 0.95 of the time with the split, MobileNetV3-Small at batch 4: 0.90-0.95).
  const int64_t per_image = std::max(threads, 1);
  const int64_t pixels = dw.in_h * dw.in_w;
  if (per_image > 1) {
    if (pixels <= kSmallImagePixels && mid_cb >= 2 * per_image)
      c.cb_chunk = 2;
    else if (pixels >= kLargeImagePixels && dw.out_h >= 8 * per_image)
      c.row_splits = static_cast<int>(per_image);
    else if (mid_cb % per_image == 0 || dw.out_h < 4 * per_image)
      c.cb_chunk = static_cast<int>(ceil_div(mid_cb, per_image));
    else
      c.row_splits = static_cast<int>(per_image);
  }
  const int64_t chunk = c.cb_chunk > 0 ? c.cb_chunk : mid_cb;
  // The pointwise tile: the dense kernel's oc blocks by the widest pixel count the registers
  // hold beside them. Measured (bench_pointwise_depthwise_nchwc_bench, one thread): 14x2 beat
  // 9x3 and 7x3 on MobileNetV2's 56x56 blocks with AVX-512 even where the chunk of 9 blocks
  // leaves a 1-block tile.
  const Isa fit_isa = isa == Isa::kPortable ? Isa::kAvx2 : isa;
  int oc = static_cast<int>(std::min<int64_t>(conv_nchwc::default_oc_blocks(isa, block), chunk));
  if (!conv_nchwc::tile_fits(fit_isa, block, 1, oc)) oc = 1;
  int ow = 0;
  while (ow < conv_nchwc::kMaxOwTile && conv_nchwc::tile_fits(fit_isa, block, ow + 1, oc)) ++ow;
  c.pw_oc_tile = oc;
  c.pw_ow_tile = ow;
  // The widest band (up to 8 rows) whose expanded rows fit the scratch budget.
  const int64_t rows_per_item = ceil_div(dw.out_h, c.row_splits);
  const int64_t row_bytes = chunk * dw.in_w * block * static_cast<int64_t>(sizeof(float));
  int64_t rows = 1;
  while (rows < std::min<int64_t>(8, rows_per_item) &&
         band_input_rows(dw, rows + 1) * row_bytes <= kScratchBudget)
    ++rows;
  c.rows = static_cast<int>(rows);
  c.dw_ow_tile = depthwise_default_ow_tile(dw, isa, block);
  return c;
}

struct PointwiseDepthwiseNchwc::Impl {
  ConvGeometry pw, dw;
  PointwiseDepthwiseNchwcConfig c;
  Epilogue pw_epilogue, dw_epilogue;
  int64_t in_cb = 0, mid_cb = 0, chunk_cb = 0, n_chunks = 0;
  AlignedFloats pw_weight;      // [mid_cb][in_cb][b_ic][b_oc]
  AlignedFloats pw_bias;        // [mid_cb][b]
  AlignedFloats dw_weight;      // [mid_cb][KH*KW][b]
  AlignedFloats dw_bias;        // [mid_cb][b]
  AlignedFloats zero_row;       // [in_w][b] zeros, for rows outside the image
  std::vector<TileFn> kernels;  // [n_oc - 1][n_ow - 1]
  DepthwiseRowsFn rows_fn = nullptr;
  int64_t ow_lo = 0, ow_hi = 0;
  bool fast3x3 = false;
  // A work item's scratch (thread_scratch): [chunk_cb][band_rows][in_w][b].
  int64_t band_rows = 0, slot_cb = 0, slot_floats = 0;

  Impl(int64_t pw_floats, int64_t mid_floats, int64_t dw_floats, int64_t row_floats)
      : pw_weight(pw_floats),
        pw_bias(mid_floats),
        dw_weight(dw_floats),
        dw_bias(mid_floats),
        zero_row(row_floats) {}

  TileFn kernel(int n_ow, int n_oc) const {
    return kernels[static_cast<size_t>((n_oc - 1) * c.pw_ow_tile + n_ow - 1)];
  }
  void expand_rows(const float* xn, float* slot, int64_t cb0, int64_t cb1, int64_t r0, int64_t r1,
                   int64_t at) const;
  void run_item(size_t item, float* slot, const float* x, const float* sum, float* y) const;
};

PointwiseDepthwiseNchwc::PointwiseDepthwiseNchwc(const ConvGeometry& pw, const ConvGeometry& dw,
                                                 const PointwiseDepthwiseNchwcConfig& c,
                                                 const float* pw_weight, const float* pw_bias,
                                                 Epilogue pw_epilogue, const float* dw_weight,
                                                 const float* dw_bias, Epilogue dw_epilogue) {
  if (std::string why = pointwise_depthwise_nchwc_config_problem(pw, dw, c); !why.empty())
    throw Error("pointwise_depthwise_nchwc: invalid config: " + why);
  if (!pw_weight || !dw_weight) throw Error("pointwise_depthwise_nchwc: weights are missing");
  const int64_t b = c.block;
  const int64_t in_cb = ceil_div(pw.in_channels, b), mid_cb = ceil_div(pw.out_channels, b);
  const int64_t chunk_cb = c.cb_chunk > 0 ? std::min<int64_t>(c.cb_chunk, mid_cb) : mid_cb;
  const int64_t taps = dw.kernel_h * dw.kernel_w;
  const int64_t band_rows = band_input_rows(dw, c.rows);
  const int64_t slot_cb = band_rows * dw.in_w * b;
  impl_ =
      std::make_unique<Impl>(mid_cb * in_cb * b * b, mid_cb * b, mid_cb * taps * b, dw.in_w * b);
  Impl& m = *impl_;
  m.pw = pw;
  m.dw = dw;
  m.c = c;
  m.pw_epilogue = pw_epilogue;
  m.dw_epilogue = dw_epilogue;
  m.in_cb = in_cb;
  m.mid_cb = mid_cb;
  m.chunk_cb = chunk_cb;
  m.n_chunks = ceil_div(mid_cb, chunk_cb);
  m.band_rows = band_rows;
  m.slot_cb = slot_cb;
  m.slot_floats = chunk_cb * slot_cb;

  const int64_t mid = pw.out_channels, cin = pw.in_channels;
  for (int64_t oc = 0; oc < mid; ++oc) {
    for (int64_t ic = 0; ic < cin; ++ic)
      m.pw_weight.data[((oc / b) * in_cb + ic / b) * b * b + (ic % b) * b + oc % b] =
          pw_weight[oc * cin + ic];
    if (pw_bias) m.pw_bias.data[oc] = pw_bias[oc];
    for (int64_t t = 0; t < taps; ++t)
      m.dw_weight.data[((oc / b) * taps + t) * b + oc % b] = dw_weight[oc * taps + t];
    if (dw_bias) m.dw_bias.data[oc] = dw_bias[oc];
  }
  for (int oc = 1; oc <= c.pw_oc_tile; ++oc)
    for (int ow = 1; ow <= c.pw_ow_tile; ++ow)
      m.kernels.push_back(conv_nchwc::tile_kernel(c.isa, c.block, ow, oc));
  m.rows_fn = depthwise_rows_kernel(c.isa, c.block);
  depthwise_interior_columns(dw, m.ow_lo, m.ow_hi);
  m.fast3x3 = c.fast3x3 && depthwise_fits_3x3_kernel(dw, m.ow_lo, m.ow_hi);
}

PointwiseDepthwiseNchwc::~PointwiseDepthwiseNchwc() = default;
PointwiseDepthwiseNchwc::PointwiseDepthwiseNchwc(PointwiseDepthwiseNchwc&&) noexcept = default;
PointwiseDepthwiseNchwc& PointwiseDepthwiseNchwc::operator=(PointwiseDepthwiseNchwc&&) noexcept =
    default;

// The pointwise conv (with its bias and activation) of input rows [r0, r1) of image xn, for
// expanded channel blocks [cb0, cb1), into the slot's rows from row `at` on.
void PointwiseDepthwiseNchwc::Impl::expand_rows(const float* xn, float* slot, int64_t cb0,
                                                int64_t cb1, int64_t r0, int64_t r1,
                                                int64_t at) const {
  const int64_t b = c.block, w = pw.in_w;
  Tile t{};
  t.groups = in_cb;
  t.lanes = b;
  t.last_lanes = pw.in_channels - (in_cb - 1) * b;
  t.kh = t.kw = 1;
  t.x_group = pw.in_h * w * b;
  t.x_lane = 1;
  t.x_pixel = b;
  t.w_ocb = in_cb * b * b;
  t.w_group = b * b;
  t.w_kh = t.w_kw = b * b;
  t.y_ocb = slot_cb;
  t.act = pw_epilogue;
  const int64_t q0 = r0 * w, q1 = r1 * w;
  for (int64_t q = q0; q < q1; q += c.pw_ow_tile) {
    t.n_ow = static_cast<int>(std::min<int64_t>(c.pw_ow_tile, q1 - q));
    t.x = xn + q * b;
    for (int64_t ocb = cb0; ocb < cb1; ocb += c.pw_oc_tile) {
      t.n_oc = static_cast<int>(std::min<int64_t>(c.pw_oc_tile, cb1 - ocb));
      t.w = pw_weight.data + ocb * t.w_ocb;
      t.bias = pw_bias.data + ocb * b;
      t.y = slot + (ocb - cb0) * slot_cb + (at * w + (q - q0)) * b;
      kernel(t.n_ow, t.n_oc)(t);
    }
  }
}

void PointwiseDepthwiseNchwc::Impl::run_item(size_t item, float* slot, const float* x,
                                             const float* sum, float* y) const {
  const int64_t i = static_cast<int64_t>(item), splits = c.row_splits;
  const int64_t split = i % splits, chunk = (i / splits) % n_chunks, n = i / (splits * n_chunks);
  const int64_t cb0 = chunk * chunk_cb, cb1 = std::min(mid_cb, cb0 + chunk_cb);
  const int64_t oh_begin = split * dw.out_h / splits, oh_end = (split + 1) * dw.out_h / splits;
  const int64_t b = c.block, w = dw.in_w, out_hw = dw.out_h * dw.out_w;
  const int64_t taps = dw.kernel_h * dw.kernel_w;
  const float* xn = x + n * in_cb * pw.in_h * pw.in_w * b;

  DepthwiseRowArgs a;
  a.in_w = w;
  a.out_h = dw.out_h;
  a.out_w = dw.out_w;
  a.kernel_h = dw.kernel_h;
  a.kernel_w = dw.kernel_w;
  a.stride_h = dw.stride_h;
  a.stride_w = dw.stride_w;
  a.pad_left = dw.pad_left;
  a.dilation_h = dw.dilation_h;
  a.dilation_w = dw.dilation_w;
  a.ow_lo = ow_lo;
  a.ow_hi = ow_hi;
  a.block = static_cast<int>(b);
  a.ow_tile = c.dw_ow_tile;
  a.fast3x3 = fast3x3;
  a.zero_row = zero_row.data;
  a.epilogue = dw_epilogue;

  RowSpan have;  // input rows the slot holds, from its row 0
  for (int64_t oh0 = oh_begin; oh0 < oh_end; oh0 += c.rows) {
    const int64_t oh1 = std::min(oh_end, oh0 + c.rows);
    const RowSpan need = input_rows(dw, oh0, oh1);
    // Rows the previous band computed that this one reads again move to the slot's front.
    int64_t from = need.lo;
    if (need.lo >= have.lo && need.lo < have.hi) {
      const int64_t keep = std::min(have.hi, need.hi) - need.lo, shift = need.lo - have.lo;
      if (shift > 0)
        for (int64_t k = 0; k < cb1 - cb0; ++k) {
          float* base = slot + k * slot_cb;
          std::memmove(base, base + shift * w * b,
                       static_cast<size_t>(keep * w * b) * sizeof(float));
        }
      from = need.lo + keep;
    }
    if (from < need.hi) expand_rows(xn, slot, cb0, cb1, from, need.hi, from - need.lo);
    have = need;
    a.in_h = need.hi - need.lo;
    a.pad_top = dw.pad_top + need.lo;
    for (int64_t cb = cb0; cb < cb1; ++cb) {
      const int64_t plane = n * mid_cb + cb;
      a.x = slot + (cb - cb0) * slot_cb;
      a.w = dw_weight.data + cb * taps * b;
      a.bias = dw_bias.data + cb * b;
      a.sum = sum ? sum + plane * out_hw * b : nullptr;
      a.y = y + plane * out_hw * b;
      rows_fn(a, oh0, oh1);
    }
  }
}

void PointwiseDepthwiseNchwc::run(const float* x, const float* sum, float* y,
                                  ThreadPool* pool) const {
  const Impl& m = *impl_;
  const int64_t items = m.pw.batch * m.n_chunks * m.c.row_splits;
  parallel_for(pool, static_cast<size_t>(items),
               [&](size_t i) { m.run_item(i, thread_scratch(m.slot_floats), x, sum, y); });
}

int64_t PointwiseDepthwiseNchwc::packed_bytes() const {
  const Impl& m = *impl_;
  return (m.pw_weight.size + m.pw_bias.size + m.dw_weight.size + m.dw_bias.size + m.zero_row.size) *
         static_cast<int64_t>(sizeof(float));
}

int64_t PointwiseDepthwiseNchwc::scratch_bytes() const {
  return impl_->slot_floats * static_cast<int64_t>(sizeof(float));
}

const PointwiseDepthwiseNchwcConfig& PointwiseDepthwiseNchwc::config() const {
  return impl_->c;
}

std::string PointwiseDepthwiseNchwc::name() const {
  const Impl& m = *impl_;
  const int b = m.c.block;
  std::string s = "pw_dw_nchw" + std::to_string(b) + "c " + std::string(isa_name(m.c.isa)) + " r" +
                  std::to_string(m.c.rows);
  if (m.n_chunks > 1) s += " cb" + std::to_string(m.chunk_cb);
  if (m.c.row_splits > 1) s += " split" + std::to_string(m.c.row_splits);
  s += " pw" + std::to_string(m.c.pw_ow_tile) + "x" + std::to_string(m.c.pw_oc_tile);
  s += std::string(m.fast3x3 ? " 3x3" : "") + " ow" + std::to_string(m.c.dw_ow_tile);
  return s;
}

}  // namespace hone
