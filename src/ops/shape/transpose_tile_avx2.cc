// AVX2 8 x 8 register transposes for TransposeFast's 4-byte tiles (see transpose_tile.h).
// Only data movement: the float shuffles carry any 32-bit pattern (NaN payloads, integers)
// through unchanged.
#include <immintrin.h>

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
  const int64_t full_rows = rows / 8 * 8, full_cols = cols / 8 * 8;
  for (int64_t r = 0; r < full_rows; r += 8)
    for (int64_t c = 0; c < full_cols; c += 8)
      transpose_8x8(src + r * src_stride + c, src_stride, dst + c * dst_stride + r, dst_stride);
  // Edges: the columns past the last full block (all rows), then the rows past it.
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = full_cols; c < cols; ++c) dst[c * dst_stride + r] = src[r * src_stride + c];
  for (int64_t r = full_rows; r < rows; ++r)
    for (int64_t c = 0; c < full_cols; ++c) dst[c * dst_stride + r] = src[r * src_stride + c];
}

}  // namespace hone::transpose_detail
