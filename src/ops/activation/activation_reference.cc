#include "ops/activation/activation_reference.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace hone {

namespace {

template <class T, class F>
void map(const T* x, T* y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

// Every formula is written for double so float inputs are rounded once, at the store.
template <class T, class F>
void map_in_double(const T* x, T* y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(f(static_cast<double>(x[i])));
}

// exp(x) / (1 + exp(x)) written so neither branch overflows.
double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  double e = std::exp(x);
  return e / (1.0 + e);
}

// log(1 + exp(x)) without overflow for large x and without cancellation for very negative x.
double softplus(double x) {
  if (x > 0) return x + std::log1p(std::exp(-x));
  return std::log1p(std::exp(x));
}

double shrink(double x, double lambd, double bias) {
  if (x < -lambd) return x + bias;
  if (x > lambd) return x - bias;
  if (std::isnan(x)) return x;
  return 0.0;
}

template <class T>
void float_activation(const ActivationParams& p, const T* x, T* y, int64_t n) {
  const double a = p.alpha, b = p.beta, g = p.gamma;
  switch (p.kind) {
    case UnaryActivation::kRelu:
      // `x < 0 ? 0 : x` rather than max(0, x) so NaN propagates.
      return map(x, y, n, [](T v) { return v < T(0) ? T(0) : v; });
    case UnaryActivation::kLeakyRelu:
      return map_in_double(x, y, n, [a](double v) { return v < 0 ? a * v : v; });
    case UnaryActivation::kElu:
      return map_in_double(x, y, n, [a](double v) { return v < 0 ? a * std::expm1(v) : v; });
    case UnaryActivation::kSelu:
      return map_in_double(x, y, n,
                           [a, g](double v) { return v <= 0 ? g * a * std::expm1(v) : g * v; });
    case UnaryActivation::kCelu:
      return map_in_double(x, y, n, [a](double v) {
        if (std::isnan(v)) return v;
        return std::max(0.0, v) + std::min(0.0, a * std::expm1(v / a));
      });
    case UnaryActivation::kSigmoid:
      return map_in_double(x, y, n, sigmoid);
    case UnaryActivation::kTanh:
      return map_in_double(x, y, n, [](double v) { return std::tanh(v); });
    case UnaryActivation::kHardSigmoid:
      return map_in_double(x, y, n, [a, b](double v) {
        if (std::isnan(v)) return v;
        return std::clamp(a * v + b, 0.0, 1.0);
      });
    case UnaryActivation::kHardSwish:
      return map_in_double(x, y, n, [](double v) {
        if (std::isnan(v)) return v;
        return v * std::clamp(v / 6.0 + 0.5, 0.0, 1.0);
      });
    case UnaryActivation::kSoftplus:
      return map_in_double(x, y, n, softplus);
    case UnaryActivation::kSoftsign:
      return map_in_double(x, y, n, [](double v) { return v / (1.0 + std::fabs(v)); });
    case UnaryActivation::kThresholdedRelu:
      return map_in_double(x, y, n, [a](double v) { return v > a || std::isnan(v) ? v : 0.0; });
    case UnaryActivation::kShrink:
      return map_in_double(x, y, n, [&p](double v) { return shrink(v, p.lambd, p.bias); });
    case UnaryActivation::kGelu:
      if (p.tanh_approximation)
        return map_in_double(x, y, n, [](double v) {
          const double c = std::sqrt(2.0 / 3.14159265358979323846);
          return 0.5 * v * (1.0 + std::tanh(c * (v + 0.044715 * v * v * v)));
        });
      return map_in_double(x, y, n,
                           [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); });
  }
}

// Integer tensors support only the activations ONNX defines for them (Relu, Shrink); the
// registry rejects the others before a kernel is bound.
template <class T>
void integer_activation(const ActivationParams& p, const T* x, T* y, int64_t n) {
  if (p.kind == UnaryActivation::kShrink)
    return map_in_double(x, y, n, [&p](double v) { return shrink(v, p.lambd, p.bias); });
  map(x, y, n, [](T v) { return v < T(0) ? T(0) : v; });
}

}  // namespace

template <class T>
void unary_activation_reference(const ActivationParams& params, const T* x, T* y, int64_t n) {
  if constexpr (std::is_floating_point_v<T>)
    float_activation(params, x, y, n);
  else
    integer_activation(params, x, y, n);
}

template <class T>
void prelu_reference(const T* x, const Shape& x_shape, const T* slope,
                     const std::vector<int64_t>& slope_strides, T* y) {
  const int64_t n = shape_numel(x_shape);
  const size_t rank = x_shape.size();
  std::vector<int64_t> index(rank, 0);
  int64_t slope_offset = 0;
  for (int64_t i = 0; i < n; ++i) {
    y[i] = x[i] < T(0) ? static_cast<T>(slope[slope_offset] * x[i]) : x[i];
    // Odometer increment of the multi-index, keeping the slope offset in step.
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < x_shape[d]) {
        slope_offset += slope_strides[d];
        break;
      }
      slope_offset -= slope_strides[d] * (x_shape[d] - 1);
      index[d] = 0;
    }
  }
}

template <class T>
void clip_reference(const T* x, T* y, int64_t n, T lo, T hi) {
  for (int64_t i = 0; i < n; ++i) {
    T v = x[i];
    if (v < lo) v = lo;  // comparisons are false for NaN, so NaN passes through
    if (v > hi) v = hi;
    y[i] = v;
  }
}

#define HONE_INSTANTIATE_UNARY(T) \
  template void unary_activation_reference<T>(const ActivationParams&, const T*, T*, int64_t);
HONE_INSTANTIATE_UNARY(float)
HONE_INSTANTIATE_UNARY(double)
HONE_INSTANTIATE_UNARY(int8_t)
HONE_INSTANTIATE_UNARY(int16_t)
HONE_INSTANTIATE_UNARY(int32_t)
HONE_INSTANTIATE_UNARY(int64_t)
#undef HONE_INSTANTIATE_UNARY

#define HONE_INSTANTIATE_PRELU(T)                                                                 \
  template void prelu_reference<T>(const T*, const Shape&, const T*, const std::vector<int64_t>&, \
                                   T*);
HONE_INSTANTIATE_PRELU(float)
HONE_INSTANTIATE_PRELU(double)
HONE_INSTANTIATE_PRELU(int32_t)
HONE_INSTANTIATE_PRELU(int64_t)
#undef HONE_INSTANTIATE_PRELU

#define HONE_INSTANTIATE_CLIP(T) template void clip_reference<T>(const T*, T*, int64_t, T, T);
HONE_INSTANTIATE_CLIP(float)
HONE_INSTANTIATE_CLIP(double)
HONE_INSTANTIATE_CLIP(int8_t)
HONE_INSTANTIATE_CLIP(uint8_t)
HONE_INSTANTIATE_CLIP(int16_t)
HONE_INSTANTIATE_CLIP(uint16_t)
HONE_INSTANTIATE_CLIP(int32_t)
HONE_INSTANTIATE_CLIP(uint32_t)
HONE_INSTANTIATE_CLIP(int64_t)
HONE_INSTANTIATE_CLIP(uint64_t)
#undef HONE_INSTANTIATE_CLIP

}  // namespace hone
