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

// Visits every element of a tensor of shape `out` in row-major order, calling
// f(out_index, offsets) where offsets[k] is the matching element offset in input k, whose
// broadcast strides (from broadcast_strides) are strides[k]. Any number of inputs.
template <class F>
void for_each_broadcast(const Shape& out, std::span<const std::vector<int64_t>> strides, F&& f) {
  const int64_t total = shape_numel(out);
  if (total == 0) return;
  const size_t n_in = strides.size();
  const size_t rank = out.size();
  std::vector<int64_t> row_start(n_in, 0);  // offsets at the start of the current row
  std::vector<int64_t> offsets(n_in, 0);
  if (rank == 0) {
    f(int64_t{0}, static_cast<const int64_t*>(offsets.data()));
    return;
  }
  std::vector<int64_t> counter(rank, 0);
  const int64_t inner = out[rank - 1];
  for (int64_t row = 0; row < total; row += inner) {
    offsets = row_start;
    for (int64_t j = 0; j < inner; ++j) {
      f(row + j, static_cast<const int64_t*>(offsets.data()));
      for (size_t k = 0; k < n_in; ++k) offsets[k] += strides[k][rank - 1];
    }
    // Advance the multi-index over the outer dimensions (an odometer).
    for (size_t d = rank - 1; d-- > 0;) {
      for (size_t k = 0; k < n_in; ++k) row_start[k] += strides[k][d];
      if (++counter[d] < out[d]) break;
      for (size_t k = 0; k < n_in; ++k) row_start[k] -= strides[k][d] * out[d];
      counter[d] = 0;
    }
  }
}

}  // namespace hone
