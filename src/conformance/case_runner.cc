#include "conformance/case_runner.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <exception>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <vector>

#include "core/cpu_features.h"
#include "core/error.h"
#include "frontend/onnx/onnx_importer.h"
#include "frontend/onnx/tensor_proto.h"
#include "ir/passes/pass_manager.h"
#include "runtime/executor.h"

namespace hone {
namespace {

// Raised inside run_case to end a case as skipped.
class SkipCase : public std::exception {
 public:
  explicit SkipCase(std::string reason) : reason_(std::move(reason)) {}
  const char* what() const noexcept override { return reason_.c_str(); }

 private:
  std::string reason_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("conformance: cannot open " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// What the runner needs from model.onnx before importing it: the graph inputs the data sets
// feed (those that are not initializers), in order, and the output names for messages.
struct ModelSignature {
  std::vector<std::string> inputs;
  std::vector<int> input_elem_types;  // onnx::TensorProto::DataType of each input
  std::vector<std::string> outputs;
};

// ONNX's test data predates numpy bfloat16 support: bfloat16 tensors are stored as uint16
// with the same bits. Gives them back their real type.
Tensor as_bfloat16(const Tensor& t) {
  Tensor out(DType::kBFloat16, t.shape());
  std::memcpy(out.raw(), t.raw(), t.nbytes());
  return out;
}

const char* non_tensor_kind(const onnx::TypeProto& type) {
  switch (type.value_case()) {
    case onnx::TypeProto::kSequenceType:
      return "sequence";
    case onnx::TypeProto::kOptionalType:
      return "optional";
    case onnx::TypeProto::kMapType:
      return "map";
    case onnx::TypeProto::kSparseTensorType:
      return "sparse tensor";
    default:
      return nullptr;
  }
}

ModelSignature read_signature(const std::string& model_path) {
  onnx::ModelProto model;
  if (!model.ParseFromString(read_file(model_path)))
    throw Error(model_path + ": not a valid ONNX ModelProto");
  const onnx::GraphProto& graph = model.graph();
  std::vector<std::string> initializers;
  for (const auto& init : graph.initializer()) initializers.push_back(init.name());

  ModelSignature sig;
  auto check_kind = [](const onnx::ValueInfoProto& v, const char* role) {
    if (const char* kind = non_tensor_kind(v.type()))
      throw SkipCase(std::string(kind) + " " + role + " '" + v.name() +
                     "' (hone supports tensors only)");
  };
  for (const auto& input : graph.input()) {
    bool is_initializer = false;
    for (const auto& name : initializers) is_initializer = is_initializer || name == input.name();
    if (is_initializer) continue;
    check_kind(input, "input");
    sig.inputs.push_back(input.name());
    sig.input_elem_types.push_back(input.type().tensor_type().elem_type());
  }
  for (const auto& output : graph.output()) {
    check_kind(output, "output");
    sig.outputs.push_back(output.name());
  }
  return sig;
}

std::string data_set_label(const std::string& data_set_path) {
  const size_t slash = data_set_path.find_last_of('/');
  return slash == std::string::npos ? data_set_path : data_set_path.substr(slash + 1);
}

std::vector<Tensor> read_tensors(const std::vector<std::string>& files) {
  std::vector<Tensor> out;
  out.reserve(files.size());
  for (const auto& f : files) out.push_back(read_tensor_pb_file(f));
  return out;
}

std::vector<Shape> shapes_of(const std::vector<Tensor>& tensors) {
  std::vector<Shape> out;
  for (const auto& t : tensors) out.push_back(t.shape());
  return out;
}

// Runs the data sets of one case; returns "" when all match, else the first mismatch.
// The executor of an imported graph at an opt-level (passes + optimized kernels above 0).
Executor make_executor(Graph graph, int opt_level) {
  if (opt_level == 0) return Executor(std::move(graph));
  const Isa isa = best_isa();
  OptimizeOptions optimize;
  optimize.opt_level = opt_level;
  optimize.block = layout_block(isa);
  optimize_graph(graph, optimize);
  ExecutorOptions options;
  options.kernel.optimized = true;
  options.kernel.isa = isa;
  return Executor(std::move(graph), options);
}

std::string run_data_sets(const CaseDir& c, const ModelSignature& sig, const Tolerance& tol,
                          int opt_level) {
  const std::string model_path = c.path + "/model.onnx";
  const std::vector<std::string> data_sets = list_data_sets(c.path);
  if (data_sets.empty()) throw SkipCase("no test_data_set_* directory");

  // One executor is reused while the data sets' input shapes stay the same. When an output
  // shape depends on an input value, every data set is imported with its inputs bound.
  std::optional<Executor> executor;
  std::vector<Shape> executor_shapes;
  bool bind_inputs = false;
  for (const std::string& ds : data_sets) {
    const std::string label = data_set_label(ds);
    std::vector<Tensor> inputs = read_tensors(list_numbered_pb_files(ds, "input_"));
    std::vector<Tensor> expected = read_tensors(list_numbered_pb_files(ds, "output_"));
    if (inputs.size() > sig.inputs.size())
      return label + ": " + std::to_string(inputs.size()) + " input files for " +
             std::to_string(sig.inputs.size()) + " graph inputs";
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (sig.input_elem_types[i] == onnx::TensorProto::BFLOAT16 &&
          inputs[i].dtype() == DType::kUInt16)
        inputs[i] = as_bfloat16(inputs[i]);
    }

    ImportOptions options;
    std::map<std::string, Tensor> feeds;
    for (size_t i = 0; i < inputs.size(); ++i) {
      options.input_shapes[sig.inputs[i]] = inputs[i].shape();
      feeds[sig.inputs[i]] = inputs[i];
    }
    const std::vector<Shape> shapes = shapes_of(inputs);
    if (!bind_inputs && (!executor || shapes != executor_shapes)) {
      executor.reset();
      try {
        executor.emplace(make_executor(import_onnx_file(model_path, options), opt_level));
        executor_shapes = shapes;
      } catch (const NeedsConstantError&) {
        bind_inputs = true;
      }
    }
    if (bind_inputs) {
      executor.reset();
      options.bind_inputs = feeds;
      executor.emplace(make_executor(import_onnx_file(model_path, options), opt_level));
    }

    // Bound inputs are constants now; feed only what the executor still asks for.
    std::map<std::string, Tensor> run_inputs;
    for (const std::string& name : executor->input_names()) {
      auto it = feeds.find(name);
      if (it == feeds.end()) return label + ": no input file for graph input '" + name + "'";
      run_inputs[name] = it->second;
    }
    const std::vector<Tensor> got = executor->run(run_inputs);
    if (got.size() != expected.size())
      return label + ": " + std::to_string(got.size()) + " outputs, expected " +
             std::to_string(expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      if (got[i].dtype() == DType::kBFloat16 && expected[i].dtype() == DType::kUInt16)
        expected[i] = as_bfloat16(expected[i]);
      const std::string diff = compare_tensors(got[i], expected[i], tol);
      if (diff.empty()) continue;
      const std::string name = i < sig.outputs.size() ? " '" + sig.outputs[i] + "'" : "";
      return label + " output " + std::to_string(i) + name + ": " + diff;
    }
  }
  return "";
}

// Keeps the printed report one line per case.
std::string one_line(std::string s) {
  for (char& ch : s)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return s;
}

}  // namespace

Tolerance case_tolerance(const CaseDir& c) {
  Tolerance tol;
  if (!c.has_data_json) return tol;
  const std::string path = c.path + "/data.json";
  nlohmann::json j = nlohmann::json::parse(read_file(path), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw Error("conformance: " + path + " is not valid JSON");
  if (j.is_object()) {
    if (j.contains("rtol") && j["rtol"].is_number()) tol.rtol = j["rtol"].get<double>();
    if (j.contains("atol") && j["atol"].is_number()) tol.atol = j["atol"].get<double>();
  }
  return tol;
}

CaseResult run_case(const CaseDir& c, int opt_level) {
  CaseResult result{c.name, CaseStatus::kPassed, ""};
  try {
    if (!c.has_model) throw SkipCase("model not shipped (needs download)");
    const Tolerance tol = case_tolerance(c);
    const ModelSignature sig = read_signature(c.path + "/model.onnx");
    std::string mismatch = run_data_sets(c, sig, tol, opt_level);
    if (!mismatch.empty()) {
      result.status = CaseStatus::kFailed;
      result.reason = std::move(mismatch);
    }
  } catch (const SkipCase& e) {
    result.status = CaseStatus::kSkipped;
    result.reason = e.what();
  } catch (const UnsupportedError& e) {
    result.status = CaseStatus::kSkipped;
    result.reason = e.what();
  } catch (const Error& e) {
    result.status = CaseStatus::kFailed;
    result.reason = e.what();
  } catch (const std::exception& e) {
    result.status = CaseStatus::kFailed;
    result.reason = std::string("exception: ") + e.what();
  } catch (...) {
    result.status = CaseStatus::kFailed;
    result.reason = "unknown exception";
  }
  result.reason = one_line(std::move(result.reason));
  return result;
}

}  // namespace hone
