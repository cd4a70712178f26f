// Paired A/B timing of two packed-GEMM configs on one shape: runs of A and B alternate
// (ABBA order), each sample about 10 ms, and the result is the median of the per-pair time
// ratios B/A. Neighbouring runs see the same machine, so the ratio survives the slow bursts
// of a shared VM that make two separate benchmark runs disagree by 20%. Where an object lies
// in memory biased one-instance runs by a few per cent (on the Zen 3 VM the two orders gave
// 0.95 and 1.04 for equal configs), so two instances of each config are built in the order
// A B B A and the pairs alternate between them. Run several processes and take the median:
// placement still varies from process to process.
// Usage: gemm-packed-ab M N K THREADS PAIRS CONFIG_A CONFIG_B
//   CONFIG_*: JSON fields that replace the default config's, e.g. '{"pack_a":false}' or '{}'.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "ops/gemm/gemm_packed.h"
#include "paired_timing.h"

using hone::GemmPacked;
using hone::bench::positive_arg;

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: gemm-packed-ab M N K THREADS PAIRS CONFIG_A CONFIG_B\n");
    return 2;
  }
  try {
    const int64_t m = positive_arg(argv[1], "M"), n = positive_arg(argv[2], "N"),
                  k = positive_arg(argv[3], "K");
    const int threads = static_cast<int>(positive_arg(argv[4], "THREADS"));
    const int pairs = static_cast<int>(positive_arg(argv[5], "PAIRS"));
    std::vector<float> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(n * k));
    std::vector<float> y(static_cast<size_t>(m * n));
    for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i % 13) * 0.1f - 0.6f;
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i % 7) * 0.1f - 0.3f;
    hone::ThreadPool pool(threads);
    auto make = [&](const char* overrides) {
      nlohmann::json json = hone::gemm_packed_config_to_json(
          hone::default_gemm_packed_config(m, n, k, hone::best_isa(), threads));
      const nlohmann::json fields = nlohmann::json::parse(overrides);
      for (const auto& [key, value] : fields.items()) json[key] = value;
      return GemmPacked(n, k, b.data(), true, 1.0f, hone::gemm_packed_config_from_json(json),
                        nullptr, {});
    };
    const GemmPacked a1 = make(argv[6]), b1 = make(argv[7]), b2 = make(argv[7]), a2 = make(argv[6]);
    const double flops = 2.0 * static_cast<double>(m * n * k);
    const int reps = std::max(1, static_cast<int>(0.01 / (flops / 150e9)));
    auto seconds = [&](const GemmPacked& g) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int r = 0; r < reps; ++r)
        g.run(m, a.data(), k, false, nullptr, 0, 0, 0.0f, y.data(), threads > 1 ? &pool : nullptr);
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
    };
    const GemmPacked* instances[4] = {&a1, &b1, &b2, &a2};
    const hone::bench::PairedTimes t =
        hone::bench::time_pairs(pairs, [&](int i) { return seconds(*instances[i]); });
    std::printf(
        "m %lld n %lld k %lld threads %d: A %s %.1f GFLOP/s, B %s %.1f GFLOP/s (medians), "
        "B/A time %.3f (median of %d pairs)\n",
        static_cast<long long>(m), static_cast<long long>(n), static_cast<long long>(k), threads,
        a1.kernel_name().c_str(), flops / t.median_a / 1e9, b1.kernel_name().c_str(),
        flops / t.median_b / 1e9, t.ratio, pairs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gemm-packed-ab: %s\n", e.what());
    return 2;
  }
  return 0;
}
