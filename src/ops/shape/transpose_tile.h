// The square-tile step of TransposeFast for 4-byte elements, per instruction set: the portable
// one copies element by element; the AVX2 one moves 8 x 8 blocks through registers (8 loads,
// 24 shuffles, 8 stores per 64 elements), the edges as blocks overlapping the ones before
// (element by element only when a side is shorter than 8).
#pragma once

#include <cstdint>

namespace hone::transpose_detail {

// src is rows x cols, its rows src_stride elements apart; writes dst, cols x rows, its rows
// dst_stride apart: dst[c * dst_stride + r] = src[r * src_stride + c]. src and dst must not
// overlap.
void transpose_tile_u32_avx2(const uint32_t* src, int64_t src_stride, uint32_t* dst,
                             int64_t dst_stride, int64_t rows, int64_t cols);

}  // namespace hone::transpose_detail
