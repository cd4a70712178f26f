// AVX2+FMA register tiles of the packed GEMM: up to 12 rows x 8 or 6 rows x 16 columns
// (16 ymm registers: accumulators + B vectors + one broadcast).
#include <immintrin.h>

#include "ops/elementwise/epilogue_fast_avx2.h"
#include "ops/gemm/gemm_microkernel.h"

namespace hone::gemm_detail::avx2 {
namespace {

using hone::avx2::epilogue_vec;

constexpr int kLanes = 8;

// Lanes [0, n) of one vector as a maskload/maskstore mask.
__m256i lane_mask(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// See the AVX-512 file: independent accumulator sets hide FMA latency in small tiles.
template <int MR, int NV>
void tile(const TileArgs& t) {
  constexpr int kSets = MR * NV <= 2 ? 4 : (MR * NV <= 5 ? 2 : 1);
  constexpr int kNr = NV * kLanes;
  __m256 acc[kSets][MR][NV];
#pragma GCC unroll 64
  for (int s = 0; s < kSets; ++s)
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[s][r][v] = _mm256_setzero_ps();
  const float* a = t.a;
  const float* b = t.b;
  const int64_t as = t.a_stride;
  // Row offsets kept in registers: the broadcasts address a + offset with one pointer that
  // steps through k, whether A is packed (offsets 0..MR-1) or read in place (multiples of lda).
  int64_t row_offset[MR];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) row_offset[r] = r * t.a_row_stride;
  int64_t kk = 0;
  for (; kk + kSets <= t.k; kk += kSets) {
#pragma GCC unroll 4
    for (int s = 0; s < kSets; ++s) {
      __m256 bv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) bv[v] = _mm256_load_ps(b + (kk + s) * kNr + v * kLanes);
#pragma GCC unroll 16
      for (int r = 0; r < MR; ++r) {
        const __m256 av = _mm256_broadcast_ss(a + s * as + row_offset[r]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[s][r][v] = _mm256_fmadd_ps(av, bv[v], acc[s][r][v]);
      }
    }
    a += kSets * as;
  }
  for (; kk < t.k; ++kk) {
    __m256 bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = _mm256_load_ps(b + kk * kNr + v * kLanes);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m256 av = _mm256_broadcast_ss(a + row_offset[r]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[0][r][v] = _mm256_fmadd_ps(av, bv[v], acc[0][r][v]);
    }
    a += as;
  }
#pragma GCC unroll 4
  for (int s = 1; s < kSets; ++s)
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[0][r][v] = _mm256_add_ps(acc[0][r][v], acc[s][r][v]);

  __m256i masks[NV];
  bool any[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    masks[v] = lane_mask(t.cols - v * kLanes);
    any[v] = t.cols > v * kLanes;
  }
  // Masked loads and stores only for a partial tile: a ymm maskstore costs about a dozen
  // cycles on Zen 2/3, and 12 of them per call cost a short-k tile (k 96) a third of its time.
  const bool full = t.cols == kNr;
  __m256 bias[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v)
    bias[v] = t.last && t.bias && any[v] ? _mm256_maskload_ps(t.bias + v * kLanes, masks[v])
                                         : _mm256_setzero_ps();
    // Stores first, then the activation over the stored rows: an accumulator alive across the
    // out-of-line epilogue call made GCC give every accumulator a stack home and store it on each
    // step of the k loop (12 stores per 12 FMAs in the 6x16 tile: 28 GFLOP/s of a 100 peak).
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    if (r >= t.rows) break;
    float* yr = t.y + r * t.ldy;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (!any[v]) continue;
      __m256 x = acc[0][r][v];
      if (full) {
        if (t.accumulate) x = _mm256_add_ps(x, _mm256_loadu_ps(yr + v * kLanes));
        if (t.last) x = _mm256_add_ps(x, bias[v]);
        _mm256_storeu_ps(yr + v * kLanes, x);
        continue;
      }
      if (t.accumulate) x = _mm256_add_ps(x, _mm256_maskload_ps(yr + v * kLanes, masks[v]));
      if (t.last) x = _mm256_add_ps(x, bias[v]);
      _mm256_maskstore_ps(yr + v * kLanes, masks[v], x);
    }
  }
  if (!t.last || !t.epilogue || t.epilogue->kind == Activation::kNone) return;
  for (int r = 0; r < MR && r < t.rows; ++r) {
    float* yr = t.y + r * t.ldy;
    for (int v = 0; v < NV; ++v) {
      if (!any[v]) continue;
      if (full) {
        _mm256_storeu_ps(yr + v * kLanes,
                         epilogue_vec(_mm256_loadu_ps(yr + v * kLanes), *t.epilogue));
        continue;
      }
      const __m256 x = _mm256_maskload_ps(yr + v * kLanes, masks[v]);
      _mm256_maskstore_ps(yr + v * kLanes, masks[v], epilogue_vec(x, *t.epilogue));
    }
  }
}

// One row of A against P panels at once (a GEMV): see the AVX-512 file. Stores first, then
// the activation over the stored values, as in tile().
template <int NV, int P>
void gemv_panels(const TileArgs& t) {
  constexpr int kNr = NV * kLanes;
  __m256 acc[P][NV];
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[p][v] = _mm256_setzero_ps();
  const float* a = t.a;
  const int64_t as = t.a_stride, ps = t.panel_stride;
  const float* b = t.b;
#pragma GCC unroll 2
  for (int64_t kk = 0; kk < t.k; ++kk) {
    const __m256 av = _mm256_broadcast_ss(a + kk * as);
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v)
        acc[p][v] =
            _mm256_fmadd_ps(av, _mm256_load_ps(b + p * ps + kk * kNr + v * kLanes), acc[p][v]);
  }
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const int col = p * kNr + v * kLanes;
      if (t.cols <= col) continue;
      __m256 x = acc[p][v];
      if (t.cols >= col + kLanes) {
        if (t.accumulate) x = _mm256_add_ps(x, _mm256_loadu_ps(t.y + col));
        if (t.last && t.bias) x = _mm256_add_ps(x, _mm256_loadu_ps(t.bias + col));
        _mm256_storeu_ps(t.y + col, x);
        continue;
      }
      const __m256i mask = lane_mask(t.cols - col);
      if (t.accumulate) x = _mm256_add_ps(x, _mm256_maskload_ps(t.y + col, mask));
      if (t.last && t.bias) x = _mm256_add_ps(x, _mm256_maskload_ps(t.bias + col, mask));
      _mm256_maskstore_ps(t.y + col, mask, x);
    }
  if (!t.last || !t.epilogue || t.epilogue->kind == Activation::kNone) return;
  for (int col = 0; col < t.cols; col += kLanes) {
    if (t.cols >= col + kLanes) {
      _mm256_storeu_ps(t.y + col, epilogue_vec(_mm256_loadu_ps(t.y + col), *t.epilogue));
      continue;
    }
    const __m256i mask = lane_mask(t.cols - col);
    const __m256 x = _mm256_maskload_ps(t.y + col, mask);
    _mm256_maskstore_ps(t.y + col, mask, epilogue_vec(x, *t.epilogue));
  }
}

using TileFn = void (*)(const TileArgs&);

template <int NV>
constexpr TileFn kGemvTiles[4] = {tile<1, NV>, gemv_panels<NV, 2>, gemv_panels<NV, 3>,
                                  gemv_panels<NV, 4>};

constexpr TileFn kTilesNr8[12] = {tile<1, 1>, tile<2, 1>,  tile<3, 1>,  tile<4, 1>,
                                  tile<5, 1>, tile<6, 1>,  tile<7, 1>,  tile<8, 1>,
                                  tile<9, 1>, tile<10, 1>, tile<11, 1>, tile<12, 1>};
constexpr TileFn kTilesNr16[6] = {tile<1, 2>, tile<2, 2>, tile<3, 2>,
                                  tile<4, 2>, tile<5, 2>, tile<6, 2>};

}  // namespace

void gemm_tile_nr8(const TileArgs& t) {
  if (t.panels > 1) return kGemvTiles<1>[t.panels - 1](t);
  kTilesNr8[t.rows - 1](t);
}
void gemm_tile_nr16(const TileArgs& t) {
  if (t.panels > 1) return kGemvTiles<2>[t.panels - 1](t);
  kTilesNr16[t.rows - 1](t);
}

}  // namespace hone::gemm_detail::avx2
