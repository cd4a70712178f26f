// Resize reference kernel (ONNX Resize 10-18 and Upsample): nearest / linear / cubic
// interpolation over every dim, with every coordinate transformation mode. Separable: each
// output coordinate along a dim reads a few input coordinates (taps) with weights, and an
// output element is the weighted sum over the product of its per-dim taps.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace hone {

enum class ResizeMode { kNearest, kLinear, kCubic };

enum class ResizeCoordinate {
  kHalfPixel,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNn,  // opset 11-12 only
  kTfCropAndResize,
};

enum class NearestRounding {
  kRoundPreferFloor,
  kRoundPreferCeil,
  kFloor,
  kCeil,
  kSimple,  // Resize-10 / Upsample: floor when upsampling, ceil when downsampling
};

struct ResizeParams {
  ResizeMode mode = ResizeMode::kNearest;
  ResizeCoordinate coordinate = ResizeCoordinate::kHalfPixel;
  NearestRounding nearest = NearestRounding::kRoundPreferFloor;
  double cubic_alpha = -0.75;
  bool exclude_outside = false;
  double extrapolation_value = 0.0;  // tf_crop_and_resize only
  std::vector<double> scales;        // one per dim: output length / input length
  std::vector<double> roi;           // tf_crop_and_resize only: rank starts, then rank ends
};

// Taps of every output coordinate along one dim: output coordinate o reads input
// coordinates index[begin[o] .. begin[o+1]) with the matching weights, or is the
// extrapolation value when outside[o] (tf_crop_and_resize outside the input).
struct ResizeAxisTaps {
  std::vector<int64_t> begin;
  std::vector<int64_t> index;
  std::vector<double> weight;
  std::vector<bool> outside;
};

// The input coordinate (in input pixels) that output coordinate `o` maps to along `dim`.
double resize_source_coordinate(int64_t o, int64_t in_len, int64_t out_len, int dim,
                                const ResizeParams& p);

ResizeAxisTaps resize_axis_taps(int64_t in_len, int64_t out_len, int dim, const ResizeParams& p);

// y has shape y_shape (same rank as x_shape); T is any arithmetic type (non-float types are
// meant for nearest mode, where every weight is 1 and values are copied exactly).
template <class T>
void resize_reference(const T* x, const Shape& x_shape, T* y, const Shape& y_shape,
                      const ResizeParams& p);

}  // namespace hone
