// Ops8: 8 float lanes in a ymm register, the vector-ops struct the blocked kernels'
// templates (conv tiles, Winograd transforms) are written over; needs AVX2 + FMA.
// Not a normal header: include it INSIDE the anonymous namespace of a file compiled for the
// ISA (after <immintrin.h> and <sleef.h>), so each ISA gets its own inline copies.

struct Ops8 {
  using V = __m256;
  static constexpr int kWidth = 8;
  static void prefetch(const float* p) {
    _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0);
  }
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(float x) { return _mm256_set1_ps(x); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V div(V a, V b) { return _mm256_div_ps(a, b); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V min(V a, V b) { return _mm256_min_ps(a, b); }
  static V select_ge0(V x, V a, V b) {
    return _mm256_blendv_ps(b, a, _mm256_cmp_ps(x, zero(), _CMP_GE_OQ));
  }
  static V exp(V x) { return hone::avx2::exp_fast(x); }
  static V tanh(V x) { return Sleef_tanhf8_u10avx2(x); }
  static V gelu(V x) { return hone::avx2::gelu_fast(x); }
};
