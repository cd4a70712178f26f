// Reference (oracle) kernels for pooling in NC[D...] layout: windowed max/average pooling over
// any number of spatial dims, global pooling, and LRN (cross-channel normalization).
#pragma once

#include <cstdint>

#include "ops/conv/conv_window.h"

namespace hone {

struct PoolParams {
  WindowGeometry window;
  int64_t channels = 0;
};

// Max over the in-range taps of each window (padding never wins). When `indices` is non-null
// it receives the flat input index of each maximum (first one on ties), counting the spatial
// dims row-major, or column-major when `column_major` (ONNX storage_order=1).
// T: float, double, int8, uint8.
template <class T>
void max_pool_reference(const PoolParams& p, const T* x, T* y, int64_t* indices, bool column_major);

// Mean of each window. The divisor counts the in-range taps, or with `count_include_pad`
// every tap inside the padded input (taps that ceil_mode pushes past the end pads never
// count). T: float or double.
template <class T>
void average_pool_reference(const PoolParams& p, bool count_include_pad, const T* x, T* y);

// y[i] = max / mean of x[i * spatial .. (i + 1) * spatial) for i < planes (= N * C).
template <class T>
void global_max_pool_reference(int64_t planes, int64_t spatial, const T* x, T* y);
template <class T>
void global_average_pool_reference(int64_t planes, int64_t spatial, const T* x, T* y);

// LRN over channels: y = x / (bias + alpha / size * sum of x^2 over the channel window
// [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)]) ^ beta. x is [batch, channels, spatial].
struct LrnParams {
  int64_t batch = 1, channels = 0, spatial = 1;
  int64_t size = 1;
  float alpha = 1e-4f, beta = 0.75f, bias = 1.0f;
};
template <class T>
void lrn_reference(const LrnParams& p, const T* x, T* y);

}  // namespace hone
