#include "ops/conv/winograd_nchwc.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "ops/conv/conv_nchwc_kernel.h"
#include "ops/conv/winograd_nchwc_kernel.h"

namespace hone {
namespace {

using conv_nchwc::Tile;
using conv_nchwc::TileFn;
using winograd_nchwc::InputArgs;
using winograd_nchwc::OutputArgs;
using winograd_nchwc::Transforms;

constexpr int kMaxTilesPerItem = 4096;

// Transformed elements per tile of F(m x m, 3x3): (m + 2)^2.
int64_t points_of(int tile) {
  return int64_t{tile + 2} * (tile + 2);
}

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// 64-byte aligned floats, zeroed.
struct AlignedFloats {
  float* data = nullptr;
  int64_t size = 0;
  explicit AlignedFloats(int64_t n = 0) { resize(n); }
  ~AlignedFloats() { release(); }
  AlignedFloats(const AlignedFloats&) = delete;
  AlignedFloats& operator=(const AlignedFloats&) = delete;
  void release() {
    if (data) ::operator delete[](data, std::align_val_t(64));
    data = nullptr;
    size = 0;
  }
  void resize(int64_t n) {
    release();
    data = static_cast<float*>(::operator new[](
        static_cast<size_t>(std::max<int64_t>(n, 1)) * sizeof(float), std::align_val_t(64)));
    std::memset(data, 0, static_cast<size_t>(std::max<int64_t>(n, 1)) * sizeof(float));
    size = n;
  }
};

TileFn gemm_kernel(Isa isa, int block, int n_t, int n_oc) {
  switch (isa) {
    case Isa::kAvx512:
      return conv_nchwc::avx512::tile_kernel(block, n_t, n_oc);
    case Isa::kAvx2:
      return conv_nchwc::avx2::tile_kernel(block, n_t, n_oc);
    case Isa::kPortable:
      break;
  }
  return conv_nchwc::portable::tile_kernel(block, n_t, n_oc);
}

Transforms transforms_of(Isa isa, int block, int tile) {
  switch (isa) {
    case Isa::kAvx512:
      return winograd_nchwc::avx512::transforms(block, tile);
    case Isa::kAvx2:
      return winograd_nchwc::avx2::transforms(block, tile);
    case Isa::kPortable:
      break;
  }
  return winograd_nchwc::portable::transforms(block, tile);
}

int json_int(const nlohmann::json& json, const char* key, int lo, int hi) {
  if (!json.contains(key) || !json[key].is_number_integer())
    throw Error(std::string("winograd_nchwc config: '") + key + "' is missing or not an integer");
  const int64_t v = json[key].get<int64_t>();
  if (v < lo || v > hi)
    throw Error(std::string("winograd_nchwc config: '") + key + "' = " + std::to_string(v) +
                " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int>(v);
}

// U = G g G^T for one 3x3 filter, in double: u[i * a + j] for the a = tile + 2 points.
void transform_filter(const float* g, int tile, double* u) {
  static constexpr double kG4[6][3] = {
      {1.0 / 4, 0, 0},
      {-1.0 / 6, -1.0 / 6, -1.0 / 6},
      {-1.0 / 6, 1.0 / 6, -1.0 / 6},
      {1.0 / 24, 1.0 / 12, 1.0 / 6},
      {1.0 / 24, -1.0 / 12, 1.0 / 6},
      {0, 0, 1},
  };
  static constexpr double kG2[4][3] = {
      {1, 0, 0},
      {0.5, 0.5, 0.5},
      {0.5, -0.5, 0.5},
      {0, 0, 1},
  };
  const double(*kG)[3] = tile == 2 ? kG2 : kG4;
  const int a = tile + 2;
  double t[6][3];
  for (int i = 0; i < a; ++i)
    for (int j = 0; j < 3; ++j)
      t[i][j] = kG[i][0] * g[0 * 3 + j] + kG[i][1] * g[1 * 3 + j] + kG[i][2] * g[2 * 3 + j];
  for (int i = 0; i < a; ++i)
    for (int j = 0; j < a; ++j)
      u[i * a + j] = t[i][0] * kG[j][0] + t[i][1] * kG[j][1] + t[i][2] * kG[j][2];
}

// One thread's scratch, kept across runs: grown on a thread's first run of the largest layer,
// so later runs allocate nothing.
float* thread_scratch(int64_t floats) {
  thread_local AlignedFloats scratch;
  if (scratch.size < floats) scratch.resize(floats);
  return scratch.data;
}

}  // namespace

nlohmann::json winograd_nchwc_config_to_json(const WinogradNchwcConfig& c) {
  return {{"isa", std::string(isa_name(c.isa))},
          {"block", c.block},
          {"tile", c.tile},
          {"tiles_per_item", c.tiles_per_item},
          {"gemm_tiles", c.gemm_tiles},
          {"oc_tile", c.oc_tile},
          {"oc_chunk", c.oc_chunk},
          {"w_prefetch", c.w_prefetch}};
}

WinogradNchwcConfig winograd_nchwc_config_from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw Error("winograd_nchwc config: expected a JSON object");
  if (!json.contains("isa") || !json["isa"].is_string())
    throw Error("winograd_nchwc config: 'isa' is missing or not a string");
  WinogradNchwcConfig c;
  c.isa = parse_isa(json["isa"].get<std::string>());
  c.block = json_int(json, "block", 8, 16);
  if (c.block != 8 && c.block != 16)
    throw Error("winograd_nchwc config: 'block' = " + std::to_string(c.block) + " is not 8 or 16");
  // Configs written before F(2x2, 3x3) existed have no "tile": they meant F(4x4, 3x3).
  c.tile = json.contains("tile") ? json_int(json, "tile", 2, 4) : 4;
  if (c.tile != 2 && c.tile != 4)
    throw Error("winograd_nchwc config: 'tile' = " + std::to_string(c.tile) + " is not 2 or 4");
  c.tiles_per_item = json_int(json, "tiles_per_item", 1, kMaxTilesPerItem);
  c.gemm_tiles = json_int(json, "gemm_tiles", 1, conv_nchwc::kMaxOwTile);
  c.oc_tile = json_int(json, "oc_tile", 1, conv_nchwc::kMaxOcTile);
  c.oc_chunk = json_int(json, "oc_chunk", 0, 1 << 20);
  c.w_prefetch = json.contains("w_prefetch") ? json_int(json, "w_prefetch", 0, 1) : 0;
  return c;
}

std::string winograd_nchwc_config_problem(const ConvGeometry& g, const WinogradNchwcConfig& c) {
  if (!isa_supported(c.isa)) return "isa " + std::string(isa_name(c.isa)) + " is not supported";
  if (c.block != 8 && c.block != 16) return "block " + std::to_string(c.block) + " is not 8/16";
  if (c.tile != 2 && c.tile != 4) return "tile " + std::to_string(c.tile) + " is not 2/4";
  if (c.tiles_per_item < 1 || c.tiles_per_item > kMaxTilesPerItem)
    return "tiles_per_item " + std::to_string(c.tiles_per_item) + " is outside [1, " +
           std::to_string(kMaxTilesPerItem) + "]";
  if (!conv_nchwc::tile_fits(c.isa, c.block, c.gemm_tiles, c.oc_tile))
    return "gemm tile " + std::to_string(c.gemm_tiles) + "x" + std::to_string(c.oc_tile) +
           " does not fit the registers of " + std::string(isa_name(c.isa)) + " with block " +
           std::to_string(c.block);
  if (c.oc_chunk < 0) return "oc_chunk is negative";
  if (c.w_prefetch != 0 && c.w_prefetch != 1) return "w_prefetch is not 0 or 1";
  if (g.batch < 1 || g.in_channels < 1 || g.out_channels < 1 || g.in_h < 1 || g.in_w < 1 ||
      g.out_h < 1 || g.out_w < 1)
    return "sizes must be positive";
  if (g.kernel_h != 3 || g.kernel_w != 3) return "the kernel is not 3x3";
  if (g.stride_h != 1 || g.stride_w != 1) return "the stride is not 1";
  if (g.dilation_h != 1 || g.dilation_w != 1) return "the dilation is not 1";
  if (g.pad_top < 0 || g.pad_left < 0) return "pads must not be negative";
  return {};
}

WinogradNchwcConfig default_winograd_nchwc_config(const ConvGeometry& g, Isa isa, int block) {
  WinogradNchwcConfig c;
  c.isa = isa;
  c.block = block;
  // F(2x2, 3x3) below 28x28 outputs: 16 rather than 36 weights per filter (small images stream
  // theirs from memory every run) and less padding waste in tiles of 2 (decision 007).
  c.tile = g.out_h * g.out_w < 28 * 28 ? 2 : 4;
  const int64_t points = points_of(c.tile);
  const int64_t b = block;
  const int64_t icb = std::max<int64_t>(1, ceil_div(g.in_channels, b));
  const int64_t ocb = std::max<int64_t>(1, ceil_div(g.out_channels, b));
  const int64_t tiles =
      std::max<int64_t>(1, g.batch * ceil_div(g.out_h, c.tile) * ceil_div(g.out_w, c.tile));
  // GEMM register tile: the direct kernel's oc blocks x the most tiles that fit.
  const Isa fit_isa = isa == Isa::kPortable ? Isa::kAvx2 : isa;
  int oc = static_cast<int>(std::min<int64_t>(ocb, conv_nchwc::default_oc_blocks(isa, block)));
  if (!conv_nchwc::tile_fits(fit_isa, block, 2, oc)) oc = 1;
  int nt = 1;
  while (nt < conv_nchwc::kMaxOwTile && conv_nchwc::tile_fits(fit_isa, block, nt + 1, oc)) ++nt;
  // Work items of T tiles whose transformed input and products (points * T * (IC + OCc) floats)
  // stay in half of a 1 MB L2, the tiles spread evenly over the items.
  // Heavy weights (4 MB or more, far past L2) are read once per tile group from memory, so they
  // get as few groups as the input's scratch allows, and the output channels are split
  // instead (measured: 14x14x256, 9.4 MB, 1.5x faster in 2 groups than in 4; 28x28x128,
  // 2.4 MB, is not heavy: 4 groups of 13 beat 2 groups x 2 oc chunks).
  int64_t occ = ocb;
  const bool heavy = points * icb * ocb * b * b * 4 >= (int64_t{4} << 20);
  const int64_t budget = (512 << 10) / (points * 4);
  int64_t t_max =
      std::clamp<int64_t>(budget / ((icb + (heavy ? 0 : occ)) * b), 1, kMaxTilesPerItem);
  // F(2x2, 3x3) on small images (14x14: 49 tiles): all of an image's tiles in one item, so
  // each weight comes from memory once per run, past the scratch budget (measured, 14x14x256
  // at 1 thread with the caches flushed: 49 tiles 0.93 ms, 25 1.07 ms, 13 1.09 ms).
  const int64_t per_image = ceil_div(g.out_h, c.tile) * ceil_div(g.out_w, c.tile);
  if (heavy && c.tile == 2) t_max = std::max(t_max, std::min<int64_t>(per_image, 64));
  // Every layer prefetches its next weights into L2 while the current ones run: in a network
  // the transformed weights (0.6-9 MB on ResNet-50) come from memory on every run. Heavy
  // F(2x2) layers, min of 3-4 interleaved rounds with the caches flushed: 0.70 ms against 0.78
  // without (direct 1.06 ms). In-model, 8 alternating `hone run --profile` rounds: ResNet-50's
  // 28x28x128 F(4x4) layers 0.26-0.29 vs 0.41-0.45 ms, its 56x56x64 ones 0.87-0.89 of the time;
  // whole models (paired medians of 6 alternating rounds) ResNet-18 0.915, DenseNet-121 0.967,
  // ResNet-50 0.969, ResNet-101 0.977, GoogLeNet 0.983, Inception-v3 0.986, SqueezeNet and
  // AlexNet within 2%. With the weights in cache (micro-benchmark, hot) it costs 1-5%.
  c.w_prefetch = 1;
  int64_t groups = ceil_div(tiles, t_max);
  if (groups > 1 && groups % 2 == 1 && groups < tiles) ++groups;  // even: 2 or 4 threads
  const int64_t t = ceil_div(tiles, groups);
  // Fewer than 4 items (uneven or idle threads): split the output channels too (each item
  // then transforms its input again, a small cost next to the GEMMs).
  if (groups < 4 && ocb > oc) {
    const int64_t want = std::min<int64_t>(ceil_div(4, groups), ceil_div(ocb, oc));
    occ = ceil_div(ceil_div(ocb, want), oc) * oc;
  }
  // Even register tiles rather than full ones plus a short tail (25 tiles: 13 + 12).
  nt = static_cast<int>(ceil_div(t, ceil_div(t, nt)));
  c.gemm_tiles = nt;
  c.oc_tile = oc;
  c.tiles_per_item = static_cast<int>(t);
  c.oc_chunk = occ >= ocb ? 0 : static_cast<int>(occ);
  return c;
}

struct WinogradNchwc::Impl {
  ConvGeometry g;
  WinogradNchwcConfig c;
  Epilogue epilogue;
  int64_t b = 0, icb = 0, ocb = 0, occ = 0, n_occ = 0;
  int64_t mt = 4, points = 36;  // output tile edge m, (m + 2)^2 transformed points
  int64_t tiles_h = 0, tiles_w = 0, tiles = 0, n_groups = 0;
  int64_t v_pos = 0, m_pos = 0, v_floats = 0, m_floats = 0;
  AlignedFloats u;              // [points][OCb][ICb][b_ic][b_oc]
  std::vector<float> bias;      // ocb * b, empty when there is none
  std::vector<TileFn> kernels;  // [n_oc - 1][n_t - 1]
  Transforms tf{};

  TileFn kernel(int n_t, int n_oc) const {
    return kernels[static_cast<size_t>((n_oc - 1) * c.gemm_tiles + n_t - 1)];
  }
  void run_item(size_t item, const float* x, const float* sum, float* y) const;
};

WinogradNchwc::WinogradNchwc(const ConvGeometry& g, const WinogradNchwcConfig& c,
                             const float* weight_oihw, const float* bias, Epilogue epilogue)
    : impl_(std::make_unique<Impl>()) {
  if (std::string why = winograd_nchwc_config_problem(g, c); !why.empty())
    throw Error("winograd_nchwc: invalid config: " + why);
  if (!weight_oihw) throw Error("winograd_nchwc: weights are missing");
  Impl& m = *impl_;
  m.g = g;
  m.c = c;
  m.epilogue = epilogue;
  m.b = c.block;
  const int64_t b = m.b;
  m.icb = ceil_div(g.in_channels, b);
  m.ocb = ceil_div(g.out_channels, b);
  m.occ = c.oc_chunk > 0 ? std::min<int64_t>(c.oc_chunk, m.ocb) : m.ocb;
  m.n_occ = ceil_div(m.ocb, m.occ);
  m.mt = c.tile;
  m.points = points_of(c.tile);
  m.tiles_h = ceil_div(g.out_h, m.mt);
  m.tiles_w = ceil_div(g.out_w, m.mt);
  m.tiles = g.batch * m.tiles_h * m.tiles_w;
  m.n_groups = ceil_div(m.tiles, c.tiles_per_item);
  const int64_t t = c.tiles_per_item;
  m.v_pos = m.icb * t * b;
  m.m_pos = m.occ * t * b;
  m.v_floats = m.points * m.v_pos;
  m.m_floats = m.points * m.m_pos;

  m.u.resize(m.points * m.ocb * m.icb * b * b);
  for (int64_t oc = 0; oc < g.out_channels; ++oc)
    for (int64_t ic = 0; ic < g.in_channels; ++ic) {
      double u[36];
      transform_filter(weight_oihw + (oc * g.in_channels + ic) * 9, c.tile, u);
      for (int64_t p = 0; p < m.points; ++p)
        m.u.data[((p * m.ocb + oc / b) * m.icb + ic / b) * b * b + (ic % b) * b + oc % b] =
            static_cast<float>(u[p]);
    }
  if (bias) {
    m.bias.assign(static_cast<size_t>(m.ocb * b), 0.0f);
    std::copy(bias, bias + g.out_channels, m.bias.begin());
  }
  for (int oc = 1; oc <= c.oc_tile; ++oc)
    for (int nt = 1; nt <= c.gemm_tiles; ++nt)
      m.kernels.push_back(gemm_kernel(c.isa, c.block, nt, oc));
  m.tf = transforms_of(c.isa, c.block, c.tile);
}

WinogradNchwc::~WinogradNchwc() = default;
WinogradNchwc::WinogradNchwc(WinogradNchwc&&) noexcept = default;
WinogradNchwc& WinogradNchwc::operator=(WinogradNchwc&&) noexcept = default;

int64_t WinogradNchwc::packed_bytes() const {
  return (impl_->u.size + static_cast<int64_t>(impl_->bias.size())) *
         static_cast<int64_t>(sizeof(float));
}

int64_t WinogradNchwc::scratch_floats() const {
  return impl_->v_floats + impl_->m_floats;
}

const WinogradNchwcConfig& WinogradNchwc::config() const {
  return impl_->c;
}

std::string WinogradNchwc::name() const {
  const WinogradNchwcConfig& c = impl_->c;
  const std::string m = std::to_string(c.tile);
  std::string s = "winograd_f" + m + "x" + m + "_nchw" + std::to_string(c.block) + "c " +
                  std::string(isa_name(c.isa)) + " t" + std::to_string(c.tiles_per_item) + " g" +
                  std::to_string(c.gemm_tiles) + "x" + std::to_string(c.oc_tile);
  if (c.oc_chunk > 0) s += " occ" + std::to_string(c.oc_chunk);
  if (c.w_prefetch) s += " pf";
  return s;
}

// Item = (oc chunk, group of T tiles), oc chunk outermost so that a thread's consecutive items
// reuse the same transformed weights. Tiles are numbered over (batch, tile row, tile column).
void WinogradNchwc::Impl::run_item(size_t item, const float* x, const float* sum, float* y) const {
  const int64_t i = static_cast<int64_t>(item);
  const int64_t oj = i / n_groups, tg = i % n_groups;
  const int64_t T = c.tiles_per_item;
  const int64_t t0 = tg * T, nt = std::min(T, tiles - t0);
  const int64_t ocb0 = oj * occ, n_oc = std::min(occ, ocb - ocb0);
  float* v = thread_scratch(v_floats + m_floats);
  float* mbuf = v + v_floats;
  const int64_t in_hw = g.in_h * g.in_w, out_hw = g.out_h * g.out_w;
  const int64_t per_image = tiles_h * tiles_w;

  InputArgs in{};
  in.groups = icb;
  in.x_group = in_hw * b;
  in.x_row = g.in_w * b;
  in.in_h = g.in_h;
  in.in_w = g.in_w;
  in.v_pos = v_pos;
  in.v_group = T * b;
  for (int64_t k = 0; k < nt; ++k) {
    const int64_t tile = t0 + k, n = tile / per_image, r = tile % per_image;
    in.x = x + n * icb * in_hw * b;
    in.v = v + k * b;
    in.ih0 = (r / tiles_w) * mt - g.pad_top;
    in.iw0 = (r % tiles_w) * mt - g.pad_left;
    tf.input(in);
  }

  Tile t{};
  t.groups = icb;
  t.lanes = b;
  t.last_lanes = g.in_channels - (icb - 1) * b;
  t.kh = t.kw = 1;
  t.x_group = T * b;
  t.x_lane = 1;
  t.x_pixel = b;
  t.w_ocb = icb * b * b;
  t.w_group = b * b;
  t.y_ocb = T * b;
  t.act = Epilogue{};
  const int64_t w_tile = icb * b * b;  // weight floats of one oc block at one point
  const int64_t passes = ceil_div(nt, c.gemm_tiles);
  for (int64_t p = 0; p < points; ++p) {
    for (int64_t o = 0; o < n_oc; o += c.oc_tile) {
      t.n_oc = static_cast<int>(std::min<int64_t>(c.oc_tile, n_oc - o));
      t.prefetch_input = o == 0;  // later oc tiles read the transformed input the first fetched
      const float* w = u.data + (p * ocb + ocb0 + o) * w_tile;
      // The weights of the next register tile (the next oc tile, else the next point's first),
      // prefetched into L2 a share per pass over these: weights that stream from memory then
      // arrive while these are in use.
      const float* next = nullptr;
      int64_t next_lines = 0;
      if (c.w_prefetch) {
        const int64_t po = o + c.oc_tile < n_oc ? p : p + 1;
        const int64_t oo = o + c.oc_tile < n_oc ? o + c.oc_tile : 0;
        if (po < points) {
          next = u.data + (po * ocb + ocb0 + oo) * w_tile;
          next_lines = std::min<int64_t>(c.oc_tile, n_oc - oo) * w_tile * 4 / 64;
        }
      }
      const int64_t share = ceil_div(next_lines, passes);
      for (int64_t r0 = 0, pass = 0; r0 < nt; r0 += c.gemm_tiles, ++pass) {
        t.n_ow = static_cast<int>(std::min<int64_t>(c.gemm_tiles, nt - r0));
        t.x = v + p * v_pos + r0 * b;
        t.w = w;
        t.w_next_lines = std::clamp<int64_t>(next_lines - pass * share, 0, share);
        t.w_next = t.w_next_lines > 0 ? next + pass * share * 16 : nullptr;
        t.y = mbuf + p * m_pos + o * T * b + r0 * b;
        kernel(t.n_ow, t.n_oc)(t);
      }
    }
  }

  OutputArgs out{};
  out.n_oc = n_oc;
  out.m_pos = m_pos;
  out.m_ocb = T * b;
  out.y_ocb = out_hw * b;
  out.y_row = g.out_w * b;
  out.bias = bias.empty() ? nullptr : bias.data() + ocb0 * b;
  out.act = epilogue;
  for (int64_t k = 0; k < nt; ++k) {
    const int64_t tile = t0 + k, n = tile / per_image, r = tile % per_image;
    const int64_t oh0 = (r / tiles_w) * mt, ow0 = (r % tiles_w) * mt;
    const int64_t at = ((n * ocb + ocb0) * out_hw + oh0 * g.out_w + ow0) * b;
    out.m = mbuf + k * b;
    out.y = y + at;
    out.sum = sum ? sum + at : nullptr;
    out.rows = static_cast<int>(std::min<int64_t>(mt, g.out_h - oh0));
    out.cols = static_cast<int>(std::min<int64_t>(mt, g.out_w - ow0));
    tf.output(out);
  }
}

void WinogradNchwc::run(const float* x, const float* sum, float* y, ThreadPool* pool) const {
  const Impl& m = *impl_;
  parallel_for(pool, static_cast<size_t>(m.n_occ * m.n_groups),
               [&](size_t i) { m.run_item(i, x, sum, y); });
}

}  // namespace hone
