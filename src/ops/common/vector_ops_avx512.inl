// Ops16: 16 float lanes in a zmm register, the vector-ops struct the blocked kernels'
// templates (conv tiles, Winograd transforms) are written over; needs AVX-512F.
// Not a normal header: include it INSIDE the anonymous namespace of a file compiled for the
// ISA (after <immintrin.h> and <sleef.h>), so each ISA gets its own inline copies.

struct Ops16 {
  using V = __m512;
  static constexpr int kWidth = 16;
  static void prefetch(const float* p) {
    _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0);
  }
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float x) { return _mm512_set1_ps(x); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V div(V a, V b) { return _mm512_div_ps(a, b); }
  // The maskz forms: GCC 12 warns that the plain ones' undefined pass-through is uninitialized.
  static V max(V a, V b) { return _mm512_maskz_max_ps(0xffff, a, b); }
  static V min(V a, V b) { return _mm512_maskz_min_ps(0xffff, a, b); }
  // x >= 0 ? a : b
  static V select_ge0(V x, V a, V b) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, zero(), _CMP_GE_OQ), b, a);
  }
  static V exp(V x) { return hone::avx512::exp_fast(x); }
  static V tanh(V x) { return Sleef_tanhf16_u10avx512f(x); }
  static V gelu(V x) { return hone::avx512::gelu_fast(x); }
};
