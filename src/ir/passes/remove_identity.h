// remove-identity: drops nodes that return their input unchanged (Identity, inference
// Dropout, Reshape/Flatten/Squeeze/Unsqueeze/Expand to the same shape, Cast to the same type,
// Transpose by the identity permutation, 1x1 stride-1 pools, Pad by zero), rewiring their
// consumers.
// Why: exporters leave them and each costs a copy. A graph output keeps its name: its
// producer is renamed to it instead.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void remove_identity(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
