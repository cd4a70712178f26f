// AVX-512 row loop of the fast LayerNormalization: four accumulators per pass.
#include <immintrin.h>

#include <cmath>

#include "ops/normalization/layer_norm.h"

namespace hone::layer_norm_detail::avx512 {

namespace {

// GCC 12's _mm512_reduce_add_ps and 256-bit extracts trip -Wuninitialized in its own
// headers; two sums per row go through memory instead.
float horizontal_sum(__m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  float s = 0.0f;
  for (float l : lanes) s += l;
  return s;
}

__mmask16 tail_mask(int64_t left) {
  return static_cast<__mmask16>((1u << left) - 1u);
}

}  // namespace

RowStats row(const float* x, const float* scale, const float* bias, int64_t n, float epsilon,
             float* y) {
  __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    s0 = _mm512_add_ps(s0, _mm512_loadu_ps(x + i));
    s1 = _mm512_add_ps(s1, _mm512_loadu_ps(x + i + 16));
    s2 = _mm512_add_ps(s2, _mm512_loadu_ps(x + i + 32));
    s3 = _mm512_add_ps(s3, _mm512_loadu_ps(x + i + 48));
  }
  for (; i + 16 <= n; i += 16) s0 = _mm512_add_ps(s0, _mm512_loadu_ps(x + i));
  if (i < n) s1 = _mm512_add_ps(s1, _mm512_maskz_loadu_ps(tail_mask(n - i), x + i));
  const float mean = horizontal_sum(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3))) /
                     static_cast<float>(n);
  const __m512 m = _mm512_set1_ps(mean);
  s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(x + i), m);
    const __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), m);
    const __m512 d2 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 32), m);
    const __m512 d3 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 48), m);
    s0 = _mm512_fmadd_ps(d0, d0, s0);
    s1 = _mm512_fmadd_ps(d1, d1, s1);
    s2 = _mm512_fmadd_ps(d2, d2, s2);
    s3 = _mm512_fmadd_ps(d3, d3, s3);
  }
  for (; i + 16 <= n; i += 16) {
    const __m512 d = _mm512_sub_ps(_mm512_loadu_ps(x + i), m);
    s0 = _mm512_fmadd_ps(d, d, s0);
  }
  if (i < n) {
    const __mmask16 k = tail_mask(n - i);
    const __m512 d = _mm512_maskz_sub_ps(k, _mm512_maskz_loadu_ps(k, x + i), m);
    s1 = _mm512_fmadd_ps(d, d, s1);
  }
  const float var = horizontal_sum(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3))) /
                    static_cast<float>(n);
  const float inv = 1.0f / std::sqrt(var + epsilon);
  const __m512 iv = _mm512_set1_ps(inv);
  for (i = 0; i < n; i += 16) {
    const __mmask16 k = n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : tail_mask(n - i);
    const __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), m);
    __m512 v = _mm512_mul_ps(_mm512_mul_ps(d, iv), _mm512_maskz_loadu_ps(k, scale + i));
    if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(k, bias + i));
    _mm512_mask_storeu_ps(y + i, k, v);
  }
  return {mean, inv};
}

}  // namespace hone::layer_norm_detail::avx512
