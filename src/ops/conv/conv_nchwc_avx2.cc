// AVX2 register-tile kernels of the blocked convolution: block 8 in one ymm register, block
// 16 in two; tiles are limited to the 16 ymm registers.
#include <immintrin.h>
#include <sleef.h>

#include <cstdint>
#include <utility>

#include "ops/common/fast_math_avx2.h"
#include "ops/conv/conv_nchwc_kernel.h"

namespace hone::conv_nchwc::avx2 {
namespace {

#include "ops/common/vector_activate.inl"
#include "ops/common/vector_ops_avx2.inl"

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
