// The optimization and runtime flags of `hone run` / `hone info` end to end: --opt-level,
// --isa, --threads, --print-ir-after, --profile, the memory figures, and bad values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "core/cpu_features.h"
#include "core/npz.h"
#include "hone_process.h"
#include "ir/passes/pass_manager.h"

namespace hone::testing {
namespace {

// SqueezeNet: convs, ReLUs, max pools and Concats (the fire modules), at a small input.
class ZooModelFile {
 public:
  ZooModelFile() {
    HoneResult r = run_hone({"zoo", "make", "squeezenet1_0", "-o", dir_.file("sq.onnx")});
    EXPECT_EQ(r.status, 0) << r.err;
  }
  std::string path() const { return dir_.file("sq.onnx"); }

 private:
  ScratchDir dir_;
};

// Made once per test process; destroyed at exit, which removes its scratch directory.
const ZooModelFile& squeezenet() {
  static const ZooModelFile model;
  return model;
}

const std::string kShapes = "data:[1,3,64,64]";

std::vector<float> run_outputs(const std::vector<std::string>& extra, const ScratchDir& dir) {
  std::vector<std::string> args{"run",
                                squeezenet().path(),
                                "--input-shapes",
                                kShapes,
                                "--outputs",
                                dir.file("o.npz"),
                                "--seed",
                                "3",
                                "--repeat",
                                "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  HoneResult r = run_hone(args);
  EXPECT_EQ(r.status, 0) << r.err;
  if (r.status != 0) return {};
  return read_npz_file(dir.file("o.npz")).at(0).tensor.to_vector<float>();
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  double scale = 0, diff = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    scale = std::max(scale, std::fabs(static_cast<double>(want[i])));
    diff = std::max(diff, std::fabs(static_cast<double>(got[i]) - want[i]));
  }
  EXPECT_LE(diff, 1e-4 * scale);
}

TEST(CliOptimize, EveryOptLevelIsaAndThreadCountGivesTheReferenceResult) {
  ScratchDir dir;
  const std::vector<float> reference = run_outputs({"--opt-level", "0", "--threads", "1"}, dir);
  ASSERT_FALSE(reference.empty());
  for (const char* level : {"1", "2", "3"})
    for (Isa isa : supported_isas())
      for (const char* threads : {"1", "2"}) {
        SCOPED_TRACE(std::string("opt-level ") + level + " " + std::string(isa_name(isa)) +
                     " threads " + threads);
        expect_close(run_outputs({"--opt-level", level, "--isa", std::string(isa_name(isa)),
                                  "--threads", threads},
                                 dir),
                     reference);
      }
}

// Sets an environment variable for one scope (run_hone's child inherits the environment).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

// HONE_CONV_ALGO forces the 3x3 stride-1 layers (the fire modules' expand3x3) onto Winograd or
// the direct kernel; both give the reference result, and the profile names the kernel.
TEST(CliOptimize, ConvAlgorithmOverrideGivesTheReferenceResult) {
  ScratchDir dir;
  const std::vector<float> reference = run_outputs({"--opt-level", "0", "--threads", "1"}, dir);
  ASSERT_FALSE(reference.empty());
  for (const char* algo : {"winograd", "direct", "auto"}) {
    SCOPED_TRACE(algo);
    ScopedEnv env("HONE_CONV_ALGO", algo);
    expect_close(run_outputs({"--threads", "2"}, dir), reference);
    HoneResult r = run_hone({"run", squeezenet().path(), "--input-shapes", kShapes, "--json",
                             "--profile", "--repeat", "1"});
    ASSERT_EQ(r.status, 0) << r.err;
    const nlohmann::json report = nlohmann::json::parse(r.out);
    bool winograd = false;
    for (const auto& step : report["profile"])
      winograd =
          winograd || step["kernel"].get<std::string>().find("winograd") != std::string::npos;
    // auto: whichever the heuristic picks for these shapes (the outputs are checked above).
    if (std::string(algo) != "auto") {
      EXPECT_EQ(winograd, std::string(algo) == "winograd");
    }
  }
}

TEST(CliOptimize, RunJsonReportsTheChoicesAndMemory) {
  HoneResult r = run_hone({"run", squeezenet().path(), "--input-shapes", kShapes, "--json",
                           "--threads", "2", "--opt-level", "2", "--isa", "portable"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["opt_level"], 2);
  EXPECT_EQ(j["isa"], "portable");
  EXPECT_EQ(j["executor"], "optimized");
  // At least the largest activation (the first conv's output, 96x29x29 floats) and no more
  // than every activation at once.
  const int64_t arena = j["peak_activation_bytes"].get<int64_t>();
  EXPECT_GE(arena, 96 * 29 * 29 * 4);
  EXPECT_LT(arena, 64 << 20);
  EXPECT_GE(j["packed_weight_bytes"].get<int64_t>(), 0);

  r = run_hone(
      {"run", squeezenet().path(), "--input-shapes", kShapes, "--json", "--opt-level", "0"});
  ASSERT_EQ(r.status, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["executor"], "reference");
  EXPECT_EQ(j["isa"], std::string(isa_name(best_isa())));  // the default
  EXPECT_EQ(j["packed_weight_bytes"], 0);
}

TEST(CliOptimize, ProfileJsonHasOneEntryPerStepSortedByTime) {
  HoneResult r = run_hone({"run", squeezenet().path(), "--input-shapes", kShapes, "--json",
                           "--profile", "--repeat", "3"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.contains("profile"));
  ASSERT_GT(j["profile"].size(), 10u);
  int64_t flops = 0;
  double previous = 1e30;
  for (const auto& e : j["profile"]) {
    for (const char* k : {"node", "op", "kernel", "flops", "median_ms", "gflops"})
      ASSERT_TRUE(e.contains(k)) << k;
    EXPECT_LE(e["median_ms"].get<double>(), previous);
    previous = e["median_ms"].get<double>();
    flops += e["flops"].get<int64_t>();
  }
  EXPECT_EQ(flops, j["flops"].get<int64_t>());
  // The convolutions do nearly all the work.
  EXPECT_EQ(j["profile"][0]["op"].get<std::string>().find("Conv") != std::string::npos, true)
      << j["profile"][0];
}

TEST(CliOptimize, ProfileText) {
  HoneResult r = run_hone({"run", squeezenet().path(), "--input-shapes", kShapes, "--profile"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* s : {"Profile", "node", "kernel", "median (ms)", "GFLOP/s", "Memory:"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  EXPECT_EQ(r.out.find("\"profile\""), std::string::npos);
}

TEST(CliOptimize, InfoShowsTheOptimizedGraphAndMemory) {
  HoneResult r = run_hone({"info", squeezenet().path(), "--input-shapes", kShapes, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["opt_level"], 3);
  EXPECT_GT(j["peak_activation_bytes"].get<int64_t>(), 0);
  EXPECT_GE(j["packed_weight_bytes"].get<int64_t>(), 0);
  EXPECT_GT(j["optimized_num_nodes"].get<int64_t>(), 0);
  EXPECT_LE(j["optimized_num_nodes"].get<int64_t>(), j["num_nodes"].get<int64_t>() + 4);

  // Level 0 runs the graph as imported: the same histogram, and the fire modules' Concats
  // written in place make the arena smaller than the sum of the activations.
  r = run_hone(
      {"info", squeezenet().path(), "--input-shapes", kShapes, "--json", "--opt-level", "0"});
  ASSERT_EQ(r.status, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["optimized_ops"], j["ops"]);
  EXPECT_EQ(j["optimized_num_nodes"], j["num_nodes"]);

  r = run_hone({"info", squeezenet().path(), "--input-shapes", kShapes});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* s :
       {"Optimized graph (opt-level 3", "Memory:", "peak activations", "packed weights"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
}

// Batch 2: every stretch of at least 1 KiB runs one image at a time, with the same outputs
// as the whole batch; `hone info` says how many steps do.
TEST(CliOptimize, ImageAtATimeGivesTheWholeBatchResult) {
  const std::string shapes = "data:[2,3,64,64]";
  ScratchDir dir;
  std::vector<std::vector<float>> outputs;
  for (const char* mib : {"0", "0.001"}) {
    HoneResult r = run_hone({"run", squeezenet().path(), "--input-shapes", shapes, "--outputs",
                             dir.file("o.npz"), "--repeat", "1", "--image-at-a-time", mib});
    ASSERT_EQ(r.status, 0) << r.err;
    outputs.push_back(read_npz_file(dir.file("o.npz")).at(0).tensor.to_vector<float>());
    r = run_hone({"info", squeezenet().path(), "--input-shapes", shapes, "--json",
                  "--image-at-a-time", mib});
    ASSERT_EQ(r.status, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["batch"], 2);
    if (std::string(mib) == "0")
      EXPECT_EQ(j["image_at_a_time_steps"], 0);
    else
      EXPECT_GT(j["image_at_a_time_steps"].get<int>(), 4);
  }
  expect_close(outputs[1], outputs[0]);
  HoneResult r = run_hone(
      {"info", squeezenet().path(), "--input-shapes", shapes, "--image-at-a-time", "0.001"});
  EXPECT_NE(r.out.find("run one image at a time"), std::string::npos) << r.out;
}

TEST(CliOptimize, PrintIrAfterAPassGoesToStderr) {
  if (all_passes().empty()) GTEST_SKIP() << "no passes registered yet";
  const std::string pass(all_passes().front().name);
  HoneResult r = run_hone(
      {"run", squeezenet().path(), "--input-shapes", kShapes, "--print-ir-after", pass, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("// IR after " + pass), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("graph "), std::string::npos) << r.err;
  EXPECT_TRUE(nlohmann::json::accept(r.out)) << "stdout stays one JSON document";
}

TEST(CliOptimizeBadInput, BadValuesExitWithStatus2) {
  const std::string m = squeezenet().path();
  for (const char* cmd : {"run", "info"}) {
    SCOPED_TRACE(cmd);
    expect_bad_input(run_hone({cmd, m, "--opt-level", "4"}), {"--opt-level", "4"});
    expect_bad_input(run_hone({cmd, m, "--opt-level", "-1"}), {"--opt-level"});
    expect_bad_input(run_hone({cmd, m, "--opt-level", "fast"}), {"--opt-level"});
    expect_bad_input(run_hone({cmd, m, "--isa", "sse9"}), {"--isa", "sse9", "avx2"});
    expect_bad_input(run_hone({cmd, m, "--print-ir-after", "no-such-pass"}),
                     {"--print-ir-after", "no-such-pass"});
    expect_bad_input(run_hone({cmd, m, "--image-at-a-time", "-2"}), {"--image-at-a-time", "-2"});
    expect_bad_input(run_hone({cmd, m, "--image-at-a-time", "lots"}), {"--image-at-a-time"});
  }
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512})
    if (!isa_supported(isa))
      expect_bad_input(run_hone({"run", m, "--isa", std::string(isa_name(isa))}),
                       {"--isa", std::string(isa_name(isa)), "not support"});
  expect_bad_input(run_hone({"run", m, "--threads", "x"}), {"--threads"});
  ScopedEnv env("HONE_CONV_ALGO", "fastest");
  expect_bad_input(run_hone({"run", m, "--input-shapes", kShapes}),
                   {"HONE_CONV_ALGO", "fastest", "node", "expected direct, winograd or auto"});
}

}  // namespace
}  // namespace hone::testing
