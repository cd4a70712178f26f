// Reference (oracle) conversions between plain NCHW and channel-blocked NCHW[b]c tensors.
#pragma once

#include "ops/layout/blocked_shape.h"

namespace hone {

// x [N, C, S] -> y [N, ceil(C/b), S, b]; padding lanes (channel >= C) get 0.
void reorder_to_blocked_reference(const BlockedShape& s, const float* x, float* y);
// x [N, ceil(C/b), S, b] -> y [N, C, S]; padding lanes are ignored.
void reorder_from_blocked_reference(const BlockedShape& s, const float* x, float* y);

}  // namespace hone
