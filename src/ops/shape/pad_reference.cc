#include "ops/shape/pad_reference.h"

#include <cstring>

#include "ops/shape/strided_copy.h"

namespace hone {

namespace {
// Source coordinate of output coordinate `o` along a dim of size n padded by `begin` in front,
// or -1 when it lies in the constant-filled border.
int64_t source_coord(int64_t o, int64_t begin, int64_t n, PadMode mode) {
  int64_t c = o - begin;
  if (c >= 0 && c < n) return c;
  switch (mode) {
    case PadMode::kConstant:
      return -1;
    case PadMode::kEdge:
      return c < 0 ? 0 : n - 1;
    case PadMode::kReflect:
      if (n == 1) return 0;
      // Reflection without repeating the edge element, period 2(n-1).
      {
        const int64_t period = 2 * (n - 1);
        c %= period;
        if (c < 0) c += period;
        return c < n ? c : period - c;
      }
  }
  return -1;
}
}  // namespace

void pad_reference(const void* x, const Shape& x_shape, const std::vector<int64_t>& pads,
                   PadMode mode, const void* value, void* y, size_t elem_size) {
  const size_t rank = x_shape.size();
  Shape out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = x_shape[i] + pads[i] + pads[i + rank];
  const int64_t total = shape_numel(out_shape);
  if (total == 0) return;
  const std::vector<int64_t> in_strides = dense_strides(x_shape);
  // Per dim, the source coordinate of every output coordinate (-1 = constant).
  std::vector<std::vector<int64_t>> src(rank);
  for (size_t i = 0; i < rank; ++i) {
    src[i].resize(static_cast<size_t>(out_shape[i]));
    for (int64_t o = 0; o < out_shape[i]; ++o)
      src[i][static_cast<size_t>(o)] = source_coord(o, pads[i], x_shape[i], mode);
  }
  const auto* in = static_cast<const char*>(x);
  auto* out = static_cast<char*>(y);
  std::vector<int64_t> index(rank, 0);
  for (int64_t e = 0; e < total; ++e) {
    int64_t offset = 0;
    bool outside = false;
    for (size_t i = 0; i < rank; ++i) {
      const int64_t c = src[i][static_cast<size_t>(index[i])];
      if (c < 0) {
        outside = true;
        break;
      }
      offset += c * in_strides[i];
    }
    std::memcpy(out + static_cast<size_t>(e) * elem_size,
                outside ? value : in + static_cast<size_t>(offset) * elem_size, elem_size);
    for (size_t k = rank; k-- > 0;) {
      if (++index[k] < out_shape[k]) break;
      index[k] = 0;
    }
  }
}

}  // namespace hone
