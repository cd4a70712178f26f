#include "ir/passes/fuse_conv.h"

#include "ir/op_registry.h"
#include "ir/ops/conv_window.h"
#include "ir/passes/activation_match.h"
#include "ir/passes/fusion_util.h"
#include "ir/passes/graph_rewrite.h"

namespace hone {

namespace {

bool is_float_constant(const Graph& graph, ValueId id) {
  const Tensor* t = constant_of(graph, id);
  return t != nullptr && t->dtype() == DType::kFloat32;
}

// A Conv the FusedConv kernel takes: 2-D, float, constant weights and bias.
bool is_fusable_conv(const Graph& graph, const Node& node) {
  if (!node.domain.empty() || node.op_type != "Conv" || node.inputs.size() < 2 ||
      node.outputs.size() != 1 || node.outputs[0] == kNoValue)
    return false;
  const ValueType& x = graph.value(node.inputs[0]).type;
  if (x.dtype != DType::kFloat32 || x.shape.size() != 4) return false;
  if (!is_float_constant(graph, node.inputs[1]) ||
      graph.value(node.inputs[1]).type.shape.size() != 4)
    return false;
  ValueId b = input_or_none(node, 2);
  return b == kNoValue || is_float_constant(graph, b);
}

// The conv's window with auto_pad resolved, through the same code the Conv op uses.
WindowGeometry conv_window(const Graph& graph, const Node& conv) {
  std::vector<ValueType> types;
  std::vector<const Tensor*> values;
  for (ValueId id : conv.inputs) {
    types.push_back(id == kNoValue ? ValueType{} : graph.value(id).type);
    values.push_back(constant_of(graph, id));
  }
  OpContext ctx(conv, types, values, graph.opset);
  const Shape& w = graph.value(conv.inputs[1]).type.shape;
  return forward_window(ctx, graph.value(conv.inputs[0]).type.shape, {w[2], w[3]}, {});
}

}  // namespace

void fuse_conv(Graph& graph, const OptimizeOptions& /*options*/) {
  const UseInfo uses = analyze_uses(graph);
  NameGenerator names(graph);
  NodeReplacer replacer(graph);
  const size_t n_nodes = graph.nodes.size();
  for (size_t n = 0; n < n_nodes; ++n) {
    if (replacer.taken(static_cast<int>(n)) || !is_fusable_conv(graph, graph.nodes[n])) continue;
    const Node& conv = graph.nodes[n];
    const int64_t channels = graph.value(conv.inputs[1]).type.shape[0];
    std::vector<int> absorbed = {static_cast<int>(n)};
    ValueId cur = conv.outputs[0];
    const ValueType out_type = graph.value(cur).type;
    ValueId bias = input_or_none(conv, 2);
    std::vector<float> bias_values;
    if (bias != kNoValue) bias_values = constant_of(graph, bias)->to_vector<float>();
    bool bias_changed = false;
    ValueId sum = kNoValue;
    MatchedActivation act;
    // Adds (bias or residual, in any order: addition commutes), then one activation.
    while (true) {
      if (uses.single_use(cur)) {
        const int k = uses.only_consumer(cur);
        const Node& add = graph.nodes[static_cast<size_t>(k)];
        if (!replacer.taken(k) && add.domain.empty() && add.op_type == "Add" &&
            add.inputs.size() == 2 && add.outputs.size() == 1 &&
            graph.value(add.outputs[0]).type == out_type) {
          const ValueId other = add.inputs[0] == cur ? add.inputs[1] : add.inputs[0];
          const Tensor* c = constant_of(graph, other);
          if (other == cur) break;
          if (c != nullptr && is_per_channel(*c, 4, channels)) {
            std::vector<float> v = per_channel_values(*c, channels);
            if (bias_values.empty()) bias_values.assign(static_cast<size_t>(channels), 0.0f);
            for (size_t i = 0; i < v.size(); ++i) bias_values[i] += v[i];
            bias_changed = true;
          } else if (c == nullptr && sum == kNoValue && graph.value(other).type == out_type &&
                     !depends_on_node(graph, other, static_cast<int>(n))) {
            sum = other;
          } else {
            break;
          }
          absorbed.push_back(k);
          cur = add.outputs[0];
          continue;
        }
      }
      if (auto m = match_activation(graph, uses, cur)) {
        bool free = true;
        for (int k : m->nodes) free = free && !replacer.taken(k);
        if (free) {
          act = *m;
          absorbed.insert(absorbed.end(), m->nodes.begin(), m->nodes.end());
          cur = m->output;
        }
      }
      break;
    }

    const WindowGeometry window = conv_window(graph, conv);
    Node fused;
    fused.name = conv.name;
    fused.op_type = "FusedConv";
    fused.domain = "hone";
    if (bias_changed)
      bias = add_constant(graph, names.value(conv.name + ".fused_bias"),
                          Tensor::from_vector<float>({channels}, bias_values));
    fused.inputs = {conv.inputs[0], conv.inputs[1]};
    if (bias != kNoValue || sum != kNoValue) fused.inputs.push_back(bias);
    if (sum != kNoValue) fused.inputs.push_back(sum);
    fused.outputs = {cur};
    std::vector<int64_t> pads = window.pads_begin;
    pads.insert(pads.end(), window.pads_end.begin(), window.pads_end.end());
    set_attr(fused, "kernel_shape", window.kernel);
    set_attr(fused, "strides", window.strides);
    set_attr(fused, "pads", pads);
    set_attr(fused, "dilations", window.dilations);
    set_attr(fused, "group", attr_int(conv, "group", 1));
    set_attr(fused, "input_block", int64_t{0});
    set_attr(fused, "output_block", int64_t{0});
    set_attr(fused, "activation", act.name);
    set_attr(fused, "activation_params", act.params);
    replacer.replace(absorbed, std::move(fused));
  }
  replacer.apply(graph);
}

}  // namespace hone
