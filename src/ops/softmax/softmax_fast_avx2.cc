// AVX2 softmax row: vector max, sleef exp with a vector sum, then one scaling pass.
#include <immintrin.h>

#include <cmath>

#include "ops/common/fast_math_avx2.h"
#include "ops/softmax/softmax_fast.h"

namespace hone::softmax_detail::avx2 {
namespace {

constexpr int kLanes = 8;

__m256i tail_mask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

float hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
  return _mm_cvtss_f32(m);
}

float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

}  // namespace

void softmax_row(const float* x, float* y, int64_t len) {
  __m256 vmax = _mm256_set1_ps(-INFINITY);
  __m256 nan = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + kLanes <= len; i += kLanes) {
    const __m256 v = _mm256_loadu_ps(x + i);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    vmax = _mm256_max_ps(vmax, v);
  }
  float max = hmax(vmax);
  for (int64_t j = i; j < len; ++j) {
    if (x[j] != x[j]) nan = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    max = x[j] > max ? x[j] : max;
  }
  if (_mm256_movemask_ps(nan)) max = NAN;
  const __m256 m = _mm256_set1_ps(max);
  __m256 sum = _mm256_setzero_ps();
  for (i = 0; i + kLanes <= len; i += kLanes) {
    const __m256 e = hone::avx2::exp_fast(_mm256_sub_ps(_mm256_loadu_ps(x + i), m));
    _mm256_storeu_ps(y + i, e);
    sum = _mm256_add_ps(sum, e);
  }
  if (i < len) {
    const __m256i k = tail_mask(len - i);
    // Masked-off lanes would give exp(0 - max); zero them before the sum.
    const __m256 e =
        _mm256_and_ps(hone::avx2::exp_fast(_mm256_sub_ps(_mm256_maskload_ps(x + i, k), m)),
                      _mm256_castsi256_ps(k));
    _mm256_maskstore_ps(y + i, k, e);
    sum = _mm256_add_ps(sum, e);
  }
  const __m256 scale = _mm256_set1_ps(1.0f / hsum(sum));
  for (i = 0; i + kLanes <= len; i += kLanes)
    _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), scale));
  if (i < len) {
    const __m256i k = tail_mask(len - i);
    _mm256_maskstore_ps(y + i, k, _mm256_mul_ps(_mm256_maskload_ps(y + i, k), scale));
  }
}

}  // namespace hone::softmax_detail::avx2
