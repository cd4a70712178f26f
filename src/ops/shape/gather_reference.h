// Gather-family reference kernels (Gather, GatherElements, GatherND) and Tile, dtype-agnostic.
// Indices arrive as int64 (callers widen int32). An index outside [-dim, dim) cannot be
// rejected while running (kernels never throw), so the element or slice it selects is
// written as zeros; the registry entries reject such indices up front when they are constant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/tensor.h"

namespace hone {

// y = x[..., indices, ...] along `axis`; y has shape x[:axis] + idx_shape + x[axis+1:].
void gather_reference(const void* x, const Shape& x_shape, int64_t axis,
                      std::span<const int64_t> indices, void* y, size_t elem_size);

// y[i] = x[i with coordinate `axis` replaced by indices[i]]; y has the shape of indices,
// which has x's rank.
void gather_elements_reference(const void* x, const Shape& x_shape, int64_t axis,
                               std::span<const int64_t> indices, const Shape& idx_shape, void* y,
                               size_t elem_size);

// GatherND with `batch_dims` leading batch dims; idx_shape's last dim k indexes x's dims
// [batch_dims, batch_dims + k). y has shape idx_shape[:-1] + x_shape[batch_dims + k:].
void gather_nd_reference(const void* x, const Shape& x_shape, int64_t batch_dims,
                         std::span<const int64_t> indices, const Shape& idx_shape, void* y,
                         size_t elem_size);

// Tile: y repeats x repeats[i] times along dim i.
void tile_reference(const void* x, const Shape& x_shape, const std::vector<int64_t>& repeats,
                    void* y, size_t elem_size);

// Index of `i` along a dim of size n after wrapping negatives, or -1 when out of range.
inline int64_t wrap_index(int64_t i, int64_t n) {
  if (i < 0) i += n;
  return i >= 0 && i < n ? i : -1;
}

// Flat element offset of a multi-index in a dense tensor with the given strides.
int64_t flat_offset(std::span<const int64_t> index, const std::vector<int64_t>& strides);

}  // namespace hone
