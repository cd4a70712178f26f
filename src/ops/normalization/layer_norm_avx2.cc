// AVX2 row loop of the fast LayerNormalization: four accumulators per pass, scalar tail.
#include <immintrin.h>

#include <cmath>

#include "ops/normalization/layer_norm.h"

namespace hone::layer_norm_detail::avx2 {

namespace {

float horizontal_sum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

}  // namespace

RowStats row(const float* x, const float* scale, const float* bias, int64_t n, float epsilon,
             float* y) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
    s1 = _mm256_add_ps(s1, _mm256_loadu_ps(x + i + 8));
    s2 = _mm256_add_ps(s2, _mm256_loadu_ps(x + i + 16));
    s3 = _mm256_add_ps(s3, _mm256_loadu_ps(x + i + 24));
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
  float sum = horizontal_sum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < n; ++i) sum += x[i];
  const float mean = sum / static_cast<float>(n);
  const __m256 m = _mm256_set1_ps(mean);
  s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), m);
    const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), m);
    const __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 16), m);
    const __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 24), m);
    s0 = _mm256_fmadd_ps(d0, d0, s0);
    s1 = _mm256_fmadd_ps(d1, d1, s1);
    s2 = _mm256_fmadd_ps(d2, d2, s2);
    s3 = _mm256_fmadd_ps(d3, d3, s3);
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), m);
    s0 = _mm256_fmadd_ps(d, d, s0);
  }
  float squares = horizontal_sum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < n; ++i) squares += (x[i] - mean) * (x[i] - mean);
  const float inv = 1.0f / std::sqrt(squares / static_cast<float>(n) + epsilon);
  const __m256 iv = _mm256_set1_ps(inv);
  for (i = 0; i + 8 <= n; i += 8) {
    const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), m);
    __m256 v = _mm256_mul_ps(_mm256_mul_ps(d, iv), _mm256_loadu_ps(scale + i));
    if (bias) v = _mm256_add_ps(v, _mm256_loadu_ps(bias + i));
    _mm256_storeu_ps(y + i, v);
  }
  for (; i < n; ++i) {
    const float v = (x[i] - mean) * inv * scale[i];
    y[i] = bias ? v + bias[i] : v;
  }
  return {mean, inv};
}

}  // namespace hone::layer_norm_detail::avx2
