// `hone zoo` and `hone conformance` end to end (their engines are tested in their modules).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "hone_process.h"

namespace hone::testing {
namespace {

TEST(CliZoo, ListJsonMatchesText) {
  HoneResult text = run_hone({"zoo", "list"});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("synthetic weights"), std::string::npos);
  HoneResult json = run_hone({"zoo", "list", "--json"});
  ASSERT_EQ(json.status, 0) << json.err;
  nlohmann::json j = nlohmann::json::parse(json.out);
  ASSERT_TRUE(j.is_array());
  for (const auto& m : j) EXPECT_NE(text.out.find(m["name"].get<std::string>()), std::string::npos);
}

TEST(CliZoo, MakeWritesAModelInfoCanRead) {
  HoneResult list = run_hone({"zoo", "list", "--json"});
  nlohmann::json j = nlohmann::json::parse(list.out);
  if (j.empty()) GTEST_SKIP() << "the zoo has no models yet";
  // The smallest model keeps this test fast.
  std::string name = j[0]["name"];
  for (const auto& m : j)
    if (m["name"] == "squeezenet1_0") name = "squeezenet1_0";
  ScratchDir dir;
  HoneResult r = run_hone({"zoo", "make", name, "-o", dir.file("m.onnx"), "--batch", "2"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("synthetic"), std::string::npos);
  HoneResult info = run_hone({"info", dir.file("m.onnx"), "--json"});
  ASSERT_EQ(info.status, 0) << info.err;
  EXPECT_EQ(nlohmann::json::parse(info.out)["inputs"][0]["shape"][0], 2);
}

TEST(CliZooBadInput, BadArguments) {
  ScratchDir dir;
  expect_bad_input(run_hone({"zoo", "make", "no_such_net", "-o", dir.file("m.onnx")}),
                   {"no_such_net"});
  expect_bad_input(run_hone({"zoo", "make", "resnet18", "-o", dir.file("m.onnx"), "--batch", "0"}),
                   {"--batch"});
  expect_bad_input(run_hone({"zoo", "make", "resnet18"}), {"--output"});
  expect_bad_input(run_hone({"zoo", "make", "resnet18", "-o", dir.file("m.onnx"), "--opset", "99"}),
                   {"99"});
  expect_bad_input(run_hone({"zoo", "bake"}), {"bake"});
}

TEST(CliConformance, PassingCaseExitsZero) {
  HoneResult r = run_hone({"conformance", onnx_case("node", "test_relu")});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 passed, 0 failed, 0 skipped"), std::string::npos) << r.out;
}

TEST(CliConformance, NoForkRunsInProcess) {
  HoneResult r = run_hone({"conformance", onnx_case("node", "test_relu"), "--no-fork"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 passed"), std::string::npos) << r.out;
}

TEST(CliConformance, FilterAndJson) {
  HoneResult r = run_hone({"conformance", std::string(HONE_ONNX_TESTDATA_DIR) + "/node", "--filter",
                           "test_relu", "--json"});
  EXPECT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["passed"].get<int>(), 1);
  EXPECT_EQ(j["failed"], 0);
}

TEST(CliConformance, FailingCaseExitsOne) {
  // A copy of test_relu whose expected output is test_abs's (different for negative inputs).
  ScratchDir dir;
  namespace fs = std::filesystem;
  const fs::path dst = fs::path(dir.path()) / "test_relu_wrong";
  fs::copy(onnx_case("node", "test_relu"), dst, fs::copy_options::recursive);
  fs::copy_file(onnx_case("node", "test_abs") + "/test_data_set_0/output_0.pb",
                dst / "test_data_set_0" / "output_0.pb", fs::copy_options::overwrite_existing);
  fs::copy_file(onnx_case("node", "test_abs") + "/test_data_set_0/input_0.pb",
                dst / "test_data_set_0" / "input_0.pb", fs::copy_options::overwrite_existing);
  HoneResult r = run_hone({"conformance", dst.string()});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("0 passed, 1 failed"), std::string::npos) << r.out;
}

TEST(CliConformanceBadInput, MissingDirectory) {
  ScratchDir dir;
  expect_bad_input(run_hone({"conformance", dir.file("nothing_here")}), {"nothing_here"});
  expect_bad_input(run_hone({"conformance", dir.path(), "--timeout", "0"}), {"--timeout"});
}

}  // namespace
}  // namespace hone::testing
