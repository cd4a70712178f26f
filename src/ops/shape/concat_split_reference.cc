#include "ops/shape/concat_split_reference.h"

#include <cstring>

namespace hone {

namespace {
// Elements in dims [from, to) of a shape.
int64_t span_numel(const Shape& shape, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t i = from; i < to; ++i) n *= shape[i];
  return n;
}
}  // namespace

void concat_reference(std::span<const void* const> inputs, std::span<const Shape> shapes,
                      int64_t axis, void* y, size_t elem_size) {
  if (inputs.empty()) return;
  const size_t a = static_cast<size_t>(axis);
  const int64_t outer = span_numel(shapes[0], 0, a);
  auto* out = static_cast<char*>(y);
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      // Each input contributes one contiguous block of dims[axis:] per outer index.
      const size_t block =
          static_cast<size_t>(span_numel(shapes[i], a, shapes[i].size())) * elem_size;
      if (block == 0) continue;
      std::memcpy(out, static_cast<const char*>(inputs[i]) + static_cast<size_t>(o) * block, block);
      out += block;
    }
  }
}

void split_reference(const void* x, const Shape& x_shape, int64_t axis,
                     std::span<const int64_t> sizes, std::span<void* const> outputs,
                     size_t elem_size) {
  const size_t a = static_cast<size_t>(axis);
  const int64_t outer = span_numel(x_shape, 0, a);
  const size_t inner = static_cast<size_t>(span_numel(x_shape, a + 1, x_shape.size()));
  const auto* in = static_cast<const char*>(x);
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < outputs.size(); ++i) {
      const size_t block = static_cast<size_t>(sizes[i]) * inner * elem_size;
      if (block == 0) continue;
      std::memcpy(static_cast<char*>(outputs[i]) + static_cast<size_t>(o) * block, in, block);
      in += block;
    }
  }
}

}  // namespace hone
