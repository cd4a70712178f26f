// Imports and runs real models of ONNX's backend test data (pytorch-converted, node, simple)
// and compares with their expected outputs. Cases whose ops are not registered yet skip.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "frontend/onnx/onnx_importer.h"
#include "frontend/onnx/tensor_proto.h"
#include "runtime/executor.h"

namespace hone {
namespace {

namespace fs = std::filesystem;

const std::string kData = HONE_ONNX_TESTDATA_DIR;

std::vector<std::string> sorted_files(const fs::path& dir, const std::string& prefix) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind(prefix, 0) == 0) files.push_back(e.path().string());
  // input_10.pb sorts after input_9.pb.
  std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return files;
}

// "" when every output matches, else the first difference.
std::string compare(const Tensor& expected, const Tensor& got, const std::string& name) {
  if (expected.dtype() != got.dtype() || expected.shape() != got.shape())
    return name + ": expected " + std::string(dtype_name(expected.dtype())) +
           shape_to_string(expected.shape()) + ", got " + std::string(dtype_name(got.dtype())) +
           shape_to_string(got.shape());
  if (expected.dtype() == DType::kFloat16 || expected.dtype() == DType::kBFloat16) return "";
  std::vector<double> e = expected.to_vector<double>(), g = got.to_vector<double>();
  for (size_t i = 0; i < e.size(); ++i) {
    if (std::isnan(e[i]) && std::isnan(g[i])) continue;
    if (std::isinf(e[i]) && e[i] == g[i]) continue;
    if (!(std::abs(e[i] - g[i]) <= 1e-5 + 1e-3 * std::abs(e[i])))
      return name + "[" + std::to_string(i) + "]: expected " + std::to_string(e[i]) + ", got " +
             std::to_string(g[i]);
  }
  return "";
}

enum class Outcome { kPassed, kUnsupported, kFailed };

// Runs one case directory (model.onnx + test_data_set_*); `why` says what went wrong.
// The graph inputs the model declares, initializers excluded, in order.
std::vector<std::string> declared_inputs(const fs::path& dir) {
  std::ifstream in(dir / "model.onnx", std::ios::binary);
  onnx::ModelProto model;
  std::vector<std::string> names;
  if (!model.ParseFromIstream(&in)) return names;
  std::set<std::string> inits;
  for (const auto& i : model.graph().initializer()) inits.insert(i.name());
  for (const auto& i : model.graph().input())
    if (!inits.count(i.name())) names.push_back(i.name());
  return names;
}

// The first data set's inputs by name.
std::map<std::string, Tensor> first_inputs(const fs::path& dir) {
  std::map<std::string, Tensor> out;
  std::vector<std::string> names = declared_inputs(dir);
  auto files = sorted_files(dir / "test_data_set_0", "input_");
  for (size_t i = 0; i < files.size() && i < names.size(); ++i)
    out[names[i]] = read_tensor_pb_file(files[i]);
  return out;
}

// Imports the case's model; when an input decides a shape (ONNX's node tests feed axes,
// shapes and scales as inputs), binds every input but the first to its test value, as the
// conformance runner does.
Graph import_case(const fs::path& dir) {
  const std::string path = (dir / "model.onnx").string();
  try {
    return import_onnx_file(path);
  } catch (const NeedsConstantError&) {
    ImportOptions options;
    options.bind_inputs = first_inputs(dir);
    std::vector<std::string> names = declared_inputs(dir);
    if (!names.empty()) options.bind_inputs.erase(names[0]);
    return import_onnx_file(path, options);
  }
}

Outcome run_case(const fs::path& dir, std::string* why) {
  try {
    Executor ex(import_case(dir));
    for (const auto& e : fs::directory_iterator(dir)) {
      if (!e.is_directory() || e.path().filename().string().rfind("test_data_set", 0) != 0)
        continue;
      // Inputs by position among the model's declared inputs; bound ones are left out.
      std::map<std::string, Tensor> inputs;
      auto in_files = sorted_files(e.path(), "input_");
      std::vector<std::string> names = declared_inputs(dir);
      for (size_t i = 0; i < in_files.size() && i < names.size(); ++i) {
        const auto& free = ex.input_names();
        if (std::find(free.begin(), free.end(), names[i]) != free.end())
          inputs[names[i]] = read_tensor_pb_file(in_files[i]);
      }
      std::vector<Tensor> outputs = ex.run(inputs);
      auto out_files = sorted_files(e.path(), "output_");
      for (size_t i = 0; i < out_files.size() && i < outputs.size(); ++i) {
        std::string diff =
            compare(read_tensor_pb_file(out_files[i]), outputs[i], ex.output_names()[i]);
        if (!diff.empty()) {
          *why = diff;
          return Outcome::kFailed;
        }
      }
    }
    return Outcome::kPassed;
  } catch (const UnsupportedError& e) {
    *why = e.what();
    return Outcome::kUnsupported;
  } catch (const std::exception& e) {
    *why = e.what();
    return Outcome::kFailed;
  }
}

class RealModel : public ::testing::TestWithParam<std::string> {};

TEST_P(RealModel, MatchesExpectedOutputs) {
  fs::path dir = fs::path(kData) / GetParam();
  if (!fs::exists(dir / "model.onnx")) GTEST_SKIP() << "no test data at " << dir;
  std::string why;
  Outcome o = run_case(dir, &why);
  if (o == Outcome::kUnsupported) GTEST_SKIP() << why;
  EXPECT_EQ(o, Outcome::kPassed) << why;
}

// Opset 6 PyTorch exports (through the version converter), opset 9-12 models, and node tests
// of the legacy forms the frontend normalizes.
INSTANTIATE_TEST_SUITE_P(
    Onnx, RealModel,
    ::testing::Values("pytorch-converted/test_Conv2d", "pytorch-converted/test_BatchNorm2d_eval",
                      "pytorch-converted/test_MaxPool2d", "pytorch-converted/test_Linear",
                      "pytorch-converted/test_AvgPool2d", "pytorch-converted/test_PReLU_2d",
                      "pytorch-converted/test_ConstantPad2d", "pytorch-converted/test_PixelShuffle",
                      "pytorch-converted/test_Embedding", "pytorch-converted/test_GLU",
                      "pytorch-converted/test_LogSoftmax", "pytorch-converted/test_Softmax",
                      "pytorch-converted/test_ELU", "pytorch-converted/test_ReLU",
                      "pytorch-converted/test_PReLU_2d_multiparam",
                      "pytorch-operator/test_operator_chunk", "pytorch-operator/test_operator_pad",
                      "pytorch-operator/test_operator_view", "simple/test_single_relu_model",
                      "simple/test_expand_shape_model1", "node/test_upsample_nearest",
                      "node/test_slice", "node/test_clip", "node/test_squeeze",
                      "node/test_unsqueeze_axis_0", "node/test_softmax_axis_0",
                      "node/test_reduce_sum_keepdims_example", "node/test_split_equal_parts_1d",
                      "node/test_dropout_default", "node/test_resize_downsample_scales_nearest"),
    [](const auto& info) {
      std::string s = info.param;
      for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return s;
    });

// Every case of every suite; run by hand with --gtest_also_run_disabled_tests to see which
// cases fail to import or compute (the conformance runner is the tool for the full report).
TEST(RealModelSweep, DISABLED_AllCases) {
  int passed = 0, unsupported = 0, failed = 0;
  for (const char* suite : {"node", "pytorch-converted", "pytorch-operator", "simple"}) {
    fs::path root = fs::path(kData) / suite;
    if (!fs::exists(root)) continue;
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(root)) cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    for (const auto& c : cases) {
      std::string why;
      Outcome o = run_case(c, &why);
      if (o == Outcome::kPassed) ++passed;
      if (o == Outcome::kUnsupported) ++unsupported;
      if (o == Outcome::kFailed) ++failed;
      if (o != Outcome::kPassed)
        std::cout << (o == Outcome::kFailed ? "FAIL " : "SKIP ") << suite << "/"
                  << c.filename().string() << ": " << why << "\n";
    }
  }
  std::cout << passed << " passed, " << failed << " failed, " << unsupported << " unsupported\n";
}

}  // namespace
}  // namespace hone
