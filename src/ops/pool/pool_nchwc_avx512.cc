// AVX-512 blocked pools: a 16-lane block is one zmm, an 8-lane block one ymm.
#include <immintrin.h>

#include "ops/pool/pool_nchwc.h"

namespace hone::avx512 {
namespace {

// Full-mask forms: GCC 12 warns (maybe-uninitialized) inside the plain _mm512_max_ps.
constexpr __mmask16 kAll = 0xFFFF;

struct Lanes16 {
  using T = __m512;
  static constexpr int64_t kLanes = 16;
  static T load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, T v) { _mm512_storeu_ps(p, v); }
  static T set1(float v) { return _mm512_set1_ps(v); }
  static T max(T a, T b) { return _mm512_maskz_max_ps(kAll, a, b); }
  static T add(T a, T b) { return _mm512_add_ps(a, b); }
  static T mul(T a, T b) { return _mm512_mul_ps(a, b); }
};

struct Lanes8 {
  using T = __m256;
  static constexpr int64_t kLanes = 8;
  static T load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, T v) { _mm256_storeu_ps(p, v); }
  static T set1(float v) { return _mm256_set1_ps(v); }
  static T max(T a, T b) { return _mm256_max_ps(a, b); }
  static T add(T a, T b) { return _mm256_add_ps(a, b); }
  static T mul(T a, T b) { return _mm256_mul_ps(a, b); }
};

#include "ops/pool/pool_nchwc_body.inc"

}  // namespace

#include "ops/pool/pool_nchwc_exports.inc"

}  // namespace hone::avx512
