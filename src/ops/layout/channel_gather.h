// ChannelGather: output channel j is channel source_channels[j] of input source_inputs[j],
// in plain NCHW or channel-blocked NCHW[b]c. One op for a channel shuffle (ShuffleNet's
// Reshape/Transpose/Reshape), channel Slices and Splits, and any of them read straight from a
// Concat's inputs (docs/decisions/016-channel-gather.md). The reference goes through plain
// NCHW; the optimized kernel copies planes (plain) or, per output block and pixel, merges the
// source blocks' lanes with one masked permute each (AVX-512 / AVX2), scalar otherwise.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"

namespace hone {

struct ChannelGatherShape {
  int64_t batch = 1;
  int64_t spatial = 1;             // H * W
  int block = 0;                   // 0: plain NCHW; 8 or 16: NCHW[b]c
  std::vector<int64_t> channels;   // real channel count of each input
  std::vector<int> source_inputs;  // per output channel
  std::vector<int64_t> source_channels;
  int64_t out_channels() const { return static_cast<int64_t>(source_inputs.size()); }
};

// Writes 0 in the output's padding lanes.
void channel_gather_reference(const ChannelGatherShape& s, const std::vector<const float*>& xs,
                              float* y);

class ChannelGather {
 public:
  // The shape must be valid (sources in range); `isa` picks the blocked kernel.
  ChannelGather(ChannelGatherShape shape, Isa isa);
  // xs: one pointer per input. Writes every element, padding lanes 0.
  void run(const float* const* xs, float* y, ThreadPool* pool) const;
  std::string kernel_name() const;

 private:
  void run_blocked(const float* const* xs, float* y, ThreadPool* pool) const;

  ChannelGatherShape shape_;
  Isa isa_;  // kPortable unless the CPU runs the variant for this block
  std::vector<int64_t> in_blocks_;
  int64_t out_blocks_ = 0;
  // Blocked: the source blocks of each output block ([first_[ob], first_[ob + 1])), each with
  // the lane of that block every output lane takes (lane_index) where its mask bit is set.
  std::vector<int64_t> first_;
  std::vector<int> source_input_;
  std::vector<int64_t> source_block_;
  std::vector<int32_t> lane_index_;  // block entries per source
  std::vector<uint32_t> lane_mask_;
};

// Per-ISA pixel loops over one output block: out[p] = merge over sources k of
// permute(planes[k][p], lane_index[k]) on the lanes of masks[k]; other lanes 0.
namespace avx512 {
void channel_gather_pixels(const float* const* planes, const int32_t* lane_index,
                           const uint32_t* masks, int count, float* out, int64_t p0, int64_t p1);
}
namespace avx2 {
// 8-lane blocks.
void channel_gather_pixels(const float* const* planes, const int32_t* lane_index,
                           const uint32_t* masks, int count, float* out, int64_t p0, int64_t p1);
// 16-lane blocks (two ymm per pixel).
void channel_gather_pixels16(const float* const* planes, const int32_t* lane_index,
                             const uint32_t* masks, int count, float* out, int64_t p0, int64_t p1);
}  // namespace avx2

}  // namespace hone
