#include "conformance/tensor_compare.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <sstream>
#include <vector>

#include "core/dtype.h"

namespace hone {
namespace {

constexpr double kBFloat16Epsilon = 1.0 / 128;  // 2^-7: 8 significant bits
constexpr double kFloat16Epsilon = 1.0 / 1024;  // 2^-10: 11 significant bits

float float_from_bits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// IEEE half precision to float, including subnormals, infinities and NaN.
float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0x1f) return float_from_bits(sign | 0x7f800000u | (mantissa << 13));
  if (exponent == 0) {
    // Subnormal (or zero): value = mantissa * 2^-24.
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  return float_from_bits(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

float bfloat16_to_float(uint16_t b) {
  return float_from_bits(static_cast<uint32_t>(b) << 16);
}

// Widens any float dtype to double, element by element.
std::vector<double> float_values(const Tensor& t) {
  std::vector<double> out(static_cast<size_t>(t.numel()));
  const void* raw = t.raw();
  for (size_t i = 0; i < out.size(); ++i) {
    switch (t.dtype()) {
      case DType::kFloat16:
        out[i] = half_to_float(static_cast<const uint16_t*>(raw)[i]);
        break;
      case DType::kBFloat16:
        out[i] = bfloat16_to_float(static_cast<const uint16_t*>(raw)[i]);
        break;
      case DType::kFloat32:
        out[i] = static_cast<const float*>(raw)[i];
        break;
      default:
        out[i] = static_cast<const double*>(raw)[i];
        break;
    }
  }
  return out;
}

bool floats_match(double got, double expected, const Tolerance& tol) {
  if (std::isnan(expected) || std::isnan(got)) return std::isnan(expected) && std::isnan(got);
  if (std::isinf(expected) || std::isinf(got)) return got == expected;
  return std::fabs(got - expected) <= tol.atol + tol.rtol * std::fabs(expected);
}

std::string format_double(double v) {
  std::ostringstream s;
  s.precision(9);
  s << v;
  return s.str();
}

std::string compare_floats(const Tensor& got, const Tensor& expected, const Tolerance& tol) {
  const std::vector<double> g = float_values(got);
  const std::vector<double> e = float_values(expected);
  int64_t mismatches = 0;
  size_t first = 0;
  double max_diff = 0.0;
  for (size_t i = 0; i < e.size(); ++i) {
    if (floats_match(g[i], e[i], tol)) continue;
    if (mismatches++ == 0) first = i;
    // NaN/inf mismatches have no meaningful distance; report them as infinite.
    const double diff = std::fabs(g[i] - e[i]);
    max_diff =
        std::isfinite(diff) ? std::max(max_diff, diff) : std::numeric_limits<double>::infinity();
  }
  if (mismatches == 0) return "";
  std::ostringstream s;
  s << "element " << first << ": got " << format_double(g[first]) << ", expected "
    << format_double(e[first]) << " (max abs diff " << format_double(max_diff) << ", " << mismatches
    << " of " << e.size() << " elements differ; rtol " << tol.rtol << ", atol " << tol.atol << ")";
  return s.str();
}

std::string compare_exact(const Tensor& got, const Tensor& expected) {
  std::string result;
  dispatch_dtype(expected.dtype(), "conformance comparison", [&](auto tag) {
    using T = decltype(tag);
    const T* g = got.data<T>();
    const T* e = expected.data<T>();
    int64_t mismatches = 0;
    int64_t first = 0;
    for (int64_t i = 0; i < expected.numel(); ++i) {
      if (g[i] == e[i]) continue;
      if (mismatches++ == 0) first = i;
    }
    if (mismatches == 0) return;
    // Unary + promotes int8/uint8/bool so they print as numbers, not characters.
    std::ostringstream s;
    s << "element " << first << ": got " << +g[first] << ", expected " << +e[first] << " ("
      << mismatches << " of " << expected.numel() << " elements differ)";
    result = s.str();
  });
  return result;
}

}  // namespace

std::string compare_tensors(const Tensor& got, const Tensor& expected, const Tolerance& tol) {
  if (got.dtype() != expected.dtype())
    return "dtype " + std::string(dtype_name(got.dtype())) + ", expected " +
           std::string(dtype_name(expected.dtype()));
  if (got.shape() != expected.shape())
    return "shape " + shape_to_string(got.shape()) + ", expected " +
           shape_to_string(expected.shape());
  if (expected.numel() == 0) return "";
  if (dtype_is_float(expected.dtype())) {
    // A 16-bit result cannot be closer than its own precision: one unit in the last place
    // (a different but valid rounding) is allowed whatever rtol asks for.
    Tolerance t = tol;
    if (expected.dtype() == DType::kBFloat16) t.rtol = std::max(t.rtol, kBFloat16Epsilon);
    if (expected.dtype() == DType::kFloat16) t.rtol = std::max(t.rtol, kFloat16Epsilon);
    return compare_floats(got, expected, t);
  }
  return compare_exact(got, expected);
}

}  // namespace hone
