// AVX-512 variant of the depthwise row kernel: block 16, one zmm register per output pixel.
#include <immintrin.h>
#include <sleef.h>

#include "ops/common/fast_math_avx512.h"
#include "ops/conv/depthwise_nchwc_kernels.h"

namespace hone::avx512 {
namespace {

using V = __m512;
constexpr int64_t kLanes = 16;
inline V load(const float* p) {
  return _mm512_loadu_ps(p);
}
inline void store(float* p, V v) {
  _mm512_storeu_ps(p, v);
}
inline V splat(float f) {
  return _mm512_set1_ps(f);
}
inline V fmadd(V a, V b, V c) {
  return _mm512_fmadd_ps(a, b, c);
}
inline V add(V a, V b) {
  return _mm512_add_ps(a, b);
}
inline V mul(V a, V b) {
  return _mm512_mul_ps(a, b);
}
inline V vdiv(V a, V b) {
  return _mm512_div_ps(a, b);
}
// The maskz forms: GCC 12 warns that _mm512_max_ps's undefined pass-through "may be used
// uninitialized" (a false positive that -Werror turns into an error).
inline V vmax(V a, V b) {
  return _mm512_maskz_max_ps(0xFFFF, a, b);
}
inline V vmin(V a, V b) {
  return _mm512_maskz_min_ps(0xFFFF, a, b);
}
inline V vexp(V a) {
  return exp_fast(a);
}
inline V vtanh(V a) {
  return Sleef_tanhf16_u10(a);
}
inline V vgelu(V a) {
  return gelu_fast(a);
}
// Makes v opaque to the compiler, so a loaded input stays in a register for the FMAs that
// share it instead of being reloaded as a memory operand of each.
inline void keep_in_register(V& v) {
  __asm__("" : "+v"(v));
}

#include "ops/conv/depthwise_nchwc_body.inc"

}  // namespace

void depthwise_rows(const DepthwiseRowArgs& a, int64_t oh_begin, int64_t oh_end) {
  rows_dispatch(a, oh_begin, oh_end);
}

}  // namespace hone::avx512
