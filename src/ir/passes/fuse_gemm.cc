#include "ir/passes/fuse_gemm.h"

#include <algorithm>

#include "ir/passes/activation_match.h"
#include "ir/passes/fusion_util.h"
#include "ir/passes/graph_rewrite.h"

namespace hone {

namespace {

bool is_float_matrix_constant(const Graph& graph, ValueId id) {
  const Tensor* t = constant_of(graph, id);
  return t != nullptr && t->dtype() == DType::kFloat32 && t->rank() == 2;
}

// A Gemm or MatMul the FusedGemm kernel takes: float A (2-D, or of any rank >= 2 for a
// MatMul: a transformer's [batch, tokens, features] as one GEMM), constant 2-D B, constant C.
bool is_fusable(const Graph& graph, const Node& node) {
  if (!node.domain.empty() || node.inputs.size() < 2 || node.outputs.size() != 1 ||
      node.outputs[0] == kNoValue)
    return false;
  const ValueType& a = graph.value(node.inputs[0]).type;
  const bool matmul = node.op_type == "MatMul";
  if (a.dtype != DType::kFloat32 || a.shape.size() < 2 || (!matmul && a.shape.size() != 2))
    return false;
  if (!is_float_matrix_constant(graph, node.inputs[1])) return false;
  if (matmul) return node.inputs.size() == 2;
  if (node.op_type != "Gemm") return false;
  ValueId c = input_or_none(node, 2);
  if (c == kNoValue) return true;
  const Tensor* t = constant_of(graph, c);
  return t != nullptr && t->dtype() == DType::kFloat32 && t->rank() <= 2;
}

// A bias term broadcast to [rows, cols]: kept as a [cols] vector unless it varies by row.
struct Bias {
  bool full = false;     // [rows, cols]
  std::vector<float> v;  // [cols] or [rows * cols]; empty when absent
};

// Adds `scale * t` (broadcastable to [rows, cols]) to the bias; false when it does not
// broadcast to the output.
bool accumulate(Bias& bias, const Tensor& t, float scale, int64_t rows, int64_t cols) {
  Shape s = t.shape();
  if (s.size() > 2) return false;
  while (s.size() < 2) s.insert(s.begin(), 1);
  if ((s[0] != 1 && s[0] != rows) || (s[1] != 1 && s[1] != cols)) return false;
  std::vector<float> x = t.to_vector<float>();
  const bool full = bias.full || s[0] != 1;
  const int64_t out_rows = full ? rows : 1;
  std::vector<float> out(static_cast<size_t>(out_rows * cols), 0.0f);
  for (int64_t m = 0; m < out_rows; ++m)
    for (int64_t n = 0; n < cols; ++n) {
      float old = 0.0f;
      if (!bias.v.empty()) old = bias.v[static_cast<size_t>((bias.full ? m * cols : 0) + n)];
      const int64_t i = (s[0] == 1 ? 0 : m) * s[1] + (s[1] == 1 ? 0 : n);
      out[static_cast<size_t>(m * cols + n)] = old + scale * x[static_cast<size_t>(i)];
    }
  bias.full = full;
  bias.v = std::move(out);
  return true;
}

}  // namespace

void fuse_gemm(Graph& graph, const OptimizeOptions& /*options*/) {
  const UseInfo uses = analyze_uses(graph);
  NameGenerator names(graph);
  NodeReplacer replacer(graph);
  const size_t n_nodes = graph.nodes.size();
  for (size_t n = 0; n < n_nodes; ++n) {
    if (replacer.taken(static_cast<int>(n)) || !is_fusable(graph, graph.nodes[n])) continue;
    const Node& gemm = graph.nodes[n];
    const bool is_gemm = gemm.op_type == "Gemm";
    ValueId cur = gemm.outputs[0];
    const ValueType out_type = graph.value(cur).type;
    // The output as one matrix: every leading dim counts as rows.
    const int64_t cols = out_type.shape.back();
    const int64_t rows = shape_numel(out_type.shape) / std::max<int64_t>(1, cols);
    float beta = is_gemm ? attr_float(gemm, "beta", 1.0f) : 1.0f;
    ValueId c = is_gemm ? input_or_none(gemm, 2) : kNoValue;
    Bias bias;
    bool bias_changed = false;
    std::vector<int> absorbed = {static_cast<int>(n)};
    while (uses.single_use(cur)) {
      const int k = uses.only_consumer(cur);
      const Node& add = graph.nodes[static_cast<size_t>(k)];
      if (replacer.taken(k) || !add.domain.empty() || add.op_type != "Add" ||
          add.inputs.size() != 2 || graph.value(add.outputs[0]).type != out_type)
        break;
      const ValueId other = add.inputs[0] == cur ? add.inputs[1] : add.inputs[0];
      const Tensor* t = constant_of(graph, other);
      if (t == nullptr || t->dtype() != DType::kFloat32) break;
      Bias next = bias;
      if (!bias_changed && c != kNoValue &&
          !accumulate(next, *constant_of(graph, c), beta, rows, cols))
        break;
      if (!accumulate(next, *t, 1.0f, rows, cols)) break;
      bias = std::move(next);
      bias_changed = true;
      absorbed.push_back(k);
      cur = add.outputs[0];
    }
    MatchedActivation act;
    if (auto m = match_activation(graph, uses, cur)) {
      bool free = true;
      for (int k : m->nodes) free = free && !replacer.taken(k);
      if (free) {
        act = *m;
        absorbed.insert(absorbed.end(), m->nodes.begin(), m->nodes.end());
        cur = m->output;
      }
    }

    Node fused;
    fused.name = gemm.name;
    fused.op_type = "FusedGemm";
    fused.domain = "hone";
    if (bias_changed) {
      Shape shape = bias.full ? Shape{rows, cols} : Shape{cols};
      c = add_constant(graph, names.value(gemm.name + ".fused_bias"),
                       Tensor::from_vector<float>(shape, bias.v));
      beta = 1.0f;
    }
    fused.inputs = {gemm.inputs[0], gemm.inputs[1]};
    if (c != kNoValue) fused.inputs.push_back(c);
    fused.outputs = {cur};
    set_attr(fused, "alpha", is_gemm ? attr_float(gemm, "alpha", 1.0f) : 1.0f);
    set_attr(fused, "beta", beta);
    set_attr(fused, "transA", is_gemm ? attr_int(gemm, "transA", 0) : int64_t{0});
    set_attr(fused, "transB", is_gemm ? attr_int(gemm, "transB", 0) : int64_t{0});
    set_attr(fused, "activation", act.name);
    set_attr(fused, "activation_params", act.params);
    replacer.replace(absorbed, std::move(fused));
  }
  replacer.apply(graph);
}

}  // namespace hone
