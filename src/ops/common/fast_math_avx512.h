// Inline exp and GELU on one AVX-512 vector, for files compiled with AVX-512. Inline so a
// kernel's epilogue keeps its registers (SLEEF's are calls, and every vector register is
// caller-saved), and GELU costs about a third of SLEEF's erf. Static: each file gets its own
// copy compiled with its flags (one program-wide inline definition could be any file's).
#pragma once

#include <immintrin.h>

#include "ops/common/fast_math_constants.h"

namespace hone::avx512 {

// e^x within 2 ulp; +inf above 88.7, 0 below -103.9 (vscalefps does the 2^n, overflow and
// denormals included), NaN stays NaN.
static inline __m512 exp_fast(__m512 x) {
  using namespace fast_math;
  // The clamp keeps r finite for +-inf; max/min return the second operand for a NaN: x.
  x = _mm512_maskz_min_ps(0xFFFF, _mm512_set1_ps(kExpMaxInput),
                          _mm512_maskz_max_ps(0xFFFF, _mm512_set1_ps(kExpMinInput), x));
  // The maskz forms: GCC 12 warns that the plain ones' undefined pass-through is uninitialized.
  const __m512 n = _mm512_maskz_roundscale_ps(0xFFFF, _mm512_mul_ps(x, _mm512_set1_ps(kLog2e)),
                                              _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Hi), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Lo), r);
  __m512 p = _mm512_set1_ps(kExpC[0]);
#pragma GCC unroll 8
  for (int i = 1; i < kExpTerms; ++i) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpC[i]));
  return _mm512_maskz_scalef_ps(0xFFFF, p, n);
}

// x * Φ(x) (GELU, exact form) with erfc from Abramowitz & Stegun 7.1.26: absolute error under
// 5e-7 * max(1, |x|) in float32, as the reference's float erf formula; +inf stays +inf, -inf
// gives -0 (its limit), NaN stays NaN.
static inline __m512 gelu_fast(__m512 x) {
  using namespace fast_math;
  const __m512 z_exact = _mm512_mul_ps(_mm512_abs_ps(x), _mm512_set1_ps(kSqrtHalf));
  const __m512 z = _mm512_maskz_min_ps(0xFFFF, z_exact, _mm512_set1_ps(kGeluZMax));
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 t = _mm512_div_ps(one, _mm512_fmadd_ps(z, _mm512_set1_ps(kErfcP), one));
  __m512 poly = _mm512_set1_ps(kErfcA[kErfcTerms - 1]);
#pragma GCC unroll 8
  for (int i = kErfcTerms - 2; i >= 0; --i)
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(kErfcA[i]));
  // half_q = erfc(z) / 2 = 1 - Φ(|x|) = Φ(-|x|)
  const __m512 half_q =
      _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(poly, t), _mm512_set1_ps(0.5f)),
                    exp_fast(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_mul_ps(z, z))));
  const __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
  const __m512 phi = _mm512_mask_blend_ps(negative, _mm512_sub_ps(one, half_q), half_q);
  // Far below zero the true value underflows: -0, also for -inf (where x * phi is -inf).
  const __mmask16 far_negative =
      negative & _mm512_cmp_ps_mask(z_exact, _mm512_set1_ps(kGeluZMax), _CMP_GE_OQ);
  return _mm512_mask_blend_ps(far_negative, _mm512_mul_ps(x, phi), _mm512_set1_ps(-0.0f));
}

}  // namespace hone::avx512
