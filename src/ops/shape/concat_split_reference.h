// Concat and Split reference kernels: dtype-agnostic block copies along one axis.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/tensor.h"

namespace hone {

// Joins tensors along `axis` (already normalized). Every input has the rank of the output and
// the same dims except along `axis`.
void concat_reference(std::span<const void* const> inputs, std::span<const Shape> shapes,
                      int64_t axis, void* y, size_t elem_size);

// Splits `x` along `axis` into outputs.size() pieces with the given sizes along that axis
// (which sum to x_shape[axis]).
void split_reference(const void* x, const Shape& x_shape, int64_t axis,
                     std::span<const int64_t> sizes, std::span<void* const> outputs,
                     size_t elem_size);

}  // namespace hone
