// Micro-benchmark of the depthwise blocked conv on MobileNetV2's depthwise layers (3x3, pad 1,
// batch 1, blocked in and out, ReLU6 epilogue): GFLOP/s and memory traffic per layer.
//   bench_depthwise_nchwc --benchmark_filter='c144_56' --benchmark_repetitions=5
// DW_OW_TILE=N overrides the default config's ow_tile (2, 4, ..., 16).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "ops/conv/depthwise_nchwc.h"

namespace hone {
namespace {

struct Layer {
  int64_t c, hw, stride;
};

// Args: layer index, threads, isa (0 portable, 1 avx2, 2 avx512), block.
const std::vector<Layer> kLayers = {{32, 112, 1}, {96, 112, 2}, {144, 56, 1}, {144, 56, 2},
                                    {192, 28, 1}, {192, 28, 2}, {384, 14, 1}, {576, 14, 1},
                                    {576, 14, 2}, {960, 7, 1}};

void depthwise(benchmark::State& state) {
  const Layer& l = kLayers[static_cast<size_t>(state.range(0))];
  const int threads = static_cast<int>(state.range(1));
  const Isa isa = static_cast<Isa>(state.range(2));
  const int block = static_cast<int>(state.range(3));
  if (!isa_supported(isa)) {
    state.SkipWithError("isa not supported");
    return;
  }
  ConvGeometry g;
  g.in_channels = g.out_channels = l.c;
  g.in_h = g.in_w = l.hw;
  g.kernel_h = g.kernel_w = 3;
  g.stride_h = g.stride_w = l.stride;
  g.pad_top = g.pad_left = 1;
  g.out_h = g.out_w = (l.hw + 2 - 3) / l.stride + 1;
  const int64_t cb = (l.c + block - 1) / block;
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> w(static_cast<size_t>(l.c * 9)), bias(static_cast<size_t>(l.c));
  for (float& v : w) v = dist(gen);
  for (float& v : bias) v = dist(gen);
  std::vector<float> x(static_cast<size_t>(cb * l.hw * l.hw * block));
  for (float& v : x) v = dist(gen);
  std::vector<float> y(static_cast<size_t>(cb * g.out_h * g.out_w * block));
  DepthwiseNchwcConfig config = default_depthwise_nchwc_config(g, isa, block);
  // DW_OW_TILE overrides the default register tile (for tuning).
  if (const char* env = std::getenv("DW_OW_TILE")) config.ow_tile = std::atoi(env);
  DepthwiseNchwc conv(g, config, w.data(), bias.data(), block, block,
                      {Activation::kClip, 0.0f, 6.0f});
  auto pool = std::make_unique<ThreadPool>(threads);
  for (auto _ : state) {
    conv.run(x.data(), nullptr, y.data(), pool.get());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * l.c * g.out_h * g.out_w * 9;
  state.counters["GFLOPs"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GBps"] = benchmark::Counter(double(x.size() + y.size()) * 4e-9,
                                              benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(conv.name() + " c" + std::to_string(l.c) + "_" + std::to_string(l.hw) + " s" +
                 std::to_string(l.stride));
}

void layer_args(benchmark::internal::Benchmark* b) {
  for (int64_t i = 0; i < static_cast<int64_t>(kLayers.size()); ++i)
    for (int64_t threads : {1, 2}) b->Args({i, threads, static_cast<int64_t>(best_isa()), 16});
  // The AVX2 variant (block 8) on the largest layers, for the non-AVX-512 path.
  for (int64_t i : {0, 2, 9}) b->Args({i, 2, static_cast<int64_t>(Isa::kAvx2), 8});
}

// Rates use CPU time: on the shared 2-core machine wall time mostly measures other people's
// load. Compare 2-thread runs by their wall time on a quiet machine.
BENCHMARK(depthwise)->Apply(layer_args)->MinTime(0.2);

}  // namespace
}  // namespace hone

BENCHMARK_MAIN();
