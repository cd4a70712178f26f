// ScatterElements and ScatterND reference kernels. They write into `y`, which the caller has
// filled with a copy of the data input; updates at out-of-range indices are skipped (kernels
// never throw; the registry entries reject constant out-of-range indices up front).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "core/tensor.h"
#include "ops/shape/gather_reference.h"
#include "ops/shape/strided_copy.h"

namespace hone {

enum class ScatterReduction { kNone, kAdd, kMul, kMax, kMin };

template <class T>
void scatter_combine(T& dst, T src, ScatterReduction r) {
  switch (r) {
    case ScatterReduction::kNone:
      dst = src;
      break;
    case ScatterReduction::kAdd:
      dst = static_cast<T>(dst + src);
      break;
    case ScatterReduction::kMul:
      dst = static_cast<T>(dst * src);
      break;
    case ScatterReduction::kMax:
      dst = std::max(dst, src);
      break;
    case ScatterReduction::kMin:
      dst = std::min(dst, src);
      break;
  }
}
template <>
inline void scatter_combine<bool>(bool& dst, bool src, ScatterReduction r) {
  switch (r) {
    case ScatterReduction::kNone:
      dst = src;
      break;
    case ScatterReduction::kAdd:
    case ScatterReduction::kMax:
      dst = dst || src;
      break;
    case ScatterReduction::kMul:
    case ScatterReduction::kMin:
      dst = dst && src;
      break;
  }
}

// For every element e of `indices` (shape idx_shape, same rank as y): y[e's index with
// coordinate `axis` replaced by indices[e]] (combined with) updates[e].
template <class T>
void scatter_elements_reference(T* y, const Shape& y_shape, int64_t axis,
                                std::span<const int64_t> indices, const Shape& idx_shape,
                                const T* updates, ScatterReduction reduction) {
  const size_t rank = idx_shape.size();
  const size_t a = static_cast<size_t>(axis);
  const std::vector<int64_t> strides = dense_strides(y_shape);
  std::vector<int64_t> index(rank, 0);
  for (size_t e = 0; e < indices.size(); ++e) {
    const int64_t j = wrap_index(indices[e], y_shape[a]);
    if (j >= 0) {
      int64_t off = 0;
      for (size_t i = 0; i < rank; ++i) off += (i == a ? j : index[i]) * strides[i];
      scatter_combine(y[off], updates[e], reduction);
    }
    for (size_t k = rank; k-- > 0;) {
      if (++index[k] < idx_shape[k]) break;
      index[k] = 0;
    }
  }
}

// ScatterND: indices has shape [..., k]; each k-tuple addresses a slice y[t0, ..., tk-1, :]
// that is combined with the matching slice of updates.
template <class T>
void scatter_nd_reference(T* y, const Shape& y_shape, std::span<const int64_t> indices,
                          const Shape& idx_shape, const T* updates, ScatterReduction reduction) {
  const size_t k = static_cast<size_t>(idx_shape.back());
  int64_t slice = 1;
  for (size_t i = k; i < y_shape.size(); ++i) slice *= y_shape[i];
  const std::vector<int64_t> strides = dense_strides(y_shape);
  size_t tuples = 1;
  for (size_t i = 0; i + 1 < idx_shape.size(); ++i) tuples *= static_cast<size_t>(idx_shape[i]);
  for (size_t t = 0; t < tuples; ++t) {
    int64_t off = 0;
    bool valid = true;
    for (size_t i = 0; i < k && valid; ++i) {
      const int64_t j = wrap_index(indices[t * k + i], y_shape[i]);
      valid = j >= 0;
      off += j * strides[i];
    }
    if (!valid) continue;
    const T* u = updates + static_cast<int64_t>(t) * slice;
    for (int64_t s = 0; s < slice; ++s) scatter_combine(y[off + s], u[s], reduction);
  }
}

}  // namespace hone
