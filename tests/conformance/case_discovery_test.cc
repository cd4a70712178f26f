#include "conformance/case_discovery.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "conformance/temp_dir.h"
#include "core/error.h"

namespace hone {
namespace {

using test::TempDir;

std::vector<std::string> names(const std::vector<CaseDir>& cases) {
  std::vector<std::string> out;
  for (const auto& c : cases) out.push_back(c.name);
  return out;
}

std::vector<std::string> file_names(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) out.push_back(p.substr(p.find_last_of('/') + 1));
  return out;
}

TEST(CaseDiscovery, FindsCasesOneAndTwoLevelsDeepSortedByPath) {
  TempDir d;
  d.write("suite_b/test_c/data.json", "{}");
  d.write("suite_a/test_b/model.onnx");
  d.write("suite_a/test_a/model.onnx");
  d.write("test_top/model.onnx");
  d.mkdir("suite_a/not_a_case/empty");
  d.write("suite_a/test_readme.txt", "a file, not a directory");
  d.write("x/y/too_deep/model.onnx");  // three levels below the root: not searched

  const std::vector<CaseDir> cases = discover_cases(d.str());
  EXPECT_EQ(names(cases), (std::vector<std::string>{"test_a", "test_b", "test_c", "test_top"}));
  ASSERT_EQ(cases.size(), 4u);
  EXPECT_TRUE(cases[0].has_model);
  EXPECT_FALSE(cases[0].has_data_json);
  EXPECT_FALSE(cases[2].has_model);
  EXPECT_TRUE(cases[2].has_data_json);
  EXPECT_EQ(cases[3].path, (d.path() / "test_top").string());
}

TEST(CaseDiscovery, CaseDirectoryItselfIsOneCase) {
  TempDir d;
  d.write("test_x/model.onnx");
  d.write("test_x/test_data_set_0/input_0.pb");
  const std::vector<CaseDir> cases = discover_cases((d.path() / "test_x").string());
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].name, "test_x");
  EXPECT_TRUE(is_case_dir((d.path() / "test_x").string()));
  EXPECT_FALSE(is_case_dir(d.str()));
}

TEST(CaseDiscovery, FilterKeepsNamesContainingTheSubstring) {
  TempDir d;
  for (const char* n : {"test_relu", "test_leakyrelu", "test_add", "test_relu_expanded"})
    d.write(std::string(n) + "/model.onnx");
  EXPECT_EQ(names(discover_cases(d.str(), "relu")),
            (std::vector<std::string>{"test_leakyrelu", "test_relu", "test_relu_expanded"}));
  EXPECT_TRUE(discover_cases(d.str(), "conv").empty());
}

TEST(CaseDiscovery, MissingDirectoryThrows) {
  TempDir d;
  EXPECT_THROW(discover_cases((d.path() / "nope").string()), Error);
  d.write("file.txt", "x");
  EXPECT_THROW(discover_cases((d.path() / "file.txt").string()), Error);
  EXPECT_TRUE(discover_cases(d.str()).empty());
}

TEST(CaseDiscovery, DataSetsOrderedNumerically) {
  TempDir d;
  for (const char* n : {"test_data_set_10", "test_data_set_2", "test_data_set_0", "other"})
    d.mkdir(n);
  d.write("test_data_set_1");  // a file, not a data set
  EXPECT_EQ(file_names(list_data_sets(d.str())),
            (std::vector<std::string>{"test_data_set_0", "test_data_set_2", "test_data_set_10"}));
}

TEST(CaseDiscovery, PbFilesOrderedNumerically) {
  TempDir d;
  for (int i = 0; i < 12; ++i) d.write("input_" + std::to_string(i) + ".pb");
  d.write("output_0.pb");
  d.write("input_x.pb");
  d.write("input_3.pb.bak");
  const std::vector<std::string> inputs = file_names(list_numbered_pb_files(d.str(), "input_"));
  ASSERT_EQ(inputs.size(), 12u);
  EXPECT_EQ(inputs[2], "input_2.pb");
  EXPECT_EQ(inputs[10], "input_10.pb");
  EXPECT_EQ(file_names(list_numbered_pb_files(d.str(), "output_")),
            (std::vector<std::string>{"output_0.pb"}));
}

TEST(CaseDiscovery, GapInPbNumberingThrows) {
  TempDir d;
  d.write("input_0.pb");
  d.write("input_2.pb");
  try {
    list_numbered_pb_files(d.str(), "input_");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("input_1.pb"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hone
