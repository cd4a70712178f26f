// Reference (oracle) pooling on channel-blocked NCHW[b]c tensors: un-block, run the NCHW
// reference pool of pool_reference.h over every lane (padding lanes included), re-block.
#pragma once

#include <cstdint>

#include "ops/pool/pool_reference.h"

namespace hone {

// x [N, Cb, H, W, b] -> y [N, Cb, OH, OW, b]; p.window is 2-D, p.channels = Cb * b.
void max_pool_nchwc_reference(const PoolParams& p, int block, const float* x, float* y);
void average_pool_nchwc_reference(const PoolParams& p, int block, bool count_include_pad,
                                  const float* x, float* y);
// x [N, Cb, S, b] -> y [N, Cb, 1, 1, b].
void global_max_pool_nchwc_reference(int64_t batch, int64_t channel_blocks, int64_t spatial,
                                     int block, const float* x, float* y);
void global_average_pool_nchwc_reference(int64_t batch, int64_t channel_blocks, int64_t spatial,
                                         int block, const float* x, float* y);

}  // namespace hone
