#include "ir/passes/fuse_layer_norm.h"

#include <optional>
#include <vector>

#include "ir/passes/fusion_util.h"
#include "ir/passes/graph_rewrite.h"

namespace hone {
namespace {

bool is_op(const Node& node, const char* op_type, size_t inputs) {
  return node.domain.empty() && node.op_type == op_type && node.inputs.size() == inputs &&
         node.outputs.size() == 1 && node.outputs[0] != kNoValue;
}

std::optional<float> scalar_of(const Graph& graph, ValueId id) {
  const Tensor* t = constant_of(graph, id);
  if (t == nullptr || t->numel() != 1 || !dtype_is_float(t->dtype())) return std::nullopt;
  return float_values(*t)[0];
}

// The first axis of a ReduceMean with keepdims over trailing axes [first, rank) of a rank-r
// input (axes from the attribute, or from the constant input of opset 18); nullopt otherwise.
std::optional<int64_t> trailing_reduce_axis(const Graph& graph, const Node& node, int64_t rank) {
  if (!node.domain.empty() || node.op_type != "ReduceMean" || node.outputs.size() != 1 ||
      attr_int(node, "keepdims", 1) != 1 || node.inputs.empty())
    return std::nullopt;
  std::vector<int64_t> axes = attr_ints(node, "axes", {});
  if (node.inputs.size() > 1) {
    const Tensor* t = constant_of(graph, node.inputs[1]);
    if (t == nullptr) return std::nullopt;
    axes = t->to_vector<int64_t>();
  }
  if (axes.empty()) return std::nullopt;
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) return std::nullopt;
    seen[static_cast<size_t>(a < 0 ? a + rank : a)] = true;
  }
  const int64_t first = rank - static_cast<int64_t>(axes.size());
  for (int64_t a = first; a < rank; ++a)
    if (first < 0 || !seen[static_cast<size_t>(a)]) return std::nullopt;
  return first;
}

// The other input of a two-input node reading `v`, or kNoValue.
ValueId other_input(const Node& node, ValueId v) {
  if (node.inputs[0] == v) return node.inputs[1];
  if (node.inputs[1] == v) return node.inputs[0];
  return kNoValue;
}

// A constant scale or shift of the normalized shape (leading 1s allowed) or a scalar, as a
// tensor of exactly the normalized shape; nullopt otherwise.
std::optional<Tensor> affine_constant(const Graph& graph, ValueId id, const Shape& normalized) {
  const Tensor* t = constant_of(graph, id);
  if (t == nullptr || !dtype_is_float(t->dtype())) return std::nullopt;
  Shape s = t->shape();
  while (s.size() > normalized.size() && s.front() == 1) s.erase(s.begin());
  const std::vector<float> v = float_values(*t);
  const int64_t n = shape_numel(normalized);
  if (t->numel() == 1) return Tensor::from_vector<float>(normalized, std::vector<float>(n, v[0]));
  if (s != normalized) return std::nullopt;
  return Tensor::from_vector<float>(normalized, v);
}

}  // namespace

void fuse_layer_norm(Graph& graph, const OptimizeOptions& /*options*/) {
  const UseInfo uses = analyze_uses(graph);
  NameGenerator names(graph);
  NodeReplacer replacer(graph);
  auto node_at = [&](int i) -> const Node& { return graph.nodes[static_cast<size_t>(i)]; };
  // The only consumer of v when it has one and is not a graph output, else -1.
  auto single = [&](ValueId v) { return uses.single_use(v) ? uses.only_consumer(v) : -1; };
  const size_t n_nodes = graph.nodes.size();
  for (size_t n = 0; n < n_nodes; ++n) {
    const Node& mean_node = graph.nodes[n];
    if (replacer.taken(static_cast<int>(n)) || mean_node.inputs.empty()) continue;
    const ValueId x = mean_node.inputs[0];
    const ValueType& xt = graph.value(x).type;
    if (xt.dtype != DType::kFloat32 || xt.shape.empty()) continue;
    const auto rank = static_cast<int64_t>(xt.shape.size());
    const std::optional<int64_t> axis = trailing_reduce_axis(graph, mean_node, rank);
    if (!axis) continue;
    std::vector<int> absorbed = {static_cast<int>(n)};
    // d = x - mean
    const int sub = single(mean_node.outputs[0]);
    if (sub < 0 || !is_op(node_at(sub), "Sub", 2) || node_at(sub).inputs[0] != x ||
        node_at(sub).inputs[1] != mean_node.outputs[0] ||
        graph.value(node_at(sub).outputs[0]).type != xt)
      continue;
    absorbed.push_back(sub);
    const ValueId d = node_at(sub).outputs[0];
    if (uses.is_output(d)) continue;
    // d is read by the square (Pow(d, 2) or Mul(d, d), listed once per slot) and by the Div.
    int square = -1, div = -1;
    bool only_those = true;
    for (int c : uses.consumers[static_cast<size_t>(d)]) {
      const Node& r = node_at(c);
      if (c == square || c == div) continue;
      const bool pow2 = is_op(r, "Pow", 2) && r.inputs[0] == d &&
                        scalar_of(graph, r.inputs[1]) == std::optional<float>(2.0f);
      const bool mul2 = is_op(r, "Mul", 2) && r.inputs[0] == d && r.inputs[1] == d;
      if (div < 0 && is_op(r, "Div", 2) && r.inputs[0] == d && r.inputs[1] != d)
        div = c;
      else if (square < 0 && (pow2 || mul2))
        square = c;
      else
        only_those = false;
    }
    if (!only_those || square < 0 || div < 0) continue;
    absorbed.push_back(square);
    // var = ReduceMean(d^2) over the same axes; var + eps; Sqrt; d / that
    const int var = single(node_at(square).outputs[0]);
    if (var < 0 || node_at(var).inputs.empty() ||
        node_at(var).inputs[0] != node_at(square).outputs[0] ||
        trailing_reduce_axis(graph, node_at(var), rank) != axis)
      continue;
    absorbed.push_back(var);
    const int add_eps = single(node_at(var).outputs[0]);
    if (add_eps < 0 || !is_op(node_at(add_eps), "Add", 2)) continue;
    const std::optional<float> eps =
        scalar_of(graph, other_input(node_at(add_eps), node_at(var).outputs[0]));
    if (!eps || !(*eps >= 0.0f)) continue;
    absorbed.push_back(add_eps);
    const int sqrt = single(node_at(add_eps).outputs[0]);
    if (sqrt < 0 || !is_op(node_at(sqrt), "Sqrt", 1) || single(node_at(sqrt).outputs[0]) != div ||
        node_at(div).inputs[1] != node_at(sqrt).outputs[0] ||
        graph.value(node_at(div).outputs[0]).type != xt)
      continue;
    absorbed.push_back(sqrt);
    absorbed.push_back(div);
    ValueId y = node_at(div).outputs[0];
    const Shape normalized(xt.shape.begin() + *axis, xt.shape.end());
    // Optional affine part: * gamma, then + beta (constants of the normalized shape).
    Tensor gamma =
        Tensor::from_vector<float>(normalized, std::vector<float>(shape_numel(normalized), 1.0f));
    // y's only reader, when it is `op_type` of y and a constant of the normalized shape: that
    // constant, with the node absorbed and y moved to its output.
    auto take_affine = [&](const char* op_type) -> std::optional<Tensor> {
      const int k = single(y);
      if (k < 0 || !is_op(node_at(k), op_type, 2) || graph.value(node_at(k).outputs[0]).type != xt)
        return std::nullopt;
      std::optional<Tensor> c = affine_constant(graph, other_input(node_at(k), y), normalized);
      if (c) {
        absorbed.push_back(k);
        y = node_at(k).outputs[0];
      }
      return c;
    };
    if (std::optional<Tensor> g = take_affine("Mul")) gamma = std::move(*g);
    const std::optional<Tensor> beta = take_affine("Add");
    bool free = true;
    for (int k : absorbed) free = free && !replacer.taken(k);
    if (!free) continue;
    Node fused;
    fused.name = names.node(mean_node.name + ".layer_norm");
    fused.op_type = "LayerNormalization";
    fused.inputs = {x, add_constant(graph, names.value(fused.name + ".scale"), std::move(gamma))};
    if (beta) fused.inputs.push_back(add_constant(graph, names.value(fused.name + ".bias"), *beta));
    fused.outputs = {y};
    set_attr(fused, "axis", *axis);
    set_attr(fused, "epsilon", *eps);
    replacer.replace(absorbed, std::move(fused));
  }
  replacer.apply(graph);
}

}  // namespace hone
