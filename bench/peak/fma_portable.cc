// The baseline (SSE2) chains of hone-peak: a 128-bit multiply then a dependent add per step,
// the best the portable x86-64 build can do without FMA.
#include <emmintrin.h>

#include "peak/peak.h"

namespace hone::peak::portable {

float fma_chains(int64_t iters) {
  static_assert(kFmaChainsPortable == 12, "the unrolled body below has 12 chains");
  const __m128 m = _mm_set1_ps(0.999999f);
  const __m128 a = _mm_set1_ps(1e-6f);
  __m128 c0 = _mm_set1_ps(0.0f), c1 = _mm_set1_ps(0.1f), c2 = _mm_set1_ps(0.2f);
  __m128 c3 = _mm_set1_ps(0.3f), c4 = _mm_set1_ps(0.4f), c5 = _mm_set1_ps(0.5f);
  __m128 c6 = _mm_set1_ps(0.6f), c7 = _mm_set1_ps(0.7f), c8 = _mm_set1_ps(0.8f);
  __m128 c9 = _mm_set1_ps(0.9f), c10 = _mm_set1_ps(1.0f), c11 = _mm_set1_ps(1.1f);
  for (int64_t i = 0; i < iters; ++i) {
    c0 = _mm_add_ps(_mm_mul_ps(c0, m), a);
    c1 = _mm_add_ps(_mm_mul_ps(c1, m), a);
    c2 = _mm_add_ps(_mm_mul_ps(c2, m), a);
    c3 = _mm_add_ps(_mm_mul_ps(c3, m), a);
    c4 = _mm_add_ps(_mm_mul_ps(c4, m), a);
    c5 = _mm_add_ps(_mm_mul_ps(c5, m), a);
    c6 = _mm_add_ps(_mm_mul_ps(c6, m), a);
    c7 = _mm_add_ps(_mm_mul_ps(c7, m), a);
    c8 = _mm_add_ps(_mm_mul_ps(c8, m), a);
    c9 = _mm_add_ps(_mm_mul_ps(c9, m), a);
    c10 = _mm_add_ps(_mm_mul_ps(c10, m), a);
    c11 = _mm_add_ps(_mm_mul_ps(c11, m), a);
  }
  __m128 s = _mm_add_ps(_mm_add_ps(_mm_add_ps(c0, c1), _mm_add_ps(c2, c3)),
                        _mm_add_ps(_mm_add_ps(c4, c5), _mm_add_ps(c6, c7)));
  s = _mm_add_ps(s, _mm_add_ps(_mm_add_ps(c8, c9), _mm_add_ps(c10, c11)));
  alignas(16) float lanes[4];
  _mm_store_ps(lanes, s);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

}  // namespace hone::peak::portable
