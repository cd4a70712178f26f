#include "frontend/onnx/legacy_forms.h"

#include <string>
#include <unordered_map>

#include "core/error.h"
#include "frontend/onnx/tensor_proto.h"

namespace hone {

namespace {

// ---- ModelProto rewrites ----

const onnx::AttributeProto* proto_attr(const onnx::NodeProto& node, const std::string& name) {
  for (const auto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

void set_proto_attr(onnx::NodeProto& node, const std::string& name, int64_t value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void set_proto_attr(onnx::NodeProto& node, const std::string& name, const std::string& value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(value);
}

// The float values of `name` when an initializer or a Constant node defines it.
std::vector<float> proto_constant_floats(const onnx::GraphProto& graph, const std::string& name) {
  if (name.empty()) return {};
  try {
    for (const auto& init : graph.initializer())
      if (init.name() == name) return tensor_from_proto(init, "", "").to_vector<float>();
    for (const auto& node : graph.node()) {
      if (node.op_type() != "Constant" || node.output_size() != 1 || node.output(0) != name)
        continue;
      if (const auto* v = proto_attr(node, "value"); v && v->has_t())
        return tensor_from_proto(v->t(), "", "").to_vector<float>();
    }
  } catch (const Error&) {
    // A malformed constant is reported later, by the importer, with its node's name.
  }
  return {};
}

// Old Upsample and Resize-10 sample nearest pixels with floor when upsampling and ceil when
// downsampling (as ONNX Runtime implements them), at asymmetric coordinates.
std::string legacy_nearest_mode(const std::vector<float>& scales) {
  for (float s : scales)
    if (s < 1.0f) return "ceil";
  return "floor";
}

// Ranks of the values whose type the model states (inputs, value_info, outputs, weights).
std::unordered_map<std::string, int> known_ranks(const onnx::GraphProto& graph) {
  std::unordered_map<std::string, int> rank;
  for (auto* list : {&graph.input(), &graph.value_info(), &graph.output()})
    for (const auto& info : *list)
      if (info.type().has_tensor_type() && info.type().tensor_type().has_shape())
        rank[info.name()] = info.type().tensor_type().shape().dim_size();
  for (const auto& init : graph.initializer()) rank[init.name()] = init.dims_size();
  return rank;
}

}  // namespace

bool rewrite_legacy_softmax(onnx::GraphProto& graph, int opset) {
  if (opset >= 13 || opset < 5) return false;  // Reshape takes its shape as an input from 5
  const std::unordered_map<std::string, int> rank = known_ranks(graph);
  bool rewrote = false;
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  nodes.Swap(graph.mutable_node());
  for (auto& node : nodes) {
    const std::string& op = node.op_type();
    bool softmax_like = (op == "Softmax" || op == "LogSoftmax" || op == "Hardmax") &&
                        (node.domain().empty() || node.domain() == "ai.onnx");
    const onnx::AttributeProto* axis_attr = proto_attr(node, "axis");
    int64_t axis = axis_attr ? axis_attr->i() : 1;
    bool last_axis = false;
    if (softmax_like && node.input_size() == 1) {
      auto it = rank.find(node.input(0));
      last_axis = it != rank.end() && axis == it->second - 1;
    }
    if (!softmax_like || axis < 0 || last_axis || node.input_size() != 1 ||
        node.output_size() != 1) {
      graph.add_node()->Swap(&node);
      continue;
    }
    rewrote = true;
    const std::string x = node.input(0);
    const std::string y = node.output(0);
    const std::string flat = y + "__hone_flat", shape = y + "__hone_shape", two_d = y + "__hone_2d";
    onnx::NodeProto* flatten = graph.add_node();
    flatten->set_name(node.name() + "__flatten");
    flatten->set_op_type("Flatten");
    flatten->add_input(x);
    flatten->add_output(flat);
    set_proto_attr(*flatten, "axis", axis);
    onnx::NodeProto* shape_of = graph.add_node();
    shape_of->set_name(node.name() + "__shape");
    shape_of->set_op_type("Shape");
    shape_of->add_input(x);
    shape_of->add_output(shape);
    onnx::NodeProto* core = graph.add_node();
    core->set_name(node.name());
    core->set_op_type(op);
    core->add_input(flat);
    core->add_output(two_d);
    set_proto_attr(*core, "axis", int64_t{1});
    onnx::NodeProto* reshape = graph.add_node();
    reshape->set_name(node.name() + "__reshape");
    reshape->set_op_type("Reshape");
    reshape->add_input(two_d);
    reshape->add_input(shape);
    reshape->add_output(y);
  }
  return rewrote;
}

void fix_legacy_prelu(onnx::ModelProto& model, int opset) {
  if (opset >= 7) return;
  onnx::GraphProto& graph = *model.mutable_graph();
  const std::unordered_map<std::string, int> rank = known_ranks(graph);
  for (auto& node : *graph.mutable_node()) {
    if (node.op_type() != "PRelu" || node.input_size() != 2) continue;
    auto x_rank = rank.find(node.input(0));
    if (x_rank == rank.end() || x_rank->second < 3) continue;
    const onnx::TensorProto* slope = nullptr;
    for (const auto& init : graph.initializer())
      if (init.name() == node.input(1)) slope = &init;
    if (!slope || slope->dims_size() != 1 || slope->dims(0) <= 1) continue;
    onnx::TensorProto per_channel = *slope;
    per_channel.set_name(slope->name() + "__hone_per_channel");
    for (int i = 2; i < x_rank->second; ++i) per_channel.add_dims(1);
    if (model.ir_version() < 4) {  // IR 3 lists every initializer among the inputs
      auto* in = graph.add_input();
      in->set_name(per_channel.name());
      auto* tt = in->mutable_type()->mutable_tensor_type();
      tt->set_elem_type(per_channel.data_type());
      for (int64_t d : per_channel.dims()) tt->mutable_shape()->add_dim()->set_dim_value(d);
    }
    node.set_input(1, per_channel.name());
    *graph.add_initializer() = std::move(per_channel);
  }
}

void fix_converted_resize(onnx::GraphProto& graph) {
  for (auto& node : *graph.mutable_node()) {
    if (node.op_type() != "Resize") continue;
    if (!proto_attr(node, "coordinate_transformation_mode"))
      set_proto_attr(node, "coordinate_transformation_mode", std::string("asymmetric"));
    const auto* mode = proto_attr(node, "mode");
    bool nearest = !mode || mode->s() == "nearest";
    if (nearest && !proto_attr(node, "nearest_mode")) {
      std::string scales = node.input_size() > 2 ? node.input(2) : "";
      set_proto_attr(node, "nearest_mode",
                     legacy_nearest_mode(proto_constant_floats(graph, scales)));
    }
  }
}

namespace {

// ---- Graph rewrites ----

ValueId add_constant(Graph& g, const Node& node, const std::string& what, Tensor t) {
  std::string name = node.name + "__" + what;
  for (int k = 2; g.find_value(name) != kNoValue; ++k)
    name = node.name + "__" + what + "_" + std::to_string(k);
  ValueId id = g.add_value(name, {t.dtype(), t.shape()});
  g.value(id).constant = std::move(t);
  return id;
}

bool input_given(const Node& n, size_t i) {
  return i < n.inputs.size() && n.inputs[i] != kNoValue;
}

void set_input(Node& n, size_t i, ValueId v) {
  if (n.inputs.size() <= i) n.inputs.resize(i + 1, kNoValue);
  n.inputs[i] = v;
}

const AttributeValue* find_attr(const Node& n, std::string_view name) {
  auto it = n.attrs.find(name);
  return it == n.attrs.end() ? nullptr : &it->second.value;
}

std::string where(const Node& n) {
  return "node '" + n.name + "' (" + n.op_type + ")";
}

std::vector<int64_t> attr_as_ints(const Node& n, const AttributeValue& v, std::string_view name) {
  if (const auto* list = std::get_if<std::vector<int64_t>>(&v)) return *list;
  if (const auto* one = std::get_if<int64_t>(&v)) return {*one};
  throw Error(where(n) + ": attribute '" + std::string(name) + "' must be a list of ints");
}

float attr_as_float(const Node& n, const AttributeValue& v, std::string_view name) {
  if (const auto* f = std::get_if<float>(&v)) return *f;
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<float>(*i);
  throw Error(where(n) + ": attribute '" + std::string(name) + "' must be a float");
}

Tensor ints_tensor(const std::vector<int64_t>& v) {
  return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
}

// A scalar of the element type of the node's first input when that is already known
// (graph input or constant), else float32: the legacy ops that take such scalars (Pad-2,
// Clip-6) only accept float types and float32 is what exporters use.
Tensor scalar_like_input(const Graph& g, const Node& n, float value) {
  if (!n.inputs.empty() && n.inputs[0] != kNoValue &&
      g.value(n.inputs[0]).type.dtype == DType::kFloat64)
    return Tensor::scalar<double>(value);
  return Tensor::scalar<float>(value);
}

// Moves attribute `name` (ints) to input `index` unless that input is already given.
void ints_attr_to_input(Graph& g, Node& n, std::string_view name, size_t index) {
  const AttributeValue* v = find_attr(n, name);
  if (!v) return;
  if (!input_given(n, index))
    set_input(n, index,
              add_constant(g, n, std::string(name), ints_tensor(attr_as_ints(n, *v, name))));
  n.attrs.erase(n.attrs.find(name));
}

void normalize_slice(Graph& g, Node& n) {
  if (input_given(n, 1) || !find_attr(n, "starts")) return;
  ints_attr_to_input(g, n, "starts", 1);
  ints_attr_to_input(g, n, "ends", 2);
  ints_attr_to_input(g, n, "axes", 3);
}

void normalize_pad(Graph& g, Node& n) {
  const char* pads_name = find_attr(n, "pads") ? "pads" : "paddings";
  if (!input_given(n, 1) && find_attr(n, pads_name)) {
    set_input(n, 1,
              add_constant(g, n, "pads",
                           ints_tensor(attr_as_ints(n, *find_attr(n, pads_name), pads_name))));
    n.attrs.erase(n.attrs.find(pads_name));
  }
  if (const AttributeValue* v = find_attr(n, "value")) {
    if (!input_given(n, 2))
      set_input(
          n, 2,
          add_constant(g, n, "value", scalar_like_input(g, n, attr_as_float(n, *v, "value"))));
    n.attrs.erase(n.attrs.find("value"));
  }
}

void normalize_clip(Graph& g, Node& n) {
  for (auto [name, index] : {std::pair<const char*, size_t>{"min", 1}, {"max", 2}}) {
    const AttributeValue* v = find_attr(n, name);
    if (!v) continue;
    if (!input_given(n, index))
      set_input(n, index,
                add_constant(g, n, name, scalar_like_input(g, n, attr_as_float(n, *v, name))));
    n.attrs.erase(n.attrs.find(name));
  }
}

void normalize_dropout(Graph& g, Node& n) {
  if (const AttributeValue* v = find_attr(n, "ratio")) {
    if (!input_given(n, 1))
      set_input(n, 1,
                add_constant(g, n, "ratio", Tensor::scalar<float>(attr_as_float(n, *v, "ratio"))));
    n.attrs.erase(n.attrs.find("ratio"));
  }
  if (find_attr(n, "is_test")) n.attrs.erase(n.attrs.find("is_test"));
}

void normalize_batch_norm(Node& n) {
  if (const AttributeValue* v = find_attr(n, "spatial")) {
    const auto* spatial = std::get_if<int64_t>(v);
    if (!spatial || *spatial != 1)
      throw UnsupportedError(where(n) + ": spatial=0 (per-activation statistics) is not supported");
    n.attrs.erase(n.attrs.find("spatial"));
  }
  for (const char* name : {"is_test", "consumed_inputs"})
    if (find_attr(n, name)) n.attrs.erase(n.attrs.find(name));
}

}  // namespace

void normalize_legacy_forms(Graph& graph) {
  // Nodes are visited by index: add_constant appends values, never nodes.
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Node& n = graph.nodes[i];
    if (!n.domain.empty()) continue;
    const std::string& op = n.op_type;
    if (op == "Slice")
      normalize_slice(graph, n);
    else if (op == "Squeeze" || op == "Unsqueeze" || op == "ReduceSum")
      ints_attr_to_input(graph, n, "axes", 1);
    else if (op == "Split")
      ints_attr_to_input(graph, n, "split", 1);
    else if (op == "Pad")
      normalize_pad(graph, n);
    else if (op == "Clip")
      normalize_clip(graph, n);
    else if (op == "Dropout")
      normalize_dropout(graph, n);
    else if (op == "BatchNormalization")
      normalize_batch_norm(n);
  }
}

}  // namespace hone
