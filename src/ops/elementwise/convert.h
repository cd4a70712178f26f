// Value conversions with defined results for every input, used by Cast and by mixed-type
// ops: float-to-integer truncates toward zero, saturates out-of-range values and maps NaN
// to 0 (C++ leaves those cases undefined); to-bool is `x != 0`; integer narrowing wraps.
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>

namespace hone {

template <class To, class From>
To convert_value(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From{0};
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(v)) return To{0};
    // max() converts to From exactly or rounds up to a power of two, so `v >= hi` catches
    // exactly the values whose truncation does not fit.
    const From hi = static_cast<From>(std::numeric_limits<To>::max());
    const From lo = static_cast<From>(std::numeric_limits<To>::lowest());
    if (v >= hi) return std::numeric_limits<To>::max();
    if (v <= lo) return std::numeric_limits<To>::lowest();
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace hone
