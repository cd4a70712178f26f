// AVX2 8 x 8 register transposes for TransposeFast's 4-byte tiles (see transpose_tile.h).
// Only data movement: the float shuffles carry any 32-bit pattern (NaN payloads, integers)
// through unchanged.
#include <immintrin.h>

#include <algorithm>

#include "ops/shape/transpose_tile.h"

namespace hone::transpose_detail {
namespace {

void transpose_8x8(const uint32_t* src, int64_t src_stride, uint32_t* dst, int64_t dst_stride) {
  __m256 r[8];
  for (int i = 0; i < 8; ++i)
    r[i] = _mm256_loadu_ps(reinterpret_cast<const float*>(src + i * src_stride));
  // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves exchanged.
  __m256 t[8];
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  __m256 s[8];
  for (int i = 0; i < 2; ++i) {
    s[4 * i + 0] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    s[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    s[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    s[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 4; ++i) {
    _mm256_storeu_ps(reinterpret_cast<float*>(dst + i * dst_stride),
                     _mm256_permute2f128_ps(s[i], s[i + 4], 0x20));
    _mm256_storeu_ps(reinterpret_cast<float*>(dst + (i + 4) * dst_stride),
                     _mm256_permute2f128_ps(s[i], s[i + 4], 0x31));
  }
}

}  // namespace

void transpose_tile_u32_avx2(const uint32_t* src, int64_t src_stride, uint32_t* dst,
                             int64_t dst_stride, int64_t rows, int64_t cols) {
  if (rows >= 8 && cols >= 8) {
    // The last block of each axis starts 8 before its end, overlapping the one before: the
    // overlap is written twice with the same values (src and dst never overlap), which beats
    // element-by-element edges (a GEMM's 14-row A panels: 6 of 14 rows were edges).
    for (int64_t r = 0; r < rows; r += 8) {
      const int64_t r0 = std::min(r, rows - 8);
      for (int64_t c = 0; c < cols; c += 8) {
        const int64_t c0 = std::min(c, cols - 8);
        transpose_8x8(src + r0 * src_stride + c0, src_stride, dst + c0 * dst_stride + r0,
                      dst_stride);
      }
    }
    return;
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) dst[c * dst_stride + r] = src[r * src_stride + c];
}

}  // namespace hone::transpose_detail
