// Reference kernel of every binary elementwise op: y = fn(a, b) with NumPy broadcasting.
// The element types of a, b and y may differ (Pow, comparisons), fn decides the math.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "ops/common/broadcast.h"

namespace hone {

// y has shape y_shape, the broadcast of a_shape and b_shape. y may alias a when
// a_shape == y_shape (each element is read before it is written).
template <class A, class B, class R, class Fn>
void binary_reference(const A* a, const Shape& a_shape, const B* b, const Shape& b_shape, R* y,
                      const Shape& y_shape, Fn fn) {
  const int64_t n = shape_numel(y_shape);
  const bool a_full = a_shape == y_shape;
  const bool b_full = b_shape == y_shape;
  // The common cases (same shapes, tensor with scalar) skip the index bookkeeping.
  if (a_full && b_full) {
    for (int64_t i = 0; i < n; ++i) y[i] = fn(a[i], b[i]);
    return;
  }
  if (a_full && shape_numel(b_shape) == 1) {
    const B s = b[0];
    for (int64_t i = 0; i < n; ++i) y[i] = fn(a[i], s);
    return;
  }
  if (b_full && shape_numel(a_shape) == 1) {
    const A s = a[0];
    for (int64_t i = 0; i < n; ++i) y[i] = fn(s, b[i]);
    return;
  }
  const std::array<std::vector<int64_t>, 2> strides = {broadcast_strides(a_shape, y_shape),
                                                       broadcast_strides(b_shape, y_shape)};
  for_each_broadcast(y_shape, strides,
                     [&](int64_t i, const int64_t* off) { y[i] = fn(a[off[0]], b[off[1]]); });
}

// y = x broadcast to y_shape (the first step of the variadic ops Sum/Mean/Max/Min).
template <class T>
void broadcast_copy_reference(const T* x, const Shape& x_shape, T* y, const Shape& y_shape) {
  const std::array<std::vector<int64_t>, 1> strides = {broadcast_strides(x_shape, y_shape)};
  for_each_broadcast(y_shape, strides, [&](int64_t i, const int64_t* off) { y[i] = x[off[0]]; });
}

}  // namespace hone
