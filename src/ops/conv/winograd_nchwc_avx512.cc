// AVX-512 Winograd transforms: block 16 in zmm registers, block 8 in ymm registers.
#include <immintrin.h>
#include <sleef.h>

#include <cstdint>

#include "ops/common/fast_math_avx2.h"
#include "ops/common/fast_math_avx512.h"
#include "ops/conv/conv_nchwc_kernel.h"
#include "ops/conv/winograd_nchwc_kernel.h"

namespace hone::winograd_nchwc::avx512 {
namespace {

#include "ops/common/vector_activate.inl"
#include "ops/common/vector_ops_avx2.inl"
#include "ops/common/vector_ops_avx512.inl"
#include "ops/conv/winograd_nchwc_transform.inl"

}  // namespace

Transforms transforms(int block, int tile) {
  return block == 8 ? transforms_for<Ops8, 8>(tile) : transforms_for<Ops16, 16>(tile);
}

}  // namespace hone::winograd_nchwc::avx512
