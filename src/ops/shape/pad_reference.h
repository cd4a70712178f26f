// Pad reference kernel (constant / reflect / edge), dtype-agnostic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace hone {

enum class PadMode { kConstant, kReflect, kEdge };

// pads holds rank begin values then rank end values; negative values crop. `value` points to
// one element (elem_size bytes) written where the output lies outside the input in constant
// mode. For reflect, every positive pad must be < the dim; for edge and reflect, dims that are
// padded must be non-empty (the registry entry checks both).
void pad_reference(const void* x, const Shape& x_shape, const std::vector<int64_t>& pads,
                   PadMode mode, const void* value, void* y, size_t elem_size);

}  // namespace hone
