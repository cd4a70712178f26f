// Micro-benchmarks of the packed GEMM: GFLOP/s of the default config per ISA for the dense
// layers of the zoo models (batch 1: memory-bound GEMV; batch 8) and a compute-bound square
// case, with 1 and 2 threads; GB/s of weights streamed for the batch-1 cases.
//   ./build/bench/bench_gemm_packed_bench --benchmark_filter=avx512
// GEMM_PACKED_CONFIG='{"kc":256,"mc":96}' replaces those fields of the default config.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "ops/gemm/gemm_packed.h"

namespace hone {
namespace {

struct Shape3 {
  int64_t m, n, k;
  const char* name;
};

const Shape3 kShapes[] = {
    {1, 4096, 9216, "alexnet_fc6"},
    {1, 4096, 25088, "vgg16_fc6"},
    {1, 1000, 2048, "resnet_fc"},
    {8, 4096, 9216, "alexnet_fc6_b8"},
    {256, 256, 256, "square256"},
    {64, 1000, 1024, "m64"},
    // Transformer-style layers: ViT-B/16's attention projections and MLP (197 tokens) and
    // ConvNeXt-T's pointwise MLPs of its four stages (56x56, 28x28, 14x14, 7x7 positions).
    {197, 2304, 768, "vit_qkv"},
    {197, 768, 768, "vit_out"},
    {197, 3072, 768, "vit_mlp_up"},
    {197, 768, 3072, "vit_mlp_down"},
    {3136, 384, 96, "convnext_up"},
    {3136, 96, 384, "convnext_down"},
    {784, 768, 192, "convnext2_up"},
    {784, 192, 768, "convnext2_down"},
    {196, 1536, 384, "convnext3_up"},
    {196, 384, 1536, "convnext3_down"},
    {49, 3072, 768, "convnext4_up"},
    {49, 768, 3072, "convnext4_down"},
};

void run_gemm(benchmark::State& state, Shape3 s, Isa isa, int threads) {
  if (!isa_supported(isa)) {
    state.SkipWithError("ISA not supported on this CPU");
    return;
  }
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> a(static_cast<size_t>(s.m * s.k)), b(static_cast<size_t>(s.k * s.n)),
      y(static_cast<size_t>(s.m * s.n));
  for (float& v : a) v = dist(gen);
  for (float& v : b) v = dist(gen);
  ThreadPool pool(threads);
  GemmPackedConfig config = default_gemm_packed_config(s.m, s.n, s.k, isa, threads);
  // GEMM_PACKED_CONFIG: JSON fields that replace the default's (for tuning), e.g. {"kc":256}.
  if (const char* env = std::getenv("GEMM_PACKED_CONFIG")) {
    nlohmann::json j = gemm_packed_config_to_json(config);
    j.update(nlohmann::json::parse(env));
    config = gemm_packed_config_from_json(j);
  }
  GemmPacked gemm(s.n, s.k, b.data(), true, 1.0f, config, nullptr, {});
  b.clear();
  b.shrink_to_fit();
  for (auto _ : state) {
    gemm.run(s.m, a.data(), s.k, false, nullptr, 0, 0, 0.0f, y.data(), &pool);
    benchmark::DoNotOptimize(y.data());
  }
  const double flops = 2.0 * static_cast<double>(s.m * s.n * s.k);
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["weight_GB/s"] =
      benchmark::Counter(static_cast<double>(gemm.packed_bytes()) * 1e-9,
                         benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(gemm.kernel_name());
}

int register_all() {
  for (Isa isa : {Isa::kAvx512, Isa::kAvx2, Isa::kPortable})
    for (const Shape3& s : kShapes)
      for (int threads : {1, 2}) {
        const std::string name = std::string("gemm_packed/") + std::string(isa_name(isa)) + "/" +
                                 s.name + "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), run_gemm, s, isa, threads)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
  return 0;
}

const int kRegistered = register_all();

}  // namespace
}  // namespace hone

BENCHMARK_MAIN();
