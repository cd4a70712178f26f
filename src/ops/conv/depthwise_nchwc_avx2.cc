// AVX2+FMA variant of the depthwise row kernel: one ymm register (8 lanes) per output pixel;
// block 16 runs as two 8-lane halves.
#include <immintrin.h>
#include <sleef.h>

#include "ops/common/fast_math_avx2.h"
#include "ops/conv/depthwise_nchwc_kernels.h"

namespace hone::avx2 {
namespace {

using V = __m256;
constexpr int64_t kLanes = 8;
inline V load(const float* p) {
  return _mm256_loadu_ps(p);
}
inline void store(float* p, V v) {
  _mm256_storeu_ps(p, v);
}
inline V splat(float f) {
  return _mm256_set1_ps(f);
}
inline V fmadd(V a, V b, V c) {
  return _mm256_fmadd_ps(a, b, c);
}
inline V add(V a, V b) {
  return _mm256_add_ps(a, b);
}
inline V mul(V a, V b) {
  return _mm256_mul_ps(a, b);
}
inline V vdiv(V a, V b) {
  return _mm256_div_ps(a, b);
}
inline V vmax(V a, V b) {
  return _mm256_max_ps(a, b);
}
inline V vmin(V a, V b) {
  return _mm256_min_ps(a, b);
}
inline V vexp(V a) {
  return exp_fast(a);
}
inline V vtanh(V a) {
  return Sleef_tanhf8_u10(a);
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

}  // namespace hone::avx2
