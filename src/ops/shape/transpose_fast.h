// Transpose for the optimized executor: axes that move together are merged first, then the
// copy runs as contiguous rows (the innermost axis stays innermost) or as cache-sized square
// tiles between the input's and the output's innermost axes, split over the pool's threads.
// The plan is made once (shapes are static); a run allocates nothing. The reference
// (strided_copy.h) walks the output row by row, gathering each row's elements a whole input
// stride apart, on one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/cpu_features.h"
#include "core/tensor.h"
#include "core/thread_pool.h"

namespace hone {

// The transposition with size-1 axes dropped and axes that stay neighbours in the same order
// merged: what TransposeFast runs (exposed for tests). perm of the result indexes the
// reduced shape.
struct ReducedTranspose {
  Shape shape;
  std::vector<int64_t> perm;
};
ReducedTranspose reduce_transpose(const Shape& x_shape, const std::vector<int64_t>& perm);

class TransposeFast {
 public:
  // The same result as transpose_reference for elements of 1, 2, 4 or 8 bytes (others: the
  // reference, which allocates). isa: 4-byte tiles move through AVX2 registers when it is
  // AVX2 or AVX-512 (and the CPU has AVX2).
  TransposeFast(const Shape& x_shape, const std::vector<int64_t>& perm, size_t elem_size,
                Isa isa = Isa::kPortable);
  // pool may be null.
  void run(const void* x, void* y, ThreadPool* pool) const;

 private:
  enum class Mode { kCopy, kRows, kTiles, kReference };
  template <class W>
  void run_typed(const W* x, W* y, ThreadPool* pool) const;
  // The source and destination offsets (in elements) of the `outer`-th index over the outer
  // axes.
  void outer_offsets(int64_t outer, int64_t& src, int64_t& dst) const;

  Shape x_shape_;
  std::vector<int64_t> perm_;  // for the reference mode
  size_t elem_size_ = 4;
  Mode mode_ = Mode::kCopy;
  int64_t numel_ = 0;
  // Outer axes (all but the row, or all but the two tiled ones), outermost first.
  std::vector<int64_t> outer_sizes_, outer_src_strides_, outer_dst_strides_;
  int64_t outer_count_ = 1;
  int64_t row_ = 0;  // kRows: elements per contiguous row
  // kTiles: output axis j (contiguous in the input, p) and the output's last axis (q).
  int64_t p_size_ = 0, q_size_ = 0, q_src_stride_ = 0, p_dst_stride_ = 0;
  bool q_inner_ = false;
  bool avx2_tiles_ = false;
};

// One-shot form (plans, then runs): for tests and callers without a prepare step.
void transpose_fast(const void* x, const Shape& x_shape, const std::vector<int64_t>& perm, void* y,
                    size_t elem_size, ThreadPool* pool, Isa isa = Isa::kPortable);

}  // namespace hone
