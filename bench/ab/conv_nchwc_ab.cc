// Paired A/B timing of two blocked-convolution configs on one layer: runs of A and B alternate
// (ABBA order), each sample about 10 ms, and the result is the median of the per-pair time
// ratios B/A. Two instances of each config are built in the order A B B A and the pairs
// alternate between them, so neither config always gets the first-allocated memory (which
// biased one-instance runs by a few per cent on the Zen 3 VM). Run several processes and
// take the median: placement still varies from process to process.
// Usage: conv-nchwc-ab IC OC SIZE KERNEL STRIDE THREADS PAIRS CONFIG_A CONFIG_B
//   A square SIZE x SIZE input, KERNEL x KERNEL window, padding KERNEL / 2, ReLU epilogue. The
//   input is blocked, or plain NCHW when IC is below the block (a network's first conv).
//   CONFIG_*: JSON fields that replace the default config's, e.g. '{"ic_chunk":16}' or '{}'.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "ops/conv/conv_nchwc.h"
#include "paired_timing.h"

using hone::bench::positive_arg;

int main(int argc, char** argv) {
  if (argc != 10) {
    std::fprintf(stderr,
                 "usage: conv-nchwc-ab IC OC SIZE KERNEL STRIDE THREADS PAIRS CONFIG_A CONFIG_B\n");
    return 2;
  }
  try {
    hone::ConvGeometry g;
    g.in_channels = positive_arg(argv[1], "IC");
    g.out_channels = positive_arg(argv[2], "OC");
    g.in_h = g.in_w = positive_arg(argv[3], "SIZE");
    g.kernel_h = g.kernel_w = positive_arg(argv[4], "KERNEL");
    g.stride_h = g.stride_w = positive_arg(argv[5], "STRIDE");
    g.pad_top = g.pad_left = g.kernel_h / 2;
    g.out_h = g.out_w = (g.in_h + 2 * (g.kernel_h / 2) - g.kernel_h) / g.stride_h + 1;
    if (g.out_h < 1) throw hone::Error("the window is larger than the padded input");
    const int threads = static_cast<int>(positive_arg(argv[6], "THREADS"));
    const int pairs = static_cast<int>(positive_arg(argv[7], "PAIRS"));
    const hone::Isa isa = hone::best_isa();
    const int block = hone::layout_block(isa);
    auto config = [&](const char* overrides) {
      nlohmann::json json =
          hone::conv_nchwc_config_to_json(hone::default_conv_nchwc_config(g, isa, block));
      json.update(nlohmann::json::parse(overrides));
      return hone::conv_nchwc_config_from_json(json);
    };
    const hone::ConvNchwcConfig config_a = config(argv[8]), config_b = config(argv[9]);
    for (const auto* c : {&config_a, &config_b})
      if (std::string problem = hone::conv_nchwc_config_problem(g, *c); !problem.empty())
        throw hone::Error("config " + hone::conv_nchwc_config_to_json(*c).dump() + ": " + problem);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    auto random = [&](int64_t n) {
      std::vector<float> v(static_cast<size_t>(n));
      for (float& f : v) f = dist(rng);
      return v;
    };
    const int64_t icb = (g.in_channels + block - 1) / block;
    const int64_t ocb = (g.out_channels + block - 1) / block;
    const std::vector<float> w = random(g.out_channels * g.in_channels * g.kernel_h * g.kernel_w);
    const std::vector<float> bias = random(g.out_channels);
    const std::vector<float> x = random(icb * block * g.in_h * g.in_w);
    std::vector<float> y(static_cast<size_t>(ocb * block * g.out_h * g.out_w));
    const hone::Epilogue relu{hone::Activation::kRelu};
    auto make = [&](const hone::ConvNchwcConfig& c) {
      const int in_block = g.in_channels < block ? 0 : block;
      return hone::ConvNchwc(g, c, w.data(), bias.data(), in_block, block, relu);
    };
    const hone::ConvNchwc a1 = make(config_a), b1 = make(config_b), b2 = make(config_b),
                          a2 = make(config_a);
    hone::ThreadPool pool(threads);
    const double flops = static_cast<double>(g.flops());
    const int reps = std::max(1, static_cast<int>(0.01 / (flops / 150e9)));
    auto seconds = [&](const hone::ConvNchwc& conv) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int r = 0; r < reps; ++r) conv.run(x.data(), nullptr, y.data(), &pool);
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
    };
    const hone::ConvNchwc* instances[4] = {&a1, &b1, &b2, &a2};
    const hone::bench::PairedTimes t =
        hone::bench::time_pairs(pairs, [&](int i) { return seconds(*instances[i]); });
    std::printf("A %s %.1f GFLOP/s | B %s %.1f GFLOP/s (medians) | B/A time %.3f (median of %d)\n",
                a1.name().c_str(), flops / t.median_a / 1e9, b1.name().c_str(),
                flops / t.median_b / 1e9, t.ratio, pairs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "conv-nchwc-ab: %s\n", e.what());
    return 2;
  }
  return 0;
}
