// Resize for the optimized executor (float32): the common case of a resize over the last two
// axes (H, W) with every earlier axis unchanged, any mode and coordinate transformation. Each
// output row is blended from its input rows once (the vertical taps), then each output pixel
// reads that row at its horizontal taps; planes and row bands are split over the threads. The
// taps are resize_axis_taps' own, so the result is the reference's, summed in float in a
// different order (nearest mode copies exactly).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/tensor.h"
#include "core/thread_pool.h"
#include "ops/resize/resize_reference.h"

namespace hone {

class ResizeFast {
 public:
  // nullopt when the resize is not of that form (an earlier axis resized or cropped, rank < 2):
  // the caller runs the reference then.
  static std::optional<ResizeFast> make(const Shape& x_shape, const Shape& y_shape,
                                        const ResizeParams& params);

  // x and y have the shapes given to make(); pool may be null.
  void run(const float* x, float* y, ThreadPool* pool) const;

 private:
  // One axis' taps as the kernel reads them: output coordinate o reads index[begin[o] ..
  // begin[o + 1]) with the matching weights; none for an output that is the extrapolation value.
  struct Axis {
    std::vector<int64_t> begin;
    std::vector<int64_t> index;
    std::vector<float> weight;
  };
  static Axis axis_from(const ResizeAxisTaps& taps);

  int64_t planes_ = 0, in_h_ = 0, in_w_ = 0, out_h_ = 0, out_w_ = 0;
  bool nearest_ = false;
  float extrapolation_ = 0.0f;
  Axis rows_, cols_;
};

}  // namespace hone
