// blocked-layout: moves convolutions, pools, concats, scale-shifts and the elementwise ops
// between them to the channel-blocked layout NCHW[b]c (a 5-D [N, C/b, H, W, b] tensor,
// docs/decisions/004-internal-ops.md), converting only where an op needs NCHW. Why: blocked
// tensors let conv kernels load b channels as one vector and keep it across layers. Assumes
// fuse-conv ran (only FusedConv goes blocked); graph inputs and outputs stay plain.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

// options.block 8 or 16; 0 leaves the graph unchanged.
void blocked_layout(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
