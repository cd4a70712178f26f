// Micro-benchmark of the fused 1x1 expansion + depthwise 3x3 kernel on MobileNetV2's inverted
// residual blocks (batch 1, blocked in and out, ReLU6 after both), against the two unfused
// kernels (ConvNchwc then DepthwiseNchwc through a full-size intermediate) in the same run.
//   bench_pointwise_depthwise_nchwc_bench --benchmark_filter='/2/' --benchmark_repetitions=5
// Args: block shape index, threads, fused (1) or unfused (0). Wall time (the pool's threads).
// PWDW_ROWS, PWDW_CB, PWDW_SPLIT, PWDW_OW, PWDW_OC override the fused default's rows, cb_chunk,
// row_splits, pw_ow_tile and pw_oc_tile (for tuning).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "ops/conv/conv_nchwc.h"
#include "ops/conv/depthwise_nchwc.h"
#include "ops/conv/pointwise_depthwise_nchwc.h"

namespace hone {
namespace {

struct Shape {
  const char* name;
  int64_t cin, mid, hw, stride;
};

const std::vector<Shape> kShapes = {
    {"features.2", 16, 96, 112, 2},  {"features.3", 24, 144, 56, 1},
    {"features.4", 24, 144, 56, 2},  {"features.5", 32, 192, 28, 1},
    {"features.7", 32, 192, 28, 2},  {"features.8", 64, 384, 14, 1},
    {"features.12", 96, 576, 14, 1}, {"features.14", 96, 576, 14, 2},
    {"features.15", 160, 960, 7, 1},
};

std::vector<float> random_vector(int64_t n, std::mt19937& gen) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& f : v) f = dist(gen);
  return v;
}

void inverted_residual(benchmark::State& state) {
  const Shape& s = kShapes[static_cast<size_t>(state.range(0))];
  const int threads = static_cast<int>(state.range(1));
  const bool fused = state.range(2) != 0;
  const Isa isa = best_isa();
  const int block = layout_block(isa);
  ConvGeometry pw;
  pw.in_channels = s.cin;
  pw.out_channels = s.mid;
  pw.in_h = pw.in_w = pw.out_h = pw.out_w = s.hw;
  ConvGeometry dw;
  dw.in_channels = dw.out_channels = s.mid;
  dw.in_h = dw.in_w = s.hw;
  dw.kernel_h = dw.kernel_w = 3;
  dw.stride_h = dw.stride_w = s.stride;
  dw.pad_top = dw.pad_left = 1;
  dw.out_h = dw.out_w = (s.hw + 2 - 3) / s.stride + 1;
  std::mt19937 gen(1);
  const std::vector<float> pw_w = random_vector(s.mid * s.cin, gen),
                           pw_b = random_vector(s.mid, gen);
  const std::vector<float> dw_w = random_vector(s.mid * 9, gen), dw_b = random_vector(s.mid, gen);
  const int64_t icb = (s.cin + block - 1) / block, mcb = (s.mid + block - 1) / block;
  const std::vector<float> x = random_vector(icb * s.hw * s.hw * block, gen);
  std::vector<float> mid(static_cast<size_t>(mcb * s.hw * s.hw * block));
  std::vector<float> y(static_cast<size_t>(mcb * dw.out_h * dw.out_w * block));
  const Epilogue relu6{Activation::kClip, 0.0f, 6.0f};
  auto pool = std::make_unique<ThreadPool>(threads);
  std::string name;
  if (fused) {
    PointwiseDepthwiseNchwcConfig c =
        default_pointwise_depthwise_nchwc_config(pw, dw, isa, block, threads);
    if (const char* e = std::getenv("PWDW_OW")) c.pw_ow_tile = std::atoi(e);
    if (const char* e = std::getenv("PWDW_OC")) c.pw_oc_tile = std::atoi(e);
    if (const char* e = std::getenv("PWDW_ROWS")) c.rows = std::atoi(e);
    if (const char* e = std::getenv("PWDW_CB")) c.cb_chunk = std::atoi(e);
    if (const char* e = std::getenv("PWDW_SPLIT")) c.row_splits = std::atoi(e);
    PointwiseDepthwiseNchwc conv(pw, dw, c, pw_w.data(), pw_b.data(), relu6, dw_w.data(),
                                 dw_b.data(), relu6);
    name = conv.name();
    for (auto _ : state) {
      conv.run(x.data(), nullptr, y.data(), pool.get());
      benchmark::ClobberMemory();
    }
  } else {
    ConvNchwc conv(pw, default_conv_nchwc_config(pw, isa, block), pw_w.data(), pw_b.data(), block,
                   block, relu6);
    const DepthwiseNchwcConfig dc = default_depthwise_nchwc_config(dw, isa, block);
    DepthwiseNchwc depthwise(dw, dc, dw_w.data(), dw_b.data(), block, block, relu6);
    name = "conv_nchwc + " + depthwise.name();
    for (auto _ : state) {
      conv.run(x.data(), nullptr, mid.data(), pool.get());
      depthwise.run(mid.data(), nullptr, y.data(), pool.get());
      benchmark::ClobberMemory();
    }
  }
  const double flops = 2.0 * s.mid * s.hw * s.hw * s.cin + 2.0 * s.mid * dw.out_h * dw.out_w * 9;
  state.counters["GFLOPs"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string(s.name) + " " + name);
}

void shape_args(benchmark::internal::Benchmark* b) {
  for (int64_t i = 0; i < static_cast<int64_t>(kShapes.size()); ++i)
    for (int64_t threads : {1, 2})
      for (int64_t fused : {0, 1}) b->Args({i, threads, fused});
}

BENCHMARK(inverted_residual)->Apply(shape_args)->MinTime(0.1)->UseRealTime();

}  // namespace
}  // namespace hone

BENCHMARK_MAIN();
