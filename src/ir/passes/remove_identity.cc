#include "ir/passes/remove_identity.h"

#include "ir/passes/graph_rewrite.h"

namespace hone {

namespace {

bool all_equal(const std::vector<int64_t>& v, int64_t x) {
  for (int64_t e : v)
    if (e != x) return false;
  return true;
}

// A pool whose window is one element at stride one without padding (the adaptive pool an
// exporter writes when the feature map already has the requested size).
bool is_unit_pool(const Node& node) {
  std::string auto_pad = attr_string(node, "auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID") return false;
  std::vector<int64_t> kernel = attr_ints(node, "kernel_shape", {});
  return !kernel.empty() && all_equal(kernel, 1) && all_equal(attr_ints(node, "strides", {}), 1) &&
         all_equal(attr_ints(node, "pads", {}), 0);
}

// A Pad by zero on every side (torch.onnx writes one before each AveragePool of DenseNet's
// transitions). Its pads are a constant input, or attributes below opset 11.
bool is_zero_pad(const Graph& graph, const Node& node) {
  if (node.inputs.size() < 2 || node.inputs[1] == kNoValue) {
    std::vector<int64_t> pads = attr_ints(node, "pads", attr_ints(node, "paddings", {}));
    return !pads.empty() && all_equal(pads, 0);
  }
  const std::optional<Tensor>& pads = graph.value(node.inputs[1]).constant;
  if (!pads || pads->dtype() != DType::kInt64) return false;
  return all_equal(pads->to_vector<int64_t>(), 0);
}

bool is_identity_permutation(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

// Whether the node's first output is its first input, bit for bit.
bool is_identity(const Graph& graph, const UseInfo& uses, const Node& node) {
  if (!node.domain.empty() || node.inputs.empty() || node.outputs.empty()) return false;
  ValueId in = node.inputs[0];
  ValueId out = node.outputs[0];
  if (in == kNoValue || out == kNoValue) return false;
  // Any further output (Dropout's mask) must be unused.
  for (size_t i = 1; i < node.outputs.size(); ++i) {
    ValueId extra = node.outputs[i];
    if (extra != kNoValue && (uses.uses(extra) > 0 || uses.is_output(extra))) return false;
  }
  if (graph.value(in).type != graph.value(out).type) return false;
  const std::string& op = node.op_type;
  if (op == "Identity" || op == "Dropout") return true;
  if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" ||
      op == "Expand" || op == "Cast")
    return true;  // same type in and out: nothing moves
  if (op == "MaxPool" || op == "AveragePool") return is_unit_pool(node);
  if (op == "Pad") return is_zero_pad(graph, node);
  if (op == "Transpose") {
    std::vector<int64_t> perm = attr_ints(node, "perm", {});
    // Without perm the dims are reversed, which only keeps the data for rank <= 1.
    return perm.empty() ? graph.value(in).type.shape.size() <= 1 : is_identity_permutation(perm);
  }
  return false;
}

}  // namespace

void remove_identity(Graph& graph, const OptimizeOptions& /*options*/) {
  UseInfo uses = analyze_uses(graph);
  std::vector<bool> remove(graph.nodes.size(), false);
  std::vector<bool> is_input(graph.values.size(), false);
  for (ValueId id : graph.inputs) is_input[static_cast<size_t>(id)] = true;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    Node& node = graph.nodes[n];
    if (!is_identity(graph, uses, node)) continue;
    ValueId in = node.inputs[0];
    ValueId out = node.outputs[0];
    if (!uses.is_output(out)) {
      replace_uses(graph, out, in);
      remove[n] = true;
      continue;
    }
    // `out` is a graph output and must keep its name. When `in` is an intermediate that
    // nothing else needs under its own name, its producer writes `out` directly.
    Value& src = graph.value(in);
    if (src.constant || is_input[static_cast<size_t>(in)] || uses.is_output(in) || src.producer < 0)
      continue;
    Node& producer = graph.nodes[static_cast<size_t>(src.producer)];
    for (ValueId& id : producer.outputs)
      if (id == in) id = out;
    replace_uses(graph, in, out);
    remove[n] = true;
  }
  erase_nodes(graph, remove);
}

}  // namespace hone
