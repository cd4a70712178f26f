// Transpose for the optimized executor: axes that move together are merged first, then the
// copy runs as contiguous rows (the innermost axis stays innermost) or as cache-sized square
// tiles between the input's and the output's innermost axes, split over the pool's threads.
// The reference (strided_copy.h) walks the output row by row, gathering each row's elements
// a whole input stride apart, on one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "core/thread_pool.h"

namespace hone {

// The same result as transpose_reference for elements of 1, 2, 4 or 8 bytes (others: the
// reference). pool may be null.
void transpose_fast(const void* x, const Shape& x_shape, const std::vector<int64_t>& perm, void* y,
                    size_t elem_size, ThreadPool* pool);

// The transposition with size-1 axes dropped and axes that stay neighbours in the same order
// merged: what transpose_fast runs (exposed for tests). perm of the result indexes the
// reduced shape.
struct ReducedTranspose {
  Shape shape;
  std::vector<int64_t> perm;
};
ReducedTranspose reduce_transpose(const Shape& x_shape, const std::vector<int64_t>& perm);

}  // namespace hone
