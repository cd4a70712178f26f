// Parses an Einsum equation ("bij,bjk->bik", "...ii->...i") against its inputs' shapes into
// labelled axes: every letter and every broadcast ("...") dimension becomes one label.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/tensor.h"

namespace hone {

struct EinsumPlan {
  // Size of each label: the letter's dimension, or the broadcast size of an ellipsis dimension.
  std::vector<int64_t> label_sizes;
  // Per input, the label of each axis (a letter repeated within a term takes a diagonal).
  std::vector<std::vector<int>> input_labels;
  std::vector<Shape> input_shapes;
  // The label of each output axis (distinct); labels absent from it are summed over.
  std::vector<int> output_labels;

  Shape output_shape() const;
  // Element strides of input `i` per label: the sum over its axes with that label (a
  // diagonal), 0 for labels it lacks and for an ellipsis dimension it broadcasts (size 1).
  std::vector<int64_t> label_strides(size_t i) const;
  // Whether input `i` has an axis of the label's full size (not absent, not broadcast).
  std::vector<bool> label_present(size_t i) const;
};

// Follows numpy.einsum (which ONNX's reference uses): letters a-z and A-Z, spaces ignored,
// at most one "..." per term; without "->" the output is "..." followed by the letters that
// appear once, sorted. Throws hone::Error (without node context) for a malformed equation,
// a term that does not match its input's rank, a letter with two sizes, ellipsis dimensions
// that do not broadcast, or an output letter that is repeated or in no input.
EinsumPlan plan_einsum(std::string_view equation, std::span<const Shape> shapes);

}  // namespace hone
