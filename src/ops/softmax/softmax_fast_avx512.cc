// AVX-512 softmax row: vector max, sleef exp with a vector sum, then one scaling pass.
#include <immintrin.h>

#include <cmath>

#include "ops/common/fast_math_avx512.h"
#include "ops/softmax/softmax_fast.h"

namespace hone::softmax_detail::avx512 {
namespace {

constexpr int kLanes = 16;

__mmask16 tail_mask(int64_t n) {
  return static_cast<__mmask16>((1u << n) - 1u);
}

// Horizontal reductions through memory (GCC 12's _mm512_reduce_* trip -Wuninitialized).
float hmax(__m512 v) {
  alignas(64) float lanes[kLanes];
  _mm512_store_ps(lanes, v);
  float m = lanes[0];
  for (int i = 1; i < kLanes; ++i) m = lanes[i] > m ? lanes[i] : m;
  return m;
}

float hsum(__m512 v) {
  alignas(64) float lanes[kLanes];
  _mm512_store_ps(lanes, v);
  float s = 0.0f;
  for (int i = 0; i < kLanes; ++i) s += lanes[i];
  return s;
}

}  // namespace

void softmax_row(const float* x, float* y, int64_t len) {
  const __m512 neg_inf = _mm512_set1_ps(-INFINITY);
  __m512 vmax = neg_inf;
  // Unordered compares flag NaNs so that the row can become NaN as the reference does.
  __mmask16 nan = 0;
  int64_t i = 0;
  for (; i + kLanes <= len; i += kLanes) {
    const __m512 v = _mm512_loadu_ps(x + i);
    nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    vmax = _mm512_maskz_max_ps(0xFFFF, vmax, v);
  }
  if (i < len) {
    const __m512 v = _mm512_mask_loadu_ps(neg_inf, tail_mask(len - i), x + i);
    nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    vmax = _mm512_maskz_max_ps(0xFFFF, vmax, v);
  }
  const float max = nan ? NAN : hmax(vmax);
  const __m512 m = _mm512_set1_ps(max);
  __m512 sum = _mm512_setzero_ps();
  for (i = 0; i + kLanes <= len; i += kLanes) {
    const __m512 e = hone::avx512::exp_fast(_mm512_sub_ps(_mm512_loadu_ps(x + i), m));
    _mm512_storeu_ps(y + i, e);
    sum = _mm512_add_ps(sum, e);
  }
  if (i < len) {
    const __mmask16 k = tail_mask(len - i);
    const __m512 e = hone::avx512::exp_fast(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), m));
    _mm512_mask_storeu_ps(y + i, k, e);
    sum = _mm512_mask_add_ps(sum, k, sum, e);
  }
  const __m512 scale = _mm512_set1_ps(1.0f / hsum(sum));
  for (i = 0; i + kLanes <= len; i += kLanes)
    _mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_loadu_ps(y + i), scale));
  if (i < len) {
    const __mmask16 k = tail_mask(len - i);
    _mm512_mask_storeu_ps(y + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, y + i), scale));
  }
}

}  // namespace hone::softmax_detail::avx512
