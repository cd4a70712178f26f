#include "ops/shape/strided_copy.h"

#include <cstring>

namespace hone {

namespace {

// Copies one innermost row; typed loops for the common element sizes keep the reference
// usable on big activations without changing what it computes.
template <class W>
void copy_row_typed(const char* src, int64_t stride, char* dst, int64_t n) {
  const W* s = reinterpret_cast<const W*>(src);
  W* d = reinterpret_cast<W*>(dst);
  for (int64_t i = 0; i < n; ++i) std::memcpy(d + i, s + i * stride, sizeof(W));
}

void copy_row(const char* src, int64_t stride, char* dst, int64_t n, size_t elem) {
  if (stride == 1) {
    std::memcpy(dst, src, static_cast<size_t>(n) * elem);
    return;
  }
  switch (elem) {
    case 1:
      copy_row_typed<uint8_t>(src, stride, dst, n);
      return;
    case 2:
      copy_row_typed<uint16_t>(src, stride, dst, n);
      return;
    case 4:
      copy_row_typed<uint32_t>(src, stride, dst, n);
      return;
    case 8:
      copy_row_typed<uint64_t>(src, stride, dst, n);
      return;
    default:
      for (int64_t i = 0; i < n; ++i)
        std::memcpy(dst + static_cast<size_t>(i) * elem,
                    src + static_cast<ptrdiff_t>(i * stride) * static_cast<ptrdiff_t>(elem), elem);
  }
}

}  // namespace

std::vector<int64_t> dense_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

void strided_copy_rows(const void* src, int64_t src_offset, const std::vector<int64_t>& src_strides,
                       void* dst, const Shape& out_shape, size_t elem_size, int64_t first_row,
                       int64_t end_row) {
  const size_t rank = out_shape.size();
  if (rank == 0 || first_row >= end_row) return;
  const auto* s = static_cast<const char*>(src);
  const int64_t row = out_shape[rank - 1];
  const int64_t row_stride = src_strides[rank - 1];
  // The odometer over the outer axes (on the stack for the ranks models use).
  constexpr size_t kStackRank = 16;
  int64_t stack_index[kStackRank];
  std::vector<int64_t> heap_index;
  int64_t* index = stack_index;
  if (rank > kStackRank) {
    heap_index.resize(rank);
    index = heap_index.data();
  }
  int64_t offset = src_offset;  // source element offset of the current row start
  int64_t rest = first_row;
  for (size_t k = rank - 1; k-- > 0;) {
    index[k] = rest % out_shape[k];
    rest /= out_shape[k];
    offset += index[k] * src_strides[k];
  }
  auto* d = static_cast<char*>(dst) + static_cast<size_t>(first_row * row) * elem_size;
  for (int64_t r = first_row; r < end_row; ++r) {
    copy_row(s + offset * static_cast<int64_t>(elem_size), row_stride, d, row, elem_size);
    d += static_cast<size_t>(row) * elem_size;
    // Advance the odometer over the outer dimensions.
    for (size_t k = rank - 1; k-- > 0;) {
      offset += src_strides[k];
      if (++index[k] < out_shape[k]) break;
      offset -= src_strides[k] * out_shape[k];
      index[k] = 0;
    }
  }
}

void strided_copy(const void* src, int64_t src_offset, const std::vector<int64_t>& src_strides,
                  void* dst, const Shape& out_shape, size_t elem_size) {
  const int64_t total = shape_numel(out_shape);
  if (total == 0) return;
  if (out_shape.empty()) {
    std::memcpy(dst, static_cast<const char*>(src) + src_offset * static_cast<int64_t>(elem_size),
                elem_size);
    return;
  }
  strided_copy_rows(src, src_offset, src_strides, dst, out_shape, elem_size, 0,
                    total / out_shape.back());
}

void transpose_reference(const void* x, const Shape& x_shape, const std::vector<int64_t>& perm,
                         void* y, size_t elem_size) {
  const std::vector<int64_t> in_strides = dense_strides(x_shape);
  Shape out_shape(perm.size());
  std::vector<int64_t> strides(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    out_shape[i] = x_shape[static_cast<size_t>(perm[i])];
    strides[i] = in_strides[static_cast<size_t>(perm[i])];
  }
  strided_copy(x, 0, strides, y, out_shape, elem_size);
}

}  // namespace hone
