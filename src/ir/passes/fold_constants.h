// fold-constants: computes every node whose inputs are all constants (through the registry's
// reference kernels) and removes it, leaving its outputs as constants. Why: exporters emit
// shape arithmetic and weight preprocessing that need not run per inference. Assumes typed
// values; leaves non-foldable ops (random generators) alone.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void fold_constants(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
