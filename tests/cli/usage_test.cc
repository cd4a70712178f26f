// `hone` usage: help, version, unknown commands and flags.
#include <gtest/gtest.h>

#include <regex>

#include "hone_process.h"

namespace hone::testing {
namespace {

TEST(CliUsage, HelpListsCommandsAndExitsZero) {
  HoneResult r = run_hone({"--help"});
  EXPECT_EQ(r.status, 0);
  for (const char* cmd : {"info", "run", "zoo", "conformance"})
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
}

TEST(CliUsage, EveryCommandHelpDescribesItsFlags) {
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> flags;
  };
  std::vector<Case> cases{
      {{"info", "--help"},
       {"--input-shapes", "--json", "--opt-level", "--isa", "--print-ir-after"}},
      {{"run", "--help"},
       {"--input-shapes", "--inputs", "--fill-mode", "--outputs", "--repeat", "--number",
        "--warmup", "--threads", "--print-time", "--print-top", "--seed", "--json", "--opt-level",
        "--isa", "--print-ir-after", "--profile"}},
      {{"zoo", "--help"}, {"list", "make", "synthetic", "real structure"}},
      {{"zoo", "make", "--help"}, {"--output", "--batch", "--seed", "--opset", "synthetic"}},
      {{"zoo", "list", "--help"}, {"--json"}},
      {{"conformance", "--help"},
       {"--filter", "--verbose", "--json", "--timeout", "--no-fork", "DIR"}},
  };
  for (const Case& c : cases) {
    HoneResult r = run_hone(c.args);
    EXPECT_EQ(r.status, 0) << c.args[0];
    for (const std::string& f : c.flags)
      EXPECT_NE(r.out.find(f), std::string::npos) << c.args[0] << " help lacks " << f;
  }
}

TEST(CliUsage, VersionMatchesTheCMakeProject) {
  HoneResult r = run_hone({"--version"});
  EXPECT_EQ(r.status, 0);
  std::string cmake = read_file(std::string(HONE_TEST_DATA_DIR) + "/../../CMakeLists.txt");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(cmake, m, std::regex(R"(project\(hone VERSION ([0-9.]+))")));
  EXPECT_EQ(r.out, "hone " + m[1].str() + "\n");
}

TEST(CliUsage, NoCommand) {
  expect_bad_input(run_hone({}), {"--help"});
}

TEST(CliUsage, UnknownCommand) {
  expect_bad_input(run_hone({"frobnicate"}), {"frobnicate"});
}

TEST(CliUsage, UnknownFlag) {
  expect_bad_input(run_hone({"run", "model.onnx", "--no-such-flag"}), {"--no-such-flag"});
  expect_bad_input(run_hone({"info", "--bogus", "m.onnx"}), {"--bogus"});
}

TEST(CliUsage, BadValueTypes) {
  expect_bad_input(run_hone({"run", "m.onnx", "--repeat", "many"}), {"--repeat", "many"});
  expect_bad_input(run_hone({"run", "m.onnx", "--seed", "x1"}), {"--seed"});
}

TEST(CliUsage, MissingModelArgument) {
  expect_bad_input(run_hone({"run"}), {"MODEL"});
}

TEST(CliUsage, ZooNeedsASubcommand) {
  expect_bad_input(run_hone({"zoo"}), {});
}

}  // namespace
}  // namespace hone::testing
