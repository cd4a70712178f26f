// eliminate-dead-nodes: removes nodes whose outputs no graph output depends on, and the
// values (unused weights, orphaned intermediates) nothing refers to any more. Why: other
// passes leave such debris, and the importer keeps unused initializers. Graph inputs stay.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void eliminate_dead_nodes(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
