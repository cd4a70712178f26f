// Micro-benchmark of TransposeFast on the layout changes of ConvNeXt-T (NCHW <-> NHWC around
// each block's LayerNorm and MLP, four stages) and ViT-B/16's attention head split: GB/s of
// bytes read plus written, per ISA (portable element copies, AVX2 8 x 8 register blocks) and
// thread count. The tensors stay in cache between iterations, as in a network where the
// producer has just written them.
//   bench_transpose_fast_bench --benchmark_filter='c96_56'
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/shape/transpose_fast.h"

namespace hone {
namespace {

struct Case {
  const char* name;
  Shape shape;
  std::vector<int64_t> perm;
};

const Case kCases[] = {
    {"nchw_to_nhwc_c96_56", {1, 96, 56, 56}, {0, 2, 3, 1}},
    {"nhwc_to_nchw_c96_56", {1, 56, 56, 96}, {0, 3, 1, 2}},
    {"nchw_to_nhwc_c192_28", {1, 192, 28, 28}, {0, 2, 3, 1}},
    {"nchw_to_nhwc_c384_14", {1, 384, 14, 14}, {0, 2, 3, 1}},
    {"nchw_to_nhwc_c768_7", {1, 768, 7, 7}, {0, 2, 3, 1}},
    {"vit_heads_197_12_64", {197, 12, 64}, {1, 0, 2}},
};

void run_transpose(benchmark::State& state, const Case& c, Isa isa, int threads) {
  if (!isa_supported(isa)) {
    state.SkipWithError("ISA not supported");
    return;
  }
  const auto n = static_cast<size_t>(shape_numel(c.shape));
  std::vector<float> x(n), y(n);
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(i % 1000) * 0.001f;
  const TransposeFast plan(c.shape, c.perm, sizeof(float), isa);
  ThreadPool pool(threads);
  for (auto _ : state) {
    plan.run(x.data(), y.data(), &pool);
    benchmark::ClobberMemory();
  }
  state.counters["GB/s"] = benchmark::Counter(static_cast<double>(2 * n * sizeof(float)) / 1e9,
                                              benchmark::Counter::kIsIterationInvariantRate);
}

int register_all() {
  for (const Case& c : kCases)
    for (Isa isa : {Isa::kPortable, Isa::kAvx2})
      for (int threads : {1, 2}) {
        const std::string name = std::string(c.name) + "/" + std::string(isa_name(isa)) +
                                 "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), run_transpose, c, isa, threads)->UseRealTime();
      }
  return 0;
}

const int kRegistered = register_all();

}  // namespace
}  // namespace hone

BENCHMARK_MAIN();
