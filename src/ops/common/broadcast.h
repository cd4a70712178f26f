// NumPy-style multidirectional broadcasting, shared by every op family that broadcasts.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "core/tensor.h"

namespace hone {

// The broadcast shape of `shapes`, or nullopt when they are incompatible.
std::optional<Shape> broadcast_shapes(std::span<const Shape> shapes);
inline std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  Shape both[2] = {a, b};
  return broadcast_shapes(both);
}

// Element strides of a tensor of shape `in` read as if it had shape `out` (which `in`
// broadcasts to): 0 along broadcast dimensions. The result has out.size() entries.
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);

}  // namespace hone
