// The fused activation (ops/common/epilogue.h) on one AVX-512 vector, for kernels compiled
// with AVX-512 (include only from *_avx512.cc files).
#pragma once

#include <immintrin.h>
#include <sleef.h>

#include "ops/common/epilogue.h"
#include "ops/common/fast_math_avx512.h"

namespace hone::avx512 {

// _mm512_max_ps/_mm512_min_ps trip GCC 12's -Wuninitialized (their _mm512_undefined_ps);
// the all-lanes zero-masked forms compile to the same vmaxps/vminps.
inline __m512 max_vec(__m512 a, __m512 b) {
  return _mm512_maskz_max_ps(0xFFFF, a, b);
}
inline __m512 min_vec(__m512 a, __m512 b) {
  return _mm512_maskz_min_ps(0xFFFF, a, b);
}

inline __m512 sigmoid_vec(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  // exp(-x) overflows to inf for x < -88: 1 / inf = 0, the right limit.
  return _mm512_div_ps(one,
                       _mm512_add_ps(one, exp_fast(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

inline __m512 gelu_vec(__m512 x) {
  return gelu_fast(x);
}

inline __m512 clamp01_vec(__m512 y) {
  return min_vec(max_vec(y, _mm512_setzero_ps()), _mm512_set1_ps(1.0f));
}

// Matches apply_epilogue (NaN: Relu gives 0, Clip/LeakyRelu pass it through).
inline __m512 epilogue_vec(__m512 x, const Epilogue& e) {
  switch (e.kind) {
    case Activation::kNone:
      return x;
    case Activation::kRelu:
      return max_vec(x, _mm512_setzero_ps());
    case Activation::kClip:
      // max/min return the second operand when one is NaN: keep x there.
      return min_vec(_mm512_set1_ps(e.beta), max_vec(_mm512_set1_ps(e.alpha), x));
    case Activation::kLeakyRelu: {
      const __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
      return _mm512_mask_mul_ps(x, neg, x, _mm512_set1_ps(e.alpha));
    }
    case Activation::kSigmoid:
      return sigmoid_vec(x);
    case Activation::kHardSigmoid:
      return clamp01_vec(_mm512_fmadd_ps(x, _mm512_set1_ps(e.alpha), _mm512_set1_ps(e.beta)));
    case Activation::kHardSwish:
      return _mm512_mul_ps(
          x, clamp01_vec(_mm512_fmadd_ps(x, _mm512_set1_ps(1.0f / 6.0f), _mm512_set1_ps(0.5f))));
    case Activation::kTanh:
      return Sleef_tanhf16_u10(x);
    case Activation::kSilu:
      return _mm512_mul_ps(x, sigmoid_vec(x));
    case Activation::kGelu:
      return gelu_vec(x);
  }
  return x;
}

}  // namespace hone::avx512
