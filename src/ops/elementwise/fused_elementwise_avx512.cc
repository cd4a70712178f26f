// AVX-512 chunk loops of the fused elementwise kernel (sleef for exp/log/tanh/erf/pow).
#include <immintrin.h>
#include <sleef.h>

#include "ops/elementwise/epilogue_fast_avx512.h"
#include "ops/elementwise/fused_elementwise_kernel.h"

namespace hone::eltwise_detail::avx512 {
namespace {

using hone::avx512::epilogue_vec;
using hone::avx512::max_vec;
using hone::avx512::min_vec;
using hone::avx512::sigmoid_vec;

using V = __m512;
constexpr int kLanes = 16;

template <EltOp kOp>
V apply(V acc, V operand, const Epilogue& e) {
  if constexpr (kOp == EltOp::kRelu) return max_vec(acc, _mm512_setzero_ps());
  if constexpr (kOp == EltOp::kSigmoid) return sigmoid_vec(acc);
  if constexpr (kOp == EltOp::kTanh) return Sleef_tanhf16_u10(acc);
  if constexpr (kOp == EltOp::kExp) return Sleef_expf16_u10(acc);
  if constexpr (kOp == EltOp::kLog) return Sleef_logf16_u10(acc);
  if constexpr (kOp == EltOp::kNeg) return _mm512_sub_ps(_mm512_setzero_ps(), acc);
  if constexpr (kOp == EltOp::kAbs) return _mm512_abs_ps(acc);
  if constexpr (kOp == EltOp::kSqrt) return _mm512_maskz_sqrt_ps(0xFFFF, acc);
  if constexpr (kOp == EltOp::kErf) return Sleef_erff16_u10(acc);
  if constexpr (kOp == EltOp::kHardSwish || kOp == EltOp::kClip || kOp == EltOp::kLeakyRelu ||
                kOp == EltOp::kHardSigmoid)
    return epilogue_vec(acc, e);
  if constexpr (kOp == EltOp::kAdd) return _mm512_add_ps(acc, operand);
  if constexpr (kOp == EltOp::kSub) return _mm512_sub_ps(acc, operand);
  if constexpr (kOp == EltOp::kMul) return _mm512_mul_ps(acc, operand);
  if constexpr (kOp == EltOp::kDiv) return _mm512_div_ps(acc, operand);
  // vmaxps returns its second operand when either is NaN, as acc > operand ? acc : operand.
  if constexpr (kOp == EltOp::kMax) return max_vec(acc, operand);
  if constexpr (kOp == EltOp::kMin) return min_vec(acc, operand);
  if constexpr (kOp == EltOp::kPow) return Sleef_powf16_u10(acc, operand);
  if constexpr (kOp == EltOp::kRSub) return _mm512_sub_ps(operand, acc);
  if constexpr (kOp == EltOp::kRDiv) return _mm512_div_ps(operand, acc);
  return acc;
}

template <EltOp kOp>
void loop(const float* src, float* y, int64_t n, const ChunkStep& s, const Epilogue& e) {
  const V scalar = _mm512_set1_ps(s.scalar);
  // i & index_mask: i itself, or i wrapped into a repeating operand's period.
  const int64_t index_mask = s.period ? s.period - 1 : -1;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const V operand = s.vec ? _mm512_loadu_ps(s.vec + (i & index_mask)) : scalar;
    _mm512_storeu_ps(y + i, apply<kOp>(_mm512_loadu_ps(src + i), operand, e));
  }
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
    // Lanes past n read as 1 so that log/sqrt/div of them stay quiet; they are not stored.
    const V one = _mm512_set1_ps(1.0f);
    const V operand = s.vec ? _mm512_mask_loadu_ps(one, m, s.vec + (i & index_mask)) : scalar;
    _mm512_mask_storeu_ps(y + i, m, apply<kOp>(_mm512_mask_loadu_ps(one, m, src + i), operand, e));
  }
}

Epilogue epilogue_of(const ChunkStep& s) {
  switch (s.op) {
    case EltOp::kHardSwish:
      return {Activation::kHardSwish, 0.0f, 0.0f};
    case EltOp::kClip:
      return {Activation::kClip, s.alpha, s.beta};
    case EltOp::kLeakyRelu:
      return {Activation::kLeakyRelu, s.alpha, 0.0f};
    case EltOp::kHardSigmoid:
      return {Activation::kHardSigmoid, s.alpha, s.beta};
    default:
      return {};
  }
}

}  // namespace

void run_chunk(const float* x0, float* y, int64_t n, const ChunkStep* steps, int count) {
  if (count == 0) {
    if (x0 != y) loop<EltOp::kAdd>(x0, y, n, ChunkStep{EltOp::kAdd, 0, 0, nullptr, 0.0f}, {});
    return;
  }
  for (int k = 0; k < count; ++k) {
    const ChunkStep& s = steps[k];
    const float* src = k == 0 ? x0 : y;
    const Epilogue e = epilogue_of(s);
    switch (s.op) {
#define HONE_CASE(OP)                 \
  case EltOp::OP:                     \
    loop<EltOp::OP>(src, y, n, s, e); \
    break;
      HONE_CASE(kRelu)
      HONE_CASE(kSigmoid)
      HONE_CASE(kTanh) HONE_CASE(kExp) HONE_CASE(kLog) HONE_CASE(kNeg) HONE_CASE(kAbs)
          HONE_CASE(kSqrt) HONE_CASE(kErf) HONE_CASE(kHardSwish) HONE_CASE(kClip)
              HONE_CASE(kLeakyRelu) HONE_CASE(kHardSigmoid) HONE_CASE(kAdd) HONE_CASE(kSub)
                  HONE_CASE(kMul) HONE_CASE(kDiv) HONE_CASE(kMax) HONE_CASE(kMin) HONE_CASE(kPow)
                      HONE_CASE(kRSub) HONE_CASE(kRDiv)
#undef HONE_CASE
    }
  }
}

}  // namespace hone::eltwise_detail::avx512
