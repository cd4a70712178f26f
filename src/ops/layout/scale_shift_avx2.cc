// AVX2 ScaleShift: two 8-float vectors per step (a 16-lane block is two ymm), masked tail,
// activation fused (sleef for sigmoid/tanh).
#include <immintrin.h>
#include <sleef.h>

#include "ops/common/fast_math_avx2.h"
#include "ops/layout/scale_shift.h"

namespace hone::avx2 {
namespace {

template <Activation A>
inline __m256 activate(__m256 v, __m256 alpha, __m256 beta) {
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  if constexpr (A == Activation::kRelu) return _mm256_max_ps(v, zero);
  if constexpr (A == Activation::kClip) return _mm256_min_ps(_mm256_max_ps(v, alpha), beta);
  if constexpr (A == Activation::kLeakyRelu)
    return _mm256_blendv_ps(v, _mm256_mul_ps(v, alpha), _mm256_cmp_ps(v, zero, _CMP_LT_OQ));
  if constexpr (A == Activation::kSigmoid)
    return _mm256_div_ps(one, _mm256_add_ps(one, exp_fast(_mm256_sub_ps(zero, v))));
  if constexpr (A == Activation::kHardSigmoid)
    return _mm256_min_ps(_mm256_max_ps(_mm256_fmadd_ps(v, alpha, beta), zero), one);
  if constexpr (A == Activation::kHardSwish) {
    const __m256 g = _mm256_fmadd_ps(v, _mm256_set1_ps(1.0f / 6.0f), _mm256_set1_ps(0.5f));
    return _mm256_mul_ps(v, _mm256_min_ps(_mm256_max_ps(g, zero), one));
  }
  if constexpr (A == Activation::kTanh) return Sleef_tanhf8_u10(v);
  if constexpr (A == Activation::kSilu)
    return _mm256_div_ps(v, _mm256_add_ps(one, exp_fast(_mm256_sub_ps(zero, v))));
  if constexpr (A == Activation::kGelu) return gelu_fast(v);
  return v;
}

// s0/t0 apply to even 8-float groups, s1/t1 to odd ones (equal unless the period is 16).
template <Activation A>
void span(const float* x, float* y, int64_t len, __m256 s0, __m256 t0, __m256 s1, __m256 t1,
          const Epilogue& e) {
  const __m256 alpha = _mm256_set1_ps(e.alpha), beta = _mm256_set1_ps(e.beta);
  int64_t i = 0;
  for (; i + 16 <= len; i += 16) {
    const __m256 v0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), s0, t0);
    const __m256 v1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), s1, t1);
    _mm256_storeu_ps(y + i, activate<A>(v0, alpha, beta));
    _mm256_storeu_ps(y + i + 8, activate<A>(v1, alpha, beta));
  }
  for (; i < len; i += 8) {
    const int64_t rest = len - i < 8 ? len - i : 8;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rest)), lane);
    const __m256 v = _mm256_fmadd_ps(_mm256_maskload_ps(x + i, m), s0, t0);
    _mm256_maskstore_ps(y + i, m, activate<A>(v, alpha, beta));
  }
}

}  // namespace

void scale_shift_span(const float* x, float* y, int64_t len, const float* s, const float* t,
                      int period, const Epilogue& epilogue) {
  __m256 s0, t0, s1, t1;
  if (period == 1) {
    s0 = s1 = _mm256_set1_ps(*s);
    t0 = t1 = _mm256_set1_ps(*t);
  } else {
    s0 = _mm256_loadu_ps(s);
    t0 = _mm256_loadu_ps(t);
    s1 = period == 16 ? _mm256_loadu_ps(s + 8) : s0;
    t1 = period == 16 ? _mm256_loadu_ps(t + 8) : t0;
  }
#define HONE_SPAN(A) span<Activation::A>(x, y, len, s0, t0, s1, t1, epilogue)
  switch (epilogue.kind) {
    case Activation::kNone:
      HONE_SPAN(kNone);
      break;
    case Activation::kRelu:
      HONE_SPAN(kRelu);
      break;
    case Activation::kClip:
      HONE_SPAN(kClip);
      break;
    case Activation::kLeakyRelu:
      HONE_SPAN(kLeakyRelu);
      break;
    case Activation::kSigmoid:
      HONE_SPAN(kSigmoid);
      break;
    case Activation::kHardSigmoid:
      HONE_SPAN(kHardSigmoid);
      break;
    case Activation::kHardSwish:
      HONE_SPAN(kHardSwish);
      break;
    case Activation::kTanh:
      HONE_SPAN(kTanh);
      break;
    case Activation::kSilu:
      HONE_SPAN(kSilu);
      break;
    case Activation::kGelu:
      HONE_SPAN(kGelu);
      break;
  }
#undef HONE_SPAN
}

}  // namespace hone::avx2
