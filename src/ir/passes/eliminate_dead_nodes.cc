#include "ir/passes/eliminate_dead_nodes.h"

#include "ir/passes/graph_rewrite.h"

namespace hone {

void eliminate_dead_nodes(Graph& graph, const OptimizeOptions& /*options*/) {
  std::vector<bool> needed(graph.values.size(), false);
  for (ValueId id : graph.outputs) needed[static_cast<size_t>(id)] = true;
  std::vector<bool> remove(graph.nodes.size(), true);
  // Reverse topological order: a node is live when a live node or a graph output reads it.
  for (size_t n = graph.nodes.size(); n-- > 0;) {
    const Node& node = graph.nodes[n];
    bool live = false;
    for (ValueId id : node.outputs)
      if (id != kNoValue && needed[static_cast<size_t>(id)]) live = true;
    if (!live) continue;
    remove[n] = false;
    for (ValueId id : node.inputs)
      if (id != kNoValue) needed[static_cast<size_t>(id)] = true;
  }
  erase_nodes(graph, remove);
  remove_unreferenced_values(graph);
}

}  // namespace hone
