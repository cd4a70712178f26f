// A tensor read in place as another shape: element strides and an offset into a dense
// buffer. What Slice and Reshape compute without copying, for consumers that read strided
// operands (FusedMatMul's views of attention's packed Q/K/V).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/tensor.h"

namespace hone {

struct StridedView {
  Shape shape;
  std::vector<int64_t> strides;  // in elements, one per axis of shape
  int64_t offset = 0;            // in elements
};

// The view Slice takes of a dense tensor of shape `in`: axes normalized to [0, rank), one
// entry of starts/ends/steps per axis, steps nonzero. Starts and ends are clamped as the ONNX
// operator says (INT64_MAX / INT64_MIN stand for "to the end").
StridedView slice_view(const Shape& in, const std::vector<int64_t>& starts,
                       const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                       const std::vector<int64_t>& steps);

// The strides that read the same elements in the same row-major order as `to` (same element
// count as `from`), or nullopt when the view's layout cannot be described that way (a merged
// group of axes that are not contiguous with each other).
std::optional<std::vector<int64_t>> reshaped_strides(const Shape& from,
                                                     const std::vector<int64_t>& strides,
                                                     const Shape& to);

}  // namespace hone
