#include "ir/passes/blocked_layout.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "ir/op_registry.h"
#include "ir/ops/conv_window.h"
#include "ir/passes/graph_rewrite.h"

namespace hone {

namespace {

// Convs reading this few channels gain nothing from a blocked input (mostly padding lanes);
// they read NCHW directly, which also spares the graph input a reorder.
constexpr int64_t kMaxPlainInputChannels = 4;

// Ops that map finite values to finite values elementwise, so the padding lanes of a blocked
// tensor stay finite (decision 004). Div, Log, Sqrt, Pow and Exp are left out: 0 / 0 or
// log(0) in a padding lane would turn into NaN inside the next conv's sums.
constexpr std::string_view kSafeUnary[] = {"Relu",      "Sigmoid",     "Tanh",      "Neg",
                                           "Abs",       "Erf",         "HardSwish", "Clip",
                                           "LeakyRelu", "HardSigmoid", "Identity"};
constexpr std::string_view kSafeBinary[] = {"Add", "Sub", "Mul", "Max", "Min"};
// FusedElementwise steps with the same property (RSub included).
constexpr std::string_view kSafeSteps[] = {
    "Relu",      "Sigmoid",     "Tanh", "Neg", "Abs",  "Erf", "HardSwish", "Clip",
    "LeakyRelu", "HardSigmoid", "Add",  "Sub", "RSub", "Mul", "Max",       "Min"};

template <size_t N>
bool contains(const std::string_view (&list)[N], std::string_view op) {
  return std::find(std::begin(list), std::end(list), op) != std::end(list);
}

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

bool is_4d_float(const ValueType& t) {
  return t.dtype == DType::kFloat32 && t.shape.size() == 4;
}

// How a node can take part in the blocked layout.
enum class Kind {
  kPlain,        // needs NCHW inputs
  kConv,         // FusedConv: blocked output, blocked input unless it has few channels
  kPool,         // MaxPool/AveragePool -> *PoolBlocked
  kGlobalPool,   // Global*Pool -> Global*PoolBlocked
  kConcat,       // Concat on channels -> ConcatBlocked
  kGather,       // ChannelGather: block attribute
  kScaleShift,   // ScaleShift: block attribute
  kElementwise,  // unchanged on 5-D tensors
};

class LayoutRewriter {
 public:
  LayoutRewriter(Graph& graph, int block)
      : g_(graph),
        block_(block),
        names_(graph),
        uses_(analyze_uses(graph)),
        originals_(graph.nodes) {
    const size_t n = graph.values.size();
    orig_type_.resize(n);
    for (size_t i = 0; i < n; ++i) orig_type_[i] = graph.values[i].type;
    plain_.assign(n, kNoValue);
    blocked_.assign(n, kNoValue);
    for (size_t i = 0; i < n; ++i)
      if (graph.values[i].constant) plain_[i] = static_cast<ValueId>(i);
    for (ValueId id : graph.inputs) plain_[static_cast<size_t>(id)] = id;
  }

  void run() {
    g_.nodes.clear();
    for (const Node& node : originals_) rewrite(node);
    recompute_producers(g_);
    remove_unreferenced_values(g_);
  }

 private:
  const ValueType& orig(ValueId id) const { return orig_type_[static_cast<size_t>(id)]; }
  bool has_blocked(ValueId id) const {
    return id != kNoValue && static_cast<size_t>(id) < blocked_.size() &&
           blocked_[static_cast<size_t>(id)] != kNoValue;
  }

  ValueType blocked_type(const ValueType& plain) const {
    const Shape& s = plain.shape;
    return {DType::kFloat32, {s[0], ceil_div(s[1], block_), s[2], s[3], block_}};
  }

  Kind kind_of(const Node& node) const {
    const std::string& op = node.op_type;
    if (node.domain == "hone") {
      if (op == "FusedConv" && node.inputs.size() >= 2 && is_4d_float(orig(node.inputs[0])) &&
          orig(node.inputs[1]).shape.size() == 4 && attr_int(node, "input_block", 0) == 0 &&
          attr_int(node, "output_block", 0) == 0)
        return Kind::kConv;
      if (op == "ScaleShift" && is_4d_float(orig(node.inputs[0])) &&
          attr_int(node, "block", 0) == 0)
        return Kind::kScaleShift;
      if (op == "FusedElementwise" && elementwise_fits(node)) return Kind::kElementwise;
      if (op == "ChannelGather" && attr_int(node, "block", 0) == 0) {
        for (ValueId id : node.inputs)
          if (id == kNoValue || !is_4d_float(orig(id))) return Kind::kPlain;
        return Kind::kGather;
      }
      return Kind::kPlain;
    }
    if (!node.domain.empty() || node.inputs.empty() || node.inputs[0] == kNoValue ||
        !is_4d_float(orig(node.inputs[0])))
      return Kind::kPlain;
    const bool one_output =
        node.outputs.size() == 1 || (node.outputs.size() == 2 && node.outputs[1] == kNoValue);
    if ((op == "MaxPool" || op == "AveragePool") && one_output &&
        attr_int(node, "storage_order", 0) == 0)
      return Kind::kPool;
    if (op == "GlobalAveragePool" || op == "GlobalMaxPool") return Kind::kGlobalPool;
    if (op == "Concat") {
      int64_t axis = attr_int(node, "axis", 1);
      if (axis < 0) axis += 4;
      for (ValueId id : node.inputs)
        if (id == kNoValue || !is_4d_float(orig(id))) return Kind::kPlain;
      return axis == 1 ? Kind::kConcat : Kind::kPlain;
    }
    if (contains(kSafeUnary, op)) {
      // Extra inputs (Clip's bounds) must be scalars.
      for (size_t i = 1; i < node.inputs.size(); ++i)
        if (node.inputs[i] != kNoValue && shape_numel(orig(node.inputs[i]).shape) != 1)
          return Kind::kPlain;
      return node.outputs.size() == 1 ? Kind::kElementwise : Kind::kPlain;
    }
    if (contains(kSafeBinary, op) && node.inputs.size() == 2 && elementwise_fits(node))
      return Kind::kElementwise;
    return Kind::kPlain;
  }

  // A 4-D operand holding one value per channel (and image) of `out`: [1 or N, C, 1, 1].
  // Blocked as [1 or N, C/b, 1, 1, b] it broadcasts over the blocked output the same way.
  static bool per_channel_4d(const ValueType& t, const ValueType& out) {
    const Shape& s = t.shape;
    return is_4d_float(t) && (s[0] == 1 || s[0] == out.shape[0]) && s[1] == out.shape[1] &&
           s[2] == 1 && s[3] == 1;
  }

  // Every input is a scalar, has the output's 4-D shape or is per-channel in 4-D (other
  // broadcasts would line up wrongly against a 5-D tensor); the ops are all
  // finite-preserving.
  bool elementwise_fits(const Node& node) const {
    if (node.outputs.size() != 1 || node.outputs[0] == kNoValue) return false;
    const ValueType& out = orig(node.outputs[0]);
    if (!is_4d_float(out)) return false;
    for (ValueId id : node.inputs) {
      if (id == kNoValue) return false;
      if (orig(id) == out || per_channel_4d(orig(id), out)) continue;
      if (orig(id).dtype != DType::kFloat32 || shape_numel(orig(id).shape) != 1) return false;
    }
    if (node.op_type == "FusedElementwise") {
      auto it = node.attrs.find("ops");
      if (it == node.attrs.end()) return false;
      const auto* ops = std::get_if<std::vector<std::string>>(&it->second.value);
      if (ops == nullptr) return false;
      for (const std::string& op : *ops)
        if (!contains(kSafeSteps, op)) return false;
    }
    return true;
  }

  // Whether any reader of `v` can use a blocked value (decides a conv's output layout).
  bool wanted_blocked(ValueId v) const {
    for (int k : uses_.consumers[static_cast<size_t>(v)])
      if (kind_of(originals_[static_cast<size_t>(k)]) != Kind::kPlain) return true;
    return false;
  }

  void emit_reorder_from_blocked(ValueId blocked, ValueId plain, int64_t channels) {
    Node r;
    r.name = names_.node("reorder_from_blocked_" + g_.value(plain).name);
    r.op_type = "ReorderFromBlocked";
    r.domain = "hone";
    r.inputs = {blocked};
    r.outputs = {plain};
    set_attr(r, "block", int64_t{block_});
    set_attr(r, "channels", channels);
    g_.nodes.push_back(std::move(r));
  }

  ValueId get_plain(ValueId v) {
    if (v == kNoValue) return v;
    ValueId& p = plain_[static_cast<size_t>(v)];
    if (p != kNoValue) return p;
    const ValueId b = blocked_[static_cast<size_t>(v)];
    if (b == kNoValue) return v;  // not produced yet: the graph was invalid before us
    const ValueId made = g_.add_value(names_.value(g_.value(b).name + "_nchw"), orig(v));
    p = made;
    emit_reorder_from_blocked(b, made, orig(v).shape[1]);
    return made;
  }

  ValueId get_blocked(ValueId v) {
    ValueId& b = blocked_[static_cast<size_t>(v)];
    if (b != kNoValue) return b;
    ValueId p = plain_[static_cast<size_t>(v)];
    b = g_.add_value(names_.value(g_.value(p).name + "_nchw" + std::to_string(block_) + "c"),
                     blocked_type(orig(v)));
    Node r;
    r.name = names_.node("reorder_to_blocked_" + g_.value(p).name);
    r.op_type = "ReorderToBlocked";
    r.domain = "hone";
    r.inputs = {p};
    r.outputs = {b};
    set_attr(r, "block", int64_t{block_});
    g_.nodes.push_back(std::move(r));
    return b;
  }

  // Emits `node` with its inputs in plain layout.
  void emit_plain(Node node) {
    for (ValueId& id : node.inputs) id = get_plain(id);
    for (ValueId id : node.outputs)
      if (id != kNoValue) plain_[static_cast<size_t>(id)] = id;
    g_.nodes.push_back(std::move(node));
  }

  // Emits `node` (inputs already chosen) producing blocked output 0; a graph output gets a
  // new blocked value and a reorder back to its own plain name.
  void emit_blocked(Node node) {
    const ValueId out = node.outputs[0];
    const ValueType type = blocked_type(orig(out));
    if (uses_.is_output(out)) {
      ValueId b = g_.add_value(
          names_.value(g_.value(out).name + "_nchw" + std::to_string(block_) + "c"), type);
      node.outputs[0] = b;
      blocked_[static_cast<size_t>(out)] = b;
      g_.nodes.push_back(std::move(node));
      // The graph output keeps its own (plain) value and name.
      emit_reorder_from_blocked(b, out, orig(out).shape[1]);
      plain_[static_cast<size_t>(out)] = out;
      return;
    }
    g_.value(out).type = type;
    blocked_[static_cast<size_t>(out)] = out;
    g_.nodes.push_back(std::move(node));
  }

  // For ops over several channel-blocked inputs (ConcatBlocked, ChannelGather): when any input
  // is blocked already, moves them all to the blocked layout and returns their real channel
  // counts; nullopt (node untouched) when none is.
  std::optional<std::vector<int64_t>> inputs_to_blocked(Node& node) {
    bool any = false;
    for (ValueId id : node.inputs) any = any || has_blocked(id);
    if (!any) return std::nullopt;
    std::vector<int64_t> channels;
    for (ValueId& id : node.inputs) {
      channels.push_back(orig(id).shape[1]);
      id = get_blocked(id);
    }
    return channels;
  }

  void set_window_pads(Node& node, const Node& original, bool ceil_mode) {
    std::vector<ValueType> types;
    std::vector<const Tensor*> values;
    for (ValueId id : original.inputs) {
      types.push_back(id == kNoValue ? ValueType{} : orig(id));
      values.push_back(nullptr);
    }
    OpContext ctx(original, types, values, g_.opset);
    WindowOptions wo;
    wo.ceil_mode = ceil_mode;
    wo.dilations = original.op_type == "MaxPool";
    std::vector<int64_t> kernel = attr_ints(original, "kernel_shape", {});
    WindowGeometry w = forward_window(ctx, orig(original.inputs[0]).shape, kernel, wo);
    std::vector<int64_t> pads = w.pads_begin;
    pads.insert(pads.end(), w.pads_end.begin(), w.pads_end.end());
    node.attrs.erase("auto_pad");
    set_attr(node, "pads", pads);
    set_attr(node, "strides", w.strides);
    if (wo.dilations) set_attr(node, "dilations", w.dilations);
  }

  void rewrite(Node node) {  // a copy: the original stays readable for kind_of
    const Kind kind = kind_of(node);
    const ValueId x = node.inputs.empty() ? kNoValue : node.inputs[0];
    switch (kind) {
      case Kind::kPlain:
        return emit_plain(std::move(node));
      case Kind::kConv: {
        const Shape& w = orig(node.inputs[1]).shape;
        const int64_t in_channels = w[1] * attr_int(node, "group", 1);
        const bool in_blocked = has_blocked(x) || in_channels > kMaxPlainInputChannels;
        const ValueId y = node.outputs[0];
        const bool out_blocked = wanted_blocked(y);
        if (!in_blocked && !out_blocked) return emit_plain(std::move(node));
        node.inputs[0] = in_blocked ? get_blocked(x) : get_plain(x);
        set_attr(node, "input_block", int64_t{in_blocked ? block_ : 0});
        set_attr(node, "output_block", int64_t{out_blocked ? block_ : 0});
        if (node.inputs.size() > 3 && node.inputs[3] != kNoValue)
          node.inputs[3] = out_blocked ? get_blocked(node.inputs[3]) : get_plain(node.inputs[3]);
        if (!out_blocked) {
          plain_[static_cast<size_t>(y)] = y;
          g_.nodes.push_back(std::move(node));
          return;
        }
        return emit_blocked(std::move(node));
      }
      case Kind::kPool:
      case Kind::kGlobalPool: {
        if (!has_blocked(x)) return emit_plain(std::move(node));
        Node b = node;
        b.domain = "hone";
        b.op_type = node.op_type + "Blocked";
        b.inputs = {get_blocked(x)};
        b.outputs = {node.outputs[0]};
        if (kind == Kind::kPool) {
          set_window_pads(b, node, attr_int(node, "ceil_mode", 0) != 0);
          b.attrs.erase("storage_order");
        }
        set_attr(b, "block", int64_t{block_});
        return emit_blocked(std::move(b));
      }
      case Kind::kConcat: {
        const std::optional<std::vector<int64_t>> channels = inputs_to_blocked(node);
        if (!channels) return emit_plain(std::move(node));
        node.domain = "hone";
        node.op_type = "ConcatBlocked";
        node.attrs.clear();
        set_attr(node, "block", int64_t{block_});
        set_attr(node, "channels", *channels);
        return emit_blocked(std::move(node));
      }
      case Kind::kGather: {
        const std::optional<std::vector<int64_t>> channels = inputs_to_blocked(node);
        if (!channels) return emit_plain(std::move(node));
        set_attr(node, "block", int64_t{block_});
        set_attr(node, "channels", *channels);
        return emit_blocked(std::move(node));
      }
      case Kind::kScaleShift: {
        if (!has_blocked(x)) return emit_plain(std::move(node));
        node.inputs[0] = get_blocked(x);
        set_attr(node, "block", int64_t{block_});
        return emit_blocked(std::move(node));
      }
      case Kind::kElementwise: {
        // Blocked only when a full-size input already is (a per-channel one is cheap to move).
        const ValueType& out = orig(node.outputs[0]);
        bool any = false;
        for (ValueId id : node.inputs) any = any || (orig(id) == out && has_blocked(id));
        if (!any) return emit_plain(std::move(node));
        for (ValueId& id : node.inputs)
          id = orig(id) == out || per_channel_4d(orig(id), out) ? get_blocked(id) : get_plain(id);
        return emit_blocked(std::move(node));
      }
    }
  }

  Graph& g_;
  const int64_t block_;
  NameGenerator names_;
  const UseInfo uses_;
  std::vector<ValueType> orig_type_;
  std::vector<ValueId> plain_, blocked_;
  const std::vector<Node> originals_;
};

}  // namespace

void blocked_layout(Graph& graph, const OptimizeOptions& options) {
  if (options.block == 0) return;
  if (options.block != 8 && options.block != 16)
    throw Error("blocked-layout: block must be 0, 8 or 16, got " + std::to_string(options.block));
  LayoutRewriter rewriter(graph, options.block);
  rewriter.run();
}

}  // namespace hone
