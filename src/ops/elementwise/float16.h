// Conversions between float/double and the 16-bit float formats hone stores as raw words
// (IEEE float16 and bfloat16), with round-to-nearest-even, subnormals, inf and NaN handled.
#pragma once

#include <cstdint>

namespace hone {

// Rounds to the nearest representable value, ties to even; values beyond the largest finite
// number become +-inf, NaN stays a (quiet) NaN with its sign.
uint16_t double_to_float16_bits(double value);
uint16_t double_to_bfloat16_bits(double value);
inline uint16_t float_to_float16_bits(float value) {
  return double_to_float16_bits(static_cast<double>(value));
}
inline uint16_t float_to_bfloat16_bits(float value) {
  return double_to_bfloat16_bits(static_cast<double>(value));
}

// Exact (every float16/bfloat16 value is a float).
float float16_bits_to_float(uint16_t bits);
float bfloat16_bits_to_float(uint16_t bits);

// Bulk forms for kernels that compute 16-bit tensors in float32.
void float16_to_float(const uint16_t* x, float* y, int64_t n);
void bfloat16_to_float(const uint16_t* x, float* y, int64_t n);
void float_to_float16(const float* x, uint16_t* y, int64_t n);
void float_to_bfloat16(const float* x, uint16_t* y, int64_t n);

}  // namespace hone
