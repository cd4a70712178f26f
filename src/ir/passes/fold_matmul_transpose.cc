#include "ir/passes/fold_matmul_transpose.h"

#include <numeric>
#include <vector>

#include "ir/passes/fusion_util.h"
#include "ir/passes/graph_rewrite.h"

namespace hone {
namespace {

bool is_float(const Graph& graph, ValueId v, size_t min_rank) {
  const ValueType& t = graph.value(v).type;
  return t.dtype == DType::kFloat32 && t.shape.size() >= min_rank;
}

// The ONNX node (index) producing v when v is its only output's single use and no earlier
// fusion took it; -1 otherwise.
int foldable_producer(const Graph& graph, const UseInfo& uses, const NodeReplacer& replacer,
                      ValueId v, const char* op_type) {
  const int p = graph.value(v).producer;
  if (p < 0 || replacer.taken(p) || !uses.single_use(v)) return -1;
  const Node& node = graph.nodes[static_cast<size_t>(p)];
  if (!node.domain.empty() || node.op_type != op_type || node.outputs.size() != 1) return -1;
  return p;
}

// A scalar float constant (any rank, one element), or none.
std::optional<float> scalar_constant(const Graph& graph, ValueId v) {
  const Tensor* t = constant_of(graph, v);
  if (t == nullptr || t->dtype() != DType::kFloat32 || t->numel() != 1) return std::nullopt;
  return t->data<float>()[0];
}

// One operand of the MatMul, walked back through a scale and a Transpose.
struct Operand {
  ValueId value;
  std::vector<int64_t> perm;  // empty: no transpose folded
};

Operand fold_operand(const Graph& graph, const UseInfo& uses, const NodeReplacer& replacer,
                     ValueId v, float& alpha, std::vector<int>& absorbed) {
  for (const char* op : {"Div", "Mul"}) {
    const int p = foldable_producer(graph, uses, replacer, v, op);
    if (p < 0) continue;
    const Node& node = graph.nodes[static_cast<size_t>(p)];
    if (node.inputs.size() != 2) continue;
    // Div by the constant, or Mul by it on either side; the other input has v's type.
    const bool div = node.op_type == "Div";
    for (size_t c = div ? 1 : 0; c < 2; ++c) {
      const std::optional<float> s = scalar_constant(graph, node.inputs[c]);
      const ValueId x = node.inputs[1 - c];
      if (!s || (div && *s == 0.0f) || graph.value(x).type != graph.value(v).type) continue;
      alpha *= div ? 1.0f / *s : *s;
      absorbed.push_back(p);
      v = x;
      break;
    }
    break;
  }
  Operand out{v, {}};
  const int t = foldable_producer(graph, uses, replacer, v, "Transpose");
  if (t < 0) return out;
  const Node& node = graph.nodes[static_cast<size_t>(t)];
  const ValueId src = node.inputs[0];
  const auto rank = static_cast<int64_t>(graph.value(src).type.shape.size());
  if (rank < 2 || !is_float(graph, src, 2)) return out;
  std::vector<int64_t> perm(static_cast<size_t>(rank));
  std::iota(perm.rbegin(), perm.rend(), 0);  // ONNX's default: reverse the axes
  perm = attr_ints(node, "perm", perm);
  if (static_cast<int64_t>(perm.size()) != rank) return out;
  // The source's innermost axis (unit stride) must stay a matrix axis of the view.
  if (perm[perm.size() - 1] != rank - 1 && perm[perm.size() - 2] != rank - 1) return out;
  absorbed.push_back(t);
  out.value = src;
  out.perm = perm;
  return out;
}

}  // namespace

void fold_matmul_transpose(Graph& graph, const OptimizeOptions& /*options*/) {
  const UseInfo uses = analyze_uses(graph);
  NodeReplacer replacer(graph);
  const size_t n_nodes = graph.nodes.size();
  for (size_t n = 0; n < n_nodes; ++n) {
    const Node& mm = graph.nodes[n];
    if (replacer.taken(static_cast<int>(n)) || !mm.domain.empty() || mm.op_type != "MatMul" ||
        mm.inputs.size() != 2 || mm.outputs.size() != 1 || !is_float(graph, mm.inputs[0], 2) ||
        !is_float(graph, mm.inputs[1], 2) || constant_of(graph, mm.inputs[1]) != nullptr)
      continue;
    float alpha = 1.0f;
    std::vector<int> absorbed = {static_cast<int>(n)};
    const Operand a = fold_operand(graph, uses, replacer, mm.inputs[0], alpha, absorbed);
    const Operand b = fold_operand(graph, uses, replacer, mm.inputs[1], alpha, absorbed);
    if (absorbed.size() == 1) continue;
    Node fused;
    fused.name = mm.name;
    fused.op_type = "FusedMatMul";
    fused.domain = "hone";
    fused.inputs = {a.value, b.value};
    fused.outputs = mm.outputs;
    set_attr(fused, "alpha", alpha);
    if (!a.perm.empty()) set_attr(fused, "perm_a", a.perm);
    if (!b.perm.empty()) set_attr(fused, "perm_b", b.perm);
    replacer.replace(absorbed, std::move(fused));
  }
  replacer.apply(graph);
}

}  // namespace hone
