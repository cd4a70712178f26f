// Executor: constants the kernels packed are freed after prepare (PreparedOp::packed_inputs),
// unless another reader or a graph output still needs them.
#include <gtest/gtest.h>

#include "core/cpu_features.h"
#include "frontend/onnx_test_models.h"
#include "runtime/executor.h"

namespace hone {
namespace {

using testing::ModelBuilder;

Tensor ramp(Shape shape, float scale) {
  Tensor t(DType::kFloat32, std::move(shape));
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = scale * static_cast<float>((i * 7) % 11 - 5);
  return t;
}

// w1 is shared by two Gemms (both pack it: freed); b1 is g1's per-column C (folded into the
// packed bias: freed); w2 is also a graph output (kept); w3 is packed by g4 (freed) but its
// C, b4, is also read by an Add (kept).
Graph gemm_graph() {
  ModelBuilder m;
  m.input("x", {int64_t{2}, int64_t{3}});
  m.output("y1").output("y2").output("y3").output("y4").output("w2");
  m.initializer("w1", ramp({4, 3}, 0.5f)).initializer("b1", ramp({4}, 0.25f));
  m.initializer("w2", ramp({3, 4}, -0.5f));
  m.initializer("w3", ramp({3, 4}, 0.75f)).initializer("b4", ramp({4}, 1.0f));
  testing::attr_int(m.node("Gemm", {"x", "w1", "b1"}, {"y1"}, "g1"), "transB", 1);
  testing::attr_int(m.node("Gemm", {"x", "w1"}, {"y2"}, "g2"), "transB", 1);
  m.node("Gemm", {"x", "w2"}, {"y3"}, "g3");
  m.node("Gemm", {"x", "w3", "b4"}, {"g4"}, "g4");
  m.node("Add", {"g4", "b4"}, {"y4"}, "add");
  return m.import();
}

ExecutorOptions optimized(int threads) {
  ExecutorOptions o;
  o.kernel.optimized = true;
  o.kernel.isa = best_isa();
  o.threads = threads;
  return o;
}

bool has_constant(const Executor& ex, const std::string& name) {
  return ex.graph().value(ex.graph().find_value(name)).constant.has_value();
}

// Two runs of `ex` (the first and a repeated one, after the weights were freed) give `want`.
void expect_runs_match(Executor& ex, const std::map<std::string, Tensor>& in,
                       const std::vector<Tensor>& want, double tolerance) {
  for (int run = 0; run < 2; ++run) {
    const std::vector<Tensor> got = ex.run(in);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      const std::vector<float> g = got[i].to_vector<float>(), w = want[i].to_vector<float>();
      ASSERT_EQ(g.size(), w.size());
      for (size_t k = 0; k < g.size(); ++k) EXPECT_NEAR(g[k], w[k], tolerance) << i << " " << k;
    }
  }
}

TEST(ConstantRelease, FreesWeightsEveryReaderPackedAndKeepsTheRest) {
  const Graph graph = gemm_graph();
  Executor reference(graph);
  EXPECT_EQ(reference.released_constant_bytes(), 0);
  const std::map<std::string, Tensor> in = {{"x", ramp({2, 3}, 1.0f)}};
  const std::vector<Tensor> want = reference.run(in);
  for (int threads : {1, 2}) {
    Executor ex(graph, optimized(threads));
    EXPECT_FALSE(has_constant(ex, "w1"));
    EXPECT_FALSE(has_constant(ex, "b1"));
    EXPECT_FALSE(has_constant(ex, "w3"));
    EXPECT_TRUE(has_constant(ex, "w2"));
    EXPECT_TRUE(has_constant(ex, "b4"));
    EXPECT_EQ(ex.released_constant_bytes(), (12 + 4 + 12) * 4);
    expect_runs_match(ex, in, want, 1e-5);
  }
  // The caller's graph shares the buffers; the executor only dropped its references.
  EXPECT_TRUE(graph.value(graph.find_value("w1")).constant.has_value());
}

TEST(ConstantRelease, CanBeTurnedOff) {
  ExecutorOptions o = optimized(1);
  o.release_packed_constants = false;
  Executor ex(gemm_graph(), o);
  EXPECT_EQ(ex.released_constant_bytes(), 0);
  EXPECT_TRUE(has_constant(ex, "w1"));
  EXPECT_TRUE(has_constant(ex, "w3"));
}

TEST(ConstantRelease, ReferenceKernelsKeepEveryConstant) {
  ExecutorOptions o;
  o.threads = 2;
  Executor ex(gemm_graph(), o);
  EXPECT_EQ(ex.released_constant_bytes(), 0);
  for (const char* name : {"w1", "b1", "w2", "w3", "b4"}) EXPECT_TRUE(has_constant(ex, name));
}

// Convolutions: the dense conv's weight and bias and the depthwise conv's weight are packed
// (freed); wk is packed too but is also a graph output (kept).
Graph conv_graph() {
  ModelBuilder m;
  m.input("x", {int64_t{1}, int64_t{3}, int64_t{6}, int64_t{6}});
  m.output("y1").output("y2").output("y3").output("wk");
  m.initializer("wd", ramp({4, 3, 3, 3}, 0.5f)).initializer("bd", ramp({4}, 0.25f));
  m.initializer("ww", ramp({4, 1, 3, 3}, -0.5f));
  m.initializer("wk", ramp({2, 3, 1, 1}, 0.75f));
  m.node("Conv", {"x", "wd", "bd"}, {"y1"}, "dense");
  testing::attr_int(m.node("Conv", {"y1", "ww"}, {"y2"}, "depthwise"), "group", 4);
  m.node("Conv", {"x", "wk"}, {"y3"}, "kept");
  return m.import();
}

TEST(ConstantRelease, FreesPackedConvWeights) {
  const Graph graph = conv_graph();
  Executor reference(graph);
  const std::map<std::string, Tensor> in = {{"x", ramp({1, 3, 6, 6}, 1.0f)}};
  const std::vector<Tensor> want = reference.run(in);
  for (int threads : {1, 2}) {
    Executor ex(graph, optimized(threads));
    for (const char* name : {"wd", "bd", "ww"}) EXPECT_FALSE(has_constant(ex, name)) << name;
    EXPECT_TRUE(has_constant(ex, "wk"));
    EXPECT_EQ(ex.released_constant_bytes(), (4 * 27 + 4 + 4 * 9) * 4);
    expect_runs_match(ex, in, want, 1e-4);
  }
}

}  // namespace
}  // namespace hone
