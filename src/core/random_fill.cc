#include "core/random_fill.h"

#include <cstring>
#include <string>

namespace hone {
namespace {

// SplitMix64 of (seed, index): a well-mixed 64-bit value per element, so a fill is
// reproducible and independent of the order elements are visited in.
uint64_t mix(uint64_t seed, uint64_t index) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + index + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [0, 1) with 24 random bits: exact in float32.
float unit_float(uint64_t bits) {
  return static_cast<float>(bits >> 40) * 0x1.0p-24f;
}

uint16_t float_to_bfloat16_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return static_cast<uint16_t>(u >> 16);
}

// IEEE half of a value in [0, 2] (the only range the fills produce), truncating the mantissa.
uint16_t unit_float_to_half_bits(float f) {
  if (f == 0.0f) return 0;
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  int exponent = static_cast<int>((u >> 23) & 0xFF) - 127 + 15;
  uint32_t mantissa = u & 0x7FFFFF;
  if (exponent <= 0) {  // subnormal half
    mantissa |= 0x800000;
    int shift = 14 - exponent;
    return shift > 24 ? 0 : static_cast<uint16_t>(mantissa >> shift);
  }
  return static_cast<uint16_t>((exponent << 10) | (mantissa >> 13));
}

}  // namespace

FillMode parse_fill_mode(std::string_view name) {
  if (name == "zeros") return FillMode::kZeros;
  if (name == "ones") return FillMode::kOnes;
  if (name == "random") return FillMode::kRandom;
  throw Error("unknown fill mode '" + std::string(name) + "' (expected zeros, ones or random)");
}

std::string_view fill_mode_name(FillMode mode) {
  switch (mode) {
    case FillMode::kZeros:
      return "zeros";
    case FillMode::kOnes:
      return "ones";
    case FillMode::kRandom:
      return "random";
  }
  return "?";
}

void fill_tensor(Tensor& t, FillMode mode, uint64_t seed) {
  const int64_t n = t.numel();
  if (t.dtype() == DType::kFloat16 || t.dtype() == DType::kBFloat16) {
    auto* out = static_cast<uint16_t*>(t.raw());
    const bool half = t.dtype() == DType::kFloat16;
    for (int64_t i = 0; i < n; ++i) {
      float v = mode == FillMode::kZeros  ? 0.0f
                : mode == FillMode::kOnes ? 1.0f
                                          : unit_float(mix(seed, static_cast<uint64_t>(i)));
      out[i] = half ? unit_float_to_half_bits(v) : float_to_bfloat16_bits(v);
    }
    return;
  }
  dispatch_dtype(t.dtype(), "fill", [&](auto tag) {
    using T = decltype(tag);
    T* out = static_cast<T*>(t.raw());
    for (int64_t i = 0; i < n; ++i) {
      if (mode == FillMode::kZeros) {
        out[i] = T(0);
      } else if (mode == FillMode::kOnes) {
        out[i] = T(1);
      } else {
        uint64_t bits = mix(seed, static_cast<uint64_t>(i));
        if constexpr (std::is_same_v<T, bool>)
          out[i] = (bits >> 63) != 0;
        else if constexpr (std::is_floating_point_v<T>)
          out[i] = static_cast<T>(unit_float(bits));
        else
          out[i] = static_cast<T>((bits >> 32) % 10);
      }
    }
  });
}

Tensor make_filled_tensor(DType dtype, const Shape& shape, FillMode mode, uint64_t seed) {
  if (!dtype_is_storable(dtype))
    throw Error("cannot fill a tensor of element type " + std::string(dtype_name(dtype)));
  Tensor t(dtype, shape);
  fill_tensor(t, mode, seed);
  return t;
}

}  // namespace hone
