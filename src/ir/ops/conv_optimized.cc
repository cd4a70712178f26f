#include "ir/ops/conv_optimized.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "ops/conv/conv_nchwc.h"
#include "ops/conv/depthwise_nchwc.h"
#include "ops/conv/winograd_nchwc.h"

namespace hone {
namespace {

// The block the kernels work in: the tensors' block, else the ISA's natural one.
int working_block(const OptimizedConvSpec& s, Isa isa) {
  if (s.input_block != 0) return s.input_block;
  if (s.output_block != 0) return s.output_block;
  return layout_block(isa);
}

const float* sum_of(TensorsIn in, int sum_input) {
  if (sum_input < 0 || static_cast<size_t>(sum_input) >= in.size() || !in[sum_input])
    return nullptr;
  return in[static_cast<size_t>(sum_input)]->data<float>();
}

// Winograd's transforms and its larger weights (36 or 16 vs 9 floats per filter, read from
// memory on each run) pay off on large images only. F(4x4, 3x3), measured at 2 threads
// (bench/layers.sh, a busy VM): ResNet-50's 56x56x64 and 28x28x128 layers 0.6-0.9 ms against
// 1.2-1.4 ms direct, VGG-16's 224/112/56 ones 1.4-1.9x faster; slower: ResNet's 14x14x256
// (2.0-2.2 vs 1.2-1.5 ms) and 7x7x512 (4x), VGG's 28x28 256->512 (19 MB of weights; 32 vs
// 24 ms); 28x28x512 (38 MB, 7-tile GEMM register tiles) no faster. So: 28x28+ outputs, weights
// up to 16 MB, and items of at least 13 tiles (wide GEMM register tiles).
// F(2x2, 3x3) (the default config's choice below 28x28) on ResNet-50's 14x14x256 layers:
// 1.5x faster in the model at 1 thread (hone run --profile, min of 5 interleaved rounds, a busy
// VM: 0.70-0.79 ms against 1.12-1.19 ms direct); at 2 threads the five layers' sum took a
// median 0.80 of direct's over 10 paired rounds (0.34-1.95: the VM was busy). GoogLeNet's
// 14x14 128..160 -> 256..320 layers (weights under 4 MB, another work split) were slower in 5
// of 8 paired rounds, and at 7x7x512 (16.8 MB of weights, 8x8 outputs computed for 7x7) it
// ties at best (micro-benchmark, 1 thread: 1.05 against 1.07 ms). So: 14x14 up to 28x28
// outputs with 256+ channels in and out, weights up to 16 MB.
// Later (2026-11-30, rows-outer work split, decision 013), 6-8 alternating `hone run --profile`
// rounds at 2 threads: F(2x2, 3x3) also pays from 13x13 up to 27x27 with 128+ output channels
// when the input has 32-64 channels (SqueezeNet's 27x27 expansions 0.59-0.71 of direct's time,
// its 13x13 one 0.80; the whole model 0.907, paired median of 8 rounds) or 192+ (AlexNet's
// 13x13 convs 0.76-0.88), but not at 112-160 (GoogLeNet's 14x14 branches 1.06-1.17; 96: 0.88).
// On AVX2 (Zen 3, 2026-12-01, NCHW16c) the direct kernel reaches under half of peak on 3x3
// layers, and Winograd won at nearly every size: HONE_CONV_ALGO=winograd against =direct
// (`hone run --profile`, 2 threads) took 0.29-0.45 of the direct time with F(4x4) (VGG-16's
// 224..28 layers, 38 MB of weights at 28x28x512 included; Inception-v3, ResNet-50, DenseNet
// at 28x28+), 0.39-0.67 with F(2x2) on GoogLeNet's 14x14 and 7x7 branches, Inception-v3's
// 8x8, ResNet-50's 14x14x256 and 7x7x512 (16.8 MB of weights) and SqueezeNet's 27x27 and
// 13x13. Only few output channels on small images lost: DenseNet-121's 128->32 at 14x14
// (1.09) and 7x7 (1.24).
bool winograd_pays(const ConvGeometry& g, const WinogradNchwcConfig& c) {
  if (c.isa == Isa::kAvx2) {
    const int64_t area = g.out_h * g.out_w;
    return g.in_channels >= 32 && area >= 7 * 7 && (g.out_channels >= 48 || area >= 28 * 28);
  }
  const int64_t points = int64_t{c.tile + 2} * (c.tile + 2);
  const int64_t weight_bytes = points * g.in_channels * g.out_channels * 4;
  if (weight_bytes > (int64_t{16} << 20)) return false;
  const int64_t area = g.out_h * g.out_w;
  if (c.tile == 2) {
    if (area >= 28 * 28 || area < 13 * 13 || g.out_channels < 128) return false;
    const int64_t in = g.in_channels;
    return (in >= 32 && in <= 64) || in >= 192;
  }
  return g.in_channels >= 16 && g.out_channels >= 16 && g.out_h * g.out_w >= 28 * 28 &&
         c.tiles_per_item >= 13;
}

void bind_dense(const OptimizedConvSpec& s, Isa isa, ThreadPool* pool, PreparedOp& op) {
  const ConvGeometry g = conv_geometry_of(s.params);
  const ConvNchwcConfig config = default_conv_nchwc_config(g, isa, working_block(s, isa));
  auto conv = std::make_shared<ConvNchwc>(g, config, s.weight, s.bias, s.input_block,
                                          s.output_block, s.epilogue);
  op.packed_bytes = conv->packed_bytes();
  op.kernel_name = conv->name();
  const int sum_input = s.sum_input;
  op.run = [conv, pool, sum_input](TensorsIn in, TensorsOut out) {
    conv->run(in[0]->data<float>(), sum_of(in, sum_input), out[0]->data<float>(), pool);
  };
}

// The dense algorithm: Winograd (F(4x4, 3x3) on large images, F(2x2, 3x3) on 14x14-class ones,
// as the default config picks) where it applies and measured faster than the direct kernel,
// else direct. HONE_CONV_ALGO=direct|winograd|auto overrides the choice (for
// measurement; `winograd` still needs a 3x3 stride-1 layer with blocked input and output).
enum class DenseAlgo { kDirect, kWinograd };

DenseAlgo dense_algo(const OptimizedConvSpec& s, const ConvGeometry& g, Isa isa) {
  const bool applies = s.input_block != 0 && s.output_block == s.input_block && g.kernel_h == 3 &&
                       g.kernel_w == 3 && g.stride_h == 1 && g.stride_w == 1 && g.dilation_h == 1 &&
                       g.dilation_w == 1;
  if (!applies) return DenseAlgo::kDirect;
  const char* env = std::getenv("HONE_CONV_ALGO");
  const std::string force = env ? env : "auto";
  if (force == "direct") return DenseAlgo::kDirect;
  if (force == "winograd") return DenseAlgo::kWinograd;
  if (force != "auto")
    throw Error("HONE_CONV_ALGO is '" + force + "'; expected direct, winograd or auto");
  return winograd_pays(g, default_winograd_nchwc_config(g, isa, s.input_block))
             ? DenseAlgo::kWinograd
             : DenseAlgo::kDirect;
}

void bind_winograd(const OptimizedConvSpec& s, const ConvGeometry& g, Isa isa, ThreadPool* pool,
                   PreparedOp& op) {
  const WinogradNchwcConfig config = default_winograd_nchwc_config(g, isa, s.input_block);
  auto conv = std::make_shared<WinogradNchwc>(g, config, s.weight, s.bias, s.epilogue);
  op.packed_bytes = conv->packed_bytes();
  op.kernel_name = conv->name();
  const int sum_input = s.sum_input;
  op.run = [conv, pool, sum_input](TensorsIn in, TensorsOut out) {
    conv->run(in[0]->data<float>(), sum_of(in, sum_input), out[0]->data<float>(), pool);
  };
}

void bind_depthwise(const OptimizedConvSpec& s, Isa isa, ThreadPool* pool, PreparedOp& op) {
  const ConvGeometry g = conv_geometry_of(s.params);
  const DepthwiseNchwcConfig config = default_depthwise_nchwc_config(g, isa, working_block(s, isa));
  auto conv = std::make_shared<DepthwiseNchwc>(g, config, s.weight, s.bias, s.input_block,
                                               s.output_block, s.epilogue);
  op.packed_bytes = conv->packed_bytes();
  op.kernel_name = conv->name();
  const int sum_input = s.sum_input;
  op.run = [conv, pool, sum_input](TensorsIn in, TensorsOut out) {
    conv->run(in[0]->data<float>(), sum_of(in, sum_input), out[0]->data<float>(), pool);
  };
}

// One dense kernel per group, run on pointer offsets: group g's channels [g*C/G, (g+1)*C/G)
// of batch n are one contiguous range in plain layout, and in blocked layout too when the
// per-group channel count is a multiple of the block. Groups whose counts are not whole blocks
// (ResNeXt's 4 and 8 per group, RegNet's 8) run `merge` neighbouring groups as one kernel of
// `merge` times the channels, with block-diagonal weights (zero between different original
// groups): the smallest merge that makes the counts whole blocks, at `merge` times the
// arithmetic, in the vector kernels. The last merged group may hold fewer groups (RegNet-Y's
// 13 and 55 groups of 8); its channels end where the tensor's do.
void bind_grouped(const OptimizedConvSpec& s, Isa isa, ThreadPool* pool, int64_t merge,
                  PreparedOp& op) {
  const ConvParams& p = s.params;
  const int64_t groups = p.group;
  const int64_t cin_g = p.in_channels / groups, cout_g = p.out_channels / groups;
  const int64_t merged = (groups + merge - 1) / merge;
  ConvGeometry g = conv_geometry_of(p);
  const int64_t batch = g.batch;
  g.batch = 1;
  const int64_t taps = g.kernel_h * g.kernel_w;
  auto convs = std::make_shared<std::vector<ConvNchwc>>();
  convs->reserve(static_cast<size_t>(merged));
  int64_t bytes = 0;
  for (int64_t m = 0; m < merged; ++m) {
    const int64_t members = std::min(merge, groups - m * merge);
    ConvGeometry gm = g;
    gm.in_channels = members * cin_g;
    gm.out_channels = members * cout_g;
    // [members * cout_g][members * cin_g][taps], member j's block on the diagonal.
    std::vector<float> w(static_cast<size_t>(gm.out_channels * gm.in_channels * taps), 0.0f);
    for (int64_t j = 0; j < members; ++j)
      for (int64_t o = 0; o < cout_g; ++o)
        for (int64_t i = 0; i < cin_g; ++i)
          for (int64_t t = 0; t < taps; ++t)
            w[static_cast<size_t>(((j * cout_g + o) * gm.in_channels + j * cin_g + i) * taps + t)] =
                s.weight[(((m * merge + j) * cout_g + o) * cin_g + i) * taps + t];
    const ConvNchwcConfig config = default_conv_nchwc_config(gm, isa, working_block(s, isa));
    convs->emplace_back(gm, config, w.data(), s.bias ? s.bias + m * merge * cout_g : nullptr,
                        s.input_block, s.output_block, s.epilogue);
    bytes += convs->back().packed_bytes();
  }
  op.packed_bytes = bytes;
  op.kernel_name = convs->front().name() + " x" + std::to_string(merged) + " groups";
  if (merge > 1)
    op.kernel_name += " (" + std::to_string(groups) + " merged by " + std::to_string(merge) + ")";
  const int64_t in_step = merge * cin_g * g.in_h * g.in_w;
  const int64_t out_step = merge * cout_g * g.out_h * g.out_w;
  const int64_t image_in = p.in_channels * g.in_h * g.in_w;
  const int64_t image_out = p.out_channels * g.out_h * g.out_w;
  // Blocked images are whole blocks apart.
  const int64_t in_image_step = s.input_block ? (p.in_channels + s.input_block - 1) /
                                                    s.input_block * s.input_block * g.in_h * g.in_w
                                              : image_in;
  const int64_t out_image_step = s.output_block
                                     ? (p.out_channels + s.output_block - 1) / s.output_block *
                                           s.output_block * g.out_h * g.out_w
                                     : image_out;
  const int sum_input = s.sum_input;
  // Whole groups per thread when they share out evenly (or there are many): one dispatch per
  // layer instead of one per group, and no thread split inside a group's small conv (RegNet's
  // 25 groups of 16 channels at 7x7 were 1.78x ORT's time split group by group).
  const int64_t items = batch * merged;
  const int threads = pool ? pool->threads() : 1;
  const bool split_groups = threads > 1 && (items % threads == 0 || items >= 4 * threads);
  op.kernel_name += split_groups ? " (groups over threads)" : "";
  op.run = [convs, pool, sum_input, merged, items, in_step, out_step, in_image_step, out_image_step,
            split_groups](TensorsIn in, TensorsOut out) {
    const float* x = in[0]->data<float>();
    const float* sum = sum_of(in, sum_input);
    float* y = out[0]->data<float>();
    auto group = [&](size_t item, ThreadPool* inner) {
      const int64_t i = static_cast<int64_t>(item);
      const int64_t n = i / merged, m = i % merged;
      const int64_t xo = n * in_image_step + m * in_step, yo = n * out_image_step + m * out_step;
      (*convs)[static_cast<size_t>(m)].run(x + xo, sum ? sum + yo : nullptr, y + yo, inner);
    };
    if (split_groups) {
      parallel_for(pool, static_cast<size_t>(items), [&](size_t item) { group(item, nullptr); });
      return;
    }
    for (int64_t i = 0; i < items; ++i) group(static_cast<size_t>(i), pool);
  };
}

// The number of neighbouring groups bind_grouped runs as one kernel: the smallest that makes
// the channel counts of a merged group whole blocks where the layout is blocked (1: no merge;
// at most the block, which always does).
int64_t groups_to_merge(const OptimizedConvSpec& s, int64_t block) {
  const ConvParams& p = s.params;
  const int64_t cin_g = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  int64_t k = 1;
  while (k < block && !((s.input_block == 0 || (k * cin_g) % block == 0) &&
                        (s.output_block == 0 || (k * cout_g) % block == 0)))
    ++k;
  return std::min(k, p.group);
}

}  // namespace

ConvGeometry conv_geometry_of(const ConvParams& p) {
  const WindowGeometry& w = p.window;
  ConvGeometry g;
  g.batch = w.batch;
  g.in_channels = p.in_channels;
  g.in_h = w.in[0];
  g.in_w = w.in[1];
  g.out_channels = p.out_channels;
  g.out_h = w.out[0];
  g.out_w = w.out[1];
  g.kernel_h = w.kernel[0];
  g.kernel_w = w.kernel[1];
  g.stride_h = w.strides[0];
  g.stride_w = w.strides[1];
  g.pad_top = w.pads_begin[0];
  g.pad_left = w.pads_begin[1];
  g.dilation_h = w.dilations[0];
  g.dilation_w = w.dilations[1];
  return g;
}

void bind_optimized_conv(const OpContext& ctx, const OptimizedConvSpec& spec, PreparedOp& op) {
  const KernelOptions& options = ctx.kernel_options();
  const Isa isa = options.isa;
  const ConvParams& p = spec.params;
  op.needs_zeroed_outputs = false;
  // Every kernel but the reference packs the weight (1) and bias (2) and never reads them
  // again, so the executor may free them; bind_reference clears this.
  op.packed_inputs = {1, 2};
  try {
    if (p.group == 1) {
      const ConvGeometry g = conv_geometry_of(p);
      if (dense_algo(spec, g, isa) == DenseAlgo::kWinograd)
        bind_winograd(spec, g, isa, options.pool, op);
      else
        bind_dense(spec, isa, options.pool, op);
    } else if (p.group == p.in_channels && p.group == p.out_channels) {
      bind_depthwise(spec, isa, options.pool, op);
    } else {
      bind_grouped(spec, isa, options.pool, groups_to_merge(spec, working_block(spec, isa)), op);
    }
  } catch (const Error& e) {
    ctx.fail(e.what());
  }
}

}  // namespace hone
