// hone's graph IR: values (typed, statically shaped, optionally constant) and nodes in
// topological order. Built by a frontend, rewritten by passes, lowered by the runtime.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"
#include "ir/attribute.h"

namespace hone {

struct ValueType {
  DType dtype = DType::kUndefined;
  Shape shape;
  bool operator==(const ValueType&) const = default;
};
std::string value_type_to_string(const ValueType& t);  // "float32[1,3,224,224]"

using ValueId = int;
constexpr ValueId kNoValue = -1;  // a missing optional input

struct Value {
  std::string name;
  ValueType type;
  // Set for initializers and for values folded at import; the executor never computes them.
  std::optional<Tensor> constant;
  int producer = -1;  // index of the producing node, -1 for graph inputs and initializers
};

struct Node {
  std::string name;  // unique, never empty (the importer names anonymous nodes)
  std::string op_type;
  std::string domain;  // "" for the default ONNX domain
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  Attributes attrs;
};

class Graph {
 public:
  std::string name;
  int opset = 0;  // the default-domain opset the nodes are written in
  std::vector<Value> values;
  std::vector<Node> nodes;  // topological order
  std::vector<ValueId> inputs;   // non-constant graph inputs, in declaration order
  std::vector<ValueId> outputs;  // graph outputs, in declaration order

  ValueId add_value(std::string name, ValueType type = {});
  // Returns kNoValue when no value has that name.
  ValueId find_value(std::string_view name) const;
  Value& value(ValueId id) { return values.at(static_cast<size_t>(id)); }
  const Value& value(ValueId id) const { return values.at(static_cast<size_t>(id)); }

  // Checks the invariants every pass relies on: ids in range, each value produced once,
  // nodes in topological order (no cycles), every node input defined before use, graph
  // outputs defined. Throws hone::Error naming the offending node or value.
  void validate() const;

  // Total bytes and element count of constant values that are node inputs (the weights).
  int64_t parameter_count() const;
  int64_t parameter_bytes() const;
};

}  // namespace hone
