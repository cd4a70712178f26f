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
  // Lines (64 bytes each) of the B micro-panel that runs after this one, requested into L2 a
  // few per kPrefetchSteps k steps (vector tiles only; the portable one ignores them): B
  // comes from memory, and the first row tile over a micro-panel would otherwise wait on it.
  const float* b_next = nullptr;
  int64_t b_next_lines = 0;
};

// The k steps between two groups of B prefetches (TileArgs::b_next); a multiple of every
// tile's independent accumulator sets.
inline constexpr int64_t kPrefetchSteps = 8;

// Spreads TileArgs::b_next over the call: before_steps() before each kPrefetchSteps k steps.
// The driver requesting a tile's share all at once before the call stalled on the fill
// buffers: 7% of a single-threaded ViT-B/16 MLP GEMM's time on Ice Lake.
class PanelPrefetch {
 public:
  explicit PanelPrefetch(const TileArgs& t)
      : next_(reinterpret_cast<const char*>(t.b_next)), left_(t.b_next_lines) {
    const int64_t groups = (t.k + kPrefetchSteps - 1) / kPrefetchSteps;
    if (left_ > 0 && groups > 0) per_group_ = (left_ + groups - 1) / groups;
  }
  __attribute__((always_inline)) void before_steps() {
    for (int64_t i = 0; i < per_group_ && left_ > 0; ++i, --left_) {
      __builtin_prefetch(next_, 0, 2);
      next_ += 64;
    }
  }

 private:
  const char* next_;
  int64_t left_;
  int64_t per_group_ = 0;
};

// rows must be in [1, max_mr] for the nr used; cols in [1, nr].
namespace avx512 {
void gemm_tile_nr16(const TileArgs& t);
void gemm_tile_nr32(const TileArgs& t);
constexpr int kMaxMrNr16 = 14, kMaxMrNr32 = 14;
}  // namespace avx512
namespace avx2 {
void gemm_tile_nr8(const TileArgs& t);
void gemm_tile_nr16(const TileArgs& t);
constexpr int kMaxMrNr8 = 12, kMaxMrNr16 = 6;
}  // namespace avx2

}  // namespace hone::gemm_detail
