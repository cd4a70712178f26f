#include "ir/passes/graph_rewrite.h"

#include <cstring>
#include <type_traits>
#include <variant>

namespace hone {

UseInfo analyze_uses(const Graph& graph) {
  UseInfo info;
  info.consumers.resize(graph.values.size());
  info.is_graph_output.assign(graph.values.size(), false);
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    for (ValueId id : graph.nodes[n].inputs)
      if (id != kNoValue) info.consumers[static_cast<size_t>(id)].push_back(static_cast<int>(n));
  for (ValueId id : graph.outputs) info.is_graph_output[static_cast<size_t>(id)] = true;
  return info;
}

void replace_uses(Graph& graph, ValueId from, ValueId to) {
  for (Node& node : graph.nodes)
    for (ValueId& id : node.inputs)
      if (id == from) id = to;
}

void recompute_producers(Graph& graph) {
  for (Value& v : graph.values) v.producer = -1;
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    for (ValueId id : graph.nodes[n].outputs)
      if (id != kNoValue) graph.value(id).producer = static_cast<int>(n);
}

void erase_nodes(Graph& graph, const std::vector<bool>& remove) {
  std::vector<Node> kept;
  kept.reserve(graph.nodes.size());
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    if (!remove[n]) kept.push_back(std::move(graph.nodes[n]));
  graph.nodes = std::move(kept);
  recompute_producers(graph);
}

void remove_unreferenced_values(Graph& graph) {
  std::vector<bool> used(graph.values.size(), false);
  auto mark = [&](ValueId id) {
    if (id != kNoValue) used[static_cast<size_t>(id)] = true;
  };
  for (const Node& node : graph.nodes) {
    for (ValueId id : node.inputs) mark(id);
    for (ValueId id : node.outputs) mark(id);
  }
  for (ValueId id : graph.inputs) mark(id);
  for (ValueId id : graph.outputs) mark(id);
  std::vector<ValueId> remap(graph.values.size(), kNoValue);
  std::vector<Value> kept;
  for (size_t i = 0; i < graph.values.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = static_cast<ValueId>(kept.size());
    kept.push_back(std::move(graph.values[i]));
  }
  graph.values = std::move(kept);
  auto fix = [&](ValueId& id) {
    if (id != kNoValue) id = remap[static_cast<size_t>(id)];
  };
  for (Node& node : graph.nodes) {
    for (ValueId& id : node.inputs) fix(id);
    for (ValueId& id : node.outputs) fix(id);
  }
  for (ValueId& id : graph.inputs) fix(id);
  for (ValueId& id : graph.outputs) fix(id);
}

NameGenerator::NameGenerator(const Graph& graph) {
  for (const Value& v : graph.values) values_.insert(v.name);
  for (const Node& n : graph.nodes) nodes_.insert(n.name);
}

namespace {

std::string fresh(std::unordered_set<std::string>& taken, std::string_view base) {
  std::string name(base);
  for (int i = 1; taken.count(name); ++i) name = std::string(base) + "_" + std::to_string(i);
  taken.insert(name);
  return name;
}

}  // namespace

std::string NameGenerator::value(std::string_view base) {
  return fresh(values_, base);
}
std::string NameGenerator::node(std::string_view base) {
  return fresh(nodes_, base);
}

ValueId add_constant(Graph& graph, std::string name, Tensor t) {
  ValueType type{t.dtype(), t.shape()};
  ValueId id = graph.add_value(std::move(name), std::move(type));
  graph.value(id).constant = std::move(t);
  return id;
}

const Tensor* constant_of(const Graph& graph, ValueId id) {
  if (id == kNoValue) return nullptr;
  const auto& c = graph.value(id).constant;
  return c ? &*c : nullptr;
}

ValueId input_or_none(const Node& node, size_t i) {
  return i < node.inputs.size() ? node.inputs[i] : kNoValue;
}

bool depends_on_node(const Graph& graph, ValueId v, int node) {
  std::vector<bool> seen(graph.nodes.size(), false);
  std::vector<int> stack;
  auto push_value = [&](ValueId id) {
    if (id == kNoValue) return;
    int p = graph.value(id).producer;
    // Nodes are in topological order: anything produced before `node` cannot depend on it.
    if (p >= node && !seen[static_cast<size_t>(p)]) {
      seen[static_cast<size_t>(p)] = true;
      stack.push_back(p);
    }
  };
  push_value(v);
  while (!stack.empty()) {
    int n = stack.back();
    stack.pop_back();
    if (n == node) return true;
    for (ValueId id : graph.nodes[static_cast<size_t>(n)].inputs) push_value(id);
  }
  return false;
}

namespace {

const AttributeValue* find_attr(const Node& node, std::string_view name) {
  auto it = node.attrs.find(name);
  return it == node.attrs.end() ? nullptr : &it->second.value;
}

}  // namespace

int64_t attr_int(const Node& node, std::string_view name, int64_t fallback) {
  const AttributeValue* a = find_attr(node, name);
  if (a == nullptr) return fallback;
  if (const auto* i = std::get_if<int64_t>(a)) return *i;
  return fallback;
}

float attr_float(const Node& node, std::string_view name, float fallback) {
  const AttributeValue* a = find_attr(node, name);
  if (a == nullptr) return fallback;
  if (const auto* f = std::get_if<float>(a)) return *f;
  if (const auto* i = std::get_if<int64_t>(a)) return static_cast<float>(*i);
  return fallback;
}

std::string attr_string(const Node& node, std::string_view name, std::string fallback) {
  const AttributeValue* a = find_attr(node, name);
  if (a == nullptr) return fallback;
  if (const auto* s = std::get_if<std::string>(a)) return *s;
  return fallback;
}

std::vector<int64_t> attr_ints(const Node& node, std::string_view name,
                               std::vector<int64_t> fallback) {
  const AttributeValue* a = find_attr(node, name);
  if (a == nullptr) return fallback;
  if (const auto* v = std::get_if<std::vector<int64_t>>(a)) return *v;
  return fallback;
}

void set_attr(Node& node, std::string name, AttributeValue value) {
  node.attrs[std::move(name)] = Attribute{std::move(value)};
}

namespace {

bool tensors_equal(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         (a.nbytes() == 0 || std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0);
}

}  // namespace

bool attributes_equal(const Attributes& a, const Attributes& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (ia->first != ib->first) return false;
    const AttributeValue& va = ia->second.value;
    const AttributeValue& vb = ib->second.value;
    if (va.index() != vb.index()) return false;
    bool same = std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          const T& y = std::get<T>(vb);
          if constexpr (std::is_same_v<T, Tensor>) {
            return tensors_equal(x, y);
          } else {
            return x == y;
          }
        },
        va);
    if (!same) return false;
  }
  return true;
}

std::optional<std::vector<int64_t>> constant_ints(const Graph& graph, ValueId id) {
  const Tensor* t = constant_of(graph, id);
  if (!t || (t->dtype() != DType::kInt64 && t->dtype() != DType::kInt32)) return std::nullopt;
  if (t->dtype() == DType::kInt64) return t->to_vector<int64_t>();
  std::vector<int64_t> v;
  for (int32_t e : t->to_vector<int32_t>()) v.push_back(e);
  return v;
}

std::vector<float> float_values(const Tensor& t) {
  return t.to_vector<float>();
}

}  // namespace hone
