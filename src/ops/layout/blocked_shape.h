// Sizes of a tensor in the channel-blocked layout NCHW[b]c ([N, ceil(C/b), H*W, b]) as the
// layout kernels see them; docs/decisions/004-internal-ops.md defines the layout.
#pragma once

#include <cstdint>

namespace hone {

// Plain data (no member functions) so the per-ISA kernel files can take it by reference
// without instantiating inline code that baseline files also instantiate.
struct BlockedShape {
  int64_t batch = 1;
  int64_t channels = 0;  // real channel count C
  int64_t spatial = 1;   // H * W
  int block = 16;        // b: 8 or 16 (0 = plain NCHW where a kernel allows it)
};

// ceil(C / b), the number of channel blocks.
constexpr int64_t channel_blocks(int64_t channels, int block) {
  return (channels + block - 1) / block;
}

}  // namespace hone
