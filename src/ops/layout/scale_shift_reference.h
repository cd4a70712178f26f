// Reference (oracle) ScaleShift: y = act(x * scale[c] + shift[c]) per channel c, on plain NCHW
// (block 0) or channel-blocked NCHW[b]c tensors (an unfoldable BatchNormalization).
#pragma once

#include "ops/common/epilogue.h"
#include "ops/layout/blocked_shape.h"

namespace hone {

// scale and shift hold s.channels values. Blocked: padding lanes of y get 0.
void scale_shift_reference(const BlockedShape& s, const float* scale, const float* shift,
                           const Epilogue& epilogue, const float* x, float* y);

}  // namespace hone
