// The interface between the packed-GEMM driver (gemm_packed.cc) and its per-ISA register
// tile kernels (gemm_packed_avx512.cc, gemm_packed_avx2.cc, the portable one in the driver).
#pragma once

#include <cstdint>

#include "ops/common/epilogue.h"

namespace hone::gemm_detail {

// One register tile: y[rows, cols] (+)= a_panel @ b_panel over `k` steps.
struct TileArgs {
  int64_t k = 0;
  // A: element (r, kk) at a[kk * a_stride + r * a_row_stride]. Packed panels have
  // a_row_stride 1; the AVX2 and portable tiles also read a row-major A in place (a_stride 1,
  // a_row_stride lda). The AVX-512 tiles read packed panels only (a_row_stride must be 1).
  const float* a = nullptr;
  int64_t a_stride = 0;
  int64_t a_row_stride = 1;
  const float* b = nullptr;  // packed B panel: element (kk, j) at b[kk * nr + j], zero padded
  float* y = nullptr;
  int64_t ldy = 0;
  int rows = 0, cols = 0;       // valid part of the tile (rows <= mr, cols <= nr)
  bool accumulate = false;      // add y's current values (a later pass over k)
  bool last = false;            // final pass: add bias and apply the epilogue
  const float* bias = nullptr;  // per column of the tile (nullable), read only when last
  const Epilogue* epilogue = nullptr;
  // One-row tiles of the AVX-512 and AVX2 kernels (packed A, or a row read in place):
  // `panels` consecutive B panels, panel_stride floats apart, into consecutive column ranges
  // of y (cols counts over all of them).
  int panels = 1;
  int64_t panel_stride = 0;
};

// rows must be in [1, max_mr] for the nr used; cols in [1, nr].
namespace avx512 {
void gemm_tile_nr16(const TileArgs& t);
void gemm_tile_nr32(const TileArgs& t);
void gemm_tile_nr48(const TileArgs& t);
void gemm_tile_nr64(const TileArgs& t);
constexpr int kMaxMrNr16 = 14, kMaxMrNr32 = 14, kMaxMrNr48 = 8, kMaxMrNr64 = 6;
}  // namespace avx512
namespace avx2 {
void gemm_tile_nr8(const TileArgs& t);
void gemm_tile_nr16(const TileArgs& t);
constexpr int kMaxMrNr8 = 12, kMaxMrNr16 = 6;
}  // namespace avx2

}  // namespace hone::gemm_detail
