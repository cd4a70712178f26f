// AVX2 blocked pools: an 8-lane block is one ymm, a 16-lane block two.
#include <immintrin.h>

#include "ops/pool/pool_nchwc.h"

namespace hone::avx2 {
namespace {

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

struct Lanes16 {
  struct T {
    __m256 lo, hi;
  };
  static constexpr int64_t kLanes = 16;
  static T load(const float* p) { return {_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)}; }
  static void store(float* p, T v) {
    _mm256_storeu_ps(p, v.lo);
    _mm256_storeu_ps(p + 8, v.hi);
  }
  static T set1(float v) { return {_mm256_set1_ps(v), _mm256_set1_ps(v)}; }
  static T max(T a, T b) { return {_mm256_max_ps(a.lo, b.lo), _mm256_max_ps(a.hi, b.hi)}; }
  static T add(T a, T b) { return {_mm256_add_ps(a.lo, b.lo), _mm256_add_ps(a.hi, b.hi)}; }
  static T mul(T a, T b) { return {_mm256_mul_ps(a.lo, b.lo), _mm256_mul_ps(a.hi, b.hi)}; }
};

#include "ops/pool/pool_nchwc_body.inc"

}  // namespace

#include "ops/pool/pool_nchwc_exports.inc"

}  // namespace hone::avx2
