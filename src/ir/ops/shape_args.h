// Argument parsing shared by the shape-family registry entries (src/ir/ops/shape*.cc):
// axis normalization, reading integer inputs, dtype-agnostic copies.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "ir/op_registry.h"

namespace hone::shape_args {

// Maps axis in [-rank, rank) to [0, rank); fails naming the node and `what` otherwise.
inline int64_t normalize_axis(const OpContext& ctx, int64_t axis, int64_t rank,
                              const char* what = "axis") {
  if (axis < -rank || axis >= rank)
    ctx.fail(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " +
             std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

// Normalizes a list of axes and rejects duplicates.
inline std::vector<int64_t> normalize_axes(const OpContext& ctx, std::vector<int64_t> axes,
                                           int64_t rank, const char* what = "axes") {
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t& a : axes) {
    a = normalize_axis(ctx, a, rank, what);
    if (seen[static_cast<size_t>(a)])
      ctx.fail(std::string(what) + " lists axis " + std::to_string(a) + " twice");
    seen[static_cast<size_t>(a)] = true;
  }
  return axes;
}

// The values of a constant integer input (any integer dtype), read at prepare time.
inline std::vector<int64_t> constant_ints(const OpContext& ctx, size_t i, const char* what) {
  const Tensor& t = ctx.constant_input(i, what);
  if (!dtype_is_integer(t.dtype()))
    ctx.fail(std::string(what) + " must be an integer tensor, got " +
             std::string(dtype_name(t.dtype())));
  return t.to_vector<int64_t>();
}

// Rejects inputs hone cannot hold in memory (strings), naming the node.
inline void expect_storable(const OpContext& ctx, size_t i) {
  DType t = ctx.input_dtype(i);
  if (!dtype_is_storable(t))
    throw UnsupportedError(ctx.where() + ": input " + std::to_string(i) +
                           " has unsupported element type " + std::string(dtype_name(t)));
}

// Copies all bytes of one tensor into another of the same size (reshape-like ops).
inline void copy_bytes(const Tensor& from, Tensor& to) {
  if (to.nbytes()) std::memcpy(to.raw(), from.raw(), to.nbytes());
}

// Integer index values of a tensor of dtype int32 or int64, widened to int64.
inline std::vector<int64_t> index_values(const Tensor& t) {
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  if (t.dtype() == DType::kInt32) {
    const int32_t* p = t.data<int32_t>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = p[i];
  } else {
    const int64_t* p = t.data<int64_t>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = p[i];
  }
  return v;
}

}  // namespace hone::shape_args
