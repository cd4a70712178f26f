// Shape inference and constant folding over a whole Graph, through the op registry: the
// step that makes every value's dtype and shape static after import.
#pragma once

#include "ir/graph.h"

namespace hone {

// Walks the nodes in order, prepares each (validating it), sets its output types, and runs
// foldable nodes whose inputs are all constant, storing their outputs as constants; Shape and
// Size fold from the input's type alone (this is how exporters' Shape -> Gather -> Concat ->
// Reshape chains become static). Errors from a
// node propagate with its name (NeedsConstantError when a shape depends on a runtime value).
void infer_shapes(Graph& graph);

}  // namespace hone
