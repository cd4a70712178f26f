// Concatenation along channels of channel-blocked tensors (NCHW[b]c): the reference (un-block,
// concat, re-block) and the optimized kernel (block copies when channel counts allow it,
// lane shifts otherwise).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/thread_pool.h"

namespace hone {

struct ConcatBlockedShape {
  int64_t batch = 1;
  int64_t spatial = 1;  // H * W
  int block = 16;
  std::vector<int64_t> channels;  // real C of each input; the output has their sum
};

// Writes 0 in the output's padding lanes.
void concat_blocked_reference(const ConcatBlockedShape& s, const std::vector<const float*>& xs,
                              float* y);

class ConcatBlocked {
 public:
  explicit ConcatBlocked(ConcatBlockedShape shape);
  // xs: one pointer per input. The output's padding lanes get finite values from the inputs.
  void run(const float* const* xs, float* y, ThreadPool* pool) const;
  // True when each input lands on a block boundary, so whole blocks are copied.
  bool block_copy() const { return block_copy_; }
  std::string kernel_name() const;

 private:
  // Lanes [dst_lane, dst_lane + length) of output block dst_block come from input `input`,
  // block src_block, lanes from src_lane on.
  struct Run {
    int64_t dst_block, input, src_block;
    int dst_lane, src_lane, length;
  };
  ConcatBlockedShape shape_;
  bool block_copy_ = true;
  int64_t out_blocks_ = 0;
  std::vector<int64_t> in_blocks_;
  std::vector<int64_t> block_offset_;  // output block where each input starts (block copy)
  std::vector<Run> runs_;              // sorted by dst_block
  std::vector<int64_t> first_run_;     // index into runs_ per output block, plus an end entry
};

}  // namespace hone
