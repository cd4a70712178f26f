#include "ir/passes/fold_constants.h"

#include "ir/op_registry.h"
#include "ir/passes/graph_rewrite.h"

namespace hone {

namespace {

bool outputs_all_constant(const Graph& graph, const Node& node) {
  for (ValueId id : node.outputs)
    if (id != kNoValue && !graph.value(id).constant) return false;
  return true;
}

bool inputs_all_constant(const Graph& graph, const Node& node) {
  for (ValueId id : node.inputs)
    if (id != kNoValue && !graph.value(id).constant) return false;
  return true;
}

// Runs the node's reference kernel on its constant inputs and stores the results.
void evaluate(Graph& graph, const Node& node, const PreparedOp& op) {
  std::vector<const Tensor*> in;
  for (ValueId id : node.inputs) in.push_back(constant_of(graph, id));
  std::vector<Tensor> results;
  results.reserve(op.outputs.size());
  for (const ValueType& t : op.outputs) results.emplace_back(t.dtype, t.shape);
  std::vector<Tensor*> out;
  for (Tensor& t : results) out.push_back(&t);
  op.run(in, out);
  for (size_t i = 0; i < node.outputs.size(); ++i)
    if (node.outputs[i] != kNoValue) graph.value(node.outputs[i]).constant = std::move(results[i]);
}

}  // namespace

void fold_constants(Graph& graph, const OptimizeOptions& /*options*/) {
  std::vector<bool> remove(graph.nodes.size(), false);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    // The importer already folded most constant subgraphs but kept their nodes; the executor
    // skips them, and here they simply go.
    if (outputs_all_constant(graph, node)) {
      remove[n] = true;
      continue;
    }
    if (!inputs_all_constant(graph, node)) continue;
    PreparedOp op = prepare_node(graph, node);  // reference kernels: the oracle
    if (!op.foldable || !op.run) continue;
    evaluate(graph, node, op);
    remove[n] = true;
  }
  erase_nodes(graph, remove);
}

}  // namespace hone
