// AVX2 Winograd transforms: block 8 in one ymm register, block 16 in two.
#include <immintrin.h>
#include <sleef.h>

#include <cstdint>

#include "ops/common/fast_math_avx2.h"
#include "ops/conv/conv_nchwc_kernel.h"
#include "ops/conv/winograd_nchwc_kernel.h"

namespace hone::winograd_nchwc::avx2 {
namespace {

#include "ops/common/vector_activate.inl"
#include "ops/common/vector_ops_avx2.inl"
#include "ops/conv/winograd_nchwc_transform.inl"

}  // namespace

Transforms transforms(int block, int tile) {
  return block == 8 ? transforms_for<Ops8, 8>(tile) : transforms_for<Ops8, 16>(tile);
}

}  // namespace hone::winograd_nchwc::avx2
