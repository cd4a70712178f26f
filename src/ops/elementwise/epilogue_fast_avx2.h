// The fused activation (ops/common/epilogue.h) on one AVX2 (8-float) vector, for kernels compiled
// with AVX2+FMA (include only from *_avx2.cc files).
#pragma once

#include <immintrin.h>
#include <sleef.h>

#include "ops/common/epilogue.h"
#include "ops/common/fast_math_avx2.h"

namespace hone::avx2 {

inline __m256 sigmoid_vec(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  // exp(-x) overflows to inf for x < -88: 1 / inf = 0, the right limit.
  return _mm256_div_ps(one,
                       _mm256_add_ps(one, exp_fast(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

inline __m256 clamp01_vec(__m256 y) {
  return _mm256_min_ps(_mm256_max_ps(y, _mm256_setzero_ps()), _mm256_set1_ps(1.0f));
}

// Matches apply_epilogue (NaN: Relu gives 0, Clip/LeakyRelu pass it through).
inline __m256 epilogue_vec(__m256 x, const Epilogue& e) {
  switch (e.kind) {
    case Activation::kNone:
      return x;
    case Activation::kRelu:
      return _mm256_max_ps(x, _mm256_setzero_ps());
    case Activation::kClip:
      // max/min return the second operand when one is NaN: keep x there.
      return _mm256_min_ps(_mm256_set1_ps(e.beta), _mm256_max_ps(_mm256_set1_ps(e.alpha), x));
    case Activation::kLeakyRelu: {
      const __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
      return _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(e.alpha)), neg);
    }
    case Activation::kSigmoid:
      return sigmoid_vec(x);
    case Activation::kHardSigmoid:
      return clamp01_vec(_mm256_fmadd_ps(x, _mm256_set1_ps(e.alpha), _mm256_set1_ps(e.beta)));
    case Activation::kHardSwish:
      return _mm256_mul_ps(
          x, clamp01_vec(_mm256_fmadd_ps(x, _mm256_set1_ps(1.0f / 6.0f), _mm256_set1_ps(0.5f))));
    case Activation::kTanh:
      return Sleef_tanhf8_u10(x);
    case Activation::kSilu:
      return _mm256_mul_ps(x, sigmoid_vec(x));
    case Activation::kGelu:
      return gelu_fast(x);
  }
  return x;
}

}  // namespace hone::avx2
