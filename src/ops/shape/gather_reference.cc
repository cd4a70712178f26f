#include "ops/shape/gather_reference.h"

#include <cstring>

#include "ops/shape/strided_copy.h"

namespace hone {

int64_t flat_offset(std::span<const int64_t> index, const std::vector<int64_t>& strides) {
  int64_t off = 0;
  for (size_t i = 0; i < index.size(); ++i) off += index[i] * strides[i];
  return off;
}

void gather_reference(const void* x, const Shape& x_shape, int64_t axis,
                      std::span<const int64_t> indices, void* y, size_t elem_size) {
  const size_t a = static_cast<size_t>(axis);
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < a; ++i) outer *= x_shape[i];
  for (size_t i = a + 1; i < x_shape.size(); ++i) inner *= x_shape[i];
  const int64_t dim = x_shape[a];
  const size_t block = static_cast<size_t>(inner) * elem_size;
  const auto* in = static_cast<const char*>(x);
  auto* out = static_cast<char*>(y);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t idx : indices) {
      const int64_t j = wrap_index(idx, dim);
      if (j < 0)
        std::memset(out, 0, block);
      else
        std::memcpy(out, in + static_cast<size_t>(o * dim + j) * block, block);
      out += block;
    }
  }
}

void gather_elements_reference(const void* x, const Shape& x_shape, int64_t axis,
                               std::span<const int64_t> indices, const Shape& idx_shape, void* y,
                               size_t elem_size) {
  const size_t rank = idx_shape.size();
  const size_t a = static_cast<size_t>(axis);
  const std::vector<int64_t> strides = dense_strides(x_shape);
  const auto* in = static_cast<const char*>(x);
  auto* out = static_cast<char*>(y);
  std::vector<int64_t> index(rank, 0);
  for (size_t e = 0; e < indices.size(); ++e) {
    const int64_t j = wrap_index(indices[e], x_shape[a]);
    if (j < 0) {
      std::memset(out + e * elem_size, 0, elem_size);
    } else {
      int64_t off = 0;
      for (size_t i = 0; i < rank; ++i) off += (i == a ? j : index[i]) * strides[i];
      std::memcpy(out + e * elem_size, in + static_cast<size_t>(off) * elem_size, elem_size);
    }
    for (size_t k = rank; k-- > 0;) {
      if (++index[k] < idx_shape[k]) break;
      index[k] = 0;
    }
  }
}

void gather_nd_reference(const void* x, const Shape& x_shape, int64_t batch_dims,
                         std::span<const int64_t> indices, const Shape& idx_shape, void* y,
                         size_t elem_size) {
  const size_t b = static_cast<size_t>(batch_dims);
  const size_t k = static_cast<size_t>(idx_shape.back());
  int64_t batch = 1, tuples_per_batch = 1, slice = 1;
  for (size_t i = 0; i < b; ++i) batch *= x_shape[i];
  for (size_t i = b; i + 1 < idx_shape.size(); ++i) tuples_per_batch *= idx_shape[i];
  for (size_t i = b + k; i < x_shape.size(); ++i) slice *= x_shape[i];
  const std::vector<int64_t> strides = dense_strides(x_shape);
  const int64_t batch_stride = b == 0 ? 0 : strides[b - 1];
  const size_t block = static_cast<size_t>(slice) * elem_size;
  const auto* in = static_cast<const char*>(x);
  auto* out = static_cast<char*>(y);
  const int64_t* tuple = indices.data();
  for (int64_t bi = 0; bi < batch; ++bi) {
    for (int64_t t = 0; t < tuples_per_batch; ++t, tuple += k, out += block) {
      int64_t off = bi * batch_stride;
      bool valid = true;
      for (size_t i = 0; i < k && valid; ++i) {
        const int64_t j = wrap_index(tuple[i], x_shape[b + i]);
        valid = j >= 0;
        off += j * strides[b + i];
      }
      if (valid)
        std::memcpy(out, in + static_cast<size_t>(off) * elem_size, block);
      else
        std::memset(out, 0, block);
    }
  }
}

void tile_reference(const void* x, const Shape& x_shape, const std::vector<int64_t>& repeats,
                    void* y, size_t elem_size) {
  const size_t rank = x_shape.size();
  Shape out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = x_shape[i] * repeats[i];
  if (shape_numel(out_shape) == 0) return;
  if (rank == 0) {
    std::memcpy(y, x, elem_size);
    return;
  }
  const std::vector<int64_t> strides = dense_strides(x_shape);
  const size_t row = static_cast<size_t>(x_shape[rank - 1]) * elem_size;
  const auto* in = static_cast<const char*>(x);
  auto* out = static_cast<char*>(y);
  // Walk the output's outer index; each output row is the matching input row repeated.
  std::vector<int64_t> index(rank - 1, 0);
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < rank; ++i) rows *= out_shape[i];
  for (int64_t r = 0; r < rows; ++r) {
    int64_t off = 0;
    for (size_t i = 0; i + 1 < rank; ++i) off += (index[i] % x_shape[i]) * strides[i];
    for (int64_t rep = 0; rep < repeats[rank - 1]; ++rep, out += row)
      std::memcpy(out, in + static_cast<size_t>(off) * elem_size, row);
    for (size_t k = rank - 1; k-- > 0;) {
      if (++index[k] < out_shape[k]) break;
      index[k] = 0;
    }
  }
}

}  // namespace hone
