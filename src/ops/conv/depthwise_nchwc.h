// Depthwise convolution (group == C_in == C_out) on channel-blocked tensors (NCHW[b]c) with
// register tiling over output width, a fused epilogue (bias, residual sum, activation) and
// threads over (batch, channel block, row chunk). Variants: AVX-512, AVX2+FMA, portable C++.
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

// The knobs of the depthwise kernel (what the default heuristic picks and the tuner searches).
struct DepthwiseNchwcConfig {
  Isa isa = Isa::kPortable;
  int block = 16;    // channel block b of the blocked tensors (8 or 16)
  int ow_tile = 8;   // output pixels per register tile: 2, 4, 6, 8, 10, 12, 14 or 16
  int oh_chunk = 1;  // output rows per work item handed to a thread
  // Run 3x3 kernels (dilation 1, stride_w <= 2, pads <= 1 column) with the register-resident
  // row kernel; other geometries, or false, take the general tiled kernel.
  bool fast3x3 = true;
  // Order of the work items: true puts row chunks outermost, so each thread's contiguous share
  // is a band of rows across all channels (the rows a dense conv split by rows left in that
  // thread's cache); false puts channel blocks outermost. The default (false) is unchanged: no
  // difference was measurable on the busy 2-core dev machine.
  bool rows_outer = false;
  bool operator==(const DepthwiseNchwcConfig&) const = default;
};

nlohmann::json depthwise_nchwc_config_to_json(const DepthwiseNchwcConfig& config);
// Throws hone::Error naming the field on a missing or out-of-range knob.
DepthwiseNchwcConfig depthwise_nchwc_config_from_json(const nlohmann::json& json);
// Empty when the config can run the geometry on this CPU, else why not. The geometry must be
// depthwise: in_channels == out_channels (one filter per channel).
std::string depthwise_nchwc_config_problem(const ConvGeometry& geometry,
                                           const DepthwiseNchwcConfig& config);
// A good config for any depthwise geometry.
DepthwiseNchwcConfig default_depthwise_nchwc_config(const ConvGeometry& geometry, Isa isa,
                                                    int block);

class DepthwiseNchwc {
 public:
  // Packs the [C, 1, KH, KW] weights and the bias (nullable). input_block / output_block are 0
  // for plain NCHW tensors (converted through scratch buffers owned by the kernel) or
  // config.block for blocked ones ([N, ceil(C/b), H, W, b]).
  // Throws hone::Error when depthwise_nchwc_config_problem is not empty.
  DepthwiseNchwc(const ConvGeometry& geometry, const DepthwiseNchwcConfig& config,
                 const float* weight, const float* bias, int input_block, int output_block,
                 Epilogue epilogue);
  ~DepthwiseNchwc();
  DepthwiseNchwc(DepthwiseNchwc&&) noexcept;
  DepthwiseNchwc& operator=(DepthwiseNchwc&&) noexcept;

  // y = act(conv(x) + bias + sum); sum (nullable) has y's layout and may alias y. Not
  // reentrant when a layout is plain (the scratch buffers are shared by calls).
  void run(const float* x, const float* sum, float* y, ThreadPool* pool) const;
  // Packed weights and bias plus scratch buffers.
  int64_t packed_bytes() const;
  const DepthwiseNchwcConfig& config() const;
  // "depthwise_nchw16c avx512 ow8" and the like.
  std::string name() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hone
