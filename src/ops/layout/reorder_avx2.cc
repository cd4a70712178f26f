// AVX2 reorder tiles: 8 channels x 8 pixels transposed in registers.
#include <immintrin.h>

#include "ops/layout/reorder.h"

namespace hone::avx2 {
namespace {

inline void transpose8(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

}  // namespace

void reorder_to_blocked_tile(const BlockedShape& s, const float* x, float* y, int64_t n, int64_t cb,
                             int64_t p0, int64_t p1) {
  const int b = s.block;
  const int64_t cb_count = (s.channels + b - 1) / b;  // no inline helpers in ISA files
  float* out = y + (n * cb_count + cb) * s.spatial * b;
  const float* rows[16];
  for (int l = 0; l < b; ++l) {
    const int64_t c = cb * b + l;
    rows[l] = c < s.channels ? x + (n * s.channels + c) * s.spatial : nullptr;
  }
  int64_t p = p0;
  for (; p + 8 <= p1; p += 8) {
    for (int g = 0; g < b; g += 8) {
      __m256 r[8];
      for (int i = 0; i < 8; ++i)
        r[i] = rows[g + i] ? _mm256_loadu_ps(rows[g + i] + p) : _mm256_setzero_ps();
      transpose8(r);
      for (int i = 0; i < 8; ++i) _mm256_storeu_ps(out + (p + i) * b + g, r[i]);
    }
  }
  for (; p < p1; ++p)
    for (int l = 0; l < b; ++l) out[p * b + l] = rows[l] ? rows[l][p] : 0.0f;
}

void reorder_from_blocked_tile(const BlockedShape& s, const float* x, float* y, int64_t n,
                               int64_t cb, int64_t p0, int64_t p1) {
  const int b = s.block;
  const int64_t cb_count = (s.channels + b - 1) / b;  // no inline helpers in ISA files
  const float* in = x + (n * cb_count + cb) * s.spatial * b;
  float* rows[16];
  for (int l = 0; l < b; ++l) {
    const int64_t c = cb * b + l;
    rows[l] = c < s.channels ? y + (n * s.channels + c) * s.spatial : nullptr;
  }
  int64_t p = p0;
  for (; p + 8 <= p1; p += 8) {
    for (int g = 0; g < b; g += 8) {
      __m256 r[8];
      for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(in + (p + i) * b + g);
      transpose8(r);
      for (int i = 0; i < 8; ++i)
        if (rows[g + i]) _mm256_storeu_ps(rows[g + i] + p, r[i]);
    }
  }
  for (; p < p1; ++p)
    for (int l = 0; l < b; ++l)
      if (rows[l]) rows[l][p] = in[p * b + l];
}

}  // namespace hone::avx2
