// Element types of tensors. The numeric values match ONNX's TensorProto.DataType so the
// frontend can map them directly, but nothing here depends on ONNX.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hone {

enum class DType : int {
  kUndefined = 0,
  kFloat32 = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,  // not supported by kernels; named so errors can say what they saw
  kBool = 9,
  kFloat16 = 10,  // stored as raw 16-bit words; only converted, never computed
  kFloat64 = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kBFloat16 = 16,  // stored as raw 16-bit words; only converted, never computed
};

// Bytes per element; 0 for kUndefined and kString.
size_t dtype_size(DType t);
// Lower-case short name as numpy writes it: "float32", "int64", "bool", ...
std::string_view dtype_name(DType t);
// Inverse of dtype_name; kUndefined when the name is unknown.
DType dtype_from_name(std::string_view name);
// True for the types hone's tensors can hold (everything but kUndefined and kString).
bool dtype_is_storable(DType t);
bool dtype_is_float(DType t);    // float16/bfloat16/float32/float64
bool dtype_is_integer(DType t);  // signed or unsigned integers (not bool)

// Maps a C++ element type to its DType: dtype_of<float>() == DType::kFloat32.
template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() { return DType::kFloat32; }
template <>
constexpr DType dtype_of<double>() { return DType::kFloat64; }
template <>
constexpr DType dtype_of<int8_t>() { return DType::kInt8; }
template <>
constexpr DType dtype_of<uint8_t>() { return DType::kUInt8; }
template <>
constexpr DType dtype_of<int16_t>() { return DType::kInt16; }
template <>
constexpr DType dtype_of<uint16_t>() { return DType::kUInt16; }
template <>
constexpr DType dtype_of<int32_t>() { return DType::kInt32; }
template <>
constexpr DType dtype_of<uint32_t>() { return DType::kUInt32; }
template <>
constexpr DType dtype_of<int64_t>() { return DType::kInt64; }
template <>
constexpr DType dtype_of<uint64_t>() { return DType::kUInt64; }
template <>
constexpr DType dtype_of<bool>() { return DType::kBool; }

// Calls f(T{}) with T the C++ type of a computable dtype (float32/64, all integers, bool).
// Throws hone::Error naming `what` for float16/bfloat16/string/undefined.
template <class F>
decltype(auto) dispatch_dtype(DType t, std::string_view what, F&& f);

}  // namespace hone

#include "core/dtype_dispatch.h"
