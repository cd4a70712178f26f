// Binds the optimized float32 2-D convolution kernels (dense blocked direct or Winograd,
// depthwise, grouped: groups of any width, merged into whole blocks where the layout is
// blocked) for the Conv and FusedConv registry entries. HONE_CONV_ALGO=direct|winograd|auto
// overrides the dense choice.
#pragma once

#include "ir/op_registry.h"
#include "ops/common/epilogue.h"
#include "ops/conv/conv_nchwc.h"
#include "ops/conv/conv_reference.h"

namespace hone {

struct OptimizedConvSpec {
  ConvParams params;  // 2-D, explicit pads
  int input_block = 0;
  int output_block = 0;
  Epilogue epilogue;
  const float* weight = nullptr;  // OIHW, constant (packed at bind time)
  const float* bias = nullptr;    // nullable
  int sum_input = -1;             // index of the residual Sum among the run inputs, or -1
};

// The optimized kernels' view of a 2-D convolution's sizes (pads_end follows from the output).
ConvGeometry conv_geometry_of(const ConvParams& params);

// Sets op.run, op.packed_bytes, op.kernel_name and op.needs_zeroed_outputs from
// ctx.kernel_options() (isa, pool). Run inputs are X at 0, the Sum at spec.sum_input.
void bind_optimized_conv(const OpContext& ctx, const OptimizedConvSpec& spec, PreparedOp& op);

}  // namespace hone
