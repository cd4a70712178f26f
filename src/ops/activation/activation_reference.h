// Reference kernels for elementwise activations (Relu, Sigmoid, Elu, ..., PRelu, Clip): the
// plain, obviously-correct oracle every optimized or fused activation is checked against.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace hone {

// The single-input activations whose parameters are plain numbers.
enum class UnaryActivation {
  kRelu,             // max(0, x)
  kLeakyRelu,        // x < 0 ? alpha * x : x
  kElu,              // x < 0 ? alpha * (exp(x) - 1) : x
  kSelu,             // x <= 0 ? gamma * (alpha * exp(x) - alpha) : gamma * x
  kCelu,             // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
  kSigmoid,          // 1 / (1 + exp(-x))
  kTanh,             // tanh(x)
  kHardSigmoid,      // max(0, min(1, alpha * x + beta))
  kHardSwish,        // x * max(0, min(1, x / 6 + 1 / 2))
  kSoftplus,         // log(1 + exp(x))
  kSoftsign,         // x / (1 + |x|)
  kThresholdedRelu,  // x > alpha ? x : 0
  kShrink,           // x < -lambd ? x + bias : x > lambd ? x - bias : 0
  kGelu,             // x * (1 + erf(x / sqrt(2))) / 2, or with tanh_approximation
                     // x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))) / 2 (opset 20)
};

struct ActivationParams {
  UnaryActivation kind = UnaryActivation::kRelu;
  double alpha = 0;
  double beta = 0;
  double gamma = 0;
  double lambd = 0;  // Shrink only
  double bias = 0;   // Shrink only
  bool tanh_approximation = false;  // Gelu only: approximate="tanh"
};

// y[i] = f(x[i]) for i < n. Floating types compute in double and round once, so the float
// result is the correctly rounded value of the formula (up to libm's accuracy). NaN in gives
// NaN out. Instantiated for float and double; Relu and Shrink also for int8/16/32/64.
template <class T>
void unary_activation_reference(const ActivationParams& params, const T* x, T* y, int64_t n);

// PRelu: y = x < 0 ? slope * x : x, with `slope` read at the element offsets given by
// `slope_strides` (one per dimension of x_shape, 0 along broadcast dimensions).
// Instantiated for float, double, int32, int64.
template <class T>
void prelu_reference(const T* x, const Shape& x_shape, const T* slope,
                     const std::vector<int64_t>& slope_strides, T* y);

// Clip: y = min(max(x, lo), hi). NaN in x stays NaN. When lo > hi every element becomes hi
// (as numpy.clip does). Instantiated for every integer type, float and double.
template <class T>
void clip_reference(const T* x, T* y, int64_t n, T lo, T hi);

}  // namespace hone
