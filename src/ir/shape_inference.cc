#include "ir/shape_inference.h"

#include "ir/op_registry.h"

namespace hone {

namespace {

// Ops whose outputs depend on the input types only, never on the values: they fold even when
// their input is computed at run time (the start of every exporter's shape subgraph).
bool reads_only_input_types(const Node& node) {
  return node.domain.empty() && (node.op_type == "Shape" || node.op_type == "Size");
}

bool all_inputs_constant(const Graph& graph, const Node& node) {
  for (ValueId id : node.inputs)
    if (id != kNoValue && !graph.value(id).constant) return false;
  return true;
}

void fold(Graph& graph, const Node& node, const PreparedOp& op) {
  std::vector<Tensor> placeholders;  // zero-filled stand-ins for non-constant inputs
  placeholders.reserve(node.inputs.size());
  std::vector<const Tensor*> in;
  for (ValueId id : node.inputs) {
    if (id == kNoValue) {
      in.push_back(nullptr);
    } else if (const auto& c = graph.value(id).constant) {
      in.push_back(&*c);
    } else {
      placeholders.emplace_back(graph.value(id).type.dtype, graph.value(id).type.shape);
      in.push_back(&placeholders.back());
    }
  }
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

void infer_shapes(Graph& graph) {
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    for (ValueId id : node.inputs)
      if (id != kNoValue && graph.value(id).type.dtype == DType::kUndefined)
        throw Error("node '" + node.name + "' (" + node.op_type + "): input '" +
                    graph.value(id).name + "' has no type (is the graph sorted?)");
    PreparedOp op = prepare_node(graph, node);
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      if (node.outputs[i] == kNoValue) continue;
      Value& v = graph.value(node.outputs[i]);
      v.type = op.outputs[i];
      v.constant.reset();
    }
    if (op.foldable && op.run && (all_inputs_constant(graph, node) || reads_only_input_types(node)))
      fold(graph, node, op);
  }
}

}  // namespace hone
