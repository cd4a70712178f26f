#include "ops/shape/strided_copy_parallel.h"

#include <algorithm>
#include <cstring>

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
  constexpr size_t kMaxRank = 16;
  const int64_t row = rank > 0 ? out_shape[rank - 1] : 0;
  const int64_t rows = row > 0 ? total / row : 0;
  const int64_t chunks = std::min<int64_t>(rows, 4 * threads);
  if (threads <= 1 || rank < 2 || rank > kMaxRank || chunks <= 1 ||
      total * static_cast<int64_t>(elem_size) < kMinParallelBytes) {
    strided_copy(src, src_offset, src_strides, dst, out_shape, elem_size);
    return;
  }
  const int64_t row_stride = src_strides[rank - 1];
  const auto* s = static_cast<const char*>(src);
  parallel_for(pool, static_cast<size_t>(chunks), [&](size_t chunk) {
    const int64_t r0 = rows * static_cast<int64_t>(chunk) / chunks;
    const int64_t r1 = rows * (static_cast<int64_t>(chunk) + 1) / chunks;
    // The odometer over the outer axes at row r0, and that row's source offset.
    int64_t index[kMaxRank];
    int64_t rest = r0, offset = src_offset;
    for (size_t k = rank - 1; k-- > 0;) {
      index[k] = rest % out_shape[k];
      rest /= out_shape[k];
      offset += index[k] * src_strides[k];
    }
    char* d = static_cast<char*>(dst) + static_cast<size_t>(r0 * row) * elem_size;
    for (int64_t r = r0; r < r1; ++r) {
      const char* from = s + offset * static_cast<int64_t>(elem_size);
      if (row_stride == 1) {
        std::memcpy(d, from, static_cast<size_t>(row) * elem_size);
      } else {
        for (int64_t i = 0; i < row; ++i)
          std::memcpy(d + static_cast<size_t>(i) * elem_size,
                      from + i * row_stride * static_cast<int64_t>(elem_size), elem_size);
      }
      d += static_cast<size_t>(row) * elem_size;
      for (size_t k = rank - 1; k-- > 0;) {
        offset += src_strides[k];
        if (++index[k] < out_shape[k]) break;
        offset -= src_strides[k] * out_shape[k];
        index[k] = 0;
      }
    }
  });
}

}  // namespace hone
