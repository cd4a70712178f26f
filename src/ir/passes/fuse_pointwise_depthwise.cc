#include "ir/passes/fuse_pointwise_depthwise.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "ir/passes/fusion_util.h"
#include "ir/passes/graph_rewrite.h"

namespace hone {

namespace {

bool is_blocked_conv(const Graph& graph, const Node& n, int64_t& block) {
  if (n.domain != "hone" || n.op_type != "FusedConv" || n.inputs.size() < 2 ||
      n.outputs.size() != 1 || n.outputs[0] == kNoValue || n.inputs[0] == kNoValue)
    return false;
  block = attr_int(n, "input_block", 0);
  if ((block != 8 && block != 16) || attr_int(n, "output_block", 0) != block) return false;
  const Tensor* w = constant_of(graph, n.inputs[1]);
  if (w == nullptr || w->dtype() != DType::kFloat32 || w->shape().size() != 4) return false;
  const ValueId bias = input_or_none(n, 2);
  return bias == kNoValue || constant_of(graph, bias) != nullptr;
}

bool all_equal(const std::vector<int64_t>& v, int64_t x) {
  for (int64_t e : v)
    if (e != x) return false;
  return true;
}

// The expansion: 1x1, stride 1, no pads, group 1, no residual sum.
bool is_pointwise(const Graph& graph, const Node& n, int64_t& block) {
  if (!is_blocked_conv(graph, n, block) || input_or_none(n, 3) != kNoValue) return false;
  const Shape& w = graph.value(n.inputs[1]).type.shape;
  return w[2] == 1 && w[3] == 1 && attr_int(n, "group", 1) == 1 &&
         all_equal(attr_ints(n, "strides", {1, 1}), 1) &&
         all_equal(attr_ints(n, "dilations", {1, 1}), 1) &&
         all_equal(attr_ints(n, "pads", {0, 0, 0, 0}), 0);
}

// The depthwise conv reading `x` with `channels` channels in blocks of `block`.
bool is_depthwise_of(const Graph& graph, const Node& n, ValueId x, int64_t channels,
                     int64_t block) {
  int64_t b = 0;
  if (!is_blocked_conv(graph, n, b) || b != block || n.inputs[0] != x) return false;
  const Shape& w = graph.value(n.inputs[1]).type.shape;
  for (size_t i = 1; i < n.inputs.size(); ++i)
    if (n.inputs[i] == x) return false;
  return w[0] == channels && w[1] == 1 && attr_int(n, "group", 1) == channels;
}

}  // namespace

void fuse_pointwise_depthwise(Graph& graph, const OptimizeOptions& /*options*/) {
  // For measurement: the same binary with and without the fusion.
  if (const char* env = std::getenv("HONE_FUSE_PW_DW"); env && std::string(env) == "0") return;
  const UseInfo uses = analyze_uses(graph);
  NameGenerator names(graph);
  NodeReplacer replacer(graph);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& pw = graph.nodes[n];
    int64_t block = 0;
    if (replacer.taken(static_cast<int>(n)) || !is_pointwise(graph, pw, block)) continue;
    const ValueId mid = pw.outputs[0];
    if (!uses.single_use(mid)) continue;
    const int k = uses.only_consumer(mid);
    const Node& dw = graph.nodes[static_cast<size_t>(k)];
    const int64_t channels = graph.value(pw.inputs[1]).type.shape[0];
    if (replacer.taken(k) || !is_depthwise_of(graph, dw, mid, channels, block)) continue;

    Node fused;
    fused.name = names.node(pw.name + "+" + dw.name);
    fused.op_type = "FusedPointwiseDepthwise";
    fused.domain = "hone";
    fused.inputs = {pw.inputs[0], pw.inputs[1], input_or_none(pw, 2), dw.inputs[1],
                    input_or_none(dw, 2)};
    if (const ValueId sum = input_or_none(dw, 3); sum != kNoValue) fused.inputs.push_back(sum);
    fused.outputs = dw.outputs;
    for (const char* a :
         {"kernel_shape", "strides", "pads", "dilations", "activation", "activation_params"})
      if (auto it = dw.attrs.find(a); it != dw.attrs.end()) fused.attrs[a] = it->second;
    if (auto it = pw.attrs.find("activation"); it != pw.attrs.end())
      fused.attrs["pw_activation"] = it->second;
    if (auto it = pw.attrs.find("activation_params"); it != pw.attrs.end())
      fused.attrs["pw_activation_params"] = it->second;
    set_attr(fused, "block", block);
    replacer.replace({static_cast<int>(n), k}, std::move(fused));
  }
  replacer.apply(graph);
}

}  // namespace hone
