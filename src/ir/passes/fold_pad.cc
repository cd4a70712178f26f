#include "ir/passes/fold_pad.h"

#include <optional>

#include "ir/passes/graph_rewrite.h"

namespace hone {

namespace {

bool is_onnx(const Node& node) {
  return node.domain.empty() || node.domain == "ai.onnx";
}

// The spatial pads ([begin..., end...] over the axes after N and C) of a Pad that pads only
// those axes, by the constant 0, with a constant `pads` input; nullopt for any other Pad.
std::optional<std::vector<int64_t>> spatial_zero_pads(const Graph& graph, const Node& pad) {
  if (!is_onnx(pad) || pad.op_type != "Pad" || pad.inputs.size() < 2) return std::nullopt;
  if (attr_string(pad, "mode", "constant") != "constant") return std::nullopt;
  if (pad.inputs.size() > 3 && pad.inputs[3] != kNoValue) return std::nullopt;  // axes
  const Tensor* value = pad.inputs.size() > 2 ? constant_of(graph, input_or_none(pad, 2)) : nullptr;
  if (pad.inputs.size() > 2 && pad.inputs[2] != kNoValue &&
      (!value || value->numel() != 1 || float_values(*value)[0] != 0.0f))
    return std::nullopt;
  const Tensor* pads = constant_of(graph, pad.inputs[1]);
  const size_t rank = graph.value(pad.inputs[0]).type.shape.size();
  if (!pads || pads->dtype() != DType::kInt64 || rank < 3) return std::nullopt;
  const std::vector<int64_t> all = pads->to_vector<int64_t>();
  if (all.size() != 2 * rank) return std::nullopt;
  std::vector<int64_t> begin, end;
  for (size_t d = 0; d < rank; ++d) {
    const int64_t b = all[d], e = all[rank + d];
    if (b < 0 || e < 0) return std::nullopt;  // a crop
    if (d < 2) {
      if (b != 0 || e != 0) return std::nullopt;  // batch or channels
      continue;
    }
    begin.push_back(b);
    end.push_back(e);
  }
  begin.insert(begin.end(), end.begin(), end.end());
  return begin;
}

// Whether `consumer` reads `padded` only as its data input and can take the padding itself.
bool can_take_pads(const Node& consumer, ValueId padded, size_t spatial) {
  if (!is_onnx(consumer) || consumer.inputs.empty() || consumer.inputs[0] != padded) return false;
  for (size_t i = 1; i < consumer.inputs.size(); ++i)
    if (consumer.inputs[i] == padded) return false;
  if (attr_string(consumer, "auto_pad", "NOTSET") != "NOTSET") return false;
  const std::vector<int64_t> own = attr_ints(consumer, "pads", {});
  if (!own.empty() && own.size() != 2 * spatial) return false;
  if (consumer.op_type == "Conv") return true;
  if (consumer.op_type != "AveragePool") return false;
  // Ceil mode may place a last window past the padded input, where the two forms could count
  // differently; own pads not counted cannot mix with counted Pad zeros.
  if (attr_int(consumer, "ceil_mode", 0) != 0) return false;
  bool own_zero = true;
  for (int64_t p : own) own_zero = own_zero && p == 0;
  return own_zero || attr_int(consumer, "count_include_pad", 0) != 0;
}

}  // namespace

void fold_pad(Graph& graph, const OptimizeOptions& /*options*/) {
  const UseInfo uses = analyze_uses(graph);
  std::vector<bool> remove(graph.nodes.size(), false);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& pad = graph.nodes[n];
    const std::optional<std::vector<int64_t>> pads = spatial_zero_pads(graph, pad);
    if (!pads || pad.outputs.empty() || pad.outputs[0] == kNoValue) continue;
    const ValueId in = pad.inputs[0], out = pad.outputs[0];
    if (uses.is_output(out) || uses.uses(out) == 0) continue;
    const size_t spatial = pads->size() / 2;
    bool ok = true;
    for (int c : uses.consumers[static_cast<size_t>(out)])
      ok = ok && can_take_pads(graph.nodes[static_cast<size_t>(c)], out, spatial);
    if (!ok) continue;
    for (int c : uses.consumers[static_cast<size_t>(out)]) {
      Node& consumer = graph.nodes[static_cast<size_t>(c)];
      std::vector<int64_t> own = attr_ints(consumer, "pads", std::vector<int64_t>(2 * spatial, 0));
      for (size_t i = 0; i < own.size(); ++i) own[i] += (*pads)[i];
      set_attr(consumer, "pads", own);
      if (consumer.op_type == "AveragePool") set_attr(consumer, "count_include_pad", int64_t{1});
      consumer.inputs[0] = in;
    }
    remove[n] = true;
  }
  erase_nodes(graph, remove);
}

}  // namespace hone
