// Every zoo model at a small input, optimized at levels 1, 2 and 3 (blocks 8 and 16), gives
// the outputs of the unoptimized graph within 1e-4 of the output's scale.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "frontend/onnx/onnx_importer.h"
#include "pass_test_util.h"
#include "zoo/zoo.h"

namespace hone::testing {
namespace {

struct ModelCase {
  std::string name;
  int64_t size;  // input height and width
};

// The smallest convenient size each architecture allows: alexnet and vgg16 flatten a fixed
// 6x6 / 7x7 feature map into their classifier, inception_v3 needs at least 75.
const std::vector<ModelCase> kModels = {
    {"alexnet", 224},      {"googlenet", 64}, {"inception_v3", 75}, {"resnet18", 64},
    {"resnet50", 64},      {"resnet101", 64}, {"densenet121", 64},  {"mobilenet_v2", 64},
    {"squeezenet1_0", 64}, {"vgg16", 224}};

class ZooModel : public ::testing::TestWithParam<ModelCase> {};

Graph import_zoo(const ModelCase& m) {
  auto dir =
      std::filesystem::temp_directory_path() / ("hone_passes_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / (m.name + ".onnx")).string();
  zoo_make(m.name, path, {});
  ImportOptions options;
  options.input_shapes["data"] = {1, 3, m.size, m.size};
  Graph g = import_onnx_file(path, options);
  std::filesystem::remove_all(dir);
  return g;
}

TEST_P(ZooModel, EveryOptLevelMatchesTheReference) {
  const ModelCase& m = GetParam();
  // vgg16 at 224 costs 15 GFLOP per run with reference kernels; alexnet covers its layer kinds.
  if (m.name == "vgg16" && std::getenv("HONE_SLOW_TESTS") == nullptr)
    GTEST_SKIP() << "set HONE_SLOW_TESTS=1 to include vgg16";
  Graph g = import_zoo(m);
  auto in = random_inputs(g);
  std::vector<Tensor> want = run_graph(g, in);
  std::string skipped;
  for (auto [level, block] : std::vector<std::pair<int, int>>{{1, 16}, {2, 16}, {3, 8}, {3, 16}}) {
    const std::string what =
        m.name + " level " + std::to_string(level) + " block " + std::to_string(block);
    Graph opt = g;
    OptimizeOptions o;
    o.opt_level = level;
    o.block = block;
    ASSERT_NO_THROW(optimize_graph(opt, o)) << what;
    // Level 1 may find nothing to clean (alexnet); fusion always merges something.
    if (level == 1) {
      EXPECT_LE(opt.nodes.size(), g.nodes.size()) << what;
    } else {
      EXPECT_LT(opt.nodes.size(), g.nodes.size()) << what;
    }
    ASSERT_EQ(opt.outputs.size(), g.outputs.size());
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      EXPECT_EQ(opt.value(opt.outputs[i]).name, g.value(g.outputs[i]).name) << what;
      EXPECT_EQ(opt.value(opt.outputs[i]).type, g.value(g.outputs[i]).type) << what;
    }
    if (level == 1 && count_ops(g, "BatchNormalization") > 0) {
      EXPECT_LT(count_ops(opt, "BatchNormalization"), count_ops(g, "BatchNormalization")) << what;
    }
    if (std::string op = unregistered_op(opt); !op.empty()) {
      skipped += " " + what + " (" + op + ")";
      continue;
    }
    std::vector<Tensor> got = run_graph(opt, in);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) expect_close(got[i], want[i], 1e-4, what);
  }
  if (!skipped.empty()) GTEST_SKIP() << "not run, ops not registered yet:" << skipped;
}

INSTANTIATE_TEST_SUITE_P(Passes, ZooModel, ::testing::ValuesIn(kModels),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace hone::testing
