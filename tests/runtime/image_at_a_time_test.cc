// Image-at-a-time schedule (runtime/image_schedule.h, decision 015): which steps may run image
// by image and with which inputs sliced, how runs of them become segments, and executors that
// use segments giving the whole-batch results on zoo models.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "allocation_counter.h"
#include "core/cpu_features.h"
#include "core/random_fill.h"
#include "executor_test_util.h"
#include "frontend/onnx/onnx_importer.h"
#include "frontend/onnx_test_models.h"
#include "ir/passes/pass_manager.h"
#include "runtime/executor.h"
#include "runtime/image_schedule.h"
#include "zoo/zoo_model.h"

namespace hone {
namespace {

using testing::attr_int;
using testing::expect_close;
using testing::ModelBuilder;
using testing::optimized_executor;
using testing::zoo_graph;

const Node& node_named(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes)
    if (n.name == name) return n;
  throw Error("no node " + name);
}

TEST(ImageSchedule, TheBatchIsTheInputsCommonFirstDimension) {
  auto batch_of = [](std::vector<std::vector<int64_t>> shapes) {
    ModelBuilder m;
    for (size_t i = 0; i < shapes.size(); ++i) {
      std::vector<testing::Dim> dims(shapes[i].begin(), shapes[i].end());
      m.input("x" + std::to_string(i), dims);
    }
    m.output("y");
    m.node("Relu", {"x0"}, {"y"}, "relu");
    return graph_batch(m.import());
  };
  EXPECT_EQ(batch_of({{3, 4}, {3, 2}}), 3);
  EXPECT_EQ(batch_of({{3, 4}, {2, 4}}), 1);      // the inputs disagree
  EXPECT_EQ(batch_of({{3, 4}, {1, 4}, {}}), 3);  // broadcast over the batch
  EXPECT_EQ(batch_of({{1, 4}}), 1);
  EXPECT_EQ(image_type({DType::kFloat32, {3, 4, 5}}), (ValueType{DType::kFloat32, {1, 4, 5}}));
}

// x [3,2,4,4] -> Conv (constant W) -> c; c + per-channel bias; c + a whole-batch constant;
// Softmax and Concat over the batch axis (mix images); Concat over channels; Flatten + Gemm.
TEST(ImageSchedule, OpsThatKeepImagesApartAndTheInputsTheySlice) {
  ModelBuilder m;
  m.input("x", {int64_t{3}, int64_t{2}, int64_t{4}, int64_t{4}});
  for (const char* out : {"add_bias", "add_k", "soft", "cat0", "cat1", "gemm"}) m.output(out);
  m.float_initializer("w", {2, 2, 1, 1}, {1, 0, 0, 1});
  m.float_initializer("bias", {1, 2, 1, 1}, {1, 2});
  m.float_initializer("k", {3, 2, 4, 4}, std::vector<float>(96, 0.5f));
  m.float_initializer("fc", {2, 32}, std::vector<float>(64, 0.1f));
  m.node("Conv", {"x", "w"}, {"c"}, "conv");
  m.node("Add", {"c", "bias"}, {"add_bias"}, "add_bias");
  m.node("Add", {"c", "k"}, {"add_k"}, "add_k");
  attr_int(m.node("Softmax", {"c"}, {"soft"}, "soft"), "axis", 0);
  attr_int(m.node("Concat", {"c", "x"}, {"cat0"}, "cat0"), "axis", 0);
  attr_int(m.node("Concat", {"c", "x"}, {"cat1"}, "cat1"), "axis", -3);
  m.node("Flatten", {"c"}, {"flat"}, "flatten");
  attr_int(m.node("Gemm", {"flat", "fc"}, {"gemm"}, "gemm"), "transB", 1);
  const Graph g = m.import();
  auto step = [&](const char* name) { return image_step(g, node_named(g, name), 3); };

  EXPECT_TRUE(step("conv").eligible);
  EXPECT_EQ(step("conv").sliced_inputs, (std::vector<bool>{true, false}));
  EXPECT_EQ(step("conv").batch_bytes, 2 * 96 * 4);  // x and c, not the weights
  EXPECT_EQ(step("add_bias").sliced_inputs, (std::vector<bool>{true, false}));
  EXPECT_FALSE(step("add_k").eligible);  // a constant per image: prepared ops hold it whole
  EXPECT_FALSE(step("soft").eligible);
  EXPECT_FALSE(step("cat0").eligible);
  EXPECT_TRUE(step("cat1").eligible);
  EXPECT_EQ(step("cat1").sliced_inputs, (std::vector<bool>{true, true}));
  EXPECT_FALSE(step("flatten").eligible);
  EXPECT_FALSE(step("gemm").eligible);  // the batch shares its weights: kept whole
  EXPECT_FALSE(image_step(g, node_named(g, "conv"), 1).eligible);
}

TEST(ImageSchedule, SegmentsAreRunsTrimmedToLargeSteps) {
  auto steps_of = [](std::vector<std::pair<bool, int64_t>> spec) {
    std::vector<ImageStep> steps;
    for (auto [eligible, bytes] : spec) steps.push_back({eligible, {}, bytes});
    return steps;
  };
  const std::vector<ImageStep> steps = steps_of({{true, 1},
                                                 {true, 10},
                                                 {true, 1},
                                                 {true, 20},
                                                 {true, 1},
                                                 {false, 50},
                                                 {true, 30},
                                                 {true, 40},
                                                 {true, 1},
                                                 {false, 1},
                                                 {true, 60}});
  EXPECT_EQ(image_segments(steps, 5),
            (std::vector<int>{-1, 0, 0, 0, -1, -1, 1, 1, -1, -1, -1}));  // the last one alone
  EXPECT_EQ(image_segments(steps, 15),
            (std::vector<int>{-1, -1, -1, -1, -1, -1, 0, 0, -1, -1, -1}));  // 20 alone
  EXPECT_EQ(image_segments(steps, 100), std::vector<int>(11, -1));
  EXPECT_EQ(image_segments(steps, 0), std::vector<int>(11, -1));  // off

  std::vector<int> segments = {-1, 4, 4, -1, 4, 7, 7, 2};
  renumber_segments(segments);
  EXPECT_EQ(segments, (std::vector<int>{-1, 0, 0, -1, 1, 2, 2, 3}));
}

class ImageAtATimeZoo : public ::testing::TestWithParam<const char*> {};

// Every eligible run as segments (1 byte is "large"), against the whole batch at once:
// optimized kernels on two threads, and the reference kernels on the unoptimized graph.
TEST_P(ImageAtATimeZoo, GivesTheWholeBatchResults) {
  const Graph graph = zoo_graph(GetParam(), 32, 3);
  const Tensor x1 = make_filled_tensor(DType::kFloat32, {3, 3, 32, 32}, FillMode::kRandom, 1);
  const Tensor x2 = make_filled_tensor(DType::kFloat32, {3, 3, 32, 32}, FillMode::kRandom, 2);
  for (bool optimized : {false, true}) {
    SCOPED_TRACE(optimized ? "optimized" : "reference");
    Graph g = graph;
    const Isa isa = supported_isas().back();
    if (optimized) optimize_graph(g, {3, layout_block(isa), "", {}});
    ExecutorOptions whole_options;
    whole_options.kernel.optimized = optimized;
    whole_options.kernel.isa = isa;
    whole_options.threads = 2;
    whole_options.image_at_a_time_bytes = 0;
    ExecutorOptions image_options = whole_options;
    image_options.image_at_a_time_bytes = 1;
    Executor whole(g, whole_options);
    Executor by_image(std::move(g), image_options);
    EXPECT_EQ(whole.image_at_a_time_steps(), 0);
    EXPECT_EQ(by_image.batch(), 3);
    EXPECT_GT(by_image.image_at_a_time_steps(), static_cast<int>(by_image.num_steps() / 2));
    EXPECT_GE(by_image.image_at_a_time_segments(), 1);
    // Values inside a segment hold one image.
    EXPECT_LT(by_image.arena_bytes(), whole.arena_bytes());
    const std::vector<Tensor> want1 = whole.run({{"data", x1}});
    const std::vector<Tensor> want2 = whole.run({{"data", x2}});
    // Alternating inputs: the per-image views follow the caller's buffer, and a run does not
    // see what the previous one left.
    for (const Tensor* x : {&x1, &x2, &x1}) {
      const std::vector<Tensor> got = by_image.run({{"data", *x}});
      const std::vector<Tensor>& want = x == &x2 ? want2 : want1;
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) expect_close(got[i], want[i], 1e-5);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, ImageAtATimeZoo,
                         ::testing::Values("resnet18", "mobilenet_v2", "densenet121", "googlenet",
                                           "squeezenet1_0"));

// A graph output made inside a stretch and read after it, a second graph input broadcast to
// every image, and a whole-batch constant operand: the same results as the whole batch.
TEST(ImageAtATime, OutputsInsideAStretchAndBroadcastInputs) {
  ModelBuilder m;
  m.input("x", {int64_t{3}, int64_t{4}, int64_t{6}, int64_t{6}});
  m.input("bias", {int64_t{1}, int64_t{4}, int64_t{1}, int64_t{1}});
  m.output("conv_out").output("y");
  m.float_initializer("w", {4, 4, 3, 3}, std::vector<float>(144, 0.05f));
  std::vector<float> k(3 * 4 * 6 * 6);
  for (size_t i = 0; i < k.size(); ++i) k[i] = 0.01f * static_cast<float>(i % 17);
  m.float_initializer("k", {3, 4, 6, 6}, k);
  testing::attr_ints(m.node("Conv", {"x", "w"}, {"conv_out"}, "conv"), "pads", {1, 1, 1, 1});
  m.node("Add", {"conv_out", "bias"}, {"a"}, "add_bias");
  m.node("Mul", {"a", "k"}, {"b"}, "mul_k");
  m.node("Add", {"b", "conv_out"}, {"y"}, "residual");
  const Graph graph = m.import();
  const Tensor x = make_filled_tensor(DType::kFloat32, {3, 4, 6, 6}, FillMode::kRandom, 8);
  const Tensor bias = make_filled_tensor(DType::kFloat32, {1, 4, 1, 1}, FillMode::kRandom, 9);
  ExecutorOptions whole_options;
  whole_options.image_at_a_time_bytes = 0;
  ExecutorOptions image_options;
  image_options.image_at_a_time_bytes = 1;
  Executor whole(graph, whole_options), by_image(graph, image_options);
  // The Mul by a whole-batch constant stays on the whole batch (a prepared op holds its
  // constants whole), which leaves the conv and the bias Add as the stretch.
  EXPECT_EQ(by_image.image_at_a_time_steps(), 2);
  const std::vector<Tensor> want = whole.run({{"x", x}, {"bias", bias}});
  const std::vector<Tensor> got = by_image.run({{"x", x}, {"bias", bias}});
  ASSERT_EQ(got.size(), 2u);
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(got[i].to_vector<float>(), want[i].to_vector<float>()) << "output " << i;
}

TEST(ImageAtATime, RunViewsAllocatesNothingAndProfilesAddUpImages) {
  ExecutorOptions options;
  options.image_at_a_time_bytes = 1;
  Executor ex = optimized_executor(zoo_graph("resnet18", 32, 2), supported_isas().back(), options);
  ASSERT_GT(ex.image_at_a_time_steps(), 0);
  std::vector<Tensor> in = {
      make_filled_tensor(DType::kFloat32, {2, 3, 32, 32}, FillMode::kRandom, 5)};
  const std::vector<float> first = ex.run_views(in)[0].to_vector<float>();
  for (int run = 0; run < 2; ++run) {
    const long before = testing::allocation_count();
    const std::vector<Tensor>& out = ex.run_views(in);
    EXPECT_EQ(testing::allocation_count(), before) << "run " << run + 2;
    EXPECT_EQ(out[0].to_vector<float>(), first);
  }
  ex.set_profiling(true);
  ex.run_views(in);
  ASSERT_EQ(ex.last_step_ms().size(), ex.num_steps());
  for (double ms : ex.last_step_ms()) EXPECT_GE(ms, 0);
}

}  // namespace
}  // namespace hone
