// blocked-layout alone (over fused graphs) and the pass manager: reorders only at the edges,
// graph outputs plain and named as before, outputs equal to the unoptimized graph.
#include "ir/passes/blocked_layout.h"
#include "pass_test_util.h"

namespace hone::testing {
namespace {

ValueId conv_bn_relu(GraphBuilder& b, ValueId x, int64_t in_c, int64_t out_c, int64_t k,
                     uint64_t seed, int64_t stride = 1) {
  std::string p = "c" + std::to_string(seed);
  ValueId w = b.random_constant(p + ".w", {out_c, in_c, k, k}, seed, -0.5f, 0.5f);
  ValueId c = b.node("Conv", {x, w},
                     attrs({{"pads", std::vector<int64_t>(4, k / 2)},
                            {"strides", std::vector<int64_t>{stride, stride}}}));
  ValueId bn =
      b.node("BatchNormalization", {c, b.random_constant(p + ".g", {out_c}, seed + 1, 0.5f, 1.0f),
                                    b.random_constant(p + ".b", {out_c}, seed + 2),
                                    b.random_constant(p + ".m", {out_c}, seed + 3),
                                    b.random_constant(p + ".v", {out_c}, seed + 4, 0.5f, 1.5f)});
  return b.node("Relu", {bn});
}

// A small inception/resnet/densenet mix: a 3-channel stem, a pool, two branches concatenated
// with odd channel counts, a residual add, a pre-activation BN, a global pool and a head.
Graph mixed_net() {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 3, 13, 11});
  ValueId s = conv_bn_relu(b, x, 3, 20, 3, 100, 2);
  ValueId p = b.node("MaxPool", {s},
                     attrs({{"kernel_shape", std::vector<int64_t>{3, 3}},
                            {"strides", std::vector<int64_t>{1, 1}},
                            {"auto_pad", std::string("SAME_UPPER")}}));
  ValueId a = conv_bn_relu(b, p, 20, 12, 1, 200);
  ValueId c = conv_bn_relu(b, p, 20, 9, 3, 300);
  ValueId cat = b.node("Concat", {a, c, p}, attrs({{"axis", int64_t{1}}}));  // 41 channels
  ValueId d = conv_bn_relu(b, cat, 41, 41, 3, 400);
  ValueId sum = b.node("Add", {d, cat});
  ValueId bn = b.node(
      "BatchNormalization",
      {sum, b.random_constant("pre.g", {41}, 500), b.random_constant("pre.b", {41}, 501),
       b.random_constant("pre.m", {41}, 502), b.random_constant("pre.v", {41}, 503, 0.5f, 1.5f)});
  ValueId r = b.node("Relu", {bn});
  ValueId ap = b.node("AveragePool", {r},
                      attrs({{"kernel_shape", std::vector<int64_t>{2, 2}},
                             {"strides", std::vector<int64_t>{2, 2}}}));
  ValueId gp = b.node("GlobalAveragePool", {ap});
  ValueId f = b.node("Flatten", {gp});
  ValueId y = b.node(
      "Gemm", {f, b.random_constant("fc.w", {5, 41}, 600), b.random_constant("fc.b", {5}, 601)},
      attrs({{"transB", int64_t{1}}}), "y");
  b.output(y);
  b.output(b.node("Sigmoid", {ap}, {}, "side"));  // a second, 4-D graph output
  return b.finish();
}

TEST(BlockedLayout, ConvertsOnlyAtTheEdges) {
  Graph g = mixed_net();
  for (int block : {8, 16}) {
    Graph after = optimized(g, 3, block);
    EXPECT_EQ(count_ops(after, "ReorderToBlocked"), 0) << print_graph(after);
    // One before Flatten, one for the Sigmoid's graph output.
    EXPECT_EQ(count_ops(after, "ReorderFromBlocked"), 2) << print_graph(after);
    EXPECT_EQ(count_ops(after, "MaxPoolBlocked"), 1);
    EXPECT_EQ(count_ops(after, "AveragePoolBlocked"), 1);
    EXPECT_EQ(count_ops(after, "GlobalAveragePoolBlocked"), 1);
    EXPECT_EQ(count_ops(after, "ConcatBlocked"), 1);
    for (const Node& n : after.nodes) {
      if (n.op_type == "FusedConv") {
        // The stem reads the 3-channel input directly; every other conv is blocked both ways.
        bool stem = after.value(n.inputs[0]).name == "x";
        EXPECT_EQ(attr_int(n, "input_block", -1), stem ? 0 : block) << n.name;
        EXPECT_EQ(attr_int(n, "output_block", -1), block) << n.name;
      }
      if (n.op_type == "ScaleShift") {
        EXPECT_EQ(attr_int(n, "block", -1), block);
      }
      if (n.op_type == "MaxPoolBlocked") {
        EXPECT_EQ(attr_ints(n, "pads", {}), (std::vector<int64_t>{1, 1, 1, 1}));
      }
    }
    expect_same_outputs(g, after, 1e-4);
  }
  HONE_SKIP_IF_UNREGISTERED(optimized(g, 3, 16));
}

TEST(BlockedLayout, BlockZeroAndLowerLevelsKeepNchw) {
  Graph g = mixed_net();
  for (auto [level, block] : std::vector<std::pair<int, int>>{{3, 0}, {2, 16}, {1, 16}}) {
    Graph after = optimized(g, level, block);
    for (const Node& n : after.nodes)
      for (ValueId id : n.outputs) EXPECT_LE(after.value(id).type.shape.size(), 4u) << n.name;
    expect_same_outputs(g, after, 1e-4);
  }
  Graph l1 = optimized(g, 1, 16);
  EXPECT_EQ(count_ops(l1, "BatchNormalization"), 1);  // the pre-activation one
  EXPECT_EQ(count_ops(l1, "Conv"), 4);
  HONE_SKIP_IF_UNREGISTERED(optimized(g, 2, 16));
}

TEST(BlockedLayout, UnsafeOrBroadcastingElementwiseGetsPlainInput) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 16, 6, 6});
  ValueId c = conv_bn_relu(b, x, 16, 10, 3, 700);
  // Div could make NaN in padding lanes; a [C,1]-shaped operand (per row) does not line up
  // with a blocked tensor.
  ValueId d = b.node("Div", {c, b.random_constant("den", {1, 10, 6, 6}, 701, 1.0f, 2.0f)});
  ValueId m = b.node("Mul", {c, b.random_constant("pr", {6, 1}, 702)});
  ValueId s = b.node("Add", {d, m});
  ValueId y = conv_bn_relu(b, s, 10, 4, 1, 800);
  b.output(b.node("Identity", {y}, {}, "y"));
  Graph g = b.finish();
  Graph after = optimized(g, 3, 8);
  // x (16 channels) and s go blocked for the convs; no reader of c takes it blocked, so its
  // conv writes NCHW directly, as does the last conv (a graph output).
  EXPECT_EQ(count_ops(after, "ReorderToBlocked"), 2) << print_graph(after);
  EXPECT_EQ(count_ops(after, "ReorderFromBlocked"), 0) << print_graph(after);
  for (const Node& n : after.nodes)
    if (n.op_type == "FusedConv") {
      EXPECT_EQ(attr_int(n, "input_block", -1), 8);
      EXPECT_EQ(attr_int(n, "output_block", -1), 0);
    }
  expect_same_outputs(g, after, 1e-4);
  HONE_SKIP_IF_UNREGISTERED(after);
}

// Squeeze-and-excitation: a feature map times a per-channel scale computed from it
// ([N,C,1,1] at run time) stays blocked end to end; so does a constant per-channel operand.
TEST(BlockedLayout, PerChannelOperandsStayBlocked) {
  for (int64_t batch : {1, 2}) {
    GraphBuilder b;
    ValueId x = b.input("x", {batch, 16, 7, 5});
    ValueId c = conv_bn_relu(b, x, 16, 20, 3, 900);  // 20 channels: padding lanes in blocks
    ValueId gp = b.node("GlobalAveragePool", {c});
    ValueId squeeze = b.node("Conv", {gp, b.random_constant("sq.w", {6, 20, 1, 1}, 901),
                                      b.random_constant("sq.b", {6}, 902)});
    ValueId excite =
        b.node("Conv", {b.node("Relu", {squeeze}), b.random_constant("ex.w", {20, 6, 1, 1}, 903),
                        b.random_constant("ex.b", {20}, 904)});
    ValueId scale = b.node("Sigmoid", {excite});
    ValueId m = b.node("Mul", {c, scale});
    ValueId shifted = b.node("Sub", {b.random_constant("pc", {1, 20, 1, 1}, 905), m});
    ValueId y = conv_bn_relu(b, shifted, 20, 8, 1, 1000);
    b.output(b.node("Identity", {y}, {}, "y"));
    Graph g = b.finish();
    for (int block : {8, 16}) {
      Graph after = optimized(g, 3, block);
      // Reorders only for x (16 channels, read by the first conv) and the constant (20
      // values); the last conv, a graph output, writes NCHW itself.
      EXPECT_EQ(count_ops(after, "ReorderToBlocked"), 2) << print_graph(after);
      EXPECT_EQ(count_ops(after, "ReorderFromBlocked"), 0) << print_graph(after);
      for (const Node& n : after.nodes)
        if (n.op_type == "Mul" || n.op_type == "Sub" || n.op_type == "FusedElementwise") {
          for (ValueId id : n.inputs) EXPECT_EQ(after.value(id).type.shape.size(), 5u) << n.name;
        }
      expect_same_outputs(g, after, 1e-4);
    }
  }
}

TEST(BlockedLayout, RejectsABadBlock) {
  Graph g = mixed_net();
  OptimizeOptions o;
  o.block = 4;
  EXPECT_THROW(blocked_layout(g, o), Error);
}

TEST(PassManager, PrintIrAfterAndUnknownPassName) {
  Graph g = mixed_net();
  OptimizeOptions o;
  o.opt_level = 2;
  o.print_ir_after = "fuse-conv";
  std::string seen;
  o.on_print = [&](std::string_view pass, const Graph& graph) {
    seen = std::string(pass) + "\n" + print_graph(graph);
  };
  optimize_graph(g, o);
  EXPECT_NE(seen.find("FusedConv"), std::string::npos);
  EXPECT_EQ(seen.rfind("fuse-conv\n", 0), 0u);

  Graph h = mixed_net();
  o.print_ir_after = "fuse-everything";
  try {
    optimize_graph(h, o);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no pass named 'fuse-everything'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("blocked-layout"), std::string::npos);
  }
  EXPECT_EQ(h.nodes.size(), mixed_net().nodes.size());  // nothing ran
}

TEST(PassManager, PassesAreListedInOrderWithTheirLevels) {
  std::vector<std::pair<std::string, int>> want = {{"fold-constants", 1},
                                                   {"remove-identity", 1},
                                                   {"fold-pad", 1},
                                                   {"fold-batchnorm", 1},
                                                   {"eliminate-dead-nodes", 1},
                                                   {"eliminate-common-subexpressions", 2},
                                                   {"fuse-layer-norm", 2},
                                                   {"fuse-conv", 2},
                                                   {"fuse-gemm", 2},
                                                   {"fold-matmul-transpose", 2},
                                                   {"fuse-attention", 2},
                                                   {"batchnorm-to-scaleshift", 2},
                                                   {"fuse-elementwise", 2},
                                                   {"gather-channels", 2},
                                                   {"blocked-layout", 3},
                                                   {"fuse-pointwise-depthwise", 3}};
  std::vector<std::pair<std::string, int>> got;
  for (const PassInfo& p : all_passes()) got.emplace_back(std::string(p.name), p.min_level);
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace hone::testing
