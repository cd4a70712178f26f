// Reference kernels for value-generating and per-sequence ops: Range, EyeLike, CumSum, TopK
// (typed templates) and OneHot, Trilu, ReverseSequence (dtype-agnostic byte copies).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "core/tensor.h"

namespace hone {

template <class T>
void range_reference(T start, T delta, T* y, int64_t n) {
  // start + i * delta (not repeated addition), as ONNX's reference computes it.
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(start + static_cast<T>(i) * delta);
}

// rows x cols matrix with ones where col - row == k.
template <class T>
void eye_like_reference(T* y, int64_t rows, int64_t cols, int64_t k) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) y[r * cols + c] = static_cast<T>(c - r == k ? 1 : 0);
}

// Cumulative sum along a dim: `outer` blocks of `len` x `inner` elements.
template <class T>
void cumsum_reference(const T* x, T* y, int64_t outer, int64_t len, int64_t inner, bool exclusive,
                      bool reverse) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      T acc = T{};
      for (int64_t s = 0; s < len; ++s) {
        const int64_t j = reverse ? len - 1 - s : s;
        const int64_t at = (o * len + j) * inner + i;
        if (exclusive) {
          y[at] = acc;
          acc = static_cast<T>(acc + x[at]);
        } else {
          acc = static_cast<T>(acc + x[at]);
          y[at] = acc;
        }
      }
    }
}

// TopK along a dim of `len` (layout as cumsum): the k largest (or smallest) values and their
// indices; ties keep the lower index first. With sorted=false the order is still sorted
// (ONNX leaves it unspecified).
template <class T>
void topk_reference(const T* x, T* values, int64_t* indices, int64_t outer, int64_t len,
                    int64_t inner, int64_t k, bool largest) {
  std::vector<int64_t> order(static_cast<size_t>(len));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const T* base = x + o * len * inner + i;
      std::iota(order.begin(), order.end(), 0);
      auto before = [&](int64_t a, int64_t b) {
        const T va = base[a * inner], vb = base[b * inner];
        if (va != vb) return largest ? va > vb : va < vb;
        return a < b;
      };
      std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
      for (int64_t j = 0; j < k; ++j) {
        const int64_t at = (o * k + j) * inner + i;
        values[at] = base[order[static_cast<size_t>(j)] * inner];
        indices[at] = order[static_cast<size_t>(j)];
      }
    }
}

// OneHot: y has `depth` inserted at `axis` of the indices' shape (outer x depth x inner
// with outer * inner = indices.size()). Negative indices count from depth; out-of-range
// indices give an all-`off` row.
void one_hot_reference(std::span<const int64_t> indices, int64_t outer, int64_t depth,
                       int64_t inner, const void* off, const void* on, void* y, size_t elem_size);

// Trilu over the last two dims (`batch` matrices of rows x cols): keeps elements with
// col - row >= k (upper) or <= k (lower), zeroes the rest.
void trilu_reference(const void* x, void* y, int64_t batch, int64_t rows, int64_t cols, int64_t k,
                     bool upper, size_t elem_size);

// ReverseSequence: for batch entry b, reverses the first lens[b] steps along time_axis
// (lens clamped to [0, time length]) and copies the rest.
void reverse_sequence_reference(const void* x, const Shape& shape, int64_t time_axis,
                                int64_t batch_axis, std::span<const int64_t> lens, void* y,
                                size_t elem_size);

}  // namespace hone
