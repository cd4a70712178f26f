#include "ops/shape/strided_copy_parallel.h"

#include <algorithm>

#include "ops/shape/strided_copy.h"

namespace hone {

void strided_copy_parallel(const void* src, int64_t src_offset,
                           const std::vector<int64_t>& src_strides, void* dst,
                           const Shape& out_shape, size_t elem_size, ThreadPool* pool) {
  const int64_t total = shape_numel(out_shape);
  const size_t rank = out_shape.size();
  constexpr int64_t kMinParallelBytes = 64 << 10;
  const int threads = pool ? pool->threads() : 1;
  // Chunks of whole output rows (the last axis), each started where the odometer over the
  // outer axes puts its first row.
  const int64_t row = rank > 0 ? out_shape[rank - 1] : 0;
  const int64_t rows = row > 0 ? total / row : 0;
  const int64_t chunks = std::min<int64_t>(rows, 4 * threads);
  if (threads <= 1 || rank < 2 || chunks <= 1 ||
      total * static_cast<int64_t>(elem_size) < kMinParallelBytes) {
    strided_copy(src, src_offset, src_strides, dst, out_shape, elem_size);
    return;
  }
  parallel_for(pool, static_cast<size_t>(chunks), [&](size_t chunk) {
    const int64_t r0 = rows * static_cast<int64_t>(chunk) / chunks;
    const int64_t r1 = rows * (static_cast<int64_t>(chunk) + 1) / chunks;
    strided_copy_rows(src, src_offset, src_strides, dst, out_shape, elem_size, r0, r1);
  });
}

}  // namespace hone
