#include "ir/passes/gather_channels.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "ir/passes/eliminate_dead_nodes.h"
#include "ir/passes/graph_rewrite.h"

namespace hone {

namespace {

// Where each output channel comes from: (value, channel of that value).
using ChannelMap = std::vector<std::pair<ValueId, int64_t>>;

bool is_onnx(const Node& node) {
  return node.domain.empty() || node.domain == "ai.onnx";
}

bool is_4d_float(const Graph& g, ValueId id) {
  if (id == kNoValue) return false;
  const ValueType& t = g.value(id).type;
  return t.dtype == DType::kFloat32 && t.shape.size() == 4;
}

// Same N, H and W: the tensors differ at most in their channels.
bool same_outside_channels(const Shape& a, const Shape& b) {
  return a[0] == b[0] && a[2] == b[2] && a[3] == b[3];
}

int64_t channels_of(const Graph& g, ValueId id) {
  return g.value(id).type.shape[1];
}

// Reshape [N,C,H,W] -> [N,g,C/g,H,W], Transpose (0,2,1,3,4), Reshape -> [N,C,H,W] ending at
// `node`: output channel a*g + b is input channel b*(C/g) + a. `producer`: the index in
// `nodes` of each value's producer (-1: none).
std::optional<ChannelMap> shuffle_map(const Graph& g, const std::vector<Node>& nodes,
                                      const std::vector<int>& producer, const Node& node) {
  if (!is_onnx(node) || node.op_type != "Reshape" || node.outputs.size() != 1 ||
      node.inputs.empty() || node.inputs[0] == kNoValue || !is_4d_float(g, node.outputs[0]))
    return std::nullopt;
  const int t_index = producer[static_cast<size_t>(node.inputs[0])];
  if (t_index < 0) return std::nullopt;
  const Node& t = nodes[static_cast<size_t>(t_index)];
  if (!is_onnx(t) || t.op_type != "Transpose" ||
      attr_ints(t, "perm", {}) != std::vector<int64_t>{0, 2, 1, 3, 4} || t.inputs.empty() ||
      t.inputs[0] == kNoValue)
    return std::nullopt;
  const int r_index = producer[static_cast<size_t>(t.inputs[0])];
  if (r_index < 0) return std::nullopt;
  const Node& r = nodes[static_cast<size_t>(r_index)];
  if (!is_onnx(r) || r.op_type != "Reshape" || !is_4d_float(g, r.inputs[0])) return std::nullopt;
  const ValueId x = r.inputs[0];
  const Shape& in = g.value(x).type.shape;
  const Shape& split = g.value(r.outputs[0]).type.shape;
  if (g.value(node.outputs[0]).type.shape != in || split.size() != 5) return std::nullopt;
  const int64_t groups = split[1], per_group = split[2];
  if (split != Shape{in[0], groups, per_group, in[2], in[3]} || groups * per_group != in[1])
    return std::nullopt;
  ChannelMap map;
  for (int64_t a = 0; a < per_group; ++a)
    for (int64_t b = 0; b < groups; ++b) map.emplace_back(x, b * per_group + a);
  return map;
}

// A Slice along the channels only (axis 1 or -3), constant bounds, positive step.
std::optional<ChannelMap> slice_map(const Graph& g, const Node& node) {
  if (!is_onnx(node) || node.op_type != "Slice" || node.outputs.size() != 1 ||
      node.inputs.empty() || !is_4d_float(g, node.inputs[0]) || !is_4d_float(g, node.outputs[0]))
    return std::nullopt;
  std::vector<int64_t> starts, ends, axes, steps;
  if (g.opset < 10) {
    starts = attr_ints(node, "starts", {});
    ends = attr_ints(node, "ends", {});
    axes = attr_ints(node, "axes", {});
  } else {
    if (node.inputs.size() < 3) return std::nullopt;
    auto s = constant_ints(g, node.inputs[1]), e = constant_ints(g, node.inputs[2]);
    if (!s || !e) return std::nullopt;
    starts = *s;
    ends = *e;
    if (ValueId a = input_or_none(node, 3); a != kNoValue) {
      auto v = constant_ints(g, a);
      if (!v) return std::nullopt;
      axes = *v;
    }
    if (ValueId st = input_or_none(node, 4); st != kNoValue) {
      auto v = constant_ints(g, st);
      if (!v) return std::nullopt;
      steps = *v;
    }
  }
  if (starts.size() != 1 || ends.size() != 1 || axes.size() != 1) return std::nullopt;
  if (axes[0] != 1 && axes[0] != -3) return std::nullopt;
  const int64_t step = steps.empty() ? 1 : steps[0];
  if (steps.size() > 1 || step < 1) return std::nullopt;
  const ValueId x = node.inputs[0];
  const int64_t c = channels_of(g, x);
  auto clamp = [c](int64_t v) { return std::clamp(v < 0 ? v + c : v, int64_t{0}, c); };
  ChannelMap map;
  for (int64_t k = clamp(starts[0]); k < clamp(ends[0]); k += step) map.emplace_back(x, k);
  if (map.empty() || static_cast<int64_t>(map.size()) != channels_of(g, node.outputs[0]))
    return std::nullopt;
  return map;
}

// A Split along the channels: one map per output, sized by the outputs' inferred shapes.
std::optional<std::vector<ChannelMap>> split_maps(const Graph& g, const Node& node) {
  if (!is_onnx(node) || node.op_type != "Split" || node.inputs.empty() ||
      !is_4d_float(g, node.inputs[0]))
    return std::nullopt;
  const int64_t axis = attr_int(node, "axis", 0);
  if (axis != 1 && axis != -3) return std::nullopt;
  const ValueId x = node.inputs[0];
  std::vector<ChannelMap> maps;
  int64_t next = 0;
  for (ValueId out : node.outputs) {
    if (!is_4d_float(g, out)) return std::nullopt;
    ChannelMap map;
    for (int64_t k = 0; k < channels_of(g, out); ++k) map.emplace_back(x, next++);
    maps.push_back(std::move(map));
  }
  if (next != channels_of(g, x)) return std::nullopt;
  return maps;
}

class GatherRewriter {
 public:
  explicit GatherRewriter(Graph& graph) : g_(graph), names_(graph) {}

  void run() {
    std::vector<Node> old = std::move(g_.nodes);
    g_.nodes.clear();
    std::vector<int> old_producer(g_.values.size(), -1);
    for (size_t n = 0; n < old.size(); ++n)
      for (ValueId id : old[n].outputs)
        if (id != kNoValue) old_producer[static_cast<size_t>(id)] = static_cast<int>(n);
    produced_by_.assign(g_.values.size(), -1);
    // Copies, not moves: a later shuffle looks back at its Reshape and Transpose in `old`.
    for (const Node& node : old) {
      std::vector<std::pair<ValueId, ChannelMap>> gathers;  // output value, its map
      if (auto map = shuffle_map(g_, old, old_producer, node)) {
        gathers.emplace_back(node.outputs[0], std::move(*map));
      } else if (auto m = slice_map(g_, node)) {
        gathers.emplace_back(node.outputs[0], std::move(*m));
      } else if (auto maps = split_maps(g_, node)) {
        for (size_t k = 0; k < maps->size(); ++k)
          gathers.emplace_back(node.outputs[k], std::move((*maps)[k]));
      }
      if (gathers.empty()) {
        emit(node);
        continue;
      }
      for (auto& [out, map] : gathers) emit(gather_node(node, out, std::move(map)));
    }
    recompute_producers(g_);
    eliminate_dead_nodes(g_, OptimizeOptions{});
  }

 private:
  void emit(Node node) {
    for (ValueId id : node.outputs)
      if (id != kNoValue) produced_by_[static_cast<size_t>(id)] = static_cast<int>(g_.nodes.size());
    g_.nodes.push_back(std::move(node));
  }

  // The channel `c` of `v` read through channel Concats and gathers to the value that holds
  // it; stops at anything else.
  std::pair<ValueId, int64_t> source(ValueId v, int64_t c) const {
    for (;;) {
      const int p = produced_by_[static_cast<size_t>(v)];
      if (p < 0) return {v, c};
      const Node& n = g_.nodes[static_cast<size_t>(p)];
      if (n.domain == "hone" && n.op_type == "ChannelGather" && attr_int(n, "block", -1) == 0) {
        const auto j = static_cast<size_t>(c);
        v = n.inputs[static_cast<size_t>(attr_ints(n, "source_inputs", {})[j])];
        c = attr_ints(n, "source_channels", {})[j];
        continue;
      }
      if (!is_onnx(n) || n.op_type != "Concat" || n.outputs.size() != 1) return {v, c};
      const int64_t axis = attr_int(n, "axis", 0);
      if (axis != 1 && axis != -3) return {v, c};
      const Shape& out = g_.value(v).type.shape;
      ValueId from = kNoValue;
      for (ValueId in : n.inputs) {
        if (!is_4d_float(g_, in) || !same_outside_channels(g_.value(in).type.shape, out))
          return {v, c};
        if (from == kNoValue) {
          if (c < channels_of(g_, in))
            from = in;
          else
            c -= channels_of(g_, in);
        }
      }
      if (from == kNoValue) return {v, c};
      v = from;
    }
  }

  Node gather_node(const Node& original, ValueId out, ChannelMap map) {
    Node n;
    n.name =
        names_.node(original.name +
                    (original.outputs.size() > 1 ? "_gather_" + g_.value(out).name : "_gather"));
    n.op_type = "ChannelGather";
    n.domain = "hone";
    n.outputs = {out};
    std::vector<int64_t> inputs, channels;
    const Shape& shape = g_.value(out).type.shape;
    for (auto [v, c] : map) {
      auto [src, ch] = source(v, c);
      // A source of another shape (never expected) keeps the direct read.
      if (!same_outside_channels(g_.value(src).type.shape, shape)) std::tie(src, ch) = {v, c};
      auto it = std::find(n.inputs.begin(), n.inputs.end(), src);
      if (it == n.inputs.end()) it = n.inputs.insert(n.inputs.end(), src);
      inputs.push_back(it - n.inputs.begin());
      channels.push_back(ch);
    }
    set_attr(n, "block", int64_t{0});
    set_attr(n, "source_inputs", inputs);
    set_attr(n, "source_channels", channels);
    return n;
  }

  Graph& g_;
  NameGenerator names_;
  std::vector<int> produced_by_;  // value -> index in the rewritten node list
};

}  // namespace

void gather_channels(Graph& graph, const OptimizeOptions& /*options*/) {
  GatherRewriter(graph).run();
}

}  // namespace hone
