// Reference kernels of the unary elementwise ops (Abs, Neg, Sqrt, Exp, trig, Round, ...)
// and of IsNaN / IsInf, whose output is bool.
#pragma once

#include <cstdint>
#include <string_view>

namespace hone {

enum class UnaryOp {
  kAbs,
  kNeg,
  kSign,
  kNot,  // numeric (Not: bool only)
  kSqrt,
  kExp,
  kLog,
  kReciprocal,
  kErf,
  kFloor,
  kCeil,
  kRound,  // floating point only
  kSin,
  kCos,
  kTan,
  kAsin,
  kAcos,
  kAtan,
  kSinh,
  kCosh,
  kAsinh,
  kAcosh,
  kAtanh,
};

// Which element types an op accepts: floats only, every number (Abs, Sign), signed
// numbers (Neg), or bool (Not).
enum class UnaryDomain { kFloat, kNumber, kSigned, kBool };
UnaryDomain unary_domain(UnaryOp op);

// y[i] = op(x[i]). Defined for T in float, double, every integer type and bool, for the ops
// whose domain admits T. Integer Abs/Neg of the minimum value wraps (stays the minimum).
// Round is half-to-even. Sign of NaN is NaN.
template <class T>
void unary_reference(UnaryOp op, const T* x, T* y, int64_t n);

// y[i] = isnan(x[i]).
template <class T>
void isnan_reference(const T* x, bool* y, int64_t n);
// y[i] = x[i] is +inf (when detect_positive) or -inf (when detect_negative).
template <class T>
void isinf_reference(const T* x, bool* y, int64_t n, bool detect_positive, bool detect_negative);

}  // namespace hone
