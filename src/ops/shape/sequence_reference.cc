#include "ops/shape/sequence_reference.h"

#include <cstring>

#include "ops/shape/strided_copy.h"

namespace hone {

void one_hot_reference(std::span<const int64_t> indices, int64_t outer, int64_t depth,
                       int64_t inner, const void* off, const void* on, void* y, size_t elem_size) {
  auto* out = static_cast<char*>(y);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t d = 0; d < depth; ++d)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t idx = indices[static_cast<size_t>(o * inner + i)];
        if (idx < 0) idx += depth;
        std::memcpy(out, idx == d ? on : off, elem_size);
        out += elem_size;
      }
}

void trilu_reference(const void* x, void* y, int64_t batch, int64_t rows, int64_t cols, int64_t k,
                     bool upper, size_t elem_size) {
  const auto* in = static_cast<const char*>(x);
  auto* out = static_cast<char*>(y);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        const size_t at = static_cast<size_t>((b * rows + r) * cols + c) * elem_size;
        const bool keep = upper ? c - r >= k : c - r <= k;
        if (keep)
          std::memcpy(out + at, in + at, elem_size);
        else
          std::memset(out + at, 0, elem_size);
      }
}

void reverse_sequence_reference(const void* x, const Shape& shape, int64_t time_axis,
                                int64_t batch_axis, std::span<const int64_t> lens, void* y,
                                size_t elem_size) {
  const int64_t total = shape_numel(shape);
  const std::vector<int64_t> strides = dense_strides(shape);
  const size_t t_axis = static_cast<size_t>(time_axis), b_axis = static_cast<size_t>(batch_axis);
  const int64_t steps = shape[t_axis];
  const auto* in = static_cast<const char*>(x);
  auto* out = static_cast<char*>(y);
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t e = 0; e < total; ++e) {
    const int64_t len = std::clamp<int64_t>(lens[static_cast<size_t>(index[b_axis])], 0, steps);
    const int64_t t = index[t_axis];
    const int64_t src = t < len ? e + (len - 1 - 2 * t) * strides[t_axis] : e;
    std::memcpy(out + static_cast<size_t>(e) * elem_size, in + static_cast<size_t>(src) * elem_size,
                elem_size);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

}  // namespace hone
