#include "ir/passes/eliminate_common_subexpressions.h"

#include <cstring>
#include <functional>
#include <unordered_map>

#include "ir/passes/graph_rewrite.h"

namespace hone {

namespace {

// Constants larger than this are weights: comparing them costs more than merging gains.
constexpr int64_t kMaxMergedConstantElements = 64;

bool is_random(const Node& node) {
  const std::string& op = node.op_type;
  return op == "RandomNormal" || op == "RandomUniform" || op == "RandomNormalLike" ||
         op == "RandomUniformLike" || op == "Multinomial" || op == "Bernoulli";
}

// Maps every small constant to the first equal one (same dtype, shape and bytes).
std::vector<ValueId> canonical_constants(const Graph& graph) {
  std::vector<ValueId> canon(graph.values.size());
  std::unordered_map<size_t, std::vector<ValueId>> buckets;
  for (size_t i = 0; i < graph.values.size(); ++i) {
    canon[i] = static_cast<ValueId>(i);
    const auto& c = graph.values[i].constant;
    if (!c || c->numel() > kMaxMergedConstantElements) continue;
    std::string key(static_cast<const char*>(c->raw()), c->nbytes());
    key += shape_to_string(c->shape()) + std::to_string(static_cast<int>(c->dtype()));
    size_t h = std::hash<std::string>()(key);
    bool found = false;
    for (ValueId other : buckets[h]) {
      const Tensor& o = *graph.value(other).constant;
      if (o.dtype() == c->dtype() && o.shape() == c->shape() &&
          std::memcmp(o.raw(), c->raw(), c->nbytes()) == 0) {
        canon[i] = other;
        found = true;
        break;
      }
    }
    if (!found) buckets[h].push_back(static_cast<ValueId>(i));
  }
  return canon;
}

}  // namespace

void eliminate_common_subexpressions(Graph& graph, const OptimizeOptions& /*options*/) {
  std::vector<ValueId> canon = canonical_constants(graph);
  std::vector<bool> is_output(graph.values.size(), false);
  for (ValueId id : graph.outputs) is_output[static_cast<size_t>(id)] = true;
  for (Node& node : graph.nodes)
    for (ValueId& id : node.inputs)
      if (id != kNoValue) id = canon[static_cast<size_t>(id)];

  // Nodes keyed by op and inputs; attributes compared on a key match.
  std::unordered_map<std::string, std::vector<size_t>> seen;
  std::vector<bool> remove(graph.nodes.size(), false);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    Node& node = graph.nodes[n];
    // Inputs of earlier duplicates were rewired as we went (replace below).
    if (is_random(node) || node.outputs.empty()) continue;
    std::string key = node.domain;
    key += ':';
    key += node.op_type;
    for (ValueId id : node.inputs) {
      key += ',';
      key += std::to_string(id);
    }
    key += '/';
    key += std::to_string(node.outputs.size());
    size_t match = graph.nodes.size();
    for (size_t other : seen[key])
      if (attributes_equal(graph.nodes[other].attrs, node.attrs)) {
        match = other;
        break;
      }
    if (match == graph.nodes.size()) {
      seen[key].push_back(n);
      continue;
    }
    // A duplicate whose output is a graph output keeps its name: leave it.
    bool names_output = false;
    for (ValueId id : node.outputs)
      if (id != kNoValue && is_output[static_cast<size_t>(id)]) names_output = true;
    const Node& first = graph.nodes[match];
    bool outputs_match = true;
    for (size_t i = 0; i < node.outputs.size(); ++i)
      if (node.outputs[i] != kNoValue && first.outputs[i] == kNoValue) outputs_match = false;
    if (names_output || !outputs_match) continue;
    for (size_t i = 0; i < node.outputs.size(); ++i)
      if (node.outputs[i] != kNoValue) replace_uses(graph, node.outputs[i], first.outputs[i]);
    remove[n] = true;
  }
  erase_nodes(graph, remove);
  remove_unreferenced_values(graph);  // the duplicate constants
}

}  // namespace hone
