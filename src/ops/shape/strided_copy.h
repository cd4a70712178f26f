// Dtype-agnostic N-d copies: the data-movement core of Transpose, Slice, Expand and friends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace hone {

// Writes a dense tensor of shape `out_shape` (elements of `elem_size` bytes) to `dst`. The
// element at output index (i0, ..., ik) is read from element
// `src_offset + sum(ij * src_strides[j])` of `src`. Strides are in elements and may be zero
// (broadcast) or negative (reversed slices); src_strides.size() must equal out_shape.size().
void strided_copy(const void* src, int64_t src_offset, const std::vector<int64_t>& src_strides,
                  void* dst, const Shape& out_shape, size_t elem_size);

// Rows [first_row, end_row) of that copy (a row: the output's last axis; dst is the whole
// output's start). Allocates nothing for ranks up to 16.
void strided_copy_rows(const void* src, int64_t src_offset, const std::vector<int64_t>& src_strides,
                       void* dst, const Shape& out_shape, size_t elem_size, int64_t first_row,
                       int64_t end_row);

// Row-major element strides of a dense tensor of `shape`.
std::vector<int64_t> dense_strides(const Shape& shape);

// Transpose: output dim i is input dim perm[i]. perm must be a permutation of [0, rank).
void transpose_reference(const void* x, const Shape& x_shape, const std::vector<int64_t>& perm,
                         void* y, size_t elem_size);

}  // namespace hone
