#include "ops/elementwise/unary_reference.h"

#include <cmath>
#include <type_traits>

#include "ops/elementwise/elementwise_functions.h"

namespace hone {

UnaryDomain unary_domain(UnaryOp op) {
  switch (op) {
    case UnaryOp::kAbs:
    case UnaryOp::kSign:
      return UnaryDomain::kNumber;
    case UnaryOp::kNeg:
      return UnaryDomain::kSigned;
    case UnaryOp::kNot:
      return UnaryDomain::kBool;
    default:
      return UnaryDomain::kFloat;
  }
}

namespace {

template <class T, class F>
void apply(const T* x, T* y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

// Ties go to the even neighbour, as ONNX specifies (std::round rounds them away from zero).
template <class T>
T round_half_even(T v) {
  T r = std::round(v);
  if (std::fabs(v - std::trunc(v)) == T(0.5)) r = T(2) * std::round(v / T(2));
  return r;
}

template <class T>
void float_unary(UnaryOp op, const T* x, T* y, int64_t n) {
  // One loop per op (the switch is outside the loop so each loop is a tight one).
  switch (op) {
    case UnaryOp::kSqrt:
      return apply(x, y, n, [](T v) { return std::sqrt(v); });
    case UnaryOp::kExp:
      return apply(x, y, n, [](T v) { return std::exp(v); });
    case UnaryOp::kLog:
      return apply(x, y, n, [](T v) { return std::log(v); });
    case UnaryOp::kReciprocal:
      return apply(x, y, n, [](T v) { return T(1) / v; });
    case UnaryOp::kErf:
      return apply(x, y, n, [](T v) { return std::erf(v); });
    case UnaryOp::kFloor:
      return apply(x, y, n, [](T v) { return std::floor(v); });
    case UnaryOp::kCeil:
      return apply(x, y, n, [](T v) { return std::ceil(v); });
    case UnaryOp::kRound:
      return apply(x, y, n, [](T v) { return round_half_even(v); });
    case UnaryOp::kSin:
      return apply(x, y, n, [](T v) { return std::sin(v); });
    case UnaryOp::kCos:
      return apply(x, y, n, [](T v) { return std::cos(v); });
    case UnaryOp::kTan:
      return apply(x, y, n, [](T v) { return std::tan(v); });
    case UnaryOp::kAsin:
      return apply(x, y, n, [](T v) { return std::asin(v); });
    case UnaryOp::kAcos:
      return apply(x, y, n, [](T v) { return std::acos(v); });
    case UnaryOp::kAtan:
      return apply(x, y, n, [](T v) { return std::atan(v); });
    case UnaryOp::kSinh:
      return apply(x, y, n, [](T v) { return std::sinh(v); });
    case UnaryOp::kCosh:
      return apply(x, y, n, [](T v) { return std::cosh(v); });
    case UnaryOp::kAsinh:
      return apply(x, y, n, [](T v) { return std::asinh(v); });
    case UnaryOp::kAcosh:
      return apply(x, y, n, [](T v) { return std::acosh(v); });
    case UnaryOp::kAtanh:
      return apply(x, y, n, [](T v) { return std::atanh(v); });
    default:
      break;
  }
}

}  // namespace

template <class T>
void unary_reference(UnaryOp op, const T* x, T* y, int64_t n) {
  if constexpr (std::is_same_v<T, bool>) {
    if (op == UnaryOp::kNot) apply(x, y, n, [](bool v) { return !v; });
  } else {
    switch (op) {
      case UnaryOp::kAbs:
        if constexpr (kIsFloat<T>)
          return apply(x, y, n, [](T v) { return std::fabs(v); });
        else if constexpr (std::is_signed_v<T>)
          return apply(x, y, n, [](T v) { return v < 0 ? wrap_sub(T{0}, v) : v; });
        else
          return apply(x, y, n, [](T v) { return v; });
      case UnaryOp::kNeg:
        return apply(x, y, n, [](T v) { return wrap_sub(T{0}, v); });
      case UnaryOp::kSign:
        return apply(x, y, n, [](T v) {
          if constexpr (kIsFloat<T>)
            if (std::isnan(v)) return v;
          return static_cast<T>(v > T{0} ? 1 : (v < T{0} ? -1 : 0));
        });
      default:
        if constexpr (kIsFloat<T>) float_unary(op, x, y, n);
        break;
    }
  }
}

template <class T>
void isnan_reference(const T* x, bool* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::isnan(x[i]);
}

template <class T>
void isinf_reference(const T* x, bool* y, int64_t n, bool detect_positive, bool detect_negative) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = std::isinf(x[i]) && (x[i] > 0 ? detect_positive : detect_negative);
}

#define HONE_INSTANTIATE_UNARY(T) template void unary_reference<T>(UnaryOp, const T*, T*, int64_t);
HONE_INSTANTIATE_UNARY(float)
HONE_INSTANTIATE_UNARY(double)
HONE_INSTANTIATE_UNARY(int8_t)
HONE_INSTANTIATE_UNARY(uint8_t)
HONE_INSTANTIATE_UNARY(int16_t)
HONE_INSTANTIATE_UNARY(uint16_t)
HONE_INSTANTIATE_UNARY(int32_t)
HONE_INSTANTIATE_UNARY(uint32_t)
HONE_INSTANTIATE_UNARY(int64_t)
HONE_INSTANTIATE_UNARY(uint64_t)
HONE_INSTANTIATE_UNARY(bool)
#undef HONE_INSTANTIATE_UNARY

template void isnan_reference<float>(const float*, bool*, int64_t);
template void isnan_reference<double>(const double*, bool*, int64_t);
template void isinf_reference<float>(const float*, bool*, int64_t, bool, bool);
template void isinf_reference<double>(const double*, bool*, int64_t, bool, bool);

}  // namespace hone
