// fuse-attention alone, after fold-matmul-transpose: FusedMatMul -> Softmax over the last axis
// -> FusedMatMul becomes one FusedAttention carrying both products' views (outputs compared
// with the unfused graph); softmaxes over another axis, intermediates read twice and a scaled
// second product stay.
#include "ir/passes/fuse_attention.h"

#include "ir/passes/fold_matmul_transpose.h"
#include "pass_test_util.h"

namespace hone::testing {
namespace {

using V = std::vector<int64_t>;

// q, k, v [tokens, heads, dim] = [7, 3, 4] -> softmax(q/2 · kᵀ, axis) · v, written the way
// torch.onnx writes multi-head attention, the output back as [tokens, heads, dim]. `extra`
// adds a second reader of the softmax (a graph output); `opset` picks the Softmax's axis
// convention.
Graph attention(int64_t axis, bool extra = false, int opset = 13, float second_scale = 1.0f) {
  GraphBuilder b(opset);
  ValueId q = b.input("q", {7, 3, 4});
  ValueId k = b.input("k", {7, 3, 4});
  ValueId v = b.input("v", {7, 3, 4});
  auto perm = [](V p) { return attrs({{"perm", p}}); };
  ValueId qs = b.node("Div", {b.node("Transpose", {q}, perm({1, 0, 2})),
                              b.constant("two", Tensor::scalar<float>(2.0f))});
  ValueId scores = b.node("MatMul", {qs, b.node("Transpose", {k}, perm({1, 2, 0}))});  // [3,7,7]
  Attributes softmax_attrs;
  if (axis != 99) softmax_attrs = attrs({{"axis", axis}});
  ValueId w = b.node("Softmax", {scores}, softmax_attrs);
  if (second_scale != 1.0f)
    w = b.node("Mul", {w, b.constant("s", Tensor::scalar<float>(second_scale))});
  ValueId o = b.node("MatMul", {w, b.node("Transpose", {v}, perm({1, 0, 2}))});
  b.output(b.node("Transpose", {o}, perm({1, 0, 2}), "y"));
  if (extra) b.output(b.node("Relu", {w}, {}, "w_out"));
  return b.finish();
}

Graph folded(const Graph& g) {
  Graph out = g;
  fold_matmul_transpose(out, {});
  return out;
}

TEST(FuseAttention, SoftmaxBetweenTheProductsFuses) {
  // axis -1 and 2 (opset 13), and the opset-11 convention with axis 2 (rows flattened at the
  // last axis: the same softmax).
  for (auto [axis, opset] :
       {std::pair{int64_t{-1}, 13}, {int64_t{2}, 13}, {int64_t{2}, 11}, {int64_t{99}, 13}}) {
    Graph after = check_pass(folded(attention(axis, false, opset)), fuse_attention);
    ASSERT_EQ(count_ops(after, "FusedAttention"), 1) << print_graph(after);
    EXPECT_EQ(count_ops(after, "Softmax"), 0) << print_graph(after);
    EXPECT_EQ(count_ops(after, "FusedMatMul"), 0) << print_graph(after);
    const Node& fused = after.nodes.back();
    EXPECT_EQ(fused.domain, "hone");
    EXPECT_EQ(attr_float(fused, "alpha", 0.0f), 0.5f);
    EXPECT_EQ(attr_ints(fused, "perm_q", {}), (V{1, 0, 2}));
    EXPECT_EQ(attr_ints(fused, "perm_k", {}), (V{1, 2, 0}));
    EXPECT_EQ(attr_ints(fused, "perm_v", {}), (V{1, 0, 2}));
    EXPECT_EQ(attr_ints(fused, "perm_y", {}), (V{1, 0, 2}));
    EXPECT_EQ(fused.attrs.count("perm_a") + fused.attrs.count("perm_b"), 0u);
  }
}

TEST(FuseAttention, WhatIsNotAttentionStays) {
  struct Case {
    const char* what;
    Graph graph;
  };
  std::vector<Case> cases;
  cases.push_back({"softmax over the query axis", attention(1)});
  // Opset 11's default axis 1 flattens [3, 7, 7] into 3 rows of 49: not a row softmax.
  cases.push_back({"opset 11 default axis", attention(99, false, 11)});
  cases.push_back({"softmax read twice", attention(-1, true)});
  cases.push_back({"scaled softmax", attention(-1, false, 13, 0.5f)});
  for (Case& c : cases) {
    const Graph before = folded(c.graph);
    const int matmuls = count_ops(before, "FusedMatMul");
    Graph after = check_pass(before, fuse_attention);
    EXPECT_EQ(count_ops(after, "FusedAttention"), 0) << c.what << "\n" << print_graph(after);
    EXPECT_EQ(count_ops(after, "FusedMatMul"), matmuls) << c.what;
    EXPECT_EQ(count_ops(after, "Softmax"), 1) << c.what;
  }
}

// In the pipeline at opt-level 2 the torch-style graph ends as one FusedAttention whose
// outputs match the unoptimized graph on the optimized kernels (two threads).
TEST(FuseAttention, OptimizedPipelineRunsTheFusedKernel) {
  const Graph before = attention(-1);
  Graph after = optimized(before, 2, 0);
  EXPECT_EQ(count_ops(after, "FusedAttention"), 1) << print_graph(after);
  const auto in = random_inputs(before);
  const std::vector<Tensor> want = run_graph(before, in);
  ExecutorOptions options;
  options.kernel.optimized = true;
  options.kernel.isa = best_isa();
  options.threads = 2;
  Executor ex(Graph(after), options);
  const std::vector<Tensor> got = ex.run(in);
  ASSERT_EQ(got.size(), want.size());
  expect_close(got[0], want[0], 1e-5, "y");
}

}  // namespace
}  // namespace hone::testing
