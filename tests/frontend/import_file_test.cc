// import_onnx_file reads the model in blocks (load_model_file) and frees each initializer of
// the parsed proto once copied: the graph must equal import_onnx_bytes' on the same bytes,
// for weights larger than a block and for old opsets (built twice, converted in between).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "frontend/onnx/onnx_importer.h"
#include "frontend/onnx_test_models.h"

namespace hone {
namespace {

using testing::error_of;
using testing::ModelBuilder;

namespace fs = std::filesystem;

std::string write_temp(const std::string& name, const std::string& bytes) {
  const fs::path p = fs::temp_directory_path() /
                     ("hone_import_file_test_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(p, std::ios::binary) << bytes;
  return p.string();
}

Tensor ramp(Shape shape) {
  Tensor t(DType::kFloat32, std::move(shape));
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<float>(i % 1000) * 0.5f - 7.0f;
  return t;
}

// y = x @ w + b + c, with w over 2 MiB (several read blocks) in raw_data, b in float_data.
ModelBuilder gemm_model(int opset) {
  ModelBuilder m(opset, opset >= 13 ? 8 : 6);
  m.input("x", {int64_t{1}, int64_t{768}}).output("y");
  m.initializer("w", ramp({768, 1000}));
  m.float_initializer("b", {1000}, std::vector<float>(1000, 0.25f));
  m.initializer("c", ramp({1, 1000}));
  m.node("Gemm", {"x", "w", "b"}, {"g"}, "gemm");
  m.node("Add", {"g", "c"}, {"y"}, "add");
  return m;
}

void expect_same_constants(const Graph& a, const Graph& b) {
  ASSERT_EQ(a.values.size(), b.values.size());
  int constants = 0;
  for (size_t i = 0; i < a.values.size(); ++i) {
    const Value& va = a.values[i];
    const Value& vb = b.values[i];
    EXPECT_EQ(va.name, vb.name);
    EXPECT_EQ(va.type, vb.type) << va.name;
    ASSERT_EQ(va.constant.has_value(), vb.constant.has_value()) << va.name;
    if (!va.constant) continue;
    ++constants;
    ASSERT_EQ(va.constant->nbytes(), vb.constant->nbytes()) << va.name;
    EXPECT_EQ(std::memcmp(va.constant->raw(), vb.constant->raw(), va.constant->nbytes()), 0)
        << va.name;
  }
  EXPECT_GE(constants, 3);
}

TEST(ImportFile, EqualsImportOfTheSameBytes) {
  for (int opset : {13, 11}) {
    SCOPED_TRACE("opset " + std::to_string(opset));
    const std::string bytes = gemm_model(opset).bytes();
    const std::string path = write_temp("gemm" + std::to_string(opset) + ".onnx", bytes);
    const Graph from_file = import_onnx_file(path);
    const Graph from_bytes = import_onnx_bytes(bytes, path, "");
    fs::remove(path);
    EXPECT_EQ(from_file.opset, from_bytes.opset);
    expect_same_constants(from_file, from_bytes);
    const Value& w = from_file.value(from_file.find_value("w"));
    ASSERT_TRUE(w.constant.has_value());
    EXPECT_EQ(w.constant->to_vector<float>(), ramp({768, 1000}).to_vector<float>());
  }
}

TEST(ImportFile, TruncatedFileIsNotAModel) {
  const std::string bytes = gemm_model(13).bytes();
  const std::string path = write_temp("truncated.onnx", bytes.substr(0, bytes.size() / 2));
  const std::string err = error_of([&] { import_onnx_file(path); });
  fs::remove(path);
  EXPECT_EQ(err, path + ": not a valid ONNX model");
}

}  // namespace
}  // namespace hone
