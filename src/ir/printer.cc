#include "ir/printer.h"

#include <sstream>

namespace hone {

namespace {

template <class T>
std::string join_list(const std::vector<T>& v) {
  std::ostringstream s;
  s << '[';
  for (size_t i = 0; i < v.size(); ++i) s << (i ? "," : "") << v[i];
  s << ']';
  return s.str();
}

std::string attribute_text(const AttributeValue& value) {
  struct Visitor {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(float v) const {
      std::ostringstream s;
      s << v;
      return s.str();
    }
    std::string operator()(const std::string& v) const {
      std::string s = "\"";
      s += v;
      s += '"';
      return s;
    }
    std::string operator()(const Tensor& t) const {
      return std::string("tensor ") + std::string(dtype_name(t.dtype())) +
             shape_to_string(t.shape());
    }
    std::string operator()(const std::vector<int64_t>& v) const { return join_list(v); }
    std::string operator()(const std::vector<float>& v) const { return join_list(v); }
    std::string operator()(const std::vector<std::string>& v) const {
      std::string s = "[";
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) s += ',';
        s += '"';
        s += v[i];
        s += '"';
      }
      s += ']';
      return s;
    }
  };
  return std::visit(Visitor{}, value);
}

std::string value_name(const Graph& g, ValueId id) {
  return id == kNoValue ? "_" : g.value(id).name;
}

}  // namespace

std::string print_node(const Graph& graph, const Node& node) {
  std::string line = node.name + ":";
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    line += i ? ", " : " ";
    ValueId id = node.outputs[i];
    line += value_name(graph, id);
    if (id == kNoValue) continue;
    const Value& v = graph.value(id);
    line += ' ';
    line += value_type_to_string(v.type);
    if (v.constant) line += " const";
  }
  line += " = ";
  if (!node.domain.empty()) {
    line += node.domain;
    line += '.';
  }
  line += node.op_type;
  line += '(';
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    if (i) line += ", ";
    line += value_name(graph, node.inputs[i]);
  }
  line += ")";
  if (!node.attrs.empty()) {
    line += " {";
    bool first = true;
    for (const auto& [name, attr] : node.attrs) {
      if (!first) line += ", ";
      line += name;
      line += '=';
      line += attribute_text(attr.value);
      first = false;
    }
    line += "}";
  }
  return line;
}

std::string print_graph(const Graph& graph) {
  std::string out = "graph \"" + graph.name + "\" opset " + std::to_string(graph.opset) + "\n";
  for (ValueId id : graph.inputs)
    out +=
        "input " + graph.value(id).name + ": " + value_type_to_string(graph.value(id).type) + "\n";
  for (const Node& node : graph.nodes) out += print_node(graph, node) + "\n";
  for (ValueId id : graph.outputs) out += "output " + graph.value(id).name + "\n";
  return out;
}

}  // namespace hone
