#include "ops/elementwise/cast_reference.h"

#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "ops/elementwise/convert.h"
#include "ops/elementwise/float16.h"

namespace hone {

namespace {

bool is_16bit_float(DType t) {
  return t == DType::kFloat16 || t == DType::kBFloat16;
}

// Reads element i of a computable-dtype buffer as double (exact for every type but
// 64-bit integers beyond 2^53, which round once).
template <class T>
double load_as_double(const void* x, int64_t i) {
  return static_cast<double>(static_cast<const T*>(x)[i]);
}

void encode_16bit(DType to, const double* values, void* y, int64_t n) {
  auto* out = static_cast<uint16_t*>(y);
  for (int64_t i = 0; i < n; ++i)
    out[i] = to == DType::kFloat16 ? double_to_float16_bits(values[i])
                                   : double_to_bfloat16_bits(values[i]);
}

}  // namespace

bool cast_supported(DType from, DType to) {
  return dtype_is_storable(from) && dtype_is_storable(to);
}

void cast_reference(DType from, const void* x, DType to, void* y, int64_t n) {
  if (!cast_supported(from, to))
    throw UnsupportedError("Cast from " + std::string(dtype_name(from)) + " to " +
                           std::string(dtype_name(to)) + " is not supported");
  if (from == to) {
    std::memcpy(y, x, static_cast<size_t>(n) * dtype_size(from));
    return;
  }
  if (is_16bit_float(from)) {
    // Widen to float (exact), then convert that; a 16-bit target is rounded only once.
    const auto* in = static_cast<const uint16_t*>(x);
    std::vector<float> wide(static_cast<size_t>(n));
    if (from == DType::kFloat16)
      float16_to_float(in, wide.data(), n);
    else
      bfloat16_to_float(in, wide.data(), n);
    cast_reference(DType::kFloat32, wide.data(), to, y, n);
    return;
  }
  if (is_16bit_float(to)) {
    std::vector<double> wide(static_cast<size_t>(n));
    dispatch_dtype(from, "Cast", [&](auto tag) {
      using S = decltype(tag);
      for (int64_t i = 0; i < n; ++i) wide[static_cast<size_t>(i)] = load_as_double<S>(x, i);
    });
    encode_16bit(to, wide.data(), y, n);
    return;
  }
  dispatch_dtype(from, "Cast", [&](auto from_tag) {
    using S = decltype(from_tag);
    dispatch_dtype(to, "Cast", [&](auto to_tag) {
      using D = decltype(to_tag);
      const S* in = static_cast<const S*>(x);
      D* out = static_cast<D*>(y);
      for (int64_t i = 0; i < n; ++i) out[i] = convert_value<D>(in[i]);
    });
  });
}

}  // namespace hone
