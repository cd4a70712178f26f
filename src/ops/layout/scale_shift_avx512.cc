// AVX-512 ScaleShift: 16 floats per step, masked tail, activation fused (sleef for
// sigmoid/tanh).
#include <immintrin.h>
#include <sleef.h>

#include "ops/common/fast_math_avx512.h"
#include "ops/layout/scale_shift.h"

namespace hone::avx512 {
namespace {

// Full-mask forms: GCC 12 warns (maybe-uninitialized) inside the plain _mm512_max_ps/min_ps.
inline __m512 vmax(__m512 a, __m512 b) {
  return _mm512_maskz_max_ps(0xFFFF, a, b);
}
inline __m512 vmin(__m512 a, __m512 b) {
  return _mm512_maskz_min_ps(0xFFFF, a, b);
}

template <Activation A>
inline __m512 activate(__m512 v, __m512 alpha, __m512 beta) {
  const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
  if constexpr (A == Activation::kRelu) return vmax(v, zero);
  if constexpr (A == Activation::kClip) return vmin(vmax(v, alpha), beta);
  if constexpr (A == Activation::kLeakyRelu) {
    const __mmask16 neg = _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ);
    return _mm512_mask_mul_ps(v, neg, v, alpha);
  }
  if constexpr (A == Activation::kSigmoid)
    return _mm512_div_ps(one, _mm512_add_ps(one, exp_fast(_mm512_sub_ps(zero, v))));
  if constexpr (A == Activation::kHardSigmoid)
    return vmin(vmax(_mm512_fmadd_ps(v, alpha, beta), zero), one);
  if constexpr (A == Activation::kHardSwish) {
    const __m512 g = _mm512_fmadd_ps(v, _mm512_set1_ps(1.0f / 6.0f), _mm512_set1_ps(0.5f));
    return _mm512_mul_ps(v, vmin(vmax(g, zero), one));
  }
  if constexpr (A == Activation::kTanh) return Sleef_tanhf16_u10(v);
  if constexpr (A == Activation::kSilu)
    return _mm512_div_ps(v, _mm512_add_ps(one, exp_fast(_mm512_sub_ps(zero, v))));
  if constexpr (A == Activation::kGelu) return gelu_fast(v);
  return v;
}

template <Activation A>
void span(const float* x, float* y, int64_t len, __m512 s, __m512 t, const Epilogue& e) {
  const __m512 alpha = _mm512_set1_ps(e.alpha), beta = _mm512_set1_ps(e.beta);
  int64_t i = 0;
  for (; i + 16 <= len; i += 16) {
    const __m512 v = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), s, t);
    _mm512_storeu_ps(y + i, activate<A>(v, alpha, beta));
  }
  if (i < len) {
    const __mmask16 m = static_cast<__mmask16>((1u << (len - i)) - 1u);
    const __m512 v = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x + i), s, t);
    _mm512_mask_storeu_ps(y + i, m, activate<A>(v, alpha, beta));
  }
}

}  // namespace

void scale_shift_span(const float* x, float* y, int64_t len, const float* s, const float* t,
                      int period, const Epilogue& epilogue) {
  __m512 sv, tv;
  if (period == 16) {
    sv = _mm512_loadu_ps(s);
    tv = _mm512_loadu_ps(t);
  } else if (period == 8) {
    sv = _mm512_maskz_broadcast_f32x8(0xFFFF, _mm256_loadu_ps(s));
    tv = _mm512_maskz_broadcast_f32x8(0xFFFF, _mm256_loadu_ps(t));
  } else {
    sv = _mm512_set1_ps(*s);
    tv = _mm512_set1_ps(*t);
  }
  switch (epilogue.kind) {
    case Activation::kNone:
      span<Activation::kNone>(x, y, len, sv, tv, epilogue);
      break;
    case Activation::kRelu:
      span<Activation::kRelu>(x, y, len, sv, tv, epilogue);
      break;
    case Activation::kClip:
      span<Activation::kClip>(x, y, len, sv, tv, epilogue);
      break;
    case Activation::kLeakyRelu:
      span<Activation::kLeakyRelu>(x, y, len, sv, tv, epilogue);
      break;
    case Activation::kSigmoid:
      span<Activation::kSigmoid>(x, y, len, sv, tv, epilogue);
      break;
    case Activation::kHardSigmoid:
      span<Activation::kHardSigmoid>(x, y, len, sv, tv, epilogue);
      break;
    case Activation::kHardSwish:
      span<Activation::kHardSwish>(x, y, len, sv, tv, epilogue);
      break;
    case Activation::kTanh:
      span<Activation::kTanh>(x, y, len, sv, tv, epilogue);
      break;
    case Activation::kSilu:
      span<Activation::kSilu>(x, y, len, sv, tv, epilogue);
      break;
    case Activation::kGelu:
      span<Activation::kGelu>(x, y, len, sv, tv, epilogue);
      break;
  }
}

}  // namespace hone::avx512
