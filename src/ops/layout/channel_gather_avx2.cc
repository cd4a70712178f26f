// AVX2 pixel loops of ChannelGather: on 8-lane blocks a permute and a blend per source block;
// on 16-lane blocks (two ymm per pixel) each output half permutes both source halves and
// picks between them by the lane's index, then blends.
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

void channel_gather_pixels16(const float* const* planes, const int32_t* lane_index,
                             const uint32_t* masks, int count, float* out, int64_t p0, int64_t p1) {
  // Per source block k and output half h: the permute index within a source half (lane & 7),
  // which source half each lane reads (lane >= 8) and which output lanes take it.
  __m256i index[16][2];
  __m256 upper[16][2], select[16][2];
  bool used[16][2];
  const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  const __m256i seven = _mm256_set1_epi32(7);
  for (int k = 0; k < count; ++k)
    for (int h = 0; h < 2; ++h) {
      const __m256i lane =
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lane_index + k * 16 + h * 8));
      index[k][h] = _mm256_and_si256(lane, seven);
      upper[k][h] = _mm256_castsi256_ps(_mm256_cmpgt_epi32(lane, seven));
      const int half_mask = static_cast<int>(masks[k] >> (8 * h) & 0xffu);
      const __m256i m = _mm256_and_si256(_mm256_set1_epi32(half_mask), bit);
      select[k][h] = _mm256_castsi256_ps(_mm256_cmpeq_epi32(m, bit));
      used[k][h] = half_mask != 0;
    }
  for (int64_t p = p0; p < p1; ++p) {
    __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int k = 0; k < count; ++k) {
      const __m256 lo = _mm256_loadu_ps(planes[k] + p * 16);
      const __m256 hi = _mm256_loadu_ps(planes[k] + p * 16 + 8);
      for (int h = 0; h < 2; ++h) {
        if (!used[k][h]) continue;
        const __m256 v = _mm256_blendv_ps(_mm256_permutevar8x32_ps(lo, index[k][h]),
                                          _mm256_permutevar8x32_ps(hi, index[k][h]), upper[k][h]);
        acc[h] = _mm256_blendv_ps(acc[h], v, select[k][h]);
      }
    }
    _mm256_storeu_ps(out + p * 16, acc[0]);
    _mm256_storeu_ps(out + p * 16 + 8, acc[1]);
  }
}

}  // namespace hone::avx2
