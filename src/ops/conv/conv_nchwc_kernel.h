// Private to the blocked convolution: the register-tile micro-kernel interface that the
// driver (conv_nchwc.cc) calls and each ISA file (conv_nchwc_{portable,avx2,avx512}.cc) fills.
#pragma once

#include <cstdint>

#include "core/cpu_features.h"
#include "ops/common/epilogue.h"

namespace hone::conv_nchwc {

// Hard bounds of every variant's tile table (registers bound the vector ones further).
inline constexpr int kMaxOwTile = 32;
inline constexpr int kMaxOcTile = 8;

// One call computes n_ow output pixels x n_oc output-channel blocks of b lanes, summing over
// `groups` input-channel groups (each `lanes` wide, the last `last_lanes`), kh x kw taps.
// All strides are in floats. The destination is blocked: element (pixel p, block o, lane l)
// lives at y[o * y_ocb + p * b + l]; `sum` (nullable) has the same layout.
struct Tile {
  const float* x;  // input of pixel 0, first group, first tap, lane 0
  const float* w;  // packed weights of block 0, first group, first tap
  float* y;
  const float* bias;  // b * n_oc packed biases or null
  const float* sum;
  int64_t groups, lanes, last_lanes, kh, kw;
  int64_t x_group, x_lane, x_kh, x_kw, x_pixel;
  int64_t w_ocb, w_group, w_kh, w_kw;
  int64_t w_lane = 0;  // floats between input lanes' weights (kw * b with kw_as_lanes); 0: b
  int64_t y_ocb;
  int64_t w_prefetch;  // floats ahead of each weight load to prefetch; 0: none
  // Null when every tap of every pixel is inside the input. Else, for tap column kw, only
  // pixels in [pixel_lo[kw], pixel_hi[kw]) read the input (the others see zero padding).
  const int32_t* pixel_lo;
  const int32_t* pixel_hi;
  int n_ow, n_oc;
  bool accumulate;  // add the destination's current value (a later input-channel chunk)
  Epilogue act;     // applied last (kNone for a chunk that is not the last)
  // Lines (64 bytes each) to prefetch into L2, spread over the call's taps: the weights the
  // caller runs next, so that weights streamed from memory arrive before they are needed.
  // Vector kernels only; the portable one ignores them.
  const float* w_next = nullptr;
  int64_t w_next_lines = 0;
  // Non-temporal stores of the result (y must be aligned to the vector width): for outputs far
  // bigger than the caches, no read-for-ownership. The caller fences before others read y.
  bool stream = false;
  // Plain input with few channels (first convs): weights packed [kh][lane][kw][b_oc], so that
  // in a tile without borders each (kh, lane) runs its kw taps as one unrolled run (x step
  // x_kw, weight step b) instead of kw runs of a few lanes each. Vector kernels only; the
  // strides above describe the layout either way.
  bool kw_as_lanes = false;
  // Blocked input: request the next input group's lines while this group runs. Off for a call
  // that repeats the previous call's pixels (the next oc tile of loop order 1, a Winograd
  // point's next oc tile): the first call fetched them, and measured in-model the requests
  // cost more load slots than they saved.
  bool prefetch_input = true;
};

using TileFn = void (*)(const Tile&);

// Vector registers a tile needs: accumulators, weight vectors and one broadcast.
constexpr int tile_registers(int ow_tile, int oc_tile, int vectors_per_block) {
  return (ow_tile + 1) * oc_tile * vectors_per_block + 1;
}

// Whether a variant has a kernel for this tile (block 8 or 16).
constexpr bool tile_fits(Isa isa, int block, int ow_tile, int oc_tile) {
  if (ow_tile < 1 || oc_tile < 1 || ow_tile > kMaxOwTile || oc_tile > kMaxOcTile) return false;
  switch (isa) {
    case Isa::kPortable:
      return true;
    case Isa::kAvx2:
      return tile_registers(ow_tile, oc_tile, block / 8) <= 16;
    case Isa::kAvx512:
      return tile_registers(ow_tile, oc_tile, 1) <= 32;
  }
  return false;
}

// The oc blocks a default register tile takes: two, so that each broadcast feeds two blocks'
// FMAs; one where a block takes two vectors (AVX2 with 16-channel blocks), since two would
// leave room for 2 pixels (8 accumulators, 4 weight vectors per 2 broadcasts) against 6 with
// one. Portable kernels are sized as AVX2's. Shared by the dense, Winograd and fused defaults.
constexpr int default_oc_blocks(Isa isa, int block) {
  return (isa == Isa::kAvx2 || isa == Isa::kPortable) && block == 16 ? 1 : 2;
}

// The kernel for (block, n_ow, n_oc); only called after tile_fits said yes for the variant.
namespace portable {
TileFn tile_kernel(int block, int n_ow, int n_oc);
}
namespace avx2 {
TileFn tile_kernel(int block, int n_ow, int n_oc);
}
namespace avx512 {
TileFn tile_kernel(int block, int n_ow, int n_oc);
}
// The kernel of the ISA's variant (the three above, by isa).
TileFn tile_kernel(Isa isa, int block, int n_ow, int n_oc);

}  // namespace hone::conv_nchwc
