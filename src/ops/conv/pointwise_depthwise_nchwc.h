// A 1x1 convolution (the "expansion" of an inverted residual block) fused with the depthwise
// convolution that reads its output, on channel-blocked tensors (NCHW[b]c): the expanded rows
// live only in a per-thread scratch that stays in L2 instead of a round trip through memory.
// Reuses the dense kernel's register tiles and the depthwise row kernels of each ISA.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/common/epilogue.h"
#include "ops/conv/conv_nchwc.h"

namespace hone {

// The knobs of the fused kernel (what the default heuristic picks and the tuner searches).
struct PointwiseDepthwiseNchwcConfig {
  Isa isa = Isa::kPortable;
  int block = 16;  // channel block b of the blocked tensors (8 or 16)
  // Depthwise output rows per band: the scratch holds the expanded input rows of one band
  // ((rows - 1) * stride + kernel rows). A thread's bands run in order and keep the rows the
  // next band shares, so bands only bound the scratch; they add no recomputation.
  int rows = 4;
  // Expanded channel blocks per work item (0 = all): splits small images over threads by
  // channels instead of rows (a row split recomputes the rows two bands share).
  int cb_chunk = 0;
  // Contiguous row ranges each (batch, channel chunk) is split into, one work item each; the
  // first band of each range recomputes the rows it shares with the range before.
  int row_splits = 1;
  int pw_ow_tile = 14;  // pointwise register tile: pixels (of the flattened rows)
  int pw_oc_tile = 2;   // and expanded channel blocks
  int dw_ow_tile = 8;   // depthwise register tile: output pixels (1..16)
  // Run 3x3 depthwise kernels with the register-resident row kernel where the geometry fits.
  bool fast3x3 = true;
  bool operator==(const PointwiseDepthwiseNchwcConfig&) const = default;
};

nlohmann::json pointwise_depthwise_nchwc_config_to_json(const PointwiseDepthwiseNchwcConfig& c);
// Throws hone::Error naming the field on a missing or out-of-range knob.
PointwiseDepthwiseNchwcConfig pointwise_depthwise_nchwc_config_from_json(
    const nlohmann::json& json);
// Empty when the config can run the pair on this CPU, else why not. `pointwise` must be a 1x1,
// stride 1, unpadded conv; `depthwise` must read its output (in_channels == out_channels ==
// pointwise.out_channels, the same batch and input size).
std::string pointwise_depthwise_nchwc_config_problem(const ConvGeometry& pointwise,
                                                     const ConvGeometry& depthwise,
                                                     const PointwiseDepthwiseNchwcConfig& config);
// A good config for the pair when run on `threads` threads.
PointwiseDepthwiseNchwcConfig default_pointwise_depthwise_nchwc_config(
    const ConvGeometry& pointwise, const ConvGeometry& depthwise, Isa isa, int block, int threads);

class PointwiseDepthwiseNchwc {
 public:
  // Packs both convs' weights (pointwise OIHW [M, C, 1, 1], depthwise [M, 1, KH, KW]) and
  // biases (nullable). Input and output are blocked ([N, ceil(C/b), H, W, b]). The scratch is
  // per thread and shared by every instance (scratch_bytes() per thread, at most).
  // Throws hone::Error when pointwise_depthwise_nchwc_config_problem is not empty.
  PointwiseDepthwiseNchwc(const ConvGeometry& pointwise, const ConvGeometry& depthwise,
                          const PointwiseDepthwiseNchwcConfig& config, const float* pw_weight,
                          const float* pw_bias, Epilogue pw_epilogue, const float* dw_weight,
                          const float* dw_bias, Epilogue dw_epilogue);
  ~PointwiseDepthwiseNchwc();
  PointwiseDepthwiseNchwc(PointwiseDepthwiseNchwc&&) noexcept;
  PointwiseDepthwiseNchwc& operator=(PointwiseDepthwiseNchwc&&) noexcept;

  // y = dw_act(depthwise(pw_act(pointwise(x) + pw_bias)) + dw_bias + sum); sum (nullable) has
  // y's layout and may alias y. Allocates only when a thread's scratch grows (its first run
  // of the biggest instance).
  void run(const float* x, const float* sum, float* y, ThreadPool* pool) const;
  // Packed weights and biases.
  int64_t packed_bytes() const;
  // The scratch a thread needs (kept per thread, shared by all instances).
  int64_t scratch_bytes() const;
  const PointwiseDepthwiseNchwcConfig& config() const;
  // "pw_dw_nchw16c avx512 r4 3x3 ow8" and the like.
  std::string name() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hone
