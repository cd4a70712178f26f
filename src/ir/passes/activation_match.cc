#include "ir/passes/activation_match.h"

#include <cmath>
#include <limits>
#include <string_view>

namespace hone {

namespace {

// Whether the node's single float output has v's type (no broadcasting, no casts).
bool same_type_output(const Graph& graph, const Node& node, ValueId v) {
  return node.outputs.size() == 1 && node.outputs[0] != kNoValue &&
         graph.value(node.outputs[0]).type == graph.value(v).type;
}

// HardSigmoid with HardSwish's constants (alpha 1/6, beta 1/2), within float rounding.
bool is_hardswish_gate(const Node& node) {
  return node.domain.empty() && node.op_type == "HardSigmoid" &&
         std::fabs(attr_float(node, "alpha", 0.2f) - 1.0f / 6.0f) < 1e-6f &&
         attr_float(node, "beta", 0.5f) == 0.5f;
}

// Sigmoid: x * Sigmoid(x) is SiLU (Swish), torch.onnx's form of it.
bool is_silu_gate(const Node& node) {
  return node.domain.empty() && node.op_type == "Sigmoid";
}

// v * gate(v) where the gate reads v once more: HardSwish (HardSigmoid gate) or Silu.
std::optional<MatchedActivation> match_gated_pair(const Graph& graph, const UseInfo& uses,
                                                  ValueId v) {
  if (uses.uses(v) != 2 || uses.is_output(v)) return std::nullopt;
  const auto& readers = uses.consumers[static_cast<size_t>(v)];
  if (readers[0] == readers[1]) return std::nullopt;
  for (int k = 0; k < 2; ++k) {
    const Node& gate = graph.nodes[static_cast<size_t>(readers[k])];
    const Node& mul = graph.nodes[static_cast<size_t>(readers[1 - k])];
    const bool hardswish = is_hardswish_gate(gate), silu = is_silu_gate(gate);
    if ((!hardswish && !silu) || gate.inputs.size() != 1 || !same_type_output(graph, gate, v))
      continue;
    ValueId g = gate.outputs[0];
    if (!uses.single_use(g) || uses.only_consumer(g) != readers[1 - k]) continue;
    if (!mul.domain.empty() || mul.op_type != "Mul" || mul.inputs.size() != 2 ||
        !same_type_output(graph, mul, v))
      continue;
    bool operands =
        (mul.inputs[0] == v && mul.inputs[1] == g) || (mul.inputs[0] == g && mul.inputs[1] == v);
    if (!operands) continue;
    return MatchedActivation{
        hardswish ? "HardSwish" : "Silu", {}, {readers[k], readers[1 - k]}, mul.outputs[0]};
  }
  return std::nullopt;
}

std::optional<float> scalar_constant(const Graph& graph, ValueId id) {
  const Tensor* t = constant_of(graph, id);
  if (t == nullptr || t->numel() != 1) return std::nullopt;
  if (t->dtype() != DType::kFloat32) return std::nullopt;
  return t->data<float>()[0];
}

bool near(float a, float b) {
  return std::fabs(a - b) <= 1e-5f * std::fabs(b);
}

// A plain ONNX binary node reading `v` and a scalar constant (either side): that constant.
std::optional<float> scalar_operand(const Graph& graph, const Node& node, ValueId v,
                                    const char* op) {
  if (!node.domain.empty() || node.op_type != op || node.inputs.size() != 2 ||
      !same_type_output(graph, node, v))
    return std::nullopt;
  if (node.inputs[0] == v) return scalar_constant(graph, node.inputs[1]);
  if (node.inputs[1] == v && std::string_view(op) != "Div")
    return scalar_constant(graph, node.inputs[0]);
  return std::nullopt;
}

// GELU as torch.onnx writes it: v / sqrt(2) (or v * (1 / sqrt(2))) -> Erf -> + 1, times v
// and times 0.5 in either order; v read by the scaling and by one Mul.
std::optional<MatchedActivation> match_gelu(const Graph& graph, const UseInfo& uses, ValueId v) {
  if (uses.uses(v) != 2 || uses.is_output(v)) return std::nullopt;
  const auto& readers = uses.consumers[static_cast<size_t>(v)];
  for (int k = 0; k < 2; ++k) {
    const int d = readers[static_cast<size_t>(k)], other = readers[static_cast<size_t>(1 - k)];
    const Node& scale = graph.nodes[static_cast<size_t>(d)];
    const auto div = scalar_operand(graph, scale, v, "Div");
    const auto mul = scalar_operand(graph, scale, v, "Mul");
    if (!(div && near(*div, std::sqrt(2.0f))) && !(mul && near(*mul, std::sqrt(0.5f)))) continue;
    // The chain Erf -> Add 1, each read once.
    ValueId cur = scale.outputs[0];
    if (!uses.single_use(cur)) continue;
    const int e = uses.only_consumer(cur);
    const Node& erf = graph.nodes[static_cast<size_t>(e)];
    if (!erf.domain.empty() || erf.op_type != "Erf" || !same_type_output(graph, erf, v)) continue;
    cur = erf.outputs[0];
    if (!uses.single_use(cur)) continue;
    const int a = uses.only_consumer(cur);
    const auto one = scalar_operand(graph, graph.nodes[static_cast<size_t>(a)], cur, "Add");
    if (!one || *one != 1.0f) continue;
    const ValueId gate = graph.nodes[static_cast<size_t>(a)].outputs[0];
    if (!uses.single_use(gate)) continue;
    // v's other reader: Mul(v, gate) then * 0.5, or Mul(v, 0.5) then * gate.
    const Node& first = graph.nodes[static_cast<size_t>(other)];
    if (!first.domain.empty() || first.op_type != "Mul" || first.inputs.size() != 2 ||
        !same_type_output(graph, first, v))
      continue;
    const ValueId partner = first.inputs[0] == v ? first.inputs[1] : first.inputs[0];
    const bool gate_first = partner == gate;
    if (!gate_first) {
      const auto half = scalar_constant(graph, partner);
      if (!half || *half != 0.5f) continue;
    } else if (uses.only_consumer(gate) != other) {
      continue;
    }
    const ValueId mid = first.outputs[0];
    if (!uses.single_use(mid)) continue;
    const int s = uses.only_consumer(mid);
    const Node& second = graph.nodes[static_cast<size_t>(s)];
    if (!second.domain.empty() || second.op_type != "Mul" || second.inputs.size() != 2 ||
        !same_type_output(graph, second, v))
      continue;
    const ValueId last = second.inputs[0] == mid ? second.inputs[1] : second.inputs[0];
    if (gate_first) {
      const auto half = scalar_constant(graph, last);
      if (!half || *half != 0.5f) continue;
    } else if (last != gate) {
      continue;
    }
    return MatchedActivation{"Gelu", {}, {d, e, a, other, s}, second.outputs[0]};
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::pair<float, float>> clip_bounds(const Graph& graph, const Node& clip) {
  float lo = std::numeric_limits<float>::lowest();
  float hi = std::numeric_limits<float>::max();
  if (graph.opset < 11) {
    lo = attr_float(clip, "min", lo);
    hi = attr_float(clip, "max", hi);
    return std::make_pair(lo, hi);
  }
  if (ValueId id = input_or_none(clip, 1); id != kNoValue) {
    auto c = scalar_constant(graph, id);
    if (!c) return std::nullopt;
    lo = *c;
  }
  if (ValueId id = input_or_none(clip, 2); id != kNoValue) {
    auto c = scalar_constant(graph, id);
    if (!c) return std::nullopt;
    hi = *c;
  }
  return std::make_pair(lo, hi);
}

std::optional<MatchedActivation> match_activation(const Graph& graph, const UseInfo& uses,
                                                  ValueId v) {
  if (graph.value(v).type.dtype != DType::kFloat32) return std::nullopt;
  if (!uses.single_use(v)) {
    if (auto gelu = match_gelu(graph, uses, v)) return gelu;
    return match_gated_pair(graph, uses, v);
  }
  const int k = uses.only_consumer(v);
  const Node& node = graph.nodes[static_cast<size_t>(k)];
  if (!node.domain.empty() || node.inputs.empty() || node.inputs[0] != v ||
      !same_type_output(graph, node, v))
    return std::nullopt;
  MatchedActivation m{node.op_type, {}, {k}, node.outputs[0]};
  const std::string& op = node.op_type;
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish") {
    if (node.inputs.size() != 1) return std::nullopt;
  } else if (op == "LeakyRelu") {
    m.params = {attr_float(node, "alpha", 0.01f)};
  } else if (op == "HardSigmoid") {
    m.params = {attr_float(node, "alpha", 0.2f), attr_float(node, "beta", 0.5f)};
  } else if (op == "Gelu") {  // ONNX opset 20: the erf form only
    if (attr_string(node, "approximate", "none") != "none") return std::nullopt;
  } else if (op == "Clip") {
    auto bounds = clip_bounds(graph, node);
    if (!bounds) return std::nullopt;
    m.params = {bounds->first, bounds->second};
  } else {
    return std::nullopt;
  }
  return m;
}

}  // namespace hone
