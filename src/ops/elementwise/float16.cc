#include "ops/elementwise/float16.h"

#include <cmath>

namespace hone {

namespace {

// A binary floating-point format with a sign bit, `kExp` exponent bits and `kMan` stored
// mantissa bits. Both 16-bit formats share this code so their rounding cannot drift apart.
template <int kExp, int kMan>
struct SmallFloat {
  static constexpr int kBias = (1 << (kExp - 1)) - 1;
  static constexpr int kMinExp = 1 - kBias;  // exponent of the smallest normal number
  static constexpr int kMaxExp = kBias;
  static constexpr uint16_t kExpMask = static_cast<uint16_t>(((1 << kExp) - 1) << kMan);
  static constexpr uint16_t kManMask = static_cast<uint16_t>((1 << kMan) - 1);

  // Round half to even of a non-negative value small enough for exact fractional parts.
  static uint32_t round_even(double m) {
    double f = std::floor(m);
    double d = m - f;
    auto r = static_cast<uint32_t>(f);
    if (d > 0.5 || (d == 0.5 && (r & 1u))) ++r;
    return r;
  }

  static uint16_t encode(double v) {
    const uint16_t sign = std::signbit(v) ? 0x8000 : 0;
    if (std::isnan(v)) return sign | kExpMask | static_cast<uint16_t>(1u << (kMan - 1));
    const double a = std::fabs(v);
    // Halfway between the largest finite value and 2^(kMaxExp+1): from here on, round to inf.
    const double overflow = std::ldexp(2.0 - std::ldexp(1.0, -(kMan + 1)), kMaxExp);
    if (a >= overflow) return sign | kExpMask;
    if (a < std::ldexp(1.0, kMinExp)) {
      // Subnormal (or zero): a = m * 2^(kMinExp - kMan). m == 2^kMan encodes the smallest
      // normal number, which is what rounding up should produce.
      uint32_t m = round_even(std::ldexp(a, kMan - kMinExp));
      return static_cast<uint16_t>(sign | m);
    }
    int e = 0;
    double fr = std::frexp(a, &e);  // a = fr * 2^e, fr in [0.5, 1)
    int exp = e - 1;
    uint32_t m = round_even(std::ldexp(fr * 2.0 - 1.0, kMan));
    if (m == (1u << kMan)) {
      m = 0;
      ++exp;
    }
    if (exp > kMaxExp) return sign | kExpMask;
    return static_cast<uint16_t>(sign | (static_cast<uint32_t>(exp + kBias) << kMan) | m);
  }

  static float decode(uint16_t bits) {
    const bool negative = (bits & 0x8000) != 0;
    const int e = (bits & kExpMask) >> kMan;
    const int m = bits & kManMask;
    float value;
    if (e == (1 << kExp) - 1) {
      value = m == 0 ? INFINITY : NAN;
    } else if (e == 0) {
      value = static_cast<float>(std::ldexp(static_cast<double>(m), kMinExp - kMan));
    } else {
      value =
          static_cast<float>(std::ldexp(static_cast<double>(m + (1 << kMan)), e - kBias - kMan));
    }
    return negative ? -value : value;
  }
};

using Half = SmallFloat<5, 10>;
using BFloat = SmallFloat<8, 7>;

}  // namespace

uint16_t double_to_float16_bits(double value) {
  return Half::encode(value);
}
uint16_t double_to_bfloat16_bits(double value) {
  return BFloat::encode(value);
}
float float16_bits_to_float(uint16_t bits) {
  return Half::decode(bits);
}
float bfloat16_bits_to_float(uint16_t bits) {
  return BFloat::decode(bits);
}

void float16_to_float(const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = Half::decode(x[i]);
}
void bfloat16_to_float(const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = BFloat::decode(x[i]);
}
void float_to_float16(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = Half::encode(x[i]);
}
void float_to_bfloat16(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = BFloat::encode(x[i]);
}

}  // namespace hone
