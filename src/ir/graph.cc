#include "ir/graph.h"

#include <unordered_set>

namespace hone {

std::string value_type_to_string(const ValueType& t) {
  return std::string(dtype_name(t.dtype)) + shape_to_string(t.shape);
}

ValueId Graph::add_value(std::string name, ValueType type) {
  Value v;
  v.name = std::move(name);
  v.type = std::move(type);
  values.push_back(std::move(v));
  return static_cast<ValueId>(values.size() - 1);
}

ValueId Graph::find_value(std::string_view name) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].name == name) return static_cast<ValueId>(i);
  return kNoValue;
}

void Graph::validate() const {
  const auto n_values = static_cast<ValueId>(values.size());
  std::vector<bool> defined(values.size(), false);
  for (ValueId id = 0; id < n_values; ++id)
    if (values[static_cast<size_t>(id)].constant) defined[static_cast<size_t>(id)] = true;
  for (ValueId id : inputs) {
    if (id < 0 || id >= n_values) throw Error("graph input id out of range");
    defined[static_cast<size_t>(id)] = true;
  }
  std::unordered_set<std::string> node_names;
  for (size_t n = 0; n < nodes.size(); ++n) {
    const Node& node = nodes[n];
    std::string where = "node '" + node.name + "' (" + node.op_type + ")";
    if (!node_names.insert(node.name).second) throw Error(where + ": duplicate node name");
    for (ValueId in : node.inputs) {
      if (in == kNoValue) continue;
      if (in < 0 || in >= n_values) throw Error(where + ": input id out of range");
      if (!defined[static_cast<size_t>(in)]) {
        const Value& v = values[static_cast<size_t>(in)];
        bool later = v.producer > static_cast<int>(n);
        throw Error(where + ": input '" + v.name + "' " +
                    (later ? "is produced by a later node (the graph has a cycle or is not "
                             "topologically sorted)"
                           : "is not defined by any node, initializer or graph input"));
      }
    }
    for (ValueId out : node.outputs) {
      if (out == kNoValue) continue;
      if (out < 0 || out >= n_values) throw Error(where + ": output id out of range");
      const Value& v = values[static_cast<size_t>(out)];
      if (defined[static_cast<size_t>(out)] && !v.constant)
        throw Error(where + ": output '" + v.name + "' is already defined elsewhere");
      defined[static_cast<size_t>(out)] = true;
    }
  }
  for (ValueId out : outputs) {
    if (out < 0 || out >= n_values) throw Error("graph output id out of range");
    if (!defined[static_cast<size_t>(out)])
      throw Error("graph output '" + values[static_cast<size_t>(out)].name +
                  "' is not produced by any node");
  }
}

int64_t Graph::parameter_count() const {
  int64_t n = 0;
  for (const Value& v : values)
    if (v.constant && v.producer < 0) n += v.constant->numel();
  return n;
}

int64_t Graph::parameter_bytes() const {
  int64_t n = 0;
  for (const Value& v : values)
    if (v.constant && v.producer < 0) n += static_cast<int64_t>(v.constant->nbytes());
  return n;
}

}  // namespace hone
