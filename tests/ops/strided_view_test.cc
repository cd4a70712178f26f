// slice_view and reshaped_strides: the views they describe read exactly the elements the Slice
// and Reshape ops produce (compared by copying through the view), and reshapes that no strides
// can describe are refused.
#include "ops/shape/strided_view.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "ops/shape/strided_copy.h"

namespace hone {
namespace {

// 0, 1, 2, ... in a dense tensor of `shape`.
std::vector<float> iota_of(const Shape& shape) {
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  std::iota(v.begin(), v.end(), 0.0f);
  return v;
}

// 0, 1, 2, ... through the last element the view reads.
std::vector<float> source_for(const StridedView& v) {
  int64_t reach = v.offset;
  for (size_t i = 0; i < v.shape.size(); ++i) reach += (v.shape[i] - 1) * v.strides[i];
  return iota_of({reach + 1});
}

std::vector<float> read(const std::vector<float>& src, const StridedView& v) {
  std::vector<float> out(static_cast<size_t>(shape_numel(v.shape)));
  strided_copy(src.data(), v.offset, v.strides, out.data(), v.shape, sizeof(float));
  return out;
}

// The Slice's elements, written out index by index (independent of slice_view's arithmetic).
std::vector<float> slice_by_index(const std::vector<float>& src, const Shape& in, int64_t axis,
                                  int64_t start, int64_t step, int64_t len) {
  const std::vector<int64_t> strides = dense_strides(in);
  Shape out_shape = in;
  out_shape[static_cast<size_t>(axis)] = len;
  std::vector<float> out;
  std::vector<int64_t> idx(in.size(), 0);
  for (int64_t n = 0; n < shape_numel(out_shape); ++n) {
    int64_t at = 0;
    for (size_t d = 0; d < in.size(); ++d)
      at += (static_cast<int64_t>(d) == axis ? start + idx[d] * step : idx[d]) * strides[d];
    out.push_back(src[static_cast<size_t>(at)]);
    for (size_t d = in.size(); d-- > 0;) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

TEST(StridedView, SliceViewReadsTheSlicedElements) {
  struct Case {
    Shape in;
    int64_t start, end, axis, step;
    int64_t first, len;  // what ONNX's clamping makes of start/end
  };
  const int64_t big = std::numeric_limits<int64_t>::max();
  const std::vector<Case> cases = {
      {{7, 1, 36}, 12, 24, 2, 1, 12, 12},    // attention's k from a packed qkv
      {{7, 1, 36}, -12, big, 2, 1, 24, 12},  // v, counted from the end, to the end
      {{9, 5}, 1, 9, 0, 2, 1, 4},            // every other row
      {{9, 5}, -1, -big, 0, -3, 8, 3},       // backwards in steps of 3: rows 8, 5, 2
      {{4, 6}, 2, 100, 1, 1, 2, 4},          // end clamped
      {{4, 6}, 5, 2, 1, 1, 5, 0},            // empty
  };
  for (const Case& c : cases) {
    const std::vector<float> src = iota_of(c.in);
    const StridedView v = slice_view(c.in, {c.start}, {c.end}, {c.axis}, {c.step});
    const std::string what = shape_to_string(c.in) + " axis " + std::to_string(c.axis) + " [" +
                             std::to_string(c.start) + ", " + std::to_string(c.end) + ") step " +
                             std::to_string(c.step);
    EXPECT_EQ(v.shape[static_cast<size_t>(c.axis)], c.len) << what;
    EXPECT_EQ(read(src, v), slice_by_index(src, c.in, c.axis, c.first, c.step, c.len)) << what;
  }
}

TEST(StridedView, ReshapedStridesReadTheSameElementsInOrder) {
  struct Case {
    StridedView from;
    Shape to;
  };
  const std::vector<Case> cases = {
      // k of a packed [7, 1, 36] qkv, heads split: [7, 1, 12] -> [7, 3, 4].
      {{{7, 1, 12}, {36, 36, 1}, 12}, {7, 3, 4}},
      // Merging the contiguous [3, 4] back, and size-1 axes added and dropped.
      {{{7, 3, 4}, {36, 4, 1}, 24}, {1, 7, 12, 1}},
      // Every other row of [10, 6] (rows stay whole): [5, 6] -> [5, 2, 3].
      {{{5, 6}, {12, 1}, 0}, {5, 2, 3}},
      // A transposed view split along its outer axis: [6, 4] read column-major -> [2, 3, 4].
      {{{6, 4}, {1, 6}, 0}, {2, 3, 4}},
  };
  for (const Case& c : cases) {
    const std::vector<float> src = source_for(c.from);
    const auto strides = reshaped_strides(c.from.shape, c.from.strides, c.to);
    ASSERT_TRUE(strides.has_value()) << shape_to_string(c.to);
    // The reshape of a copy is the copy itself, reinterpreted: same elements in the same order.
    EXPECT_EQ(read(src, {c.to, *strides, c.from.offset}), read(src, c.from))
        << shape_to_string(c.from.shape) << " -> " << shape_to_string(c.to);
  }
}

// Reshapes that merge axes which are not contiguous: an axis becomes several strided sub-axes,
// read row-major, so the sub-axes in order read the same elements as the source view.
TEST(StridedView, ReshapedViewSplitsWhatOneStrideCannotRead) {
  struct Case {
    StridedView from;
    Shape to;
    std::vector<int64_t> groups;
  };
  const std::vector<Case> cases = {
      // Attention at batch 4: k of a packed [7, 4, 36] qkv, [7, 4, 12] -> [7, 4 x 3 heads, 4].
      {{{7, 4, 12}, {144, 36, 1}, 12}, {7, 12, 4}, {1, 2, 1}},
      // The merged axis split again across the boundary: [5, 2, 6] -> [5, 4, 3].
      {{{5, 2, 6}, {36, 12, 1}, 0}, {5, 4, 3}, {1, 2, 1}},
      // Contiguous runs merge back into one stride; size-1 axes take one sub-axis.
      {{{2, 3, 4}, {12, 4, 1}, 0}, {1, 6, 4}, {1, 1, 1}},
  };
  for (const Case& c : cases) {
    const std::vector<float> src = source_for(c.from);
    const auto v = reshaped_view(c.from.shape, c.from.strides, c.to);
    ASSERT_TRUE(v.has_value()) << shape_to_string(c.to);
    EXPECT_EQ(v->shape, c.to);
    EXPECT_EQ(v->groups, c.groups) << shape_to_string(c.to);
    EXPECT_EQ(read(src, {v->dims, v->strides, c.from.offset}), read(src, c.from))
        << shape_to_string(c.from.shape) << " -> " << shape_to_string(c.to);
  }
  // Shapes that do not refine each other: no axis run divides the other's.
  EXPECT_FALSE(reshaped_view({6, 4}, {4, 1}, {4, 6}).has_value());
  EXPECT_FALSE(reshaped_view({6, 4}, {4, 1}, {5, 5}).has_value());
}

TEST(StridedView, ReshapesThatNeedACopyAreRefused) {
  // Columns [0, 4) of [5, 6] merged with the rows: the rows are not contiguous with each other.
  EXPECT_FALSE(reshaped_strides({5, 4}, {6, 1}, {20}).has_value());
  // A transposed [4, 6] flattened.
  EXPECT_FALSE(reshaped_strides({4, 6}, {1, 4}, {24}).has_value());
  // Element counts differ.
  EXPECT_FALSE(reshaped_strides({4, 6}, {6, 1}, {5, 5}).has_value());
  // Splitting the non-contiguous rows is fine, merging across the gap is not.
  EXPECT_TRUE(reshaped_strides({6, 4}, {8, 1}, {2, 3, 4}).has_value());
  EXPECT_FALSE(reshaped_strides({6, 4}, {8, 1}, {3, 8}).has_value());
}

}  // namespace
}  // namespace hone
