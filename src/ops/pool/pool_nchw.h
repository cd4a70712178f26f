// Fast pooling and LRN kernels on plain NCHW float32 tensors (the path for pools the layout
// pass leaves in NCHW): window tap ranges precomputed once, a vertical-then-horizontal
// reduction through a row buffer, contiguous loops the compiler vectorizes, threads over
// (planes x output rows).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "ops/pool/pool_reference.h"

namespace hone {

// Valid taps [lo, hi) of each output position along spatial dim d, and 1 / (taps the average
// divides by) (0 when none).
struct WindowTaps {
  std::vector<int64_t> lo, hi;
  std::vector<float> scale;
};
WindowTaps window_taps(const WindowGeometry& g, size_t d, bool count_include_pad);

class PoolNchw {
 public:
  // Whether the fast kernel takes this window (2-D, padded rows of at most kMaxRow floats).
  static bool supports(const WindowGeometry& g);
  static constexpr int64_t kMaxRow = 4096;

  PoolNchw(bool is_max, const PoolParams& p, bool count_include_pad);
  void run(const float* x, float* y, ThreadPool* pool) const;
  std::string kernel_name() const { return is_max_ ? "max_pool_nchw_fast" : "avg_pool_nchw_fast"; }

 private:
  bool is_max_;
  PoolParams p_;
  WindowTaps rows_, cols_;
  int64_t row_len_ = 0;  // padded row buffer length
};

// y[i] = mean / max of x[i * spatial .. (i + 1) * spatial) for i < planes.
void global_pool_nchw(bool is_max, int64_t planes, int64_t spatial, const float* x, float* y,
                      ThreadPool* pool);
// Same formula as lrn_reference, computed in float with pow per element.
void lrn_nchw(const LrnParams& p, const float* x, float* y, ThreadPool* pool);

}  // namespace hone
