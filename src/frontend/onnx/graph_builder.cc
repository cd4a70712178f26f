#include "frontend/onnx/graph_builder.h"

#include <set>
#include <unordered_map>

#include "core/error.h"
#include "frontend/onnx/tensor_proto.h"
#include "ir/op_registry.h"

namespace hone {

namespace {

std::string node_where(const onnx::NodeProto& n) {
  return "node '" + n.name() + "' (" + n.op_type() + ")";
}

// Old files may leave AttributeProto.type unset; the filled field tells the kind then.
onnx::AttributeProto::AttributeType attribute_kind(const onnx::AttributeProto& a) {
  if (a.type() != onnx::AttributeProto::UNDEFINED) return a.type();
  if (a.has_f()) return onnx::AttributeProto::FLOAT;
  if (a.has_i()) return onnx::AttributeProto::INT;
  if (a.has_s()) return onnx::AttributeProto::STRING;
  if (a.has_t()) return onnx::AttributeProto::TENSOR;
  if (a.has_g()) return onnx::AttributeProto::GRAPH;
  if (a.floats_size() > 0) return onnx::AttributeProto::FLOATS;
  if (a.ints_size() > 0) return onnx::AttributeProto::INTS;
  if (a.strings_size() > 0) return onnx::AttributeProto::STRINGS;
  if (a.graphs_size() > 0) return onnx::AttributeProto::GRAPHS;
  return onnx::AttributeProto::UNDEFINED;
}

Attribute convert_attribute(const onnx::NodeProto& node, const onnx::AttributeProto& a,
                            const std::string& base_dir) {
  const std::string where = node_where(node) + ": attribute '" + a.name() + "'";
  switch (attribute_kind(a)) {
    case onnx::AttributeProto::FLOAT:
      return {a.f()};
    case onnx::AttributeProto::INT:
      return {static_cast<int64_t>(a.i())};
    case onnx::AttributeProto::STRING:
      return {a.s()};
    case onnx::AttributeProto::TENSOR:
      return {tensor_from_proto(a.t(), base_dir, where)};
    case onnx::AttributeProto::FLOATS:
      return {std::vector<float>(a.floats().begin(), a.floats().end())};
    case onnx::AttributeProto::INTS:
      return {std::vector<int64_t>(a.ints().begin(), a.ints().end())};
    case onnx::AttributeProto::STRINGS:
      return {std::vector<std::string>(a.strings().begin(), a.strings().end())};
    case onnx::AttributeProto::UNDEFINED:
      // An attribute with no value at all (an empty list): the empty int list is the most
      // useful reading (axes=[], pads=[]).
      return {std::vector<int64_t>{}};
    default:
      throw UnsupportedError(where +
                             ": subgraph, sparse-tensor and type attributes are not "
                             "supported");
  }
}

DType proto_dtype(int elem_type) {
  return static_cast<DType>(elem_type);
}

// Type of a graph input as declared; every dimension must be known by now.
ValueType declared_input_type(const onnx::ValueInfoProto& info) {
  const std::string& name = info.name();
  if (!info.type().has_tensor_type())
    throw UnsupportedError("input '" + name +
                           "' is not a tensor (sequences, maps and optionals "
                           "are not supported)");
  const auto& tt = info.type().tensor_type();
  ValueType t;
  t.dtype = proto_dtype(tt.elem_type());
  if (!dtype_is_storable(t.dtype) || dtype_size(t.dtype) == 0)
    throw UnsupportedError(
        "input '" + name + "' has element type " +
        (tt.elem_type() == 0 ? std::string("undefined") : std::string(dtype_name(t.dtype))) +
        ", which is not supported");
  const std::string hint = "; give its shape with --input-shapes " + name + ":[...]";
  if (!tt.has_shape()) throw Error("input '" + name + "' has no declared shape" + hint);
  for (int i = 0; i < tt.shape().dim_size(); ++i) {
    const auto& d = tt.shape().dim(i);
    if (d.has_dim_value() && d.dim_value() >= 0) {
      t.shape.push_back(d.dim_value());
    } else if (d.has_dim_param() && !d.dim_param().empty()) {
      throw Error("input '" + name + "' has a symbolic dimension '" + d.dim_param() + "'" + hint);
    } else {
      throw Error("input '" + name + "' has an unknown dimension " + std::to_string(i) + hint);
    }
  }
  return t;
}

void check_bound_value(const std::string& name, const Tensor& value,
                       const onnx::ValueInfoProto& info) {
  if (!info.type().has_tensor_type()) return;
  const auto& tt = info.type().tensor_type();
  DType declared = proto_dtype(tt.elem_type());
  if (tt.elem_type() != 0 && declared != value.dtype())
    throw Error("input '" + name + "' is declared " + std::string(dtype_name(declared)) +
                " but was bound to a " + std::string(dtype_name(value.dtype())) + " value");
}

// `consume`: the caller's model, whose initializers are emptied once copied; else nullptr.
Graph build(const onnx::ModelProto& model, onnx::ModelProto* consume, int opset,
            const ImportOptions& options, const std::string& base_dir) {
  const onnx::GraphProto& gp = model.graph();
  Graph g;
  g.name = gp.name();
  g.opset = opset;
  std::unordered_map<std::string, ValueId> by_name;

  for (int i = 0; i < gp.initializer_size(); ++i) {
    const onnx::TensorProto& init = gp.initializer(i);
    if (init.name().empty()) throw Error("an initializer has no name");
    if (by_name.count(init.name()))
      throw Error("initializer '" + init.name() + "' is defined twice");
    Tensor t = tensor_from_proto(init, base_dir, "initializer");
    ValueId id = g.add_value(init.name(), {t.dtype(), t.shape()});
    g.value(id).constant = std::move(t);
    by_name.emplace(init.name(), id);
    // Swapped into a temporary that frees the bytes (clear() would keep their capacity);
    // the name stays for the duplicate check.
    if (consume) {
      onnx::TensorProto emptied;
      emptied.set_name(init.name());
      emptied.Swap(consume->mutable_graph()->mutable_initializer(i));
    }
  }

  std::set<std::string> input_names;
  for (const auto& info : gp.input()) {
    const std::string& name = info.name();
    if (!input_names.insert(name).second) throw Error("graph input '" + name + "' is listed twice");
    auto bound = options.bind_inputs.find(name);
    auto existing = by_name.find(name);
    if (bound != options.bind_inputs.end()) {
      check_bound_value(name, bound->second, info);
      ValueId id = existing != by_name.end() ? existing->second : g.add_value(name);
      g.value(id).type = {bound->second.dtype(), bound->second.shape()};
      g.value(id).constant = bound->second;
      by_name[name] = id;
      continue;
    }
    if (existing != by_name.end()) {
      // An initializer that is also an input is a constant with a default, unless the
      // caller gives it a shape (then it is fed at run time, as ONNX Runtime allows).
      if (!options.input_shapes.count(name)) continue;
      Value& v = g.value(existing->second);
      v.constant.reset();
      v.type = declared_input_type(info);
      g.inputs.push_back(existing->second);
      continue;
    }
    ValueId id = g.add_value(name, declared_input_type(info));
    by_name.emplace(name, id);
    g.inputs.push_back(id);
  }
  for (const auto& [name, value] : options.bind_inputs) {
    if (input_names.count(name)) continue;
    std::string valid;
    for (const auto& info : gp.input()) valid += (valid.empty() ? "" : ", ") + info.name();
    throw Error("cannot bind '" + name + "': not a graph input; the inputs are: " + valid);
  }

  for (int i = 0; i < gp.node_size(); ++i) {
    const onnx::NodeProto& np = gp.node(i);
    Node node;
    node.name = np.name();
    node.op_type = np.op_type();
    node.domain = np.domain() == "ai.onnx" ? "" : np.domain();
    // Subgraph attributes of ops hone lacks anyway (If, Loop, Scan) are dropped, so that the
    // error lists the op among the unsupported ones instead of naming the attribute.
    const bool known_op = op_registry().find(node.op_type, node.domain) != nullptr;
    for (const auto& a : np.attribute()) {
      if (a.name().empty()) throw Error(node_where(np) + ": an attribute has no name");
      const auto kind = attribute_kind(a);
      if (!known_op &&
          (kind == onnx::AttributeProto::GRAPH || kind == onnx::AttributeProto::GRAPHS))
        continue;
      node.attrs[a.name()] = convert_attribute(np, a, base_dir);
    }
    for (const auto& in : np.input()) {
      if (in.empty()) {
        node.inputs.push_back(kNoValue);
        continue;
      }
      auto it = by_name.find(in);
      if (it == by_name.end())
        throw Error(node_where(np) + ": input '" + in +
                    "' is not defined by any node, initializer or graph input");
      node.inputs.push_back(it->second);
    }
    for (const auto& out : np.output()) {
      if (out.empty()) {
        node.outputs.push_back(kNoValue);
        continue;
      }
      if (by_name.count(out))
        throw Error(node_where(np) + ": output '" + out +
                    "' is already defined (by another node, an initializer or a graph input)");
      ValueId id = g.add_value(out);
      g.value(id).producer = static_cast<int>(g.nodes.size());
      by_name.emplace(out, id);
      node.outputs.push_back(id);
    }
    g.nodes.push_back(std::move(node));
  }

  for (const auto& info : gp.output()) {
    auto it = by_name.find(info.name());
    if (it == by_name.end())
      throw Error("graph output '" + info.name() + "' is not produced by any node");
    g.outputs.push_back(it->second);
  }
  if (g.outputs.empty()) throw Error("the graph has no outputs");
  return g;
}

}  // namespace

Graph build_graph(const onnx::ModelProto& model, int opset, const ImportOptions& options,
                  const std::string& base_dir) {
  return build(model, nullptr, opset, options, base_dir);
}

Graph build_graph_consuming(onnx::ModelProto& model, int opset, const ImportOptions& options,
                            const std::string& base_dir) {
  return build(model, &model, opset, options, base_dir);
}

void check_ops_supported(const Graph& graph) {
  std::vector<std::string> seen;
  std::string list;
  for (const Node& n : graph.nodes) {
    if (op_registry().find(n.op_type, n.domain)) continue;
    std::string key = n.domain + "::" + n.op_type;
    bool dup = false;
    for (const auto& s : seen) dup = dup || s == key;
    if (dup) continue;
    seen.push_back(key);
    list += (list.empty() ? "" : ", ") + n.op_type + " (" +
            (n.domain.empty() ? "" : "domain " + n.domain + ", ") + "node '" + n.name + "')";
  }
  if (!list.empty()) throw UnsupportedError("unsupported ops: " + list);
}

}  // namespace hone
