// AVX-512 register tiles of the packed GEMM: up to 14 rows x 16 or 32 columns.
#include <immintrin.h>

#include "ops/elementwise/epilogue_fast_avx512.h"
#include "ops/gemm/gemm_microkernel.h"

namespace hone::gemm_detail::avx512 {
namespace {

using hone::avx512::epilogue_vec;

constexpr int kLanes = 16;

// Lanes [0, n) of one vector, n clamped to [0, 16].
__mmask16 lane_mask(int n) {
  if (n <= 0) return 0;
  if (n >= kLanes) return 0xFFFF;
  return static_cast<__mmask16>((1u << n) - 1u);
}

// Tiles with few accumulators keep KS independent sets (consecutive k steps) so the FMA
// latency is hidden; a one-row tile (GEMV) would otherwise wait on its own results.
template <int MR, int NV>
void tile(const TileArgs& t) {
  constexpr int kSets = MR * NV <= 2 ? 4 : (MR * NV <= 6 ? 2 : 1);
  constexpr int kNr = NV * kLanes;
  __m512 acc[kSets][MR][NV];
#pragma GCC unroll 64
  for (int s = 0; s < kSets; ++s)
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[s][r][v] = _mm512_setzero_ps();
  const float* a = t.a;
  const float* b = t.b;
  const int64_t as = t.a_stride;
  int64_t kk = 0;
  for (; kk + kSets <= t.k; kk += kSets) {
#pragma GCC unroll 4
    for (int s = 0; s < kSets; ++s) {
      __m512 bv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) bv[v] = _mm512_load_ps(b + (kk + s) * kNr + v * kLanes);
#pragma GCC unroll 16
      for (int r = 0; r < MR; ++r) {
        const __m512 av = _mm512_set1_ps(a[(kk + s) * as + r]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[s][r][v] = _mm512_fmadd_ps(av, bv[v], acc[s][r][v]);
      }
    }
  }
  for (; kk < t.k; ++kk) {
    __m512 bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = _mm512_load_ps(b + kk * kNr + v * kLanes);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m512 av = _mm512_set1_ps(a[kk * as + r]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[0][r][v] = _mm512_fmadd_ps(av, bv[v], acc[0][r][v]);
    }
  }
#pragma GCC unroll 4
  for (int s = 1; s < kSets; ++s)
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[0][r][v] = _mm512_add_ps(acc[0][r][v], acc[s][r][v]);

  __mmask16 masks[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) masks[v] = lane_mask(t.cols - v * kLanes);
  __m512 bias[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v)
    bias[v] = t.last && t.bias ? _mm512_maskz_loadu_ps(masks[v], t.bias + v * kLanes)
                               : _mm512_setzero_ps();
  const bool activate = t.last && t.epilogue && t.epilogue->kind != Activation::kNone;
  for (int r = 0; r < MR && r < t.rows; ++r) {
    float* yr = t.y + r * t.ldy;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (!masks[v]) continue;
      __m512 x = acc[0][r][v];
      if (t.accumulate) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(masks[v], yr + v * kLanes));
      if (t.last) {
        x = _mm512_add_ps(x, bias[v]);
        if (activate) x = epilogue_vec(x, *t.epilogue);
      }
      _mm512_mask_storeu_ps(yr + v * kLanes, masks[v], x);
    }
  }
}

// One row of A against P panels at once (a GEMV): each panel is its own sequential stream
// from memory, and the P x NV accumulators are independent chains enough to hide the FMA
// latency. t.cols counts the columns of all P panels; only the last may be partial.
template <int NV, int P>
void gemv_panels(const TileArgs& t) {
  constexpr int kNr = NV * kLanes;
  __m512 acc[P][NV];
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[p][v] = _mm512_setzero_ps();
  const float* a = t.a;
  const int64_t as = t.a_stride, ps = t.panel_stride;
  const float* b = t.b;
#pragma GCC unroll 2
  for (int64_t kk = 0; kk < t.k; ++kk) {
    const __m512 av = _mm512_set1_ps(a[kk * as]);
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v)
        acc[p][v] =
            _mm512_fmadd_ps(av, _mm512_load_ps(b + p * ps + kk * kNr + v * kLanes), acc[p][v]);
  }
  const bool activate = t.last && t.epilogue && t.epilogue->kind != Activation::kNone;
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const int col = p * kNr + v * kLanes;
      const __mmask16 mask = lane_mask(t.cols - col);
      if (!mask) continue;
      __m512 x = acc[p][v];
      if (t.accumulate) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(mask, t.y + col));
      if (t.last) {
        if (t.bias) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(mask, t.bias + col));
        if (activate) x = epilogue_vec(x, *t.epilogue);
      }
      _mm512_mask_storeu_ps(t.y + col, mask, x);
    }
}

using TileFn = void (*)(const TileArgs&);

template <int NV>
constexpr TileFn kGemvTiles[4] = {tile<1, NV>, gemv_panels<NV, 2>, gemv_panels<NV, 3>,
                                  gemv_panels<NV, 4>};

template <int NV>
constexpr TileFn kTiles[14] = {tile<1, NV>,  tile<2, NV>,  tile<3, NV>,  tile<4, NV>, tile<5, NV>,
                               tile<6, NV>,  tile<7, NV>,  tile<8, NV>,  tile<9, NV>, tile<10, NV>,
                               tile<11, NV>, tile<12, NV>, tile<13, NV>, tile<14, NV>};

constexpr TileFn kTiles3[8] = {tile<1, 3>, tile<2, 3>, tile<3, 3>, tile<4, 3>,
                               tile<5, 3>, tile<6, 3>, tile<7, 3>, tile<8, 3>};
constexpr TileFn kTiles4[6] = {tile<1, 4>, tile<2, 4>, tile<3, 4>,
                               tile<4, 4>, tile<5, 4>, tile<6, 4>};

}  // namespace

void gemm_tile_nr16(const TileArgs& t) {
  if (t.panels > 1) return kGemvTiles<1>[t.panels - 1](t);
  kTiles<1>[t.rows - 1](t);
}
void gemm_tile_nr32(const TileArgs& t) {
  if (t.panels > 1) return kGemvTiles<2>[t.panels - 1](t);
  kTiles<2>[t.rows - 1](t);
}
void gemm_tile_nr48(const TileArgs& t) {
  if (t.panels > 1) return kGemvTiles<3>[t.panels - 1](t);
  kTiles3[t.rows - 1](t);
}
void gemm_tile_nr64(const TileArgs& t) {
  if (t.panels > 1) return kGemvTiles<4>[t.panels - 1](t);
  kTiles4[t.rows - 1](t);
}

}  // namespace hone::gemm_detail::avx512
