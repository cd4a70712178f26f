// Dense (group 1) direct convolution on channel-blocked tensors (NCHW[b]c) with register
// tiling, weights packed once, and a fused epilogue (bias, residual sum, activation).
// Variants: AVX-512, AVX2+FMA and portable C++, chosen by the config's isa.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/common/epilogue.h"

namespace hone {

// One convolution's sizes (batch N, channels, spatial), as the reference kernel sees them.
// pad_bottom/pad_right follow from out_h/out_w.
struct ConvGeometry {
  int64_t batch = 1;
  int64_t in_channels = 0, in_h = 0, in_w = 0;
  int64_t out_channels = 0, out_h = 0, out_w = 0;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t flops() const {
    return 2 * batch * out_channels * out_h * out_w * in_channels * kernel_h * kernel_w;
  }
};

// The knobs of the kernel: what the default heuristic picks and the tuner searches.
struct ConvNchwcConfig {
  Isa isa = Isa::kPortable;
  int block = 16;    // channel block b of the blocked input and output (8 or 16)
  int ow_tile = 8;   // output pixels in one register tile
  int oc_tile = 2;   // output-channel blocks in one register tile
  int ic_chunk = 0;  // input-channel blocks per pass over the weights (cache blocking); 0 = all
  int oh_chunk = 1;  // output rows per work item handed to a thread
  // 0: a work item is one oc tile over oh_chunk rows (weights stay in cache across rows);
  // 1: a work item is oh_chunk rows of every oc tile, oc innermost (the input stays in cache).
  int loop_order = 0;
  // Loop order 1 only: oc tiles per work item (0 = all). Splitting the oc tiles gives small
  // images (7x7: seven rows) enough equal work items for the threads.
  int oc_chunk = 0;
  // Software prefetch of the packed weights this many input lanes ahead (0 = none): deep layers
  // stream their weights from L2/L3, faster than the hardware prefetcher follows.
  int w_prefetch = 0;
  // 1: each tile call also prefetches (into L2) a share of the weights that run next, so
  // layers whose weights stream from memory (deep layers: megabytes of weights per image)
  // overlap that stream with the arithmetic instead of stalling on it.
  int w_prefetch_next = 0;
  // 1: non-temporal stores of a blocked output (when y is 64-byte aligned): no read for
  // ownership of lines that are only written, for outputs far bigger than the caches.
  int stream_out = 0;
  // 1: a 1x1 conv with stride > 1 and no padding on a blocked input first copies the pixels it
  // reads into a compact buffer, then runs as a stride-1 conv at that geometry's default config
  // (the other knobs then do not apply): the strided kernel touches every other pixel line and
  // misses the pointwise loop. Ignored for a plain input.
  int subsample = 0;
  bool operator==(const ConvNchwcConfig&) const = default;
};

nlohmann::json conv_nchwc_config_to_json(const ConvNchwcConfig& config);
// Throws hone::Error naming the field on a missing or out-of-range knob.
ConvNchwcConfig conv_nchwc_config_from_json(const nlohmann::json& json);
// Empty when the config can run the geometry on this CPU, else why not.
std::string conv_nchwc_config_problem(const ConvGeometry& geometry, const ConvNchwcConfig& config);
// Whether `subsample` can apply: a 1x1 kernel, a stride above 1, no padding.
bool conv_nchwc_can_subsample(const ConvGeometry& geometry);
// A good config for any geometry (the auto-tuner's starting point).
ConvNchwcConfig default_conv_nchwc_config(const ConvGeometry& geometry, Isa isa, int block);

class ConvNchwc {
 public:
  // Packs the OIHW weights and the bias (nullable) for the config. input_block / output_block
  // are 0 for plain NCHW tensors or config.block for blocked ones ([N, ceil(C/b), H, W, b]).
  // Throws hone::Error when conv_nchwc_config_problem is not empty.
  ConvNchwc(const ConvGeometry& geometry, const ConvNchwcConfig& config, const float* weight_oihw,
            const float* bias, int input_block, int output_block, Epilogue epilogue);
  ~ConvNchwc();
  ConvNchwc(ConvNchwc&&) noexcept;
  ConvNchwc& operator=(ConvNchwc&&) noexcept;

  // y = act(conv(x) + bias + sum); sum (nullable) has y's layout and may alias y.
  void run(const float* x, const float* sum, float* y, ThreadPool* pool) const;
  int64_t packed_bytes() const;
  const ConvNchwcConfig& config() const;
  // "conv_nchw16c avx2 ow6 oc1" and the like: the tiles that run (a subsampled conv's are
  // those of the stride-1 conv on the compact copy, with " subsampled" after them).
  std::string name() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hone
