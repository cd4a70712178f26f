// Reference (oracle) kernel of the internal FusedConv op: act(conv(x) + bias + sum) with
// plain (NC...) or channel-blocked ([N, ceil(C/b), spatial..., b]) input and output.
#pragma once

#include "ops/common/epilogue.h"
#include "ops/conv/conv_reference.h"

namespace hone {

struct FusedConvReferenceParams {
  ConvParams conv;
  int input_block = 0;   // 0: x is plain; else x is blocked with this block
  int output_block = 0;  // 0: y (and sum) are plain; else blocked with this block
  Epilogue epilogue;
};

// Un-blocks x, runs conv_reference, adds bias and sum (nullable, y's layout, may alias y),
// applies the activation and re-blocks into y. Padding lanes of a blocked y are set to 0.
// Allocates: it is the oracle, not a fast path.
void fused_conv_reference(const FusedConvReferenceParams& p, const float* x, const float* w,
                          const float* bias, const float* sum, float* y);

}  // namespace hone
