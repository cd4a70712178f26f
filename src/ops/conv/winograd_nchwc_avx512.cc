// AVX-512 Winograd transforms: block 16 in zmm registers, block 8 in ymm registers.
#include <immintrin.h>
#include <sleef.h>

#include <cstdint>

#include "ops/conv/conv_nchwc_kernel.h"
#include "ops/conv/winograd_nchwc_kernel.h"

namespace hone::winograd_nchwc::avx512 {
namespace {

using conv_nchwc::kMaxOcTile;
using conv_nchwc::kMaxOwTile;
using conv_nchwc::Tile;
using conv_nchwc::TileFn;

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
  static V select_ge0(V x, V a, V b) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, zero(), _CMP_GE_OQ), b, a);
  }
  static V exp(V x) { return Sleef_expf16_u10avx512f(x); }
  static V tanh(V x) { return Sleef_tanhf16_u10avx512f(x); }
};

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
  static V exp(V x) { return Sleef_expf8_u10avx2(x); }
  static V tanh(V x) { return Sleef_tanhf8_u10avx2(x); }
};

// The conv tile templates are included for activate<Ops> only (no tile is instantiated here).
constexpr bool tile_fits_here(int block, int ow, int oc) {
  return conv_nchwc::tile_fits(Isa::kAvx512, block, ow, oc);
}

#include "ops/conv/conv_nchwc_tile.inl"
#include "ops/conv/winograd_nchwc_transform.inl"

}  // namespace

Transforms transforms(int block) {
  return block == 8 ? transforms_for<Ops8, 8>() : transforms_for<Ops16, 16>();
}

}  // namespace hone::winograd_nchwc::avx512
