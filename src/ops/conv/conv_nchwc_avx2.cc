// AVX2 register-tile kernels of the blocked convolution: block 8 in one ymm register, block
// 16 in two; tiles are limited to the 16 ymm registers.
#include <immintrin.h>
#include <sleef.h>

#include <cstdint>
#include <utility>

#include "ops/conv/conv_nchwc_kernel.h"

namespace hone::conv_nchwc::avx2 {
namespace {

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

constexpr bool tile_fits_here(int block, int ow, int oc) {
  return tile_fits(Isa::kAvx2, block, ow, oc);
}

#include "ops/conv/conv_nchwc_tile.inl"

constexpr TileTable kTable16 =
    make_tile_table<Ops8, 16>(std::make_integer_sequence<int, kMaxOcTile>{});
constexpr TileTable kTable8 =
    make_tile_table<Ops8, 8>(std::make_integer_sequence<int, kMaxOcTile>{});

}  // namespace

TileFn tile_kernel(int block, int n_ow, int n_oc) {
  const TileTable& table = block == 8 ? kTable8 : kTable16;
  return table.fn[n_oc - 1][n_ow - 1];
}

}  // namespace hone::conv_nchwc::avx2
