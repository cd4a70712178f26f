// AVX2 pixel loop of ChannelGather on 8-lane blocks: a permute and a blend per source block.
#include <immintrin.h>

#include "ops/layout/channel_gather.h"

namespace hone::avx2 {

void channel_gather_pixels(const float* const* planes, const int32_t* lane_index,
                           const uint32_t* masks, int count, float* out, int64_t p0, int64_t p1) {
  __m256i index[8];
  __m256 select[8];
  const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  for (int k = 0; k < count; ++k) {
    index[k] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lane_index + k * 8));
    const __m256i m = _mm256_and_si256(_mm256_set1_epi32(static_cast<int>(masks[k])), bit);
    select[k] = _mm256_castsi256_ps(_mm256_cmpeq_epi32(m, bit));
  }
  for (int64_t p = p0; p < p1; ++p) {
    __m256 acc = _mm256_setzero_ps();
    for (int k = 0; k < count; ++k) {
      const __m256 v = _mm256_permutevar8x32_ps(_mm256_loadu_ps(planes[k] + p * 8), index[k]);
      acc = _mm256_blendv_ps(acc, v, select[k]);
    }
    _mm256_storeu_ps(out + p * 8, acc);
  }
}

}  // namespace hone::avx2
