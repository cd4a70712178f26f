// Batched float32 MatMul whose B is computed at run time (attention's Q·Kᵀ and weights·V,
// Einsum's contractions): each batch matrix of B is packed into panels when it is used (k·n
// copies against m·n·k FMAs) and runs on the packed kernel (decision 017).
#pragma once

#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/common/claimed_slots.h"
#include "ops/gemm/gemm_packed.h"
#include "ops/gemm/gemm_reference.h"

namespace hone {

// Whether GemmRuntimeB runs p: each operand's matrices have a unit row or column stride.
bool gemm_runtime_b_takes(const MatMulParams& p);

// A GemmPacked for a B of [k, n] whose values come at run time (repack before each run), with
// the default config for an m x n x k product split over `threads`.
GemmPacked runtime_b_gemm(int64_t m, int64_t n, int64_t k, Isa isa, int threads);

class GemmRuntimeB {
 public:
  // For p (m, n, k > 0) run on `threads` threads: with at least as many batch matrices as
  // threads, each thread takes whole matrices with its own packed buffer; otherwise they run
  // one after the other, each split over the threads.
  GemmRuntimeB(const MatMulParams& p, Isa isa, int threads);

  // y[i] ([m, n], contiguous) = alpha * A_i @ B_i for every batch i, the operands read as
  // MatMulParams says; y is written completely. Calls on one object must not overlap.
  void run(const float* a, const float* b, float* y, ThreadPool* pool);

  std::string kernel_name() const;
  // The packed-B buffers kept across runs.
  int64_t scratch_bytes() const;

 private:
  MatMulParams p_;
  bool by_batch_;
  ClaimedSlots<GemmPacked> gemms_;  // one per thread when by batch, else one
};

}  // namespace hone
