// fuse-elementwise: replaces chains of two or more elementwise ops (each intermediate read
// once, not a graph output) by one hone FusedElementwise that makes a single pass over
// memory. Why: memory-bound ops cost a read and a write each; fused, the chain costs one.
// Assumes float32; operands must be the output's shape, a scalar, or per-channel (NCHW).
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void fuse_elementwise(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
