// fuse-conv: rewrites Conv [+ Add bias] [+ residual Add] [+ activation] into one hone
// FusedConv (docs/decisions/004-internal-ops.md), plain layout. Why: each unfused step is a
// full pass over the activation; fused, it is free in the kernel's epilogue. Assumes constant
// weights; every intermediate must have one reader and not be a graph output, and the
// residual must not depend on the conv.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void fuse_conv(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
