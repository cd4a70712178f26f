// hone-peak's measurement kernels: FP32 FMA throughput per instruction set and STREAM-like
// memory bandwidth, each timed by the caller on one or several threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace hone::peak {

// Each runs `iters` rounds of kFmaChains independent multiply-add chains over full vector
// registers and returns a value derived from the accumulators (so the work cannot be dropped).
// FLOPs done: iters * fma_flops_per_iter(isa).
namespace avx512 {
float fma_chains(int64_t iters);
}
namespace avx2 {
float fma_chains(int64_t iters);
}
namespace portable {
// SSE2 has no FMA: a multiply and a dependent add stand in for one (2 FLOPs per lane).
float fma_chains(int64_t iters);
}  // namespace portable

// Chains per kernel: enough independent accumulators to hide the FMA latency (4 cycles on
// Zen 4, 2 pipes) with room to spare, and few enough to stay in registers (16 ymm for AVX2).
constexpr int kFmaChainsAvx512 = 12;
constexpr int kFmaChainsAvx2 = 12;
constexpr int kFmaChainsPortable = 12;

// STREAM kernels over [begin, end) of the arrays (floats).
void stream_copy(float* dst, const float* src, size_t begin, size_t end);
void stream_triad(float* a, const float* b, const float* c, float scalar, size_t begin, size_t end);

// Cache-line round trip between the first two CPUs this process may use, and how fast the
// first reads a buffer of `bytes` (one L2's worth: a layer's activations) that the second has
// just written, against reading it after writing it itself (cross_core.cc). measured is
// false with fewer than two CPUs.
struct CrossCore {
  bool measured = false;
  int cpus[2] = {0, 0};
  size_t bytes = size_t{1} << 20;
  double round_trip_ns = 0;
  double other_gbps = 0;
  double own_gbps = 0;
};
CrossCore measure_cross_core(bool quick, std::atomic<float>& sink);

}  // namespace hone::peak
