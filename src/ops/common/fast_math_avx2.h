// Inline exp and GELU on one AVX2 (8-float) vector, for files compiled with AVX2+FMA (or
// AVX-512, whose block-8 kernels use ymm registers). The same formulas as fast_math_avx512.h;
// static for the same reason.
#pragma once

#include <immintrin.h>

#include "ops/common/fast_math_constants.h"

namespace hone::avx2 {

// e^x within 2 ulp; +inf above 88.7, 0 below -103.9, NaN stays NaN (as the AVX-512 form).
static inline __m256 exp_fast(__m256 x) {
  using namespace fast_math;
  // max/min return the second operand when one is NaN: keep x there.
  x = _mm256_min_ps(_mm256_set1_ps(kExpMaxInput), _mm256_max_ps(_mm256_set1_ps(kExpMinInput), x));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), r);
  __m256 p = _mm256_set1_ps(kExpC[0]);
#pragma GCC unroll 8
  for (int i = 1; i < kExpTerms; ++i) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpC[i]));
  // 2^n as two factors 2^h * 2^(n-h), h = n / 2: each a normal float for n in [-150, 128]
  // (the clamp), so the products overflow to inf and round into denormals as e^x does.
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i h = _mm256_srai_epi32(ni, 1);
  auto pow2 = [](__m256i e) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(e, _mm256_set1_epi32(127)), 23));
  };
  return _mm256_mul_ps(_mm256_mul_ps(p, pow2(h)), pow2(_mm256_sub_epi32(ni, h)));
}

// x * Φ(x) (GELU, exact form): see fast_math_avx512.h.
static inline __m256 gelu_fast(__m256 x) {
  using namespace fast_math;
  const __m256 z_exact =
      _mm256_mul_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), x), _mm256_set1_ps(kSqrtHalf));
  // min returns its second operand for a NaN: z stays finite, and x * phi NaN.
  const __m256 z = _mm256_min_ps(z_exact, _mm256_set1_ps(kGeluZMax));
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(z, _mm256_set1_ps(kErfcP), one));
  __m256 poly = _mm256_set1_ps(kErfcA[kErfcTerms - 1]);
#pragma GCC unroll 8
  for (int i = kErfcTerms - 2; i >= 0; --i)
    poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(kErfcA[i]));
  const __m256 half_q =
      _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(poly, t), _mm256_set1_ps(0.5f)),
                    exp_fast(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_mul_ps(z, z))));
  const __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
  const __m256 phi = _mm256_blendv_ps(_mm256_sub_ps(one, half_q), half_q, negative);
  const __m256 far_negative =
      _mm256_and_ps(negative, _mm256_cmp_ps(z_exact, _mm256_set1_ps(kGeluZMax), _CMP_GE_OQ));
  return _mm256_blendv_ps(_mm256_mul_ps(x, phi), _mm256_set1_ps(-0.0f), far_negative);
}

}  // namespace hone::avx2
