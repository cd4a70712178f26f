// Reference (oracle) kernels for N-d Conv and ConvTranspose in NC[D...] layout: plain loops,
// any number of spatial dims, groups, strides, dilations and explicit pads.
#pragma once

#include <cstdint>

#include "ops/conv/conv_window.h"

namespace hone {

struct ConvParams {
  WindowGeometry window;  // for ConvTranspose: `in` is the input, `out` the (larger) output
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t group = 1;
};

// y[N, Cout, out...] = sum over (Cin/group, kernel) of x * w, plus bias[Cout] (may be null).
// w has shape [Cout, Cin/group, kernel...]. T: float or double.
template <class T>
void conv_reference(const ConvParams& p, const T* x, const T* w, const T* bias, T* y);

// The adjoint of conv_reference (plus bias): w has shape [Cin, Cout/group, kernel...] and every
// input element scatters x * w into the output positions its window covers.
template <class T>
void conv_transpose_reference(const ConvParams& p, const T* x, const T* w, const T* bias, T* y);

}  // namespace hone
