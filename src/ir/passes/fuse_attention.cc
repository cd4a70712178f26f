#include "ir/passes/fuse_attention.h"

#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#include "ir/passes/fusion_util.h"
#include "ir/passes/graph_rewrite.h"

namespace hone {
namespace {

bool is_fused_matmul(const Node& node) {
  return node.domain == "hone" && node.op_type == "FusedMatMul" && node.inputs.size() == 2 &&
         node.outputs.size() == 1;
}

bool has_any(const Node& node, const std::vector<std::string>& names) {
  for (const std::string& name : names)
    if (node.attrs.count(name)) return true;
  return false;
}

// Whether Softmax `node` runs over the last axis of its rank-`rank` input (opsets before 13
// flatten the input at `axis` into rows, which is the same when axis is the last one).
bool softmax_over_last_axis(const Graph& graph, const Node& node, int64_t rank) {
  int64_t axis = attr_int(node, "axis", graph.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  return axis == rank - 1;
}

}  // namespace

void fuse_attention(Graph& graph, const OptimizeOptions& /*options*/) {
  if (const char* e = std::getenv("HONE_FUSE_ATTENTION"); e && std::string(e) == "0") return;
  const UseInfo uses = analyze_uses(graph);
  NodeReplacer replacer(graph);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& softmax = graph.nodes[n];
    if (replacer.taken(static_cast<int>(n)) || !softmax.domain.empty() ||
        softmax.op_type != "Softmax" || softmax.inputs.size() != 1 || softmax.outputs.size() != 1)
      continue;
    const ValueId scores = softmax.inputs[0], weights = softmax.outputs[0];
    const int first = graph.value(scores).producer;
    if (first < 0 || replacer.taken(first) || !uses.single_use(scores) || !uses.single_use(weights))
      continue;
    const int second = uses.only_consumer(weights);
    const Node& qk = graph.nodes[static_cast<size_t>(first)];
    const Node& wv = graph.nodes[static_cast<size_t>(second)];
    if (replacer.taken(second) || !is_fused_matmul(qk) || !is_fused_matmul(wv) ||
        wv.inputs[0] != weights || wv.inputs[1] == weights || qk.attrs.count("perm_y") ||
        has_any(wv, {"perm_a", "shape_a", "strides_a", "offset_a", "groups_a"}) ||
        attr_float(wv, "alpha", 1.0f) != 1.0f)
      continue;
    // Same batch matrices in both products: equal ranks, and the second product's elements
    // are the first's with the last axis (keys) replaced by the value width.
    const ValueType& s = graph.value(scores).type;
    const ValueType& y = graph.value(wv.outputs[0]).type;
    const auto rank = static_cast<int64_t>(s.shape.size());
    if (s.dtype != DType::kFloat32 || rank < 2 || y.shape.size() != s.shape.size() ||
        !softmax_over_last_axis(graph, softmax, rank) || s.shape.back() <= 0 ||
        shape_numel(y.shape) * s.shape.back() != shape_numel(s.shape) * y.shape.back())
      continue;
    Node fused;
    fused.name = qk.name;
    fused.op_type = "FusedAttention";
    fused.domain = "hone";
    fused.inputs = {qk.inputs[0], qk.inputs[1], wv.inputs[1]};
    fused.outputs = wv.outputs;
    set_attr(fused, "alpha", attr_float(qk, "alpha", 1.0f));
    for (const std::string view : {"perm", "shape", "strides", "offset", "groups"}) {
      for (const auto& [node, from, to] :
           {std::tuple{&qk, "_a", "_q"}, {&qk, "_b", "_k"}, {&wv, "_b", "_v"}}) {
        auto it = node->attrs.find(view + from);
        if (it != node->attrs.end()) fused.attrs[view + to] = it->second;
      }
    }
    if (auto it = wv.attrs.find("perm_y"); it != wv.attrs.end()) fused.attrs["perm_y"] = it->second;
    replacer.replace({first, static_cast<int>(n), second}, std::move(fused));
  }
  replacer.apply(graph);
}

}  // namespace hone
