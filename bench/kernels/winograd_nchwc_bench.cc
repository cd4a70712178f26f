// Micro-benchmark of the Winograd F(4x4, 3x3) / F(2x2, 3x3) convolution against the direct blocked
// kernel on the 3x3 stride-1 layers of ResNet-50 (and ResNet-18's 64-channel one): GFLOP/s counted
// with the direct convolution's FLOPs, per ISA and thread count, at the default configs. Other
// knobs: WINOGRAD_NCHWC_CONFIG='{"tiles_per_item":28}' (fields as winograd_nchwc_config_to_json
// writes; missing ones keep the default), e.g.
//   WINOGRAD_NCHWC_CONFIG='{"oc_chunk":4}' ./bench_winograd_nchwc_bench --benchmark_filter=28
// WINOGRAD_NCHWC_COLD=1 writes 64 MB between runs (not timed), as the other layers of a model
// do, so the weights come from memory as they do there, not from a cache that kept them.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/conv/conv_nchwc.h"
#include "ops/conv/winograd_nchwc.h"

namespace hone {
namespace {

struct Layer {
  const char* name;
  int64_t ic, oc, size;
};

const Layer kLayers[] = {
    {"3x3_64_64_56", 64, 64, 56},
    {"3x3_128_128_28", 128, 128, 28},
    {"3x3_256_256_14", 256, 256, 14},
    {"3x3_512_512_7", 512, 512, 7},
};

ConvGeometry geometry(const Layer& l) {
  ConvGeometry g;
  g.in_channels = l.ic;
  g.out_channels = l.oc;
  g.in_h = g.in_w = g.out_h = g.out_w = l.size;
  g.kernel_h = g.kernel_w = 3;
  g.pad_top = g.pad_left = 1;
  return g;
}

WinogradNchwcConfig winograd_config(const ConvGeometry& g, Isa isa) {
  WinogradNchwcConfig c = default_winograd_nchwc_config(g, isa, isa == Isa::kAvx2 ? 8 : 16);
  if (const char* env = std::getenv("WINOGRAD_NCHWC_CONFIG")) {
    nlohmann::json j = winograd_nchwc_config_to_json(c);
    j.update(nlohmann::json::parse(env));
    c = winograd_nchwc_config_from_json(j);
  }
  return c;
}

void bench_layer(benchmark::State& state, const Layer& layer, Isa isa, int threads, bool winograd) {
  if (!isa_supported(isa)) {
    state.SkipWithError("ISA not supported");
    return;
  }
  const ConvGeometry g = geometry(layer);
  const int b = isa == Isa::kAvx2 ? 8 : 16;
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  auto random = [&](int64_t n) {
    std::vector<float> v(static_cast<size_t>(n));
    for (float& f : v) f = dist(rng);
    return v;
  };
  const int64_t icb = (g.in_channels + b - 1) / b, ocb = (g.out_channels + b - 1) / b;
  const std::vector<float> w = random(g.out_channels * g.in_channels * 9);
  const std::vector<float> bias = random(g.out_channels);
  const std::vector<float> x = random(icb * b * g.in_h * g.in_w);
  std::vector<float> y(static_cast<size_t>(ocb * b * g.out_h * g.out_w));
  ThreadPool pool(threads);
  const Epilogue relu{Activation::kRelu};
  const char* cold_env = std::getenv("WINOGRAD_NCHWC_COLD");
  std::vector<float> evict(cold_env && std::string(cold_env) == "1" ? (64 << 20) / 4 : 0);
  auto time_runs = [&](const auto& conv) {
    for (auto _ : state) {
      if (!evict.empty()) {
        state.PauseTiming();
        for (size_t i = 0; i < evict.size(); i += 16) evict[i] += 1.0f;
        benchmark::ClobberMemory();
        state.ResumeTiming();
      }
      conv.run(x.data(), nullptr, y.data(), &pool);
      benchmark::ClobberMemory();
    }
  };
  if (winograd) {
    const WinogradNchwc conv(g, winograd_config(g, isa), w.data(), bias.data(), relu);
    time_runs(conv);
    state.SetLabel(conv.name());
  } else {
    const ConvNchwcConfig c = default_conv_nchwc_config(g, isa, b);
    const ConvNchwc conv(g, c, w.data(), bias.data(), b, b, relu);
    time_runs(conv);
    state.SetLabel(conv_nchwc_config_to_json(c).dump());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(static_cast<double>(g.flops()),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

int register_all() {
  for (Isa isa : {Isa::kAvx512, Isa::kAvx2})
    for (int threads : {1, 2})
      for (const Layer& l : kLayers)
        for (bool winograd : {false, true}) {
          const std::string name = std::string(l.name) + "/" + std::string(isa_name(isa)) +
                                   "/threads:" + std::to_string(threads) + "/" +
                                   (winograd ? "winograd" : "direct");
          auto* b = benchmark::RegisterBenchmark(name.c_str(),
                                                 [&l, isa, threads, winograd](benchmark::State& s) {
                                                   bench_layer(s, l, isa, threads, winograd);
                                                 });
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
