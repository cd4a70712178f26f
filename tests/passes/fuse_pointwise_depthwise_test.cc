// fuse-pointwise-depthwise over the optimized pipeline: an inverted residual block's 1x1
// expansion and depthwise conv become one FusedPointwiseDepthwise node with the unfused
// graph's outputs (reference and optimized kernels, 1 and 2 threads); not fused when the
// expansion's output has another reader or is a graph output.
#include "ir/passes/fuse_pointwise_depthwise.h"

#include <array>

#include "pass_test_util.h"

namespace hone::testing {
namespace {

ValueId relu6(GraphBuilder& b, ValueId x) {
  return b.node("Clip", {x, b.constant("lo" + std::to_string(x), Tensor::scalar<float>(0.0f)),
                         b.constant("hi" + std::to_string(x), Tensor::scalar<float>(6.0f))});
}

ValueId conv(GraphBuilder& b, ValueId x, int64_t in_c, int64_t out_c, int64_t k, int64_t stride,
             int64_t group, uint64_t seed) {
  const std::string p = "w" + std::to_string(seed);
  ValueId w = b.random_constant(p, {out_c, in_c / group, k, k}, seed, -0.5f, 0.5f);
  ValueId bias = b.random_constant(p + ".b", {out_c}, seed + 1);
  return b.node("Conv", {x, w, bias},
                attrs({{"pads", std::vector<int64_t>(4, k / 2)},
                       {"strides", std::vector<int64_t>{stride, stride}},
                       {"group", group}}));
}

// x -> 1x1 expansion (Relu6) -> depthwise 3x3 (Relu6) -> 1x1 projection [+ x].
// extra_reader: the expansion's output also feeds a second graph output.
Graph inverted_residual(int64_t c, int64_t mid, int64_t hw, int64_t stride, bool extra_reader,
                        bool expansion_is_output = false) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, c, hw, hw});
  ValueId e = relu6(b, conv(b, x, c, mid, 1, 1, 1, 10));
  ValueId d = relu6(b, conv(b, e, mid, mid, 3, stride, mid, 20));
  ValueId p = conv(b, d, mid, c, 1, 1, 1, 30);
  b.output(stride == 1 ? b.node("Add", {p, x}, {}, "y") : p);
  if (extra_reader) b.output(b.node("Sigmoid", {e}, {}, "side"));
  if (expansion_is_output) b.output(e);
  return b.finish();
}

// x -> expansion -> depthwise + residual Add of another branch (the depthwise conv's Sum).
Graph depthwise_with_sum() {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 12, 9, 9});
  ValueId e = conv(b, x, 12, 40, 1, 1, 1, 40);
  ValueId d = conv(b, e, 40, 40, 3, 1, 40, 50);
  ValueId other = conv(b, x, 12, 40, 3, 1, 1, 60);
  ValueId r = b.node("Relu", {b.node("Add", {other, d})});
  b.output(conv(b, r, 40, 12, 1, 1, 1, 70));  // keeps the depthwise conv's output blocked
  return b.finish();
}

Graph optimized(const Graph& g, int block) {
  Graph out = g;
  OptimizeOptions o;
  o.opt_level = 3;
  o.block = block;
  optimize_graph(out, o);
  return out;
}

// The optimized graph's outputs against the unoptimized graph's, with the reference kernels
// and with the optimized kernels on 1 and 2 threads.
void expect_same_outputs(const Graph& before, const Graph& after) {
  auto in = random_inputs(before);
  std::vector<Tensor> want = run_graph(before, in);
  ASSERT_EQ(want.size(), after.outputs.size());
  std::vector<Tensor> ref = run_graph(after, in);
  for (size_t i = 0; i < want.size(); ++i)
    expect_close(ref[i], want[i], 1e-5, "reference, output " + std::to_string(i));
  for (Isa isa : supported_isas())
    for (int threads : {1, 2}) {
      ExecutorOptions o;
      o.kernel.optimized = true;
      o.kernel.isa = isa;
      o.threads = threads;
      Executor ex(Graph(after), o);
      for (int run = 0; run < 2; ++run) {  // the second run reuses the scratch
        std::vector<Tensor> got = ex.run(in);
        for (size_t i = 0; i < want.size(); ++i)
          expect_close(got[i], want[i], 1e-5,
                       std::string(isa_name(isa)) + " threads " + std::to_string(threads) +
                           " output " + std::to_string(i) + "\n" + print_graph(after));
      }
    }
}

TEST(FusePointwiseDepthwise, FusesTheExpansionAndDepthwiseConv) {
  for (int block : {8, 16})
    for (auto [c, mid, hw, stride] :
         std::vector<std::array<int64_t, 4>>{{16, 48, 12, 1}, {8, 36, 11, 2}, {5, 30, 7, 1}}) {
      const Graph g = inverted_residual(c, mid, hw, stride, false);
      const Graph after = optimized(g, block);
      EXPECT_EQ(count_ops(after, "FusedPointwiseDepthwise"), 1) << print_graph(after);
      EXPECT_EQ(count_ops(after, "FusedConv"), 1) << print_graph(after);  // the projection
      for (const Node& n : after.nodes)
        if (n.op_type == "FusedPointwiseDepthwise") {
          EXPECT_EQ(attr_int(n, "block", 0), block);
          EXPECT_EQ(attr_string(n, "pw_activation", ""), "Clip");
          EXPECT_EQ(attr_string(n, "activation", ""), "Clip");
          EXPECT_EQ(attr_ints(n, "strides", {}), (std::vector<int64_t>{stride, stride}));
        }
      expect_same_outputs(g, after);
    }
}

TEST(FusePointwiseDepthwise, TakesTheDepthwiseConvsResidualSum) {
  const Graph g = depthwise_with_sum();
  const Graph after = optimized(g, 16);
  ASSERT_EQ(count_ops(after, "FusedPointwiseDepthwise"), 1) << print_graph(after);
  for (const Node& n : after.nodes)
    if (n.op_type == "FusedPointwiseDepthwise") {
      EXPECT_EQ(n.inputs.size(), 6u);
      EXPECT_EQ(attr_string(n, "pw_activation", "x"), "");
      EXPECT_EQ(attr_string(n, "activation", ""), "Relu");
    }
  expect_same_outputs(g, after);
}

TEST(FusePointwiseDepthwise, KeepsAnExpansionWithAnotherReaderOrAsGraphOutput) {
  for (bool as_output : {false, true}) {
    const Graph g = inverted_residual(16, 32, 8, 1, !as_output, as_output);
    const Graph after = optimized(g, 16);
    EXPECT_EQ(count_ops(after, "FusedPointwiseDepthwise"), 0) << print_graph(after);
    EXPECT_EQ(count_ops(after, "FusedConv"), 3) << print_graph(after);
    expect_same_outputs(g, after);
  }
}

TEST(FusePointwiseDepthwise, LeavesPlainGraphsAlone) {
  // Block 0: no blocked FusedConv, nothing to fuse (the pass needs blocked-layout's output).
  const Graph g = inverted_residual(16, 48, 12, 1, false);
  Graph after = optimized(g, 0);
  EXPECT_EQ(count_ops(after, "FusedPointwiseDepthwise"), 0);
  const Graph again = check_pass(after, fuse_pointwise_depthwise);
  EXPECT_EQ(again.nodes.size(), after.nodes.size());
}

}  // namespace
}  // namespace hone::testing
