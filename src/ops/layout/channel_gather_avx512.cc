// AVX-512 pixel loop of ChannelGather on 16-lane blocks: one masked permute per source block.
#include <immintrin.h>

#include "ops/layout/channel_gather.h"

namespace hone::avx512 {

void channel_gather_pixels(const float* const* planes, const int32_t* lane_index,
                           const uint32_t* masks, int count, float* out, int64_t p0, int64_t p1) {
  __m512i index[16];
  __mmask16 mask[16];
  for (int k = 0; k < count; ++k) {
    index[k] = _mm512_loadu_si512(lane_index + k * 16);
    mask[k] = static_cast<__mmask16>(masks[k]);
  }
  for (int64_t p = p0; p < p1; ++p) {
    __m512 acc = _mm512_setzero_ps();
    for (int k = 0; k < count; ++k)
      acc = _mm512_mask_permutexvar_ps(acc, mask[k], index[k], _mm512_loadu_ps(planes[k] + p * 16));
    _mm512_storeu_ps(out + p * 16, acc);
  }
}

}  // namespace hone::avx512
