// Private to the depthwise kernel: the per-ISA row functions DepthwiseNchwc dispatches to.
#pragma once

#include <cstdint>

#include "core/cpu_features.h"
#include "ops/common/epilogue.h"
#include "ops/conv/conv_nchwc.h"

namespace hone {

// One (batch, channel block) plane of a blocked depthwise conv, every index resolved.
struct DepthwiseRowArgs {
  const float* x = nullptr;     // input plane [in_h][in_w][block]
  const float* w = nullptr;     // packed weights [kernel_h * kernel_w][block]
  const float* bias = nullptr;  // packed bias [block] (zeros when the conv has none)
  const float* sum = nullptr;   // nullable residual, y's layout [out_h][out_w][block]
  float* y = nullptr;           // output plane [out_h][out_w][block]
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  // Output columns [ow_lo, ow_hi) read only in-range input columns for every tap.
  int64_t ow_lo = 0, ow_hi = 0;
  int block = 16;
  int ow_tile = 8;
  // 3x3, dilation 1, stride_w 1 or 2, at most one padded column each side: the register-
  // resident row kernel runs, reading zero_row (in_w * block zeros) for rows outside the input.
  bool fast3x3 = false;
  const float* zero_row = nullptr;
  Epilogue epilogue;
};

// Computes output rows [oh_begin, oh_end) of the plane. Call an ISA's variant only after
// checking the CPU supports it.
void depthwise_rows_portable(const DepthwiseRowArgs& a, int64_t oh_begin, int64_t oh_end);
namespace avx2 {
void depthwise_rows(const DepthwiseRowArgs& a, int64_t oh_begin, int64_t oh_end);
}  // namespace avx2
namespace avx512 {
// Block 16 only (one zmm per pixel); block 8 runs the AVX2 variant.
void depthwise_rows(const DepthwiseRowArgs& a, int64_t oh_begin, int64_t oh_end);
}  // namespace avx512

using DepthwiseRowsFn = void (*)(const DepthwiseRowArgs&, int64_t, int64_t);
// The row function of the ISA variant for the block (AVX-512 with block 8 runs the AVX2 code).
DepthwiseRowsFn depthwise_rows_kernel(Isa isa, int block);

// Output columns [lo, hi) whose every tap reads an in-range input column.
void depthwise_interior_columns(const ConvGeometry& g, int64_t& lo, int64_t& hi);

// The default register tile (output pixels) for the geometry: the widest the ISA's registers
// hold, evened out over the interior columns (54: 5 x 10 + 4, not 8 x 6 + 6). Shared by the
// depthwise kernel's default and the fused pointwise+depthwise one's.
int depthwise_default_ow_tile(const ConvGeometry& g, Isa isa, int block);

// Whether the 3x3 row kernel (fast3x3) can run the geometry, given its interior columns: every
// output column's window misses at most its first column (left pad) or its last (right pad).
bool depthwise_fits_3x3_kernel(const ConvGeometry& g, int64_t lo, int64_t hi);

}  // namespace hone
