#include "frontend/onnx/model_loader.h"

#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>
#include <sys/stat.h>

#include <algorithm>
#include <queue>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "frontend/onnx/file_bytes.h"
#include "frontend/onnx/legacy_forms.h"
#include "frontend/onnx/tensor_proto.h"
#include "ir/op_registry.h"

namespace hone {

namespace {

bool is_default_domain(const std::string& domain) {
  return domain.empty() || domain == "ai.onnx";
}

// Gives every node a unique, non-empty name: "<OpType>_<index>" for anonymous ones and a
// numeric suffix for duplicates (ONNX does not require unique names; hone's IR does).
void name_nodes(onnx::GraphProto& graph) {
  std::unordered_set<std::string> used;
  for (const auto& n : graph.node())
    if (!n.name().empty()) used.insert(n.name());
  std::unordered_set<std::string> seen;
  for (int i = 0; i < graph.node_size(); ++i) {
    onnx::NodeProto& n = *graph.mutable_node(i);
    if (!n.name().empty() && seen.insert(n.name()).second) continue;
    std::string base = n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name();
    std::string name = base;
    for (int k = 2; used.count(name) || seen.count(name); ++k)
      name = base + "_" + std::to_string(k);
    used.insert(name);
    seen.insert(name);
    n.set_name(name);
  }
}

// Moves external initializer data into raw_data, so the checker and the version converter
// (which do not know the model's directory) see self-contained tensors.
void inline_external_data(onnx::GraphProto& graph, const std::string& base_dir,
                          const std::string& source) {
  for (auto& init : *graph.mutable_initializer()) {
    if (init.data_location() != onnx::TensorProto::EXTERNAL) continue;
    Tensor t = tensor_from_proto(init, base_dir, source);
    init.clear_external_data();
    init.set_data_location(onnx::TensorProto::DEFAULT);
    init.set_raw_data(t.raw(), t.nbytes());
  }
}

std::string one_line(std::string text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Every op type of the graph hone does not implement, with one node each, or "" when all
// are known. Listed instead of the checker's complaint, which names only the first node it
// trips on (an op ONNX itself does not know, or an unsupported op's own arity rules).
std::string unsupported_ops(const onnx::GraphProto& graph) {
  std::unordered_set<std::string> seen;
  std::string list;
  for (const auto& n : graph.node()) {
    if (op_registry().find(n.op_type(), n.domain())) continue;
    if (!seen.insert(n.domain() + "::" + n.op_type()).second) continue;
    list += (list.empty() ? "" : ", ") + n.op_type() + " (" +
            (n.domain().empty() ? "" : "domain " + n.domain() + ", ") + "node '" + n.name() + "')";
  }
  return list;
}

// Runs onnx::checker, lenient where ONNX Runtime is: files written by newer ONNX releases
// carry an ir_version above libonnx 1.12's although their opset (<= 17) is fine, and value
// infos (graph outputs above all) may leave out the shape, which the checker demands.
void run_checker(onnx::ModelProto& model, const std::string& source) {
  const int64_t ir = model.ir_version();
  if (ir > onnx::IR_VERSION) model.set_ir_version(onnx::IR_VERSION);
  std::vector<onnx::TypeProto_Tensor*> shapeless;
  onnx::GraphProto& graph = *model.mutable_graph();
  for (auto* list : {graph.mutable_input(), graph.mutable_output(), graph.mutable_value_info()})
    for (auto& info : *list)
      if (info.type().has_tensor_type() && !info.type().tensor_type().has_shape())
        shapeless.push_back(info.mutable_type()->mutable_tensor_type());
  for (auto* t : shapeless) t->mutable_shape();
  auto restore = [&] {
    model.set_ir_version(ir);
    for (auto* t : shapeless) t->clear_shape();
  };
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    restore();
    std::string unsupported = unsupported_ops(model.graph());
    if (!unsupported.empty()) throw UnsupportedError(source + ": unsupported ops: " + unsupported);
    throw Error(source + ": invalid ONNX model: " + one_line(e.what()));
  }
  restore();
}

void apply_input_shapes(onnx::GraphProto& graph, const std::map<std::string, Shape>& shapes,
                        const std::string& source) {
  if (shapes.empty()) return;
  std::unordered_set<std::string> inits;
  for (const auto& i : graph.initializer()) inits.insert(i.name());
  for (const auto& [name, shape] : shapes) {
    onnx::ValueInfoProto* info = nullptr;
    for (auto& in : *graph.mutable_input())
      if (in.name() == name) info = &in;
    if (!info) {
      std::string valid;
      for (const auto& in : graph.input())
        if (!inits.count(in.name())) valid += (valid.empty() ? "" : ", ") + in.name();
      throw Error(source + ": --input-shapes names '" + name +
                  "', which is not a graph input; the inputs are: " + valid);
    }
    if (!info->type().has_tensor_type())
      throw UnsupportedError(source + ": input '" + name + "' is not a tensor");
    auto* tensor_shape = info->mutable_type()->mutable_tensor_type()->mutable_shape();
    tensor_shape->clear_dim();
    for (int64_t d : shape) {
      if (d < 0)
        throw Error(source + ": --input-shapes gives input '" + name + "' the negative dimension " +
                    std::to_string(d));
      tensor_shape->add_dim()->set_dim_value(d);
    }
  }
}

// Declared intermediate shapes may contradict the overridden input shapes (a model exported
// at batch 1 run at batch 8); hone infers every shape itself, so they are dropped before
// ONNX's shape inference runs for the version converter.
void drop_declared_shapes(onnx::GraphProto& graph) {
  graph.clear_value_info();
  for (auto& out : *graph.mutable_output())
    if (out.type().has_tensor_type()) out.mutable_type()->mutable_tensor_type()->clear_shape();
}

// Some adapters of the version converter read value shapes (Softmax's 12 -> 13 adapter bakes
// them into a Reshape); ONNX's own inference, with data propagation for shape subgraphs,
// provides them. Failures only leave shapes unknown: hone infers every shape itself later.
void infer_onnx_shapes(onnx::ModelProto& model) {
  try {
    onnx::ShapeInferenceOptions options(/*check_type=*/false, /*error_mode=*/0,
                                        /*enable_data_propagation=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception&) {
    // Shapes stay unknown where inference failed.
  }
}

}  // namespace

int default_opset(const onnx::ModelProto& model, const std::string& source) {
  for (const auto& imp : model.opset_import())
    if (is_default_domain(imp.domain())) return static_cast<int>(imp.version());
  if (model.opset_import_size() == 0 && model.ir_version() < 3) return 1;
  std::string domains;
  for (const auto& imp : model.opset_import())
    domains += (domains.empty() ? "" : ", ") + imp.domain();
  // Unsupported rather than invalid: such models (training-domain ops, ai.onnx.ml only) are
  // well formed, hone just implements none of their ops.
  throw UnsupportedError(source + ": the model imports no version of the default ONNX opset" +
                         (domains.empty() ? std::string() : " (only " + domains + ")") +
                         "; hone implements default-domain ops only");
}

void sort_nodes_topologically(onnx::GraphProto& graph, const std::string& source) {
  const int n = graph.node_size();
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < n; ++i)
    for (const auto& out : graph.node(i).output())
      if (!out.empty()) producer.emplace(out, i);
  std::unordered_set<std::string> defined;
  for (const auto& in : graph.input()) defined.insert(in.name());
  for (const auto& init : graph.initializer()) defined.insert(init.name());
  for (int i = 0; i < n; ++i)
    for (const auto& in : graph.node(i).input())
      if (!in.empty() && !producer.count(in) && !defined.count(in))
        throw Error(source + ": node '" + graph.node(i).name() + "' (" + graph.node(i).op_type() +
                    "): input '" + in + "' is not defined by any node, initializer or graph input");
  std::vector<int> pending(static_cast<size_t>(n), 0);
  std::vector<std::vector<int>> users(static_cast<size_t>(n));
  bool sorted = true;
  for (int i = 0; i < n; ++i) {
    std::unordered_set<int> deps;
    for (const auto& in : graph.node(i).input()) {
      auto it = producer.find(in);
      if (it == producer.end() || it->second == i) {
        if (it != producer.end()) deps.insert(i);  // a node reading its own output: a cycle
        continue;
      }
      deps.insert(it->second);
    }
    for (int d : deps) {
      users[static_cast<size_t>(d)].push_back(i);
      if (d >= i) sorted = false;
    }
    pending[static_cast<size_t>(i)] = static_cast<int>(deps.size());
  }
  if (sorted) return;
  std::priority_queue<int, std::vector<int>, std::greater<>> ready;
  for (int i = 0; i < n; ++i)
    if (pending[static_cast<size_t>(i)] == 0) ready.push(i);
  std::vector<int> order;
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int u : users[static_cast<size_t>(i)])
      if (--pending[static_cast<size_t>(u)] == 0) ready.push(u);
  }
  if (static_cast<int>(order.size()) != n) {
    for (int i = 0; i < n; ++i)
      if (pending[static_cast<size_t>(i)] > 0)
        throw Error(source + ": the graph has a cycle through node '" + graph.node(i).name() +
                    "' (" + graph.node(i).op_type() + ")");
  }
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  nodes.Swap(graph.mutable_node());
  for (int i : order) graph.add_node()->Swap(&nodes[i]);
}

namespace {

// The checks and fix-ups after parsing: opset range, node names, external data, order,
// checker, input shapes.
void check_parsed(LoadedModel& out, const std::string& source, const std::string& base_dir,
                  const std::map<std::string, Shape>& input_shapes) {
  onnx::ModelProto& model = out.model;
  if (!model.unknown_fields().empty() || !model.has_graph())
    throw Error(source + ": not a valid ONNX model");
  out.original_opset = default_opset(model, source);
  if (out.original_opset > kMaxOpset)
    throw UnsupportedError(source + ": opset " + std::to_string(out.original_opset) +
                           " is newer than hone supports (" + std::to_string(kMinOpset) + " to " +
                           std::to_string(kMaxOpset) + ")");
  onnx::GraphProto& graph = *model.mutable_graph();
  name_nodes(graph);
  inline_external_data(graph, base_dir, source);
  sort_nodes_topologically(graph, source);
  run_checker(model, source);
  apply_input_shapes(graph, input_shapes, source);
  out.opset = out.original_opset;
}

}  // namespace

LoadedModel load_model(std::string_view bytes, const std::string& source,
                       const std::string& base_dir,
                       const std::map<std::string, Shape>& input_shapes) {
  if (bytes.empty()) throw Error(source + ": file is empty");
  LoadedModel out;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !out.model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw Error(source + ": not a valid ONNX model");
  check_parsed(out, source, base_dir, input_shapes);
  return out;
}

LoadedModel load_model_file(const std::string& path, const std::string& base_dir,
                            const std::map<std::string, Shape>& input_shapes) {
  const ReadableFile file(path);
  // Protobuf's limit, as for load_model's bytes.
  struct stat st {};
  if (::fstat(file.fd(), &st) != 0) throw Error(path + ": cannot read file size");
  if (st.st_size > std::numeric_limits<int>::max()) throw Error(path + ": not a valid ONNX model");
  LoadedModel out;
  {
    // Blocks of 1 MiB: a string field up to protobuf's 50 MB "safe size" is reserved whole
    // and filled block by block; larger ones grow by doubling.
    google::protobuf::io::FileInputStream stream(file.fd(), 1 << 20);
    if (!out.model.ParseFromZeroCopyStream(&stream) || stream.GetErrno() != 0)
      throw Error(path + ": not a valid ONNX model");
  }
  check_parsed(out, path, base_dir, input_shapes);
  return out;
}

namespace {

// ONNX's version converter copies the whole model twice over (its IR graph and the converted
// proto), weights included: torchvision's ResNet-50 exported at opset 11 peaked at 421 MB of
// RSS against 167 MB at opset 13. The bytes of large initializers wait outside while it runs;
// its adapters read only small constants (shapes, axes, scales).
class LargeInitializersSetAside {
 public:
  explicit LargeInitializersSetAside(onnx::GraphProto& graph) {
    for (onnx::TensorProto& t : *graph.mutable_initializer())
      if (t.has_raw_data() && t.raw_data().size() >= kMinBytes) {
        raw_[t.name()] = std::move(*t.mutable_raw_data());
        t.clear_raw_data();
      }
  }
  // Puts the bytes back into `graph` (the converted model's, or the original's after a
  // failed conversion). Returns the name of an initializer set aside that is no longer
  // there (its bytes are lost), or empty.
  std::string restore(onnx::GraphProto& graph) {
    for (onnx::TensorProto& t : *graph.mutable_initializer()) {
      auto it = raw_.find(t.name());
      if (it == raw_.end() || !t.raw_data().empty()) continue;
      *t.mutable_raw_data() = std::move(it->second);
      raw_.erase(it);
    }
    return raw_.empty() ? std::string() : raw_.begin()->first;
  }

 private:
  static constexpr size_t kMinBytes = 64 << 10;
  std::unordered_map<std::string, std::string> raw_;
};

}  // namespace

bool convert_to_canonical(LoadedModel& loaded) {
  if (loaded.opset >= kCanonicalOpset) return true;
  onnx::ModelProto& model = loaded.model;
  onnx::GraphProto& graph = *model.mutable_graph();
  drop_declared_shapes(graph);
  infer_onnx_shapes(model);
  if (rewrite_legacy_softmax(graph, loaded.opset)) infer_onnx_shapes(model);
  fix_legacy_prelu(model, loaded.opset);
  LargeInitializersSetAside set_aside(graph);
  try {
    onnx::ModelProto converted = onnx::version_conversion::ConvertVersion(model, kCanonicalOpset);
    model.Swap(&converted);
  } catch (const std::exception& e) {
    set_aside.restore(*model.mutable_graph());
    loaded.conversion_error = one_line(e.what());
    return false;
  }
  // A converted model without an initializer's bytes is treated as a failed conversion:
  // the importer then keeps its own reading of the model at its opset.
  if (std::string lost = set_aside.restore(*model.mutable_graph()); !lost.empty()) {
    loaded.conversion_error = "the converted model lost initializer '" + lost + "'";
    return false;
  }
  name_nodes(*model.mutable_graph());
  if (loaded.opset < 11) fix_converted_resize(*model.mutable_graph());
  loaded.converted = true;
  loaded.opset = kCanonicalOpset;
  return true;
}

}  // namespace hone
