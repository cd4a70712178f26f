// The scalar functions of the binary and variadic elementwise ops, one functor per op.
// Each says which element types it accepts (kAccepts<T>) so the registry validates dtypes
// from the same source the kernels are instantiated from. Integer arithmetic wraps around
// and integer division or modulo by zero gives 0: run must never trap on user data.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ops/elementwise/convert.h"

namespace hone {

template <class T>
constexpr bool kIsNumber = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;
template <class T>
constexpr bool kIsFloat = std::is_floating_point_v<T>;
template <class T>
constexpr bool kIsInteger = kIsNumber<T> && !kIsFloat<T>;

// Unsigned type wide enough that integer arithmetic on T neither promotes to signed int nor
// overflows undefinedly (uint16 * uint16 would overflow int).
template <class T>
using WrapType =
    std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

template <class T>
T wrap_add(T a, T b) {
  if constexpr (kIsInteger<T>)
    return static_cast<T>(static_cast<WrapType<T>>(a) + static_cast<WrapType<T>>(b));
  else
    return a + b;
}
template <class T>
T wrap_sub(T a, T b) {
  if constexpr (kIsInteger<T>)
    return static_cast<T>(static_cast<WrapType<T>>(a) - static_cast<WrapType<T>>(b));
  else
    return a - b;
}
template <class T>
T wrap_mul(T a, T b) {
  if constexpr (kIsInteger<T>)
    return static_cast<T>(static_cast<WrapType<T>>(a) * static_cast<WrapType<T>>(b));
  else
    return a * b;
}

struct AddFn {
  template <class T>
  static constexpr bool kAccepts = kIsNumber<T>;
  template <class T>
  T operator()(T a, T b) const {
    return wrap_add(a, b);
  }
};

struct SubFn {
  template <class T>
  static constexpr bool kAccepts = kIsNumber<T>;
  template <class T>
  T operator()(T a, T b) const {
    return wrap_sub(a, b);
  }
};

struct MulFn {
  template <class T>
  static constexpr bool kAccepts = kIsNumber<T>;
  template <class T>
  T operator()(T a, T b) const {
    return wrap_mul(a, b);
  }
};

// Integer division truncates toward zero (C++ `/`, as ONNX Runtime does).
struct DivFn {
  template <class T>
  static constexpr bool kAccepts = kIsNumber<T>;
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      return a / b;
    } else {
      if (b == 0) return 0;
      if constexpr (std::is_signed_v<T>)
        if (b == -1) return wrap_sub(T{0}, a);  // MIN / -1 traps on x86
      return static_cast<T>(a / b);
    }
  }
};

// fmod = true: the remainder has the sign of the dividend (C fmod / `%`).
// fmod = false (integers only): the sign of the divisor, like Python's `%`.
struct ModFn {
  bool fmod = false;
  template <class T>
  static constexpr bool kAccepts = kIsNumber<T>;
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      T r = std::fmod(a, b);
      if (!fmod && r != 0 && ((r < 0) != (b < 0))) r += b;
      return r;
    } else {
      if (b == 0) return 0;
      if constexpr (std::is_signed_v<T>) {
        if (b == -1) return 0;  // MIN % -1 traps on x86
        T r = static_cast<T>(a % b);
        if (!fmod && r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
        return r;
      } else {
        return static_cast<T>(a % b);
      }
    }
  }
};

// Pow's base and exponent may have different types; the result has the base's type.
// Integer ** integer is exact (with wrap-around); a negative integer exponent gives the
// truncated reciprocal (0 unless the base is 1 or -1).
struct PowFn {
  template <class T>
  static constexpr bool kAcceptsBase = std::is_same_v<T, float> || std::is_same_v<T, double> ||
                                       std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>;
  template <class T>
  static constexpr bool kAcceptsExponent = kIsNumber<T>;
  template <class T, class E>
  T operator()(T a, E b) const {
    if constexpr (kIsInteger<T> && kIsInteger<E>) {
      if constexpr (std::is_signed_v<E>) {
        if (b < 0) {
          if (a == 1) return 1;
          if (a == -1) return (b % 2 == 0) ? 1 : -1;
          return 0;
        }
      }
      T result = 1;
      T base = a;
      auto e = static_cast<std::make_unsigned_t<E>>(b);
      while (e) {
        if (e & 1u) result = wrap_mul(result, base);
        base = wrap_mul(base, base);
        e >>= 1;
      }
      return result;
    } else {
      double r = std::pow(static_cast<double>(a), static_cast<double>(b));
      return convert_value<T>(r);
    }
  }
};

struct BitShiftFn {
  bool left = true;
  template <class T>
  static constexpr bool kAccepts = kIsInteger<T>&& std::is_unsigned_v<T>;
  template <class T>
  T operator()(T a, T b) const {
    if (b >= std::numeric_limits<T>::digits) return 0;  // C++ leaves wide shifts undefined
    auto wide = static_cast<WrapType<T>>(a);
    return static_cast<T>(left ? wide << b : wide >> b);
  }
};

struct AndFn {
  template <class T>
  static constexpr bool kAccepts = std::is_same_v<T, bool>;
  bool operator()(bool a, bool b) const { return a && b; }
};
struct OrFn {
  template <class T>
  static constexpr bool kAccepts = std::is_same_v<T, bool>;
  bool operator()(bool a, bool b) const { return a || b; }
};
struct XorFn {
  template <class T>
  static constexpr bool kAccepts = std::is_same_v<T, bool>;
  bool operator()(bool a, bool b) const { return a != b; }
};

struct EqualFn {
  template <class T>
  static constexpr bool kAccepts = std::is_arithmetic_v<T>;
  template <class T>
  bool operator()(T a, T b) const {
    return a == b;
  }
};
struct LessFn {
  template <class T>
  static constexpr bool kAccepts = kIsNumber<T>;
  template <class T>
  bool operator()(T a, T b) const {
    return a < b;
  }
};
struct LessOrEqualFn {
  template <class T>
  static constexpr bool kAccepts = kIsNumber<T>;
  template <class T>
  bool operator()(T a, T b) const {
    return a <= b;
  }
};
struct GreaterFn {
  template <class T>
  static constexpr bool kAccepts = kIsNumber<T>;
  template <class T>
  bool operator()(T a, T b) const {
    return a > b;
  }
};
struct GreaterOrEqualFn {
  template <class T>
  static constexpr bool kAccepts = kIsNumber<T>;
  template <class T>
  bool operator()(T a, T b) const {
    return a >= b;
  }
};

// Max and Min propagate NaN (like numpy.maximum), so a NaN input is never silently dropped.
struct MaxFn {
  template <class T>
  static constexpr bool kAccepts = kIsNumber<T>;
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>)
      if (std::isnan(a) || std::isnan(b)) return std::isnan(a) ? a : b;
    return a < b ? b : a;
  }
};
struct MinFn {
  template <class T>
  static constexpr bool kAccepts = kIsNumber<T>;
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>)
      if (std::isnan(a) || std::isnan(b)) return std::isnan(a) ? a : b;
    return b < a ? b : a;
  }
};

}  // namespace hone
