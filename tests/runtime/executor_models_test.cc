// Executor on whole zoo models at a small input: threads, optimized kernels and the passes
// against the reference executor; the memory plan against no planning; repeated runs; no
// allocation on the run path.
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
#include "zoo/zoo_model.h"

namespace hone {
namespace {

using testing::expect_close;
using testing::ModelBuilder;
using testing::optimized_executor;
using testing::zoo_graph;

Tensor input_for(const Executor& ex, uint64_t seed) {
  const ValueType t = ex.input_type(0);
  return make_filled_tensor(t.dtype, t.shape, FillMode::kRandom, seed);
}

class ZooModel : public ::testing::TestWithParam<const char*> {};

TEST_P(ZooModel, OptimizedThreadedMatchesReference) {
  const Graph graph = zoo_graph(GetParam(), 64);
  Executor reference(graph);
  const Tensor x = input_for(reference, 1);
  const std::vector<Tensor> want = reference.run({{"data", x}});
  for (Isa isa : supported_isas()) {
    SCOPED_TRACE(std::string(isa_name(isa)));
    ExecutorOptions options;
    options.threads = 2;
    Executor ex = optimized_executor(graph, isa, options);
    EXPECT_GT(ex.arena_bytes(), 0);
    for (int run = 0; run < 2; ++run) {  // the second run reuses the arena
      const std::vector<Tensor> got = ex.run({{"data", x}});
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) expect_close(got[i], want[i], 1e-4);
    }
  }
}

TEST_P(ZooModel, PlannedMemoryGivesTheSameBitsAndLessMemory) {
  const Graph graph = zoo_graph(GetParam(), 64);
  ExecutorOptions plain;
  plain.plan_memory = false;
  Executor unplanned(graph, plain);
  ExecutorOptions planned_options;
  planned_options.threads = 2;
  Executor planned(graph, planned_options);
  EXPECT_LT(planned.arena_bytes(), unplanned.arena_bytes() / 2);
  const Tensor x1 = input_for(planned, 1), x2 = input_for(planned, 2);
  const std::vector<Tensor> want1 = unplanned.run({{"data", x1}});
  const std::vector<Tensor> want2 = unplanned.run({{"data", x2}});
  // Alternating inputs: a run must not see what the previous one left in the arena.
  for (const Tensor* x : {&x1, &x2, &x1}) {
    const std::vector<Tensor> got = planned.run({{"data", *x}});
    const std::vector<Tensor>& want = x == &x2 ? want2 : want1;
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_EQ(got[i].to_vector<float>(), want[i].to_vector<float>());
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooModel,
                         ::testing::Values("resnet18", "mobilenet_v2", "densenet121", "googlenet"));

// SiLU as torch.onnx writes it, after an op whose output dies there: x = MaxPool(in),
// y = x * Sigmoid(x). Fused into one FusedElementwise that reads x twice, it must not write
// over x (efficientnet_b0 gave x * sigmoid(x)^2's garbage before).
TEST(ExecutorPlan, SiluChainDoesNotOverwriteTheInputItRereads) {
  ModelBuilder m;
  m.input("in", {int64_t{1}, int64_t{16}, int64_t{8}, int64_t{8}});
  m.output("y");
  onnx::NodeProto& pool = m.node("MaxPool", {"in"}, {"x"}, "pool");
  testing::attr_ints(pool, "kernel_shape", {2, 2});
  m.node("Sigmoid", {"x"}, {"s"}, "sigmoid");
  m.node("Mul", {"x", "s"}, {"y"}, "silu");
  const Graph graph = m.import();
  Executor reference(graph);
  const Tensor x = input_for(reference, 4);
  const std::vector<Tensor> want = reference.run({{"in", x}});
  for (Isa isa : supported_isas()) {
    SCOPED_TRACE(std::string(isa_name(isa)));
    Executor ex = optimized_executor(graph, isa);
    expect_close(ex.run({{"in", x}})[0], want[0], 1e-5);
  }
}

TEST(ExecutorPlan, GoogLeNetConcatsAreWrittenInPlace) {
  Executor ex(zoo_graph("googlenet", 64));
  // Every inception block ends in a Concat of four branches used only by it.
  EXPECT_GE(ex.concats_in_place(), 9);
  size_t concats = 0;
  for (size_t i = 0; i < ex.num_steps(); ++i) concats += ex.step_info(i).op == "Concat";
  EXPECT_EQ(concats, 0u);
}

TEST(ExecutorPlan, ReportsStepsAndProfiles) {
  Executor ex(zoo_graph("resnet18", 32));
  ASSERT_GT(ex.num_steps(), 10u);
  int64_t flops = 0;
  for (size_t i = 0; i < ex.num_steps(); ++i) {
    const StepInfo info = ex.step_info(i);
    EXPECT_FALSE(info.node.empty());
    EXPECT_FALSE(info.op.empty());
    EXPECT_FALSE(info.output.shape.empty());
    flops += info.flops;
  }
  EXPECT_EQ(flops, ex.total_flops());
  ex.set_profiling(true);
  const Tensor x = input_for(ex, 3);
  ex.run({{"data", x}});
  ASSERT_EQ(ex.last_step_ms().size(), ex.num_steps());
  double total = 0;
  for (double ms : ex.last_step_ms()) {
    EXPECT_GE(ms, 0);
    total += ms;
  }
  EXPECT_GT(total, 0);
}

// y = Relu(x) ++ Neg(x) (a Concat on axis 1), plus x passed through and a constant.
Graph concat_graph() {
  ModelBuilder m;
  m.input("x", {int64_t{1}, int64_t{2}, int64_t{3}});
  m.output("y").output("x").output("w");
  m.float_initializer("w", {2}, {1, -1});
  m.node("Relu", {"x"}, {"r"}, "relu");
  m.node("Neg", {"x"}, {"n"}, "neg");
  onnx::AttributeProto* axis = m.node("Concat", {"r", "n"}, {"y"}, "concat").add_attribute();
  axis->set_name("axis");
  axis->set_type(onnx::AttributeProto::INT);
  axis->set_i(1);
  return m.import();
}

TEST(ExecutorPlan, RunViewsAllocatesNothingAfterTheFirstRun) {
  Executor ex(concat_graph());
  EXPECT_EQ(ex.concats_in_place(), 1);
  std::vector<Tensor> in = {Tensor::from_vector<float>({1, 2, 3}, {-1, 2, -3, 4, -5, 6})};
  ex.run_views(in);
  const long before = testing::allocation_count();
  const std::vector<Tensor>& out = ex.run_views(in);
  EXPECT_EQ(testing::allocation_count(), before);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{0, 2, 0, 4, 0, 6, 1, -2, 3, -4, 5, -6}));
  EXPECT_EQ(out[1].to_vector<float>(), in[0].to_vector<float>());
  EXPECT_EQ(out[2].to_vector<float>(), (std::vector<float>{1, -1}));
  // The pass-through output is a copy: changing the input later does not change it.
  in[0].data<float>()[0] = 100;
  EXPECT_EQ(out[1].to_vector<float>()[0], -1);
}

// x -> Gemm -> Relu -> Gemm: a batch-1 classifier (AlexNet's head, smaller), FusedGemm
// after the passes.
Graph classifier_graph() {
  ModelBuilder m;
  m.input("x", {int64_t{1}, int64_t{256}});
  m.output("y");
  Tensor w1(DType::kFloat32, {512, 256}), w2(DType::kFloat32, {128, 512});
  for (Tensor* w : {&w1, &w2})
    for (int64_t i = 0; i < w->numel(); ++i)
      w->data<float>()[i] = static_cast<float>(i % 13) * 0.01f - 0.06f;
  m.initializer("w1", w1).initializer("w2", w2);
  m.float_initializer("b1", {512}, std::vector<float>(512, 0.1f));
  m.float_initializer("b2", {128}, std::vector<float>(128, -0.1f));
  testing::attr_int(m.node("Gemm", {"x", "w1", "b1"}, {"h"}, "fc1"), "transB", 1);
  m.node("Relu", {"h"}, {"r"}, "relu");
  testing::attr_int(m.node("Gemm", {"r", "w2", "b2"}, {"y"}, "fc2"), "transB", 1);
  return m.import();
}

// Plain [1,24,4,4] and [1,8,4,4] inputs, blocked by 16, concatenated (24 is not a whole
// number of blocks: the lane-shifting kernel, not done in place), back to plain.
Graph blocked_concat_graph() {
  Graph g;
  g.opset = 13;
  const ValueId x1 = g.add_value("x1", {DType::kFloat32, {1, 24, 4, 4}});
  const ValueId x2 = g.add_value("x2", {DType::kFloat32, {1, 8, 4, 4}});
  g.inputs = {x1, x2};
  auto add_node = [&](const char* op, std::vector<ValueId> in, const std::string& out,
                      Attributes attrs) {
    const ValueId id = g.add_value(out);
    g.value(id).producer = static_cast<int>(g.nodes.size());
    g.nodes.push_back(Node{out, op, "hone", std::move(in), {id}, std::move(attrs)});
    return id;
  };
  const Attribute block{int64_t{16}};
  const ValueId b1 = add_node("ReorderToBlocked", {x1}, "b1", {{"block", block}});
  const ValueId b2 = add_node("ReorderToBlocked", {x2}, "b2", {{"block", block}});
  const ValueId c = add_node("ConcatBlocked", {b1, b2}, "c",
                             {{"block", block}, {"channels", {std::vector<int64_t>{24, 8}}}});
  g.outputs = {
      add_node("ReorderFromBlocked", {c}, "y", {{"block", block}, {"channels", {int64_t{32}}}})};
  return g;
}

// The optimized kernels of FusedGemm and ConcatBlocked on two threads: the first run may
// size buffers, later runs allocate nothing and give the same result.
TEST(ExecutorPlan, OptimizedRunViewsAllocateNothingAfterTheFirstRun) {
  const Isa isa = best_isa();
  Graph classifier = classifier_graph();
  optimize_graph(classifier, {3, layout_block(isa), "", {}});
  ExecutorOptions options;
  options.kernel.optimized = true;
  options.kernel.isa = isa;
  options.threads = 2;
  struct Case {
    const char* op;
    Graph graph;
  };
  Case cases[] = {{"FusedGemm", std::move(classifier)}, {"ConcatBlocked", blocked_concat_graph()}};
  for (Case& c : cases) {
    SCOPED_TRACE(c.op);
    Executor ex(std::move(c.graph), options);
    bool found = false;
    for (size_t i = 0; i < ex.num_steps(); ++i) found = found || ex.step_info(i).op == c.op;
    EXPECT_TRUE(found) << "no " << c.op << " step";
    std::vector<Tensor> in;
    for (size_t i = 0; i < ex.input_names().size(); ++i) {
      const ValueType t = ex.input_type(i);
      in.push_back(make_filled_tensor(t.dtype, t.shape, FillMode::kRandom, 10 + i));
    }
    const std::vector<float> first = ex.run_views(in)[0].to_vector<float>();
    for (int run = 0; run < 3; ++run) {
      const long before = testing::allocation_count();
      const std::vector<Tensor>& out = ex.run_views(in);
      EXPECT_EQ(testing::allocation_count(), before) << "run " << run + 2;
      EXPECT_EQ(out[0].to_vector<float>(), first);
    }
  }
}

TEST(ExecutorPlan, RunViewsChecksItsInputs) {
  Executor ex(concat_graph());
  std::vector<Tensor> none;
  EXPECT_THROW(ex.run_views(none), Error);
  std::vector<Tensor> wrong = {Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6})};
  EXPECT_EQ(testing::error_of([&] { ex.run_views(wrong); }),
            "input 'x': expected float32[1,2,3], got float32[2,3]");
}

TEST(ExecutorPlan, BadThreadCount) {
  ExecutorOptions options;
  options.threads = 0;
  EXPECT_THROW(Executor(concat_graph(), options), Error);
}

}  // namespace
}  // namespace hone
