// Reference kernels for the Reduce* family and ArgMax/ArgMin: the plain oracle for
// reductions over any set of axes.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace hone {

enum class ReduceKind {
  kSum,
  kMean,
  kMax,
  kMin,
  kProd,
  kL1,         // sum |x|
  kL2,         // sqrt(sum x^2)
  kLogSum,     // log(sum x)
  kLogSumExp,  // log(sum exp(x)), computed as max + log(sum exp(x - max))
  kSumSquare,  // sum x^2
};

// Reduces x (shape `shape`) over the dimensions d with reduce_dim[d] true. y holds the kept
// dimensions in their original order (keepdims only changes the shape, not the layout).
// Reducing over no dimensions applies the reduction to one-element sets (so SumSquare squares,
// L1 takes |x|, Sum copies). Reducing an empty set gives the identity of the reduction (Sum 0,
// Prod 1, Max lowest/-inf, Min highest/+inf, Mean NaN for floats). Max/Min propagate NaN.
// Floats accumulate in double, signed integers in int64, unsigned in uint64; integer Mean
// truncates toward zero. Instantiated for float, double, int32, int64, uint32, uint64.
template <class T>
void reduce_reference(ReduceKind kind, const T* x, const Shape& shape,
                      const std::vector<bool>& reduce_dim, T* y);

// Index of the largest (find_max) or smallest element along the middle dimension of x viewed as
// [outer, axis_len, inner], written to y viewed as [outer, inner]. Ties go to the first index,
// or to the last with select_last_index. NaN counts as more extreme than any number (as in
// numpy). axis_len must be >= 1. Instantiated for float, double and every integer type.
template <class T>
void arg_reduce_reference(bool find_max, bool select_last_index, const T* x, int64_t outer,
                          int64_t axis_len, int64_t inner, int64_t* y);

}  // namespace hone
