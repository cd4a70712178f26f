// Implementation of dispatch_dtype (kept apart so dtype.h reads as a table of contents).
#pragma once

#include <string>

#include "core/error.h"

namespace hone {

template <class F>
decltype(auto) dispatch_dtype(DType t, std::string_view what, F&& f) {
  switch (t) {
    case DType::kFloat32: return f(float{});
    case DType::kFloat64: return f(double{});
    case DType::kInt8: return f(int8_t{});
    case DType::kUInt8: return f(uint8_t{});
    case DType::kInt16: return f(int16_t{});
    case DType::kUInt16: return f(uint16_t{});
    case DType::kInt32: return f(int32_t{});
    case DType::kUInt32: return f(uint32_t{});
    case DType::kInt64: return f(int64_t{});
    case DType::kUInt64: return f(uint64_t{});
    case DType::kBool: return f(bool{});
    default:
      throw UnsupportedError(std::string(what) + ": element type " +
                             std::string(dtype_name(t)) + " is not supported");
  }
}

}  // namespace hone
