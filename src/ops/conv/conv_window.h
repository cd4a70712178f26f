// Geometry of a sliding window over the N-d spatial dims of an NC... tensor, with every
// attribute resolved (explicit pads, strides, dilations). Shared by Conv, ConvTranspose and
// the pooling kernels; the registry (src/ir/ops/conv_window.h) builds it from ONNX attributes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hone {

struct WindowGeometry {
  int64_t batch = 1;
  std::vector<int64_t> in;   // input spatial dims
  std::vector<int64_t> out;  // output spatial dims
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads_begin;
  std::vector<int64_t> pads_end;

  size_t rank() const { return in.size(); }
  // Span of one window along dim i, dilation included.
  int64_t extent(size_t i) const { return (kernel[i] - 1) * dilations[i] + 1; }
  int64_t in_size() const { return product(in); }
  int64_t out_size() const { return product(out); }
  int64_t kernel_size() const { return product(kernel); }

  static int64_t product(const std::vector<int64_t>& v) {
    int64_t p = 1;
    for (int64_t d : v) p *= d;
    return p;
  }
};

// Advances a row-major multi-index over `dims`; returns false after the last position.
inline bool next_index(std::vector<int64_t>& index, const std::vector<int64_t>& dims) {
  for (size_t i = dims.size(); i-- > 0;) {
    if (++index[i] < dims[i]) return true;
    index[i] = 0;
  }
  return false;
}

}  // namespace hone
