// Reference kernels for Softmax, LogSoftmax and Hardmax over one axis of a tensor viewed as
// [outer, axis_len, inner]; the registry maps both ONNX axis conventions onto that view.
#pragma once

#include <cstdint>

namespace hone {

enum class SoftmaxKind {
  kSoftmax,     // exp(x - max) / sum(exp(x - max))
  kLogSoftmax,  // x - max - log(sum(exp(x - max)))
  kHardmax,     // 1 at the first maximum of each slice, 0 elsewhere
};

// x and y are [outer, axis_len, inner] row-major; the op runs along the middle dimension.
// Max-subtraction keeps large inputs finite; sums accumulate in double. A NaN in a slice
// makes that whole Softmax/LogSoftmax slice NaN. Instantiated for float and double.
template <class T>
void softmax_reference(SoftmaxKind kind, const T* x, T* y, int64_t outer, int64_t axis_len,
                       int64_t inner);

}  // namespace hone
