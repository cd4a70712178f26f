// AVX2+FMA chunk loops of the fused elementwise kernel (sleef for exp/log/tanh/erf/pow).
#include <immintrin.h>
#include <sleef.h>

#include "ops/elementwise/epilogue_fast_avx2.h"
#include "ops/elementwise/fused_elementwise_kernel.h"

namespace hone::eltwise_detail::avx2 {
namespace {

using hone::avx2::epilogue_vec;
using hone::avx2::sigmoid_vec;

using V = __m256;
constexpr int kLanes = 8;

V max_vec(V a, V b) {
  return _mm256_max_ps(a, b);
}
V min_vec(V a, V b) {
  return _mm256_min_ps(a, b);
}

template <EltOp kOp>
V apply(V acc, V operand, const Epilogue& e) {
  if constexpr (kOp == EltOp::kRelu) return max_vec(acc, _mm256_setzero_ps());
  if constexpr (kOp == EltOp::kSigmoid) return sigmoid_vec(acc);
  if constexpr (kOp == EltOp::kTanh) return Sleef_tanhf8_u10(acc);
  if constexpr (kOp == EltOp::kExp) return Sleef_expf8_u10(acc);
  if constexpr (kOp == EltOp::kLog) return Sleef_logf8_u10(acc);
  if constexpr (kOp == EltOp::kNeg) return _mm256_sub_ps(_mm256_setzero_ps(), acc);
  if constexpr (kOp == EltOp::kAbs) return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), acc);
  if constexpr (kOp == EltOp::kSqrt) return _mm256_sqrt_ps(acc);
  if constexpr (kOp == EltOp::kErf) return Sleef_erff8_u10(acc);
  if constexpr (kOp == EltOp::kHardSwish || kOp == EltOp::kClip || kOp == EltOp::kLeakyRelu ||
                kOp == EltOp::kHardSigmoid)
    return epilogue_vec(acc, e);
  if constexpr (kOp == EltOp::kAdd) return _mm256_add_ps(acc, operand);
  if constexpr (kOp == EltOp::kSub) return _mm256_sub_ps(acc, operand);
  if constexpr (kOp == EltOp::kMul) return _mm256_mul_ps(acc, operand);
  if constexpr (kOp == EltOp::kDiv) return _mm256_div_ps(acc, operand);
  // vmaxps returns its second operand when either is NaN, as acc > operand ? acc : operand.
  if constexpr (kOp == EltOp::kMax) return max_vec(acc, operand);
  if constexpr (kOp == EltOp::kMin) return min_vec(acc, operand);
  if constexpr (kOp == EltOp::kPow) return Sleef_powf8_u10(acc, operand);
  if constexpr (kOp == EltOp::kRSub) return _mm256_sub_ps(operand, acc);
  if constexpr (kOp == EltOp::kRDiv) return _mm256_div_ps(operand, acc);
  return acc;
}

template <EltOp kOp>
void loop(const float* src, float* y, int64_t n, const ChunkStep& s, const Epilogue& e) {
  const V scalar = _mm256_set1_ps(s.scalar);
  // i & index_mask: i itself, or i wrapped into a repeating operand's period.
  const int64_t index_mask = s.period ? s.period - 1 : -1;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const V operand = s.vec ? _mm256_loadu_ps(s.vec + (i & index_mask)) : scalar;
    _mm256_storeu_ps(y + i, apply<kOp>(_mm256_loadu_ps(src + i), operand, e));
  }
  if (i < n) {
    // Lanes past n read as 0 and are not stored.
    const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n - i)),
                                         _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const V operand = s.vec ? _mm256_maskload_ps(s.vec + (i & index_mask), m) : scalar;
    _mm256_maskstore_ps(y + i, m, apply<kOp>(_mm256_maskload_ps(src + i, m), operand, e));
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

}  // namespace hone::eltwise_detail::avx2
