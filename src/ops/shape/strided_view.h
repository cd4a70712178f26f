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

// A view whose axes may each span several strided sub-axes, row-major within the axis: what a
// Reshape makes of a view when it merges axes that are not contiguous with each other
// (attention at batch > 1: [tokens, batch, heads x dim] sliced, then [tokens, batch x heads,
// dim]). Axis i of `shape` covers the next groups[i] entries of dims / strides.
struct GroupedView {
  Shape shape;
  std::vector<int64_t> groups, dims, strides;
};

// The view of shape `to` (same element count as `from`) reading the elements of the strided
// view (from, strides) in the same row-major order, or nullopt when the two shapes do not
// refine each other (an axis of one that no run of the other's axes divides evenly). Sub-axes
// that are contiguous with each other are merged; size-1 axes get one sub-axis of stride 0.
std::optional<GroupedView> reshaped_view(const Shape& from, const std::vector<int64_t>& strides,
                                         const Shape& to);

// The strides that read the same elements in the same row-major order as `to`, or nullopt
// when some axis of `to` needs more than one stride (reshaped_view's groups all of one).
std::optional<std::vector<int64_t>> reshaped_strides(const Shape& from,
                                                     const std::vector<int64_t>& strides,
                                                     const Shape& to);

}  // namespace hone
