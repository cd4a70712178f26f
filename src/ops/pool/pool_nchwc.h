// Optimized pooling on channel-blocked NCHW[b]c tensors: one vector (or two) per pixel, the
// window's valid tap range precomputed per output row and column so the inner loops carry no
// bounds checks. Variants: AVX-512, AVX2 and portable C++, threaded over (batch x channel
// blocks x output rows).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/pool/pool_reference.h"

namespace hone {

enum class PoolKind { kMax, kAverage };

// What the per-ISA row kernels read: plain data and raw pointers into PoolNchwc's tables.
struct PoolNchwcArgs {
  int64_t batch = 1, channel_blocks = 1, block = 16;
  int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  int64_t stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1, pad_top = 0, pad_left = 0;
  // Valid taps of output row oh are kh in [row_lo[oh], row_hi[oh]); likewise columns.
  const int64_t* row_lo = nullptr;
  const int64_t* row_hi = nullptr;
  const int64_t* col_lo = nullptr;
  const int64_t* col_hi = nullptr;
  // Average: 1 / (taps counted by the divisor) per row and column (0 for none).
  const float* row_scale = nullptr;
  const float* col_scale = nullptr;
};

// MaxPool / AveragePool over a 2-D window. x [N, Cb, H, W, b] -> y [N, Cb, OH, OW, b].
class PoolNchwc {
 public:
  // p.window must be 2-D; p.channels = Cb * b. Padding lanes are pooled like the others.
  PoolNchwc(PoolKind kind, const PoolParams& p, int block, bool count_include_pad, Isa isa);
  void run(const float* x, float* y, ThreadPool* pool) const;
  std::string kernel_name() const;

 private:
  PoolKind kind_;
  Isa isa_;
  PoolNchwcArgs args_;
  std::vector<int64_t> row_lo_, row_hi_, col_lo_, col_hi_;
  std::vector<float> row_scale_, col_scale_;
};

// Global max / average over the S pixels of each block: x [N, Cb, S, b] -> y [N, Cb, 1, 1, b].
void global_pool_nchwc(PoolKind kind, int64_t batch, int64_t channel_blocks, int64_t spatial,
                       int block, const float* x, float* y, Isa isa, ThreadPool* pool);
std::string global_pool_nchwc_kernel_name(PoolKind kind, int block, Isa isa);

// Per-ISA kernels: output rows [row0, row1) of (N * Cb * OH), or planes [p0, p1) of (N * Cb)
// for the global pools (args.in_h * args.in_w pixels each). Only with a CPU that has the ISA.
#define HONE_POOL_NCHWC_KERNELS                                                                   \
  void max_pool_nchwc_rows(const PoolNchwcArgs& a, const float* x, float* y, int64_t row0,        \
                           int64_t row1);                                                         \
  void average_pool_nchwc_rows(const PoolNchwcArgs& a, const float* x, float* y, int64_t row0,    \
                               int64_t row1);                                                     \
  void global_max_pool_nchwc_planes(const PoolNchwcArgs& a, const float* x, float* y, int64_t p0, \
                                    int64_t p1);                                                  \
  void global_average_pool_nchwc_planes(const PoolNchwcArgs& a, const float* x, float* y,         \
                                        int64_t p0, int64_t p1);
namespace avx512 {
HONE_POOL_NCHWC_KERNELS
}
namespace avx2 {
HONE_POOL_NCHWC_KERNELS
}
namespace portable {
HONE_POOL_NCHWC_KERNELS
}
#undef HONE_POOL_NCHWC_KERNELS

}  // namespace hone
