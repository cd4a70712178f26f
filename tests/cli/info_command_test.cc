// `hone info` end to end on ONNX test models with known contents.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hone_process.h"

namespace hone::testing {
namespace {

// pytorch-converted/test_Conv2d: one Conv, input "0" [2,3,7,5], weight "1" [4,3,3,2] and bias
// "2" [4] as initializers, output "3" [2,4,5,4].
const std::string kConv2d = onnx_case("pytorch-converted", "test_Conv2d") + "/model.onnx";

TEST(CliInfo, JsonDescribesTheModel) {
  HoneResult r = run_hone({"info", kConv2d, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["model"], kConv2d);
  ASSERT_EQ(j["inputs"].size(), 1u) << "initializers are not inputs";
  EXPECT_EQ(j["inputs"][0]["name"], "0");
  EXPECT_EQ(j["inputs"][0]["dtype"], "float32");
  EXPECT_EQ(j["inputs"][0]["shape"], nlohmann::json::array({2, 3, 7, 5}));
  ASSERT_EQ(j["outputs"].size(), 1u);
  EXPECT_EQ(j["outputs"][0]["shape"], nlohmann::json::array({2, 4, 5, 4}));
  EXPECT_EQ(j["ops"], nlohmann::json({{"Conv", 1}}));
  EXPECT_EQ(j["parameters"], 4 * 3 * 3 * 2 + 4);
  EXPECT_EQ(j["parameter_bytes"], (4 * 3 * 3 * 2 + 4) * 4);
  // 160 outputs x 18 multiply-adds x 2; the bias adds may or may not be counted.
  const int64_t macs = 2 * 4 * 5 * 4 * (3 * 3 * 2);
  EXPECT_GE(j["flops"].get<int64_t>(), 2 * macs);
  EXPECT_LE(j["flops"].get<int64_t>(), 2 * macs + 2 * 160);
  EXPECT_DOUBLE_EQ(j["gflop"].get<double>(), j["flops"].get<double>() / 1e9);
}

TEST(CliInfo, TextListsInputsOpsAndParameters) {
  HoneResult r = run_hone({"info", kConv2d});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* s : {"input", "float32", "[2,3,7,5]", "output", "[2,4,5,4]", "Conv",
                        "Parameters: 76", "304 B", "GFLOP"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << " missing in:\n" << r.out;
}

TEST(CliInfo, InputShapesOverrideChangesInferredShapes) {
  HoneResult r = run_hone({"info", kConv2d, "--input-shapes", "0:[1,3,9,9]", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outputs"][0]["shape"], nlohmann::json::array({1, 4, 7, 8}));
}

TEST(CliInfo, HistogramCountsRepeatedOps) {
  // node/test_add: a single Add; pytorch-operator models hold several ops.
  HoneResult r = run_hone({"info", onnx_case("node", "test_add") + "/model.onnx", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ops"], nlohmann::json({{"Add", 1}}));
  EXPECT_EQ(j["parameters"], 0);
  EXPECT_EQ(j["inputs"].size(), 2u);
}

TEST(CliInfoBadInput, BadModelsAndShapes) {
  ScratchDir dir;
  expect_bad_input(run_hone({"info", dir.file("nope.onnx")}), {"nope.onnx"});
  dir.write("empty.onnx", "");
  expect_bad_input(run_hone({"info", dir.file("empty.onnx")}), {"empty.onnx"});
  dir.write("text.onnx", "this is not a protobuf at all, just some text\n");
  expect_bad_input(run_hone({"info", dir.file("text.onnx")}), {"text.onnx"});
  expect_bad_input(run_hone({"info", kConv2d, "--input-shapes", "0:[1,3"}), {"--input-shapes"});
  expect_bad_input(run_hone({"info", kConv2d, "--input-shapes", "weight:[4,3,3,2]"}),
                   {"'weight'", "0"});
}

}  // namespace
}  // namespace hone::testing
