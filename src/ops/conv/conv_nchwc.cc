#include "ops/conv/conv_nchwc.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "ops/conv/conv_nchwc_kernel.h"

namespace hone {
namespace {

using conv_nchwc::Tile;
using conv_nchwc::TileFn;

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// 64-byte aligned floats (packed weights are read as whole cache lines).
struct AlignedFloats {
  float* data = nullptr;
  int64_t size = 0;
  explicit AlignedFloats(int64_t n) : size(n) {
    data = static_cast<float*>(::operator new[](
        static_cast<size_t>(std::max<int64_t>(n, 1)) * sizeof(float), std::align_val_t(64)));
    std::memset(data, 0, static_cast<size_t>(n) * sizeof(float));
  }
  ~AlignedFloats() { ::operator delete[](data, std::align_val_t(64)); }
  AlignedFloats(const AlignedFloats&) = delete;
  AlignedFloats& operator=(const AlignedFloats&) = delete;
};

// Taps k in [lo, hi) keep 0 <= base + k * dilation < size.
struct TapRange {
  int64_t lo = 0, hi = 0;
};
TapRange tap_range(int64_t base, int64_t taps, int64_t dilation, int64_t size) {
  TapRange r{taps, 0};
  for (int64_t k = 0; k < taps; ++k) {
    const int64_t i = base + k * dilation;
    if (i >= 0 && i < size) {
      r.lo = std::min(r.lo, k);
      r.hi = k + 1;
    }
  }
  if (r.hi <= r.lo) r = {0, 0};
  return r;
}

bool is_flat(const ConvGeometry& g) {
  return g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 &&
         g.pad_top == 0 && g.pad_left == 0 && g.out_h == g.in_h && g.out_w == g.in_w;
}

// Lanes of weight prefetch distance; further than a few taps ahead only evicts.
constexpr int kMaxWeightPrefetch = 1024;

int json_int(const nlohmann::json& json, const char* key, int lo, int hi) {
  if (!json.contains(key) || !json[key].is_number_integer())
    throw Error(std::string("conv_nchwc config: '") + key + "' is missing or not an integer");
  const int64_t v = json[key].get<int64_t>();
  if (v < lo || v > hi)
    throw Error(std::string("conv_nchwc config: '") + key + "' = " + std::to_string(v) +
                " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int>(v);
}

}  // namespace

nlohmann::json conv_nchwc_config_to_json(const ConvNchwcConfig& c) {
  return {{"isa", std::string(isa_name(c.isa))},
          {"block", c.block},
          {"ow_tile", c.ow_tile},
          {"oc_tile", c.oc_tile},
          {"ic_chunk", c.ic_chunk},
          {"oh_chunk", c.oh_chunk},
          {"loop_order", c.loop_order},
          {"oc_chunk", c.oc_chunk},
          {"w_prefetch", c.w_prefetch},
          {"w_prefetch_next", c.w_prefetch_next},
          {"stream_out", c.stream_out},
          {"subsample", c.subsample}};
}

ConvNchwcConfig conv_nchwc_config_from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw Error("conv_nchwc config: expected a JSON object");
  if (!json.contains("isa") || !json["isa"].is_string())
    throw Error("conv_nchwc config: 'isa' is missing or not a string");
  ConvNchwcConfig c;
  c.isa = parse_isa(json["isa"].get<std::string>());
  c.block = json_int(json, "block", 8, 16);
  if (c.block != 8 && c.block != 16)
    throw Error("conv_nchwc config: 'block' = " + std::to_string(c.block) + " is not 8 or 16");
  c.ow_tile = json_int(json, "ow_tile", 1, conv_nchwc::kMaxOwTile);
  c.oc_tile = json_int(json, "oc_tile", 1, conv_nchwc::kMaxOcTile);
  c.ic_chunk = json_int(json, "ic_chunk", 0, 1 << 20);
  c.oh_chunk = json_int(json, "oh_chunk", 1, 1 << 20);
  // Added after the first records were written: absent means the original order.
  c.loop_order = json.contains("loop_order") ? json_int(json, "loop_order", 0, 1) : 0;
  c.oc_chunk = json.contains("oc_chunk") ? json_int(json, "oc_chunk", 0, 1 << 20) : 0;
  c.w_prefetch =
      json.contains("w_prefetch") ? json_int(json, "w_prefetch", 0, kMaxWeightPrefetch) : 0;
  c.w_prefetch_next =
      json.contains("w_prefetch_next") ? json_int(json, "w_prefetch_next", 0, 1) : 0;
  c.stream_out = json.contains("stream_out") ? json_int(json, "stream_out", 0, 1) : 0;
  c.subsample = json.contains("subsample") ? json_int(json, "subsample", 0, 1) : 0;
  return c;
}

std::string conv_nchwc_config_problem(const ConvGeometry& g, const ConvNchwcConfig& c) {
  if (!isa_supported(c.isa)) return "isa " + std::string(isa_name(c.isa)) + " is not supported";
  if (c.block != 8 && c.block != 16) return "block " + std::to_string(c.block) + " is not 8/16";
  if (!conv_nchwc::tile_fits(c.isa, c.block, c.ow_tile, c.oc_tile))
    return "tile " + std::to_string(c.ow_tile) + "x" + std::to_string(c.oc_tile) +
           " does not fit the registers of " + std::string(isa_name(c.isa)) + " with block " +
           std::to_string(c.block);
  if (c.ic_chunk < 0) return "ic_chunk is negative";
  if (c.oh_chunk < 1) return "oh_chunk is below 1";
  if (c.loop_order != 0 && c.loop_order != 1) return "loop_order is not 0 or 1";
  if (c.oc_chunk < 0) return "oc_chunk is negative";
  if (c.w_prefetch < 0 || c.w_prefetch > kMaxWeightPrefetch)
    return "w_prefetch is outside [0, " + std::to_string(kMaxWeightPrefetch) + "]";
  if (c.w_prefetch_next != 0 && c.w_prefetch_next != 1) return "w_prefetch_next is not 0 or 1";
  if (c.stream_out != 0 && c.stream_out != 1) return "stream_out is not 0 or 1";
  if (c.subsample != 0 && c.subsample != 1) return "subsample is not 0 or 1";
  if (g.batch < 1 || g.in_channels < 1 || g.out_channels < 1 || g.in_h < 1 || g.in_w < 1 ||
      g.out_h < 1 || g.out_w < 1 || g.kernel_h < 1 || g.kernel_w < 1)
    return "sizes must be positive";
  if (g.stride_h < 1 || g.stride_w < 1 || g.dilation_h < 1 || g.dilation_w < 1)
    return "strides and dilations must be positive";
  if (g.pad_top < 0 || g.pad_left < 0) return "pads must not be negative";
  if (c.subsample && !conv_nchwc_can_subsample(g))
    return "subsample needs a 1x1 kernel, a stride above 1 and no padding";
  return {};
}

bool conv_nchwc_can_subsample(const ConvGeometry& g) {
  return g.kernel_h == 1 && g.kernel_w == 1 && (g.stride_h > 1 || g.stride_w > 1) &&
         g.pad_top == 0 && g.pad_left == 0 && (g.out_h - 1) * g.stride_h < g.in_h &&
         (g.out_w - 1) * g.stride_w < g.in_w;
}

ConvNchwcConfig default_conv_nchwc_config(const ConvGeometry& g, Isa isa, int block) {
  ConvNchwcConfig c;
  c.isa = isa;
  c.block = block;
  const int64_t ocb = std::max<int64_t>(1, ceil_div(g.out_channels, block));
  const bool flat = is_flat(g);
  const int64_t row = flat ? g.out_h * g.out_w : g.out_w;
  // Measured on Zen 4 (bench_conv_nchwc): two oc blocks x the widest row tile that fits beats
  // wider single-block tiles (28x1: one broadcast per FMA) and taller ones (6x4, 7x3). Short
  // rows trade the unused pixel slots for more oc blocks. The portable path sizes like AVX2.
  const Isa fit_isa = isa == Isa::kPortable ? Isa::kAvx2 : isa;
  auto widest = [&](int oc) {
    int ow = 0;
    while (ow < conv_nchwc::kMaxOwTile && conv_nchwc::tile_fits(fit_isa, block, ow + 1, oc)) ++ow;
    return ow;
  };
  int oc = static_cast<int>(std::min<int64_t>(ocb, conv_nchwc::default_oc_blocks(isa, block)));
  int ow = widest(oc);
  if (row < ow) {
    ow = static_cast<int>(row);
    while (oc < std::min<int64_t>(ocb, 4) && widest(oc + 1) >= ow) ++oc;
  } else if (g.in_channels < block && g.kernel_h * g.kernel_w <= 9 && ocb >= 4 &&
             conv_nchwc::tile_fits(fit_isa, block, 6, 4)) {
    // A first conv with a small kernel (VGG-16's 3x3 3->64; a few input lanes per tap): 6
    // pixels x 4 oc blocks loads 10 vectors per 24 FMAs instead of 16 per 28 (in-model 0.93 vs
    // 0.97 ms, 4 alternating `hone run --profile` rounds). With 7x7 and 11x11 kernels the
    // 2-block row tile wins, likely because each tile streams half the weights (19 KB of a
    // 7x7's 38): in-model ResNet-50's 7x7 0.96, DenseNet-121's 0.94, GoogLeNet's 0.96,
    // SqueezeNet 1.0's (3->96, was 4x6) 0.83 and AlexNet's 11x11 0.81 of the time (4-6
    // alternating profile rounds each).
    oc = 4;
    ow = 6;
  }
  // Even tiles rather than full ones plus a short tail (49 pixels: 13+13+13+10, not 14x3+7).
  const int64_t tiles = ceil_div(row, ow);
  c.ow_tile = static_cast<int>(ceil_div(row, tiles));
  c.oc_tile = oc;
  // One row per work item, so that the rows alone give the threads enough equal items;
  // measured on Zen 5 (bench_conv_nchwc, 2 threads): splitting the output channels between
  // threads instead costs 15-60% at 14x14 and 27x27 (48->192 at 27x27: 75 vs 46 us), rows of
  // all channels are as fast or faster everywhere. Small images (under kRowItems rows) take
  // flat (1x1) items of at least two tiles' pixels and a whole number of tiles (7x7: all 49
  // pixels, not 28 + 21 with 2- and 8-pixel tails), and split the channels too (below).
  constexpr int64_t kRowItems = 8;
  int64_t rows = 1;
  if (flat && g.out_h < kRowItems) {
    rows = std::min<int64_t>(g.out_h, std::max<int64_t>(1, ceil_div(2 * c.ow_tile, g.out_w)));
    while (rows < g.out_h && rows * g.out_w % c.ow_tile != 0) ++rows;
  }
  c.oh_chunk = static_cast<int>(rows);
  c.ic_chunk = 0;
  // Measured on Zen 5 (bench_conv_nchwc, one thread, alternating runs on a shared machine):
  // for 1x1 convs with up to 512 input channels the input tile hot and the oc tiles innermost
  // (loop order 1) beats weights hot by 6-14% (64->256 at 56x56, 256->128 s2, 512->128 at
  // 28x28); with 1024+ input channels, and for 3x3 convs, the two were within the noise, so
  // those keep loop order 0. ic_chunk lost 5-15% everywhere (the partial sums' extra passes
  // cost more than the weights' cache misses).
  const bool pointwise = g.kernel_h == 1 && g.kernel_w == 1;
  c.loop_order = pointwise && g.in_channels >= block && g.in_channels <= 512 ? 1 : 0;
  if (c.loop_order == 1) {
    // At least kItems work items (oc ranges x row chunks) so that two or four threads get
    // near-equal shares on small images (7x7: 7 rows x 2 oc ranges).
    constexpr int64_t kItems = 8;
    const int64_t n_ocg = ceil_div(ocb, c.oc_tile), n_rc = ceil_div(g.out_h, rows);
    const int64_t ranges = std::min(n_ocg, ceil_div(kItems, n_rc));
    c.oc_chunk = ranges > 1 ? static_cast<int>(ceil_div(n_ocg, ranges)) : 0;
  }
  // Deep layers (a megabyte of weights or more) stream their weights from memory on every
  // inference. Measured on Zen 5 (bench_conv_nchwc cold mode: weights evicted between runs; one
  // thread, CPU time): an item per oc tile over the whole image, input channels in passes whose
  // weights (about 128 KB) stay in L2 across the image, each pass prefetching the next pass's
  // weights: 3x3 512 at 7x7 194 GFLOP/s vs 126 before, 1x1 2048->512 at 7x7 157 vs 97, 1x1
  // 256->1024 at 14x14 (residual sum) 151 vs 118, 1x1 1024->2048 stride 2 161 vs 133; with the
  // weights in cache within 10% either way. At 256 KB of weights the old default stayed as fast
  // (512->128 at 28x28: 176 vs 164), so smaller layers keep it.
  const int64_t weight_bytes = static_cast<int64_t>(sizeof(float)) * g.out_channels *
                               g.in_channels * g.kernel_h * g.kernel_w;
  if (weight_bytes >= (int64_t{1} << 20)) {
    // 1x1 convs with 1024+ input channels over 8+ register tiles of pixels (14x14 images)
    // take L1-sized passes (16 KB per oc tile), reused from L1 by every tile of the image
    // (decision 012): ResNet-50's 1024->256 at 14x14 in-model 0.36-0.38 vs 0.43-0.46 ms (6
    // alternating `hone run --profile` rounds), whole model 0.986 and 0.979 of the time
    // (paired medians of 20 and 8 alternating rounds), ResNet-101 0.961. Fewer input channels
    // gain nothing or lose (256->1024 at 14x14 within 1%; SqueezeNet's 512->1000 at 13x13
    // 0.48 vs 0.43 ms); 3x3 convs (VGG-16, Inception-v3) and 7x7 images lose up to 5%.
    const bool l1_passes = g.kernel_h * g.kernel_w == 1 && g.in_channels >= 1024 &&
                           ceil_div(g.out_h * g.out_w, c.ow_tile) >= 8;
    const int64_t kPassBytes = l1_passes ? 16 << 10 : 128 << 10;
    const int64_t icb = ceil_div(g.in_channels, block);
    const int64_t group_bytes =
        static_cast<int64_t>(sizeof(float)) * c.oc_tile * block * block * g.kernel_h * g.kernel_w;
    const int64_t passes = ceil_div(icb, std::max<int64_t>(1, kPassBytes / group_bytes));
    c.loop_order = 0;
    c.oc_chunk = 0;
    c.ic_chunk = passes > 1 ? static_cast<int>(ceil_div(icb, passes)) : 0;
    c.w_prefetch_next = 1;
    // Deep 1x1 convs store their output with non-temporal stores (decision 014): their items
    // split the output channels, so the arena lines they write were mostly last written by
    // the other core, and a normal store first fetches each line from it. ResNet-50's
    // 256->1024 expansions at 14x14 0.35 -> 0.285 ms in-model; whole ResNet-50 0.982,
    // ResNet-101 0.962, SqueezeNet 1.0 0.982 of the time (paired medians of 6 alternating
    // `hone run` rounds). Deep 3x3 convs gained nothing in-model and AlexNet's lost 3.6%.
    if (g.kernel_h * g.kernel_w == 1) c.stream_out = 1;
    // Whole images per item when there are enough oc tiles for two to four threads; else
    // row chunks (each a multiple of the 1x1 tile) to make up the count.
    constexpr int64_t kItems = 8;
    const int64_t n_ocg = ceil_div(ocb, c.oc_tile);
    int64_t split = std::min(g.out_h, ceil_div(kItems, n_ocg));
    int64_t rows = ceil_div(g.out_h, split);
    if (flat)
      while (rows < g.out_h && rows * g.out_w % c.ow_tile != 0) ++rows;
    c.oh_chunk = static_cast<int>(rows);
  }
  // A first conv (a few input channels) writes a large output into arena lines that are not
  // in cache; non-temporal stores skip reading each line for ownership. ResNet-50's conv1
  // (3.2 MB out), 2 threads, 3 alternating `hone run --profile` rounds on a noisy VM:
  // 0.83-0.92 ms vs 1.04-1.18 ms, the max pool reading it 0.13-0.15 vs 0.12-0.14 ms.
  if (g.in_channels < block &&
      g.batch * ocb * block * g.out_h * g.out_w * static_cast<int64_t>(sizeof(float)) >= (1 << 20))
    c.stream_out = 1;
  // Strided 1x1s (ResNet's downsamples) copy their pixels into a compact buffer and run the
  // stride-1 pointwise loop: hot micro-benchmark on Zen 3 AVX2, 2 threads, 3 rounds: 1024->2048
  // from 14x14 61-90 GFLOP/s strided against 142-148 at the compact 7x7, 512->1024 from 28x28
  // 89-110 against 158-175 at 14x14 (the copy reads a quarter of the input's lines once).
  if (conv_nchwc_can_subsample(g)) c.subsample = 1;
  return c;
}

struct ConvNchwc::Impl {
  ConvGeometry g;
  ConvNchwcConfig c;
  int input_block = 0, output_block = 0;
  Epilogue epilogue;
  int64_t icb = 0, ocb = 0;
  bool flat = false;
  AlignedFloats weights;
  std::vector<float> bias;  // ocb * b, empty when there is none
  int64_t x_batch = 0, x_group = 0, x_lane = 0, x_row = 0, x_col = 0;
  // Packed weights, blk = KH * KW * b * b floats per (oc block, ic block) pair. With
  // w_prefetch_next (tile_major): [oc tile][ICb][oc block in tile][KH][KW][b_ic][b_oc], so
  // that one tile's weights for a run of input-channel groups are one contiguous range and
  // the next run follows it. Else [OCb][ICb][KH][KW][b_ic][b_oc]: one stream per oc block,
  // which the hardware prefetchers follow better without the software prefetch (MobileNetV2's
  // 960->160 1x1 at 7x7: 0.10 ms vs 0.13 tile-major, one thread).
  bool tile_major = false;
  // Plain input with fewer channels than kernel columns or a block's (first convs: 3 RGB
  // planes, 3x3..11x11 kernels): taps packed [KH][b_ic][KW][b_oc] instead of
  // [KH][KW][b_ic][b_oc], so each (row, lane) of an inside tile runs its KW taps in one run
  // (Tile::kw_as_lanes).
  bool kw_as_lanes = false;
  int64_t blk = 0, w_kh = 0, w_kw = 0, w_lane = 0;
  std::vector<TapRange> rows;  // kh range per output row
  // The register tiles that cover an output row (the same for every row); a border tile's
  // per-tap pixel ranges start at masks[mask_at] (lo for each kw, then hi for each kw).
  struct ColumnTile {
    int64_t ow0;
    int n_ow;
    int64_t mask_at;  // -1: every tap of every pixel is inside
  };
  std::vector<ColumnTile> column_tiles;
  std::vector<int32_t> masks;
  std::vector<TileFn> kernels;  // [n_oc - 1][n_ow - 1]
  // subsample: the stride-1 conv over the compact copy of the pixels read (no own weights).
  std::unique_ptr<ConvNchwc> compact;

  Impl(const ConvGeometry& geometry, const ConvNchwcConfig& config, int64_t weight_floats)
      : g(geometry), c(config), weights(weight_floats) {}

  // Work items split the oc tiles into this many ranges (loop order 0: one tile each).
  int64_t oc_ranges() const {
    const int64_t n_ocg = ceil_div(ocb, c.oc_tile);
    if (c.loop_order == 0) return n_ocg;
    return c.oc_chunk > 0 ? ceil_div(n_ocg, c.oc_chunk) : 1;
  }
  TileFn kernel(int n_ow, int n_oc) const {
    return kernels[static_cast<size_t>((n_oc - 1) * c.ow_tile + n_ow - 1)];
  }
  void run_item(size_t item, const float* x, const float* sum, float* y, bool stream) const;
  // One pass over input-channel groups [cg0, cg0 + groups) of image n.
  struct Pass {
    int64_t n, cg0, groups;
    bool first, last;
  };
  // k of k_count: which share of each tile's next weights this call prefetches (k_count 0:
  // none).
  void emit_ocgs(Tile& t, const Pass& pass, int64_t ocg0, int64_t ocg1, int64_t q, int64_t w_off,
                 int64_t k, int64_t k_count, const float* sum, float* y) const;
  void emit(Tile& t, int64_t n, int64_t ocb0, int64_t q, bool first, bool last, const float* sum,
            float* y) const;
  void prefetch_plain_rows_after(const float* xc, int64_t oh) const;
};

// A plain input of fewer planes than a block (first convs: NCHW RGB): requests the input rows that
// output row oh + 1 reads and row oh does not, while row oh computes. Each output row reads
// kernel_h rows of every plane, more streams than the hardware prefetchers follow, and in a network
// the image comes from memory. In-model, 6-8 alternating `hone run --profile` rounds: the first
// convs of Inception-v3 0.56, MobileNetV2 0.69, AlexNet 0.90, GoogLeNet 0.91, VGG-16 0.93,
// SqueezeNet 1.0 0.94, ResNet-50 0.94, DenseNet-121 and ResNet-18 0.96 of the time.
// Inlined: as an out-of-line call the same prefetches measured no gain (Inception-v3's first
// conv 0.37 ms against 0.23 inlined, reproduced over three builds; not understood).
__attribute__((always_inline)) inline void ConvNchwc::Impl::prefetch_plain_rows_after(
    const float* xc, int64_t oh) const {
  if (oh + 1 >= g.out_h) return;
  const int64_t reach = (g.kernel_h - 1) * g.dilation_h - g.pad_top + 1;
  const int64_t r0 = std::max<int64_t>(0, oh * g.stride_h + reach);
  const int64_t r1 = std::min<int64_t>(g.in_h, (oh + 1) * g.stride_h + reach);
  const int64_t row_bytes = g.in_w * static_cast<int64_t>(sizeof(float));
  for (int64_t plane = 0; plane < g.in_channels; ++plane)
    for (int64_t r = r0; r < r1; ++r) {
      const char* at = reinterpret_cast<const char*>(xc + plane * x_lane + r * x_row);
      for (int64_t k = 0; k < row_bytes; k += 64) _mm_prefetch(at + k, _MM_HINT_T0);
    }
}

ConvNchwc::ConvNchwc(const ConvGeometry& g, const ConvNchwcConfig& c, const float* weight_oihw,
                     const float* bias, int input_block, int output_block, Epilogue epilogue) {
  if (std::string why = conv_nchwc_config_problem(g, c); !why.empty())
    throw Error("conv_nchwc: invalid config: " + why);
  if ((input_block != 0 && input_block != c.block) ||
      (output_block != 0 && output_block != c.block))
    throw Error("conv_nchwc: input_block/output_block must be 0 or the config's block " +
                std::to_string(c.block));
  if (!weight_oihw) throw Error("conv_nchwc: weights are missing");
  const int64_t b = c.block;
  const int64_t icb = ceil_div(g.in_channels, b), ocb = ceil_div(g.out_channels, b);
  const int64_t taps = g.kernel_h * g.kernel_w;
  const bool compact = c.subsample != 0 && input_block != 0;
  impl_ = std::make_unique<Impl>(g, c, compact ? 0 : ocb * icb * taps * b * b);
  Impl& m = *impl_;
  m.input_block = input_block;
  m.output_block = output_block;
  m.epilogue = epilogue;
  m.icb = icb;
  m.ocb = ocb;
  if (compact) {
    ConvGeometry gc = g;
    gc.in_h = g.out_h;
    gc.in_w = g.out_w;
    gc.stride_h = gc.stride_w = 1;
    m.compact = std::make_unique<ConvNchwc>(gc, default_conv_nchwc_config(gc, c.isa, c.block),
                                            weight_oihw, bias, input_block, output_block, epilogue);
    return;
  }
  m.flat = is_flat(g);

  // Zero for channels past the real counts.
  m.tile_major = c.w_prefetch_next != 0;
  m.kw_as_lanes =
      input_block == 0 && g.kernel_w > 1 && g.kernel_w >= std::min<int64_t>(g.in_channels, b);
  m.w_kw = m.kw_as_lanes ? b : b * b;
  m.w_lane = m.kw_as_lanes ? g.kernel_w * b : b;
  m.w_kh = g.kernel_w * b * b;
  m.blk = g.kernel_h * m.w_kh;
  for (int64_t oc = 0; oc < g.out_channels; ++oc) {
    const int64_t ob = oc / b, ob0 = ob / c.oc_tile * c.oc_tile;
    const int64_t n_oc = std::min<int64_t>(c.oc_tile, ocb - ob0);
    for (int64_t ic = 0; ic < g.in_channels; ++ic) {
      const int64_t pair =
          m.tile_major ? ob0 * icb + (ic / b) * n_oc + ob - ob0 : ob * icb + ic / b;
      for (int64_t t = 0; t < taps; ++t) {
        const int64_t kh = t / g.kernel_w, kw = t % g.kernel_w;
        m.weights.data[pair * m.blk + kh * m.w_kh + kw * m.w_kw + (ic % b) * m.w_lane + oc % b] =
            weight_oihw[(oc * g.in_channels + ic) * taps + t];
      }
    }
  }
  if (bias) {
    m.bias.assign(static_cast<size_t>(ocb * b), 0.0f);
    std::copy(bias, bias + g.out_channels, m.bias.begin());
  }

  const int64_t in_hw = g.in_h * g.in_w;
  if (input_block) {
    m.x_batch = icb * in_hw * b;
    m.x_group = in_hw * b;
    m.x_lane = 1;
    m.x_row = g.in_w * b;
    m.x_col = b;
  } else {
    m.x_batch = g.in_channels * in_hw;
    m.x_group = b * in_hw;
    m.x_lane = in_hw;
    m.x_row = g.in_w;
    m.x_col = 1;
  }
  for (int64_t oh = 0; oh < g.out_h; ++oh)
    m.rows.push_back(tap_range(oh * g.stride_h - g.pad_top, g.kernel_h, g.dilation_h, g.in_h));
  for (int64_t ow0 = 0; ow0 < g.out_w; ow0 += c.ow_tile) {
    const int n_ow = static_cast<int>(std::min<int64_t>(c.ow_tile, g.out_w - ow0));
    std::vector<int32_t> lo(static_cast<size_t>(g.kernel_w)), hi(lo.size());
    bool inside = true;
    for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
      int32_t a = n_ow, z = 0;  // valid pixels are contiguous: iw grows with the pixel
      for (int p = 0; p < n_ow; ++p) {
        const int64_t iw = (ow0 + p) * g.stride_w - g.pad_left + kw * g.dilation_w;
        if (iw >= 0 && iw < g.in_w) {
          a = std::min(a, p);
          z = p + 1;
        }
      }
      if (z <= a) a = z = 0;
      lo[static_cast<size_t>(kw)] = a;
      hi[static_cast<size_t>(kw)] = z;
      inside = inside && a == 0 && z == n_ow;
    }
    int64_t at = -1;
    if (!inside) {
      at = static_cast<int64_t>(m.masks.size());
      m.masks.insert(m.masks.end(), lo.begin(), lo.end());
      m.masks.insert(m.masks.end(), hi.begin(), hi.end());
    }
    m.column_tiles.push_back({ow0, n_ow, at});
  }
  for (int oc = 1; oc <= c.oc_tile; ++oc)
    for (int ow = 1; ow <= c.ow_tile; ++ow)
      m.kernels.push_back(conv_nchwc::tile_kernel(c.isa, c.block, ow, oc));
}

ConvNchwc::~ConvNchwc() = default;
ConvNchwc::ConvNchwc(ConvNchwc&&) noexcept = default;
ConvNchwc& ConvNchwc::operator=(ConvNchwc&&) noexcept = default;

int64_t ConvNchwc::packed_bytes() const {
  if (impl_->compact) return impl_->compact->packed_bytes();
  return (impl_->weights.size + static_cast<int64_t>(impl_->bias.size())) *
         static_cast<int64_t>(sizeof(float));
}

const ConvNchwcConfig& ConvNchwc::config() const {
  return impl_->c;
}

std::string ConvNchwc::name() const {
  if (impl_->compact) return impl_->compact->name() + " subsampled";
  const ConvNchwcConfig& c = impl_->c;
  return "conv_nchw" + std::to_string(c.block) + "c " + std::string(isa_name(c.isa)) + " ow" +
         std::to_string(c.ow_tile) + " oc" + std::to_string(c.oc_tile);
}

// Runs one tile whose x/w/kh/kw/n_ow/n_oc fields are set: output pixel q (row-major within the
// image) of batch n, oc blocks from ocb0.
void ConvNchwc::Impl::emit(Tile& t, int64_t n, int64_t ocb0, int64_t q, bool first, bool last,
                           const float* sum, float* y) const {
  const int64_t b = c.block, ohw = g.out_h * g.out_w;
  const TileFn fn = kernel(t.n_ow, t.n_oc);
  if (output_block) {
    const int64_t at = ((n * ocb + ocb0) * ohw + q) * b;
    t.y = y + at;
    t.y_ocb = ohw * b;
    t.bias = first && !bias.empty() ? bias.data() + ocb0 * b : nullptr;
    t.sum = first && sum ? sum + at : nullptr;
    t.accumulate = !first;
    t.act = last ? epilogue : Epilogue{};
    fn(t);
    return;
  }
  // Plain output: the kernel fills a blocked scratch tile, scattered here channel by channel.
  alignas(64) float buf[conv_nchwc::kMaxOcTile * conv_nchwc::kMaxOwTile * 16];
  t.y = buf;
  t.y_ocb = t.n_ow * b;
  t.bias = nullptr;
  t.sum = nullptr;
  t.accumulate = false;
  t.act = Epilogue{};
  t.stream = false;
  fn(t);
  for (int64_t o = 0; o < t.n_oc; ++o) {
    for (int64_t l = 0; l < b; ++l) {
      const int64_t oc = (ocb0 + o) * b + l;
      if (oc >= g.out_channels) break;
      const int64_t base = (n * g.out_channels + oc) * ohw + q;
      const float bias_v = bias.empty() ? 0.0f : bias[static_cast<size_t>(oc)];
      for (int64_t p = 0; p < t.n_ow; ++p) {
        float v = buf[o * t.y_ocb + p * b + l];
        if (!first) {
          v += y[base + p];
        } else {
          v += bias_v;
          if (sum) v += sum[base + p];
        }
        y[base + p] = last ? apply_epilogue(v, epilogue) : v;
      }
    }
  }
}

// Runs the tile prepared in t (all but its weights) for oc tiles [ocg0, ocg1); w_off is the
// tap offset within a group's weights.
void ConvNchwc::Impl::emit_ocgs(Tile& t, const Pass& pass, int64_t ocg0, int64_t ocg1, int64_t q,
                                int64_t w_off, int64_t k, int64_t k_count, const float* sum,
                                float* y) const {
  for (int64_t ocg = ocg0; ocg < ocg1; ++ocg) {
    const int64_t ocb0 = ocg * c.oc_tile;
    const int64_t n_oc = std::min<int64_t>(c.oc_tile, ocb - ocb0);
    t.n_oc = static_cast<int>(n_oc);
    t.prefetch_input = ocg == ocg0;  // later oc tiles read the pixels the first one fetched
    const int64_t tile_at = ocb0 * icb * blk;  // the same in both layouts
    t.w_next = nullptr;
    t.w_next_lines = 0;
    if (!tile_major) {
      t.w_ocb = icb * blk;
      t.w_group = blk;
      t.w = weights.data + tile_at + pass.cg0 * blk + w_off;
      emit(t, pass.n, ocb0, q, pass.first, pass.last, sum, y);
      continue;
    }
    t.w_ocb = blk;
    t.w_group = n_oc * blk;
    // This pass's weights are [unit, unit_end); the next pass's (the next groups of this
    // tile, else the next tile's first) follow them.
    const int64_t unit = tile_at + pass.cg0 * t.w_group;
    const int64_t unit_end = unit + pass.groups * t.w_group;
    t.w = weights.data + unit + w_off;
    if (k_count > 0) {
      const int64_t lines = std::min(unit_end - unit, weights.size - unit_end) / 16;
      const int64_t l0 = lines * k / k_count, l1 = lines * (k + 1) / k_count;
      t.w_next = weights.data + unit_end + l0 * 16;
      t.w_next_lines = l1 - l0;
    }
    emit(t, pass.n, ocb0, q, pass.first, pass.last, sum, y);
  }
}

void ConvNchwc::Impl::run_item(size_t item, const float* x, const float* sum, float* y,
                               bool stream) const {
  const int64_t n_rc = ceil_div(g.out_h, c.oh_chunk), n_ocg = ceil_div(ocb, c.oc_tile);
  const int64_t i = static_cast<int64_t>(item);
  // Loop order 0: an item is one oc tile's rows (its weights stay hot across the rows);
  // 1: an item is rows for a range of oc tiles, looped innermost (the input tile stays hot).
  // Items are numbered row chunk outermost (then oc tile or range), so that a thread's
  // contiguous share of them is a band of rows over every channel: the rows that the same
  // thread wrote in the layer before, still in its own L2. Numbering the oc tiles outermost
  // (each thread a share of the channels over the whole image, half of which the other core
  // wrote) measured, 4 alternating rounds of `hone run --repeat 20` on 8 models: densenet121
  // 20.5-21.2 vs 22.0-22.5 ms, resnet18 8.6-9.1 vs 9.0-9.3, mobilenet_v2 3.30-3.42 vs
  // 3.50-3.53, squeezenet1_0 6.56-6.71 vs 6.71-6.87, the rest within the noise; ResNet-50's
  // layer2.0.conv2 (3x3 s2) 0.65 vs 0.80 ms.
  const int64_t n_own = oc_ranges();
  const int64_t rc = (i / n_own) % n_rc, own = i % n_own, n = i / (n_rc * n_own);
  const int64_t per = c.loop_order == 0 ? 1 : (c.oc_chunk > 0 ? c.oc_chunk : n_ocg);
  const int64_t ocg0 = own * per, ocg1 = std::min(n_ocg, ocg0 + per);
  const int64_t oh0 = rc * c.oh_chunk, oh1 = std::min(g.out_h, oh0 + c.oh_chunk);
  const int64_t b = c.block;
  const int64_t chunk = c.ic_chunk > 0 ? c.ic_chunk : icb;
  const bool next = c.w_prefetch_next != 0;

  Tile t{};
  t.lanes = b;
  t.x_group = x_group;
  t.x_lane = x_lane;
  t.w_kh = w_kh;
  t.w_kw = w_kw;
  t.w_lane = w_lane;
  t.kw_as_lanes = kw_as_lanes;
  t.w_prefetch = c.w_prefetch * b;
  for (int64_t cg0 = 0; cg0 < icb; cg0 += chunk) {
    const int64_t groups = std::min(chunk, icb - cg0);
    const Pass pass{n, cg0, groups, cg0 == 0, cg0 + groups >= icb};
    t.groups = groups;
    t.last_lanes = pass.last ? g.in_channels - (icb - 1) * b : b;
    t.stream = stream && pass.last;
    const float* xc = x + n * x_batch + cg0 * x_group;
    // Next weights: loop order 0 spreads them over every tile call that reuses this pass's
    // weights (the whole image); loop order 1 fetches them during the item's first tiles.
    if (flat) {
      t.kh = t.kw = 1;
      t.x_kh = t.x_kw = 0;
      t.x_pixel = x_col;
      const int64_t q0 = oh0 * g.out_w, q1 = oh1 * g.out_w;
      const int64_t k_count = ceil_div(g.out_h * g.out_w, c.ow_tile);
      for (int64_t q = q0; q < q1; q += c.ow_tile) {
        t.n_ow = static_cast<int>(std::min<int64_t>(c.ow_tile, q1 - q));
        t.x = xc + q * x_col;
        if (!next)
          emit_ocgs(t, pass, ocg0, ocg1, q, 0, 0, 0, sum, y);
        else if (c.loop_order == 0)
          emit_ocgs(t, pass, ocg0, ocg1, q, 0, std::min(q / c.ow_tile, k_count - 1), k_count, sum,
                    y);
        else
          emit_ocgs(t, pass, ocg0, ocg1, q, 0, 0, q == q0 ? 1 : 0, sum, y);
      }
      continue;
    }
    t.x_kh = g.dilation_h * x_row;
    t.x_kw = g.dilation_w * x_col;
    t.x_pixel = g.stride_w * x_col;
    const int64_t n_ct = static_cast<int64_t>(column_tiles.size());
    for (int64_t oh = oh0; oh < oh1; ++oh) {
      if (input_block == 0 && g.in_channels < b) prefetch_plain_rows_after(xc, oh);
      const TapRange kr = rows[static_cast<size_t>(oh)];
      const int64_t ih0 = oh * g.stride_h - g.pad_top + kr.lo * g.dilation_h;
      t.kh = kr.hi - kr.lo;
      const float* xr = xc + ih0 * x_row;
      t.kw = g.kernel_w;
      for (int64_t ct = 0; ct < n_ct; ++ct) {
        const ColumnTile& col = column_tiles[static_cast<size_t>(ct)];
        t.n_ow = col.n_ow;
        t.x = xr + (col.ow0 * g.stride_w - g.pad_left) * x_col;
        t.pixel_lo = col.mask_at < 0 ? nullptr : masks.data() + col.mask_at;
        t.pixel_hi = col.mask_at < 0 ? nullptr : masks.data() + col.mask_at + g.kernel_w;
        const int64_t q = oh * g.out_w + col.ow0, w_off = kr.lo * w_kh;
        if (!next)
          emit_ocgs(t, pass, ocg0, ocg1, q, w_off, 0, 0, sum, y);
        else if (c.loop_order == 0)
          emit_ocgs(t, pass, ocg0, ocg1, q, w_off, oh * n_ct + ct, g.out_h * n_ct, sum, y);
        else
          emit_ocgs(t, pass, ocg0, ocg1, q, w_off, 0, oh == oh0 && ct == 0 ? 1 : 0, sum, y);
      }
    }
  }
}

namespace {

// The calling thread's buffer for compact copies, kept across runs (grown on the first run of
// the largest layer; the pool's threads read it while the caller waits for them).
float* compact_scratch(int64_t floats) {
  thread_local std::unique_ptr<AlignedFloats> buffer;
  if (!buffer || buffer->size < floats) buffer = std::make_unique<AlignedFloats>(floats);
  return buffer->data;
}

}  // namespace

void ConvNchwc::run(const float* x, const float* sum, float* y, ThreadPool* pool) const {
  const Impl& m = *impl_;
  if (m.compact) {
    // The pixels a strided 1x1 reads, packed [N][ICb][OH][OW][b], then the stride-1 conv.
    const ConvGeometry& g = m.g;
    const int64_t b = m.c.block, plane = g.out_h * g.out_w * b, in_plane = g.in_h * g.in_w * b;
    float* xc = compact_scratch(g.batch * m.icb * plane);
    parallel_for(pool, static_cast<size_t>(g.batch * m.icb), [&](size_t i) {
      const float* src = x + static_cast<int64_t>(i) * in_plane;
      float* dst = xc + static_cast<int64_t>(i) * plane;
      for (int64_t oh = 0; oh < g.out_h; ++oh)
        for (int64_t ow = 0; ow < g.out_w; ++ow, dst += b)
          std::copy_n(src + (oh * g.stride_h * g.in_w + ow * g.stride_w) * b, b, dst);
    });
    m.compact->run(xc, sum, y, pool);
    return;
  }
  const int64_t items = m.g.batch * m.oc_ranges() * ceil_div(m.g.out_h, m.c.oh_chunk);
  // Non-temporal stores need vector-aligned destinations; an unaligned y stores normally.
  const bool stream = m.c.stream_out != 0 && m.output_block != 0 && m.c.isa != Isa::kPortable &&
                      reinterpret_cast<uintptr_t>(y) % (sizeof(float) * m.c.block) == 0;
  parallel_for(pool, static_cast<size_t>(items), [&](size_t i) {
    m.run_item(i, x, sum, y, stream);
    // Non-temporal stores are weakly ordered: fence them before the pool's barrier publishes
    // the item as done.
    if (stream) _mm_sfence();
  });
}

namespace conv_nchwc {

TileFn tile_kernel(Isa isa, int block, int n_ow, int n_oc) {
  switch (isa) {
    case Isa::kAvx512:
      return avx512::tile_kernel(block, n_ow, n_oc);
    case Isa::kAvx2:
      return avx2::tile_kernel(block, n_ow, n_oc);
    case Isa::kPortable:
      break;
  }
  return portable::tile_kernel(block, n_ow, n_oc);
}

}  // namespace conv_nchwc
}  // namespace hone
