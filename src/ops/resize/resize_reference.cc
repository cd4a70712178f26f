#include "ops/resize/resize_reference.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace hone {

double resize_source_coordinate(int64_t o, int64_t in_len, int64_t out_len, int dim,
                                const ResizeParams& p) {
  (void)out_len;
  const double x = static_cast<double>(o);
  const double scale = p.scales[static_cast<size_t>(dim)];
  // The resized length is input length * scale, unrounded, as ONNX's reference computes it:
  // with `scales` given it can differ from the integer output length (4 * 0.6 = 2.4 for an
  // output of 2), which matters to align_corners and tf_crop_and_resize. With `sizes` the
  // scale is out/in, so both agree.
  const double resized = static_cast<double>(in_len) * scale;
  const double span = static_cast<double>(in_len - 1);
  switch (p.coordinate) {
    case ResizeCoordinate::kHalfPixel:
      return (x + 0.5) / scale - 0.5;
    case ResizeCoordinate::kPytorchHalfPixel:
      return resized > 1 + 1e-9 ? (x + 0.5) / scale - 0.5 : 0.0;
    case ResizeCoordinate::kAlignCorners:
      return std::fabs(resized - 1) < 1e-9 ? 0.0 : x * span / (resized - 1);
    case ResizeCoordinate::kAsymmetric:
      return x / scale;
    case ResizeCoordinate::kTfHalfPixelForNn:
      return (x + 0.5) / scale;
    case ResizeCoordinate::kTfCropAndResize: {
      const size_t rank = p.roi.size() / 2;
      const double start = p.roi[static_cast<size_t>(dim)];
      const double end = p.roi[rank + static_cast<size_t>(dim)];
      if (std::fabs(resized - 1) > 1e-9)
        return start * span + x * (end - start) * span / (resized - 1);
      return 0.5 * (start + end) * span;
    }
  }
  return 0.0;
}

namespace {

int64_t round_nearest(double x, NearestRounding r, double scale) {
  const double f = std::floor(x);
  const double frac = x - f;
  switch (r) {
    case NearestRounding::kFloor:
      return static_cast<int64_t>(f);
    case NearestRounding::kCeil:
      return static_cast<int64_t>(std::ceil(x));
    case NearestRounding::kSimple:
      return static_cast<int64_t>(scale < 1.0 ? std::ceil(x) : f);
    case NearestRounding::kRoundPreferFloor:
      return static_cast<int64_t>(frac <= 0.5 ? f : f + 1);
    case NearestRounding::kRoundPreferCeil:
      return static_cast<int64_t>(frac < 0.5 ? f : f + 1);
  }
  return static_cast<int64_t>(f);
}

// Keys' cubic convolution kernel with parameter a, at distance s >= 0.
double cubic_kernel(double s, double a) {
  s = std::fabs(s);
  if (s <= 1) return ((a + 2) * s - (a + 3)) * s * s + 1;
  if (s < 2) return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a;
  return 0.0;
}

}  // namespace

ResizeAxisTaps resize_axis_taps(int64_t in_len, int64_t out_len, int dim, const ResizeParams& p) {
  ResizeAxisTaps taps;
  const double scale = p.scales[static_cast<size_t>(dim)];
  auto clamp = [&](int64_t i) { return std::clamp<int64_t>(i, 0, in_len - 1); };
  for (int64_t o = 0; o < out_len; ++o) {
    taps.begin.push_back(static_cast<int64_t>(taps.index.size()));
    const double x = resize_source_coordinate(o, in_len, out_len, dim, p);
    const bool outside = p.coordinate == ResizeCoordinate::kTfCropAndResize &&
                         (x < 0 || x > static_cast<double>(in_len - 1));
    taps.outside.push_back(outside);
    if (outside || in_len == 0) continue;
    const double f = std::floor(x);
    const double t = x - f;
    const int64_t x0 = static_cast<int64_t>(f);
    switch (p.mode) {
      case ResizeMode::kNearest:
        taps.index.push_back(clamp(round_nearest(x, p.nearest, scale)));
        taps.weight.push_back(1.0);
        break;
      case ResizeMode::kLinear:
        taps.index.push_back(clamp(x0));
        taps.weight.push_back(1.0 - t);
        if (t != 0) {
          taps.index.push_back(clamp(x0 + 1));
          taps.weight.push_back(t);
        }
        break;
      case ResizeMode::kCubic: {
        double w[4], sum = 0;
        for (int k = 0; k < 4; ++k) {
          const int64_t i = x0 - 1 + k;
          w[k] = cubic_kernel(t - (k - 1), p.cubic_alpha);
          if (p.exclude_outside && (i < 0 || i >= in_len)) w[k] = 0;
          sum += w[k];
        }
        for (int k = 0; k < 4; ++k) {
          if (w[k] == 0) continue;
          taps.index.push_back(clamp(x0 - 1 + k));
          taps.weight.push_back(p.exclude_outside ? w[k] / sum : w[k]);
        }
        break;
      }
    }
  }
  taps.begin.push_back(static_cast<int64_t>(taps.index.size()));
  return taps;
}

template <class T>
void resize_reference(const T* x, const Shape& x_shape, T* y, const Shape& y_shape,
                      const ResizeParams& p) {
  const size_t rank = x_shape.size();
  const int64_t total = shape_numel(y_shape);
  if (total == 0) return;
  if (rank == 0) {
    y[0] = x[0];
    return;
  }
  std::vector<ResizeAxisTaps> taps;
  for (size_t d = 0; d < rank; ++d)
    taps.push_back(resize_axis_taps(x_shape[d], y_shape[d], static_cast<int>(d), p));
  std::vector<int64_t> in_strides(rank, 1);
  for (size_t d = rank - 1; d-- > 0;) in_strides[d] = in_strides[d + 1] * x_shape[d + 1];

  std::vector<int64_t> out_index(rank, 0);
  std::vector<int64_t> tap(rank);  // current tap (position in taps[d].index) per dim
  for (int64_t e = 0; e < total; ++e) {
    bool outside = false;
    for (size_t d = 0; d < rank; ++d) {
      const size_t o = static_cast<size_t>(out_index[d]);
      outside = outside || taps[d].outside[o] || taps[d].begin[o] == taps[d].begin[o + 1];
      tap[d] = taps[d].begin[o];
    }
    if (outside) {
      y[e] = static_cast<T>(p.extrapolation_value);
    } else if (p.mode == ResizeMode::kNearest) {
      // One tap of weight 1 per dim: copy exactly (no round trip through double).
      int64_t off = 0;
      for (size_t d = 0; d < rank; ++d)
        off += taps[d].index[static_cast<size_t>(tap[d])] * in_strides[d];
      y[e] = x[off];
    } else {
      // Sum over the product of every dim's taps (an odometer over tap positions).
      double acc = 0;
      while (true) {
        double w = 1;
        int64_t off = 0;
        for (size_t d = 0; d < rank; ++d) {
          const size_t t = static_cast<size_t>(tap[d]);
          w *= taps[d].weight[t];
          off += taps[d].index[t] * in_strides[d];
        }
        acc += w * static_cast<double>(x[off]);
        size_t d = rank;
        while (d-- > 0) {
          const size_t o = static_cast<size_t>(out_index[d]);
          if (++tap[d] < taps[d].begin[o + 1]) break;
          tap[d] = taps[d].begin[o];
        }
        if (d == static_cast<size_t>(-1)) break;
      }
      y[e] = static_cast<T>(acc);
    }
    for (size_t d = rank; d-- > 0;) {
      if (++out_index[d] < y_shape[d]) break;
      out_index[d] = 0;
    }
  }
}

#define HONE_RESIZE_INSTANTIATE(T) \
  template void resize_reference<T>(const T*, const Shape&, T*, const Shape&, const ResizeParams&);
HONE_RESIZE_INSTANTIATE(float)
HONE_RESIZE_INSTANTIATE(double)
HONE_RESIZE_INSTANTIATE(int8_t)
HONE_RESIZE_INSTANTIATE(uint8_t)
HONE_RESIZE_INSTANTIATE(int16_t)
HONE_RESIZE_INSTANTIATE(uint16_t)
HONE_RESIZE_INSTANTIATE(int32_t)
HONE_RESIZE_INSTANTIATE(uint32_t)
HONE_RESIZE_INSTANTIATE(int64_t)
HONE_RESIZE_INSTANTIATE(uint64_t)
HONE_RESIZE_INSTANTIATE(bool)
#undef HONE_RESIZE_INSTANTIATE

}  // namespace hone
