#include "ir/passes/fuse_elementwise.h"

#include <algorithm>
#include <optional>
#include <span>
#include <string_view>

#include "ir/passes/activation_match.h"
#include "ir/passes/fusion_util.h"
#include "ir/passes/graph_rewrite.h"

namespace hone {

namespace {

constexpr std::string_view kUnary[] = {"Relu", "Sigmoid",   "Tanh",       "Exp", "Log",
                                       "Neg",  "Abs",       "Sqrt",       "Erf", "HardSwish",
                                       "Clip", "LeakyRelu", "HardSigmoid"};
constexpr std::string_view kBinary[] = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Pow"};

bool contains(std::span<const std::string_view> list, std::string_view op) {
  return std::find(list.begin(), list.end(), op) != list.end();
}

struct Step {
  std::string op;
  ValueId operand = kNoValue;  // binary ops only
  float alpha = 0.0f;
  float beta = 0.0f;
};

// Whether `operand` can be read alongside an accumulator of type `acc`: same shape, a
// scalar, or per-channel in NCHW.
bool operand_fits(const Graph& graph, ValueId operand, const ValueType& acc) {
  const ValueType& t = graph.value(operand).type;
  if (t.dtype != DType::kFloat32) return false;
  if (t.shape == acc.shape || shape_numel(t.shape) == 1) return true;
  if (acc.shape.size() != 4) return false;
  const int64_t c = acc.shape[1];
  return t.shape == Shape{c, 1, 1} || t.shape == Shape{1, c, 1, 1};
}

// The step node `k` applies to accumulator `acc` (one of its inputs), or nullopt.
std::optional<Step> step_of(const Graph& graph, const Node& node, ValueId acc) {
  if (!node.domain.empty() || node.outputs.size() != 1 || node.outputs[0] == kNoValue)
    return std::nullopt;
  const ValueType& acc_type = graph.value(acc).type;
  if (acc_type.dtype != DType::kFloat32 || graph.value(node.outputs[0]).type != acc_type)
    return std::nullopt;
  const std::string& op = node.op_type;
  if (contains(kUnary, op)) {
    if (node.inputs.empty() || node.inputs[0] != acc) return std::nullopt;
    Step s{op};
    if (op == "Clip") {
      auto bounds = clip_bounds(graph, node);
      if (!bounds) return std::nullopt;
      s.alpha = bounds->first;
      s.beta = bounds->second;
    } else if (op == "LeakyRelu") {
      s.alpha = attr_float(node, "alpha", 0.01f);
    } else if (op == "HardSigmoid") {
      s.alpha = attr_float(node, "alpha", 0.2f);
      s.beta = attr_float(node, "beta", 0.5f);
    } else if (node.inputs.size() != 1) {
      return std::nullopt;
    }
    return s;
  }
  if (!contains(kBinary, op) || node.inputs.size() != 2) return std::nullopt;
  const ValueId a = node.inputs[0], b = node.inputs[1];
  if (a == b) return std::nullopt;
  if (a == acc) {
    if (!operand_fits(graph, b, acc_type)) return std::nullopt;
    return Step{op, b};
  }
  if (b != acc || !operand_fits(graph, a, acc_type)) return std::nullopt;
  if (op == "Sub") return Step{"RSub", a};
  if (op == "Div") return Step{"RDiv", a};
  if (op == "Pow") return std::nullopt;
  return Step{op, a};  // commutative
}

// The accumulator a chain starting at `node` would use: the input with the output's type.
ValueId chain_start(const Graph& graph, const Node& node) {
  if (node.inputs.empty() || node.outputs.size() != 1 || node.outputs[0] == kNoValue)
    return kNoValue;
  const ValueType& out = graph.value(node.outputs[0]).type;
  for (ValueId id : node.inputs)
    if (id != kNoValue && graph.value(id).type == out) return id;
  return kNoValue;
}

}  // namespace

void fuse_elementwise(Graph& graph, const OptimizeOptions& /*options*/) {
  const UseInfo uses = analyze_uses(graph);
  NodeReplacer replacer(graph);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& first = graph.nodes[n];
    if (replacer.taken(static_cast<int>(n))) continue;
    const ValueId x0 = chain_start(graph, first);
    if (x0 == kNoValue) continue;
    auto s0 = step_of(graph, first, x0);
    if (!s0) continue;
    std::vector<Step> steps = {*s0};
    std::vector<int> nodes = {static_cast<int>(n)};
    ValueId cur = first.outputs[0];
    while (uses.single_use(cur)) {
      const int k = uses.only_consumer(cur);
      if (replacer.taken(k)) break;
      auto s = step_of(graph, graph.nodes[static_cast<size_t>(k)], cur);
      if (!s) break;
      steps.push_back(*s);
      nodes.push_back(k);
      cur = graph.nodes[static_cast<size_t>(k)].outputs[0];
    }
    if (steps.size() < 2) continue;

    Node fused;
    fused.name = first.name;
    fused.op_type = "FusedElementwise";
    fused.domain = "hone";
    fused.inputs = {x0};
    std::vector<std::string> ops;
    std::vector<int64_t> operands;
    std::vector<float> alphas, betas;
    for (const Step& s : steps) {
      ops.push_back(s.op);
      alphas.push_back(s.alpha);
      betas.push_back(s.beta);
      if (s.operand == kNoValue) {
        operands.push_back(-1);
        continue;
      }
      auto it = std::find(fused.inputs.begin(), fused.inputs.end(), s.operand);
      operands.push_back(it - fused.inputs.begin());
      if (it == fused.inputs.end()) fused.inputs.push_back(s.operand);
    }
    fused.outputs = {cur};
    set_attr(fused, "ops", ops);
    set_attr(fused, "operands", operands);
    set_attr(fused, "alphas", alphas);
    set_attr(fused, "betas", betas);
    replacer.replace(nodes, std::move(fused));
  }
  replacer.apply(graph);
}

}  // namespace hone
