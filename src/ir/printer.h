// Text dump of a Graph: a header, its inputs, one line per node, its outputs. Used by tests
// (expected graphs as text) and by --print-ir-after to bisect a wrong result to a pass.
#pragma once

#include <string>

#include "ir/graph.h"

namespace hone {

// Example:
//   graph "g" opset 13
//   input x: float32[1,4]
//   relu_0: y float32[1,4] = Relu(x)
//   shape_0: s int64[2] const = Shape(y)
//   add_0: z float32[1,4] = Add(y, w) {alpha=0.5}
//   output z
// Constant values that are not produced by a node (weights) are named but not listed.
std::string print_graph(const Graph& graph);
// One node's line, without the trailing newline.
std::string print_node(const Graph& graph, const Node& node);

}  // namespace hone
