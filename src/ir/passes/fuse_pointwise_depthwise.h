// fuse-pointwise-depthwise: rewrites a blocked 1x1 FusedConv whose only reader is a blocked
// depthwise FusedConv (an inverted residual block's expansion and its depthwise conv) into one
// hone FusedPointwiseDepthwise node. Why: the expanded activation (MobileNetV2: 4.8 MB at
// 112x112) then lives in an L2-sized scratch instead of a round trip through memory
// (docs/decisions/008-fuse-pointwise-depthwise.md). Assumes blocked-layout ran; the 1x1 conv
// must be stride 1, unpadded, without a residual sum, its output not a graph output.
// HONE_FUSE_PW_DW=0 turns the pass off (to measure the fusion with one binary).
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void fuse_pointwise_depthwise(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
