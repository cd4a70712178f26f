// Graph-editing helpers the passes share: use counts, rewiring, node removal with
// compaction, unique names, constants and attribute access on raw nodes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/tensor.h"
#include "ir/graph.h"

namespace hone {

// Who reads each value. Counts node-input slots, so Add(x, x) uses x twice.
struct UseInfo {
  std::vector<std::vector<int>> consumers;  // per value: consuming node indices, one per slot
  std::vector<bool> is_graph_output;        // per value

  int uses(ValueId id) const { return static_cast<int>(consumers[static_cast<size_t>(id)].size()); }
  bool is_output(ValueId id) const { return is_graph_output[static_cast<size_t>(id)]; }
  // True when the value is read by exactly one node slot and is not a graph output: the
  // condition for folding its producer into its consumer.
  bool single_use(ValueId id) const { return uses(id) == 1 && !is_output(id); }
  // The only consumer of a single_use value.
  int only_consumer(ValueId id) const { return consumers[static_cast<size_t>(id)].front(); }
};
UseInfo analyze_uses(const Graph& graph);

// Makes every node input that reads `from` read `to` instead (graph outputs untouched).
void replace_uses(Graph& graph, ValueId from, ValueId to);

// Sets every value's producer from the node list (after nodes were reordered or replaced).
void recompute_producers(Graph& graph);

// Removes the nodes whose flag is set, keeping the order of the rest.
void erase_nodes(Graph& graph, const std::vector<bool>& remove);

// Drops values that no node, graph input or graph output refers to (dead constants,
// intermediates of fused nodes), renumbering ValueIds.
void remove_unreferenced_values(Graph& graph);

// Hands out value and node names that the graph does not use yet.
class NameGenerator {
 public:
  explicit NameGenerator(const Graph& graph);
  std::string value(std::string_view base);
  std::string node(std::string_view base);

 private:
  std::unordered_set<std::string> values_;
  std::unordered_set<std::string> nodes_;
};

// Adds a constant value (no producer) holding `t`.
ValueId add_constant(Graph& graph, std::string name, Tensor t);
// The constant behind `id`, nullptr when absent (kNoValue) or computed at run time.
const Tensor* constant_of(const Graph& graph, ValueId id);
// Input i of the node, kNoValue when absent.
ValueId input_or_none(const Node& node, size_t i);

// Whether value `v` is computed (transitively) from any output of node `node`.
bool depends_on_node(const Graph& graph, ValueId v, int node);

// Attribute reads on a raw node (passes work before any OpContext exists).
int64_t attr_int(const Node& node, std::string_view name, int64_t fallback);
float attr_float(const Node& node, std::string_view name, float fallback);
std::string attr_string(const Node& node, std::string_view name, std::string fallback);
std::vector<int64_t> attr_ints(const Node& node, std::string_view name,
                               std::vector<int64_t> fallback);
void set_attr(Node& node, std::string name, AttributeValue value);

// True when both attribute maps hold equal values (tensors compared by bytes).
bool attributes_equal(const Attributes& a, const Attributes& b);

// The elements of an int64 or int32 constant value, or nullopt (not a constant, other dtype).
std::optional<std::vector<int64_t>> constant_ints(const Graph& graph, ValueId id);

// Reads a float tensor's elements as float (any float or integer dtype converted).
std::vector<float> float_values(const Tensor& t);

}  // namespace hone
