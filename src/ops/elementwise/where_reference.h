// Reference kernel of Where: out = cond ? x : y with NumPy broadcasting of all three.
#pragma once

#include <cstddef>

#include "core/tensor.h"

namespace hone {

// Element-type agnostic: copies elem_size bytes per element (works for every storable dtype).
void where_reference(const bool* cond, const Shape& cond_shape, const void* x, const Shape& x_shape,
                     const void* y, const Shape& y_shape, void* out, const Shape& out_shape,
                     size_t elem_size);

}  // namespace hone
