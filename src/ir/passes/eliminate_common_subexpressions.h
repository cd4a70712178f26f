// eliminate-common-subexpressions: merges nodes with the same op, attributes and inputs (and
// small identical constants, so that nodes reading equal copies also merge). Why: exporters
// repeat shape arithmetic and activations per branch. Random generators are never merged.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void eliminate_common_subexpressions(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
