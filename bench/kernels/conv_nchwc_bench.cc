// Micro-benchmark of the blocked direct convolution on ResNet-50's layers: GFLOP/s per layer,
// ISA and thread count, at the default config. To try other knobs, set CONV_NCHWC_CONFIG to a
// config JSON (fields as conv_nchwc_config_to_json writes; missing ones keep the default), e.g.
//   CONV_NCHWC_CONFIG='{"ow_tile":7,"oc_tile":3}' ./bench_conv_nchwc --benchmark_filter=7x7
// CONV_NCHWC_COLD=1: each iteration runs the next of enough copies of the conv (same config,
// own packed weights) to span 256 MB, so its weights come from memory as in a network whose
// weights exceed the caches; input and output stay the same buffers.
// CONV_NCHWC_ROWS_WRITTEN=1: before each iteration (untimed) the pool's threads rewrite the
// input in bands of rows, as the layer before does in a network.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/conv/conv_nchwc.h"

namespace hone {
namespace {

struct Layer {
  const char* name;
  int64_t ic, oc, size, kernel, stride;
  bool plain_input = false;
};

const Layer kLayers[] = {
    {"1x1_64_256_56", 64, 256, 56, 1, 1},
    {"1x1_256_64_56", 256, 64, 56, 1, 1},
    {"3x3_64_64_56", 64, 64, 56, 3, 1},
    {"1x1_256_128_56_s2", 256, 128, 56, 1, 2},
    {"3x3_128_128_56_s2", 128, 128, 56, 3, 2},
    {"3x3_128_128_28", 128, 128, 28, 3, 1},
    {"1x1_512_128_28", 512, 128, 28, 1, 1},
    {"3x3_256_256_14", 256, 256, 14, 3, 1},
    {"1x1_1024_256_14", 1024, 256, 14, 1, 1},
    {"3x3_512_512_7", 512, 512, 7, 3, 1},
    {"1x1_2048_512_7", 2048, 512, 7, 1, 1},
    {"7x7_3_64_224_s2", 3, 64, 224, 7, 2, true},
    // The rest of ResNet-50 v1.5's direct convs: expansions, downsamples, the strided 3x3s.
    {"1x1_64_64_56", 64, 64, 56, 1, 1},
    {"1x1_128_512_28", 128, 512, 28, 1, 1},
    {"1x1_256_1024_14", 256, 1024, 14, 1, 1},
    {"1x1_512_2048_7", 512, 2048, 7, 1, 1},
    {"1x1_256_512_56_s2", 256, 512, 56, 1, 2},
    {"1x1_512_1024_28_s2", 512, 1024, 28, 1, 2},
    {"1x1_1024_2048_14_s2", 1024, 2048, 14, 1, 2},
    {"3x3_256_256_28_s2", 256, 256, 28, 3, 2},
    {"3x3_512_512_14_s2", 512, 512, 14, 3, 2},
    // MobileNetV2's first conv (plain 3-channel input, two output blocks).
    {"3x3_3_32_224_s2", 3, 32, 224, 3, 2, true},
    // SqueezeNet 1.0's 27x27 fire expansions (1x1 and 3x3 beside each other).
    {"1x1_48_192_27", 48, 192, 27, 1, 1},
    {"3x3_48_192_27", 48, 192, 27, 3, 1},
    {"1x1_384_48_27", 384, 48, 27, 1, 1},
    {"7x7_3_96_224_s2", 3, 96, 224, 7, 2, true},
    // MobileNetV2's expansions and projections at 14x14 and 7x7 (small, so split finely).
    {"1x1_64_384_14", 64, 384, 14, 1, 1},
    {"1x1_384_64_14", 384, 64, 14, 1, 1},
    {"1x1_160_960_7", 160, 960, 7, 1, 1},
    {"1x1_512_128_7", 512, 128, 7, 1, 1},
    // RegNet-X-400MF's first 1x1s: few channels over large images.
    {"1x1_32_32_112", 32, 32, 112, 1, 1},
    {"1x1_32_64_56", 32, 64, 56, 1, 1},
    // Inception-v3's Mixed_6a 3x3 stride 2 (4 MB of weights).
    {"3x3_288_384_35_s2", 288, 384, 35, 3, 2},
};

ConvGeometry geometry(const Layer& l) {
  ConvGeometry g;
  g.in_channels = l.ic;
  g.out_channels = l.oc;
  g.in_h = g.in_w = l.size;
  g.kernel_h = g.kernel_w = l.kernel;
  g.stride_h = g.stride_w = l.stride;
  g.pad_top = g.pad_left = l.kernel / 2;
  g.out_h = g.out_w = (l.size + 2 * (l.kernel / 2) - l.kernel) / l.stride + 1;
  return g;
}

ConvNchwcConfig config_for(const ConvGeometry& g, Isa isa) {
  ConvNchwcConfig c = default_conv_nchwc_config(g, isa, layout_block(isa));
  if (const char* env = std::getenv("CONV_NCHWC_CONFIG")) {
    nlohmann::json j = conv_nchwc_config_to_json(c);
    j.update(nlohmann::json::parse(env));
    c = conv_nchwc_config_from_json(j);
  }
  return c;
}

void bench_layer(benchmark::State& state, const Layer& layer, Isa isa, int threads) {
  if (!isa_supported(isa)) {
    state.SkipWithError("ISA not supported");
    return;
  }
  const ConvGeometry g = geometry(layer);
  const ConvNchwcConfig c = config_for(g, isa);
  const int64_t b = c.block;
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  auto random = [&](int64_t n) {
    std::vector<float> v(static_cast<size_t>(n));
    for (float& f : v) f = dist(rng);
    return v;
  };
  const int64_t icb = (g.in_channels + b - 1) / b, ocb = (g.out_channels + b - 1) / b;
  const std::vector<float> w = random(g.out_channels * g.in_channels * g.kernel_h * g.kernel_w);
  const std::vector<float> bias = random(g.out_channels);
  const std::vector<float> x = random(icb * b * g.in_h * g.in_w);
  std::vector<float> y(static_cast<size_t>(ocb * b * g.out_h * g.out_w));
  const int64_t weight_bytes = static_cast<int64_t>(w.size() * sizeof(float));
  const char* cold = std::getenv("CONV_NCHWC_COLD");
  const int64_t copies = cold && std::string(cold) == "1"
                             ? std::max<int64_t>(2, (int64_t{256} << 20) / weight_bytes)
                             : 1;
  std::vector<ConvNchwc> convs;
  for (int64_t i = 0; i < copies; ++i)
    convs.emplace_back(g, c, w.data(), bias.data(), layer.plain_input ? 0 : c.block, c.block,
                       Epilogue{Activation::kRelu});
  ThreadPool pool(threads);
  // CONV_NCHWC_ROWS_WRITTEN=1: before each iteration (untimed) the pool's threads rewrite the
  // input in bands of rows, as the layer before does in a network, so each thread's L2 holds
  // (modified) only its own band.
  const char* rows_env = std::getenv("CONV_NCHWC_ROWS_WRITTEN");
  const bool rows_written = rows_env && std::string(rows_env) == "1";
  std::vector<float> x_in = x;
  const int64_t x_rows = icb * g.in_h, row_floats = g.in_w * b;
  size_t next = 0;
  for (auto _ : state) {
    if (rows_written) {
      state.PauseTiming();
      parallel_for(&pool, static_cast<size_t>(threads), [&](size_t i) {
        const int64_t h0 = g.in_h * static_cast<int64_t>(i) / threads,
                      h1 = g.in_h * static_cast<int64_t>(i + 1) / threads;
        for (int64_t r = 0; r < x_rows; ++r) {
          const int64_t h = r % g.in_h;
          if (h < h0 || h >= h1) continue;
          std::copy_n(x.data() + r * row_floats, row_floats, x_in.data() + r * row_floats);
        }
      });
      state.ResumeTiming();
    }
    convs[next].run(x_in.data(), nullptr, y.data(), &pool);
    next = next + 1 == convs.size() ? 0 : next + 1;
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(static_cast<double>(g.flops()),
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(conv_nchwc_config_to_json(c).dump());
}

// The machine's FP32 FMA peak measured the same way as the layers (so "% of peak" compares like
// with like on a VM whose clock and CPU-time accounting drift): 24 independent accumulators, in
// assembly so the compiler cannot reshape the loop.
__attribute__((target("avx512f"))) void fma_peak_loop(int64_t iterations) {
  const float half = 0.5f;
  asm volatile(
      "vbroadcastss %[h], %%zmm30\n\t"
      "vbroadcastss %[h], %%zmm31\n\t"
      "vxorps %%xmm0, %%xmm0, %%xmm0\n\t"
      "vxorps %%xmm1, %%xmm1, %%xmm1\n\t"
      "vxorps %%xmm2, %%xmm2, %%xmm2\n\t"
      "vxorps %%xmm3, %%xmm3, %%xmm3\n\t"
      "vxorps %%xmm4, %%xmm4, %%xmm4\n\t"
      "vxorps %%xmm5, %%xmm5, %%xmm5\n\t"
      "vxorps %%xmm6, %%xmm6, %%xmm6\n\t"
      "vxorps %%xmm7, %%xmm7, %%xmm7\n\t"
      "vxorps %%xmm8, %%xmm8, %%xmm8\n\t"
      "vxorps %%xmm9, %%xmm9, %%xmm9\n\t"
      "vxorps %%xmm10, %%xmm10, %%xmm10\n\t"
      "vxorps %%xmm11, %%xmm11, %%xmm11\n\t"
      "vxorps %%xmm12, %%xmm12, %%xmm12\n\t"
      "vxorps %%xmm13, %%xmm13, %%xmm13\n\t"
      "vxorps %%xmm14, %%xmm14, %%xmm14\n\t"
      "vxorps %%xmm15, %%xmm15, %%xmm15\n\t"
      "vxorps %%xmm16, %%xmm16, %%xmm16\n\t"
      "vxorps %%xmm17, %%xmm17, %%xmm17\n\t"
      "vxorps %%xmm18, %%xmm18, %%xmm18\n\t"
      "vxorps %%xmm19, %%xmm19, %%xmm19\n\t"
      "vxorps %%xmm20, %%xmm20, %%xmm20\n\t"
      "vxorps %%xmm21, %%xmm21, %%xmm21\n\t"
      "vxorps %%xmm22, %%xmm22, %%xmm22\n\t"
      "vxorps %%xmm23, %%xmm23, %%xmm23\n\t"
      "1:\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm0\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm1\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm2\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm3\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm4\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm5\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm6\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm7\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm8\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm9\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm10\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm11\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm12\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm13\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm14\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm15\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm16\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm17\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm18\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm19\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm20\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm21\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm22\n\t"
      "vfmadd231ps %%zmm30, %%zmm31, %%zmm23\n\t"
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      : [n] "+r"(iterations)
      : [h] "m"(half)
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20",
        "xmm21", "xmm22", "xmm23", "xmm30", "xmm31", "cc");
}

void bench_peak(benchmark::State& state) {
  if (!isa_supported(Isa::kAvx512)) {
    state.SkipWithError("needs AVX-512");
    return;
  }
  constexpr int64_t kIterations = 100000;
  for (auto _ : state) fma_peak_loop(kIterations);
  state.counters["GFLOP/s"] =
      benchmark::Counter(kIterations * 24 * 32.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(bench_peak)->MinTime(0.2);

int register_all() {
  for (Isa isa : {Isa::kAvx512, Isa::kAvx2})
    for (int threads : {1, 2})
      for (const Layer& l : kLayers) {
        const std::string name = std::string(l.name) + "/" + std::string(isa_name(isa)) +
                                 "/threads:" + std::to_string(threads);
        auto* b = benchmark::RegisterBenchmark(
            name.c_str(),
            [&l, isa, threads](benchmark::State& s) { bench_layer(s, l, isa, threads); });
        b->MinTime(0.2);
        // One thread: CPU time, which a busy shared machine distorts less than wall time.
        if (threads > 1) b->UseRealTime();
      }
  return 0;
}

const int kRegistered = register_all();

}  // namespace
}  // namespace hone

BENCHMARK_MAIN();
