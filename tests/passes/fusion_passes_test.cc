// Level-2 fusion passes, each alone: fuse-conv, fuse-gemm, batchnorm-to-scaleshift,
// fuse-elementwise. Structure is always checked; outputs are compared with the unfused graph
// once the internal ops are registered.
#include "ir/passes/batchnorm_to_scaleshift.h"
#include "ir/passes/fuse_conv.h"
#include "ir/passes/fuse_elementwise.h"
#include "ir/passes/fuse_gemm.h"
#include "pass_test_util.h"

namespace hone::testing {
namespace {

std::string attr_text(const Node& n, const std::string& name) {
  auto it = n.attrs.find(name);
  if (it == n.attrs.end()) return "";
  if (const auto* s = std::get_if<std::string>(&it->second.value)) return *s;
  return "?";
}

// x[2,6,9,8] -> Conv(w[8,6,3,3], stride 2, asymmetric pads) -> returns conv output.
ValueId add_conv(GraphBuilder& b, ValueId x, uint64_t seed, bool bias = true) {
  std::vector<ValueId> in = {x, b.random_constant("w" + std::to_string(seed), {8, 6, 3, 3}, seed)};
  if (bias) in.push_back(b.random_constant("b" + std::to_string(seed), {8}, seed + 1));
  return b.node(
      "Conv", in,
      attrs({{"strides", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{1, 0, 0, 1}}}));
}

TEST(FuseConv, BiasResidualAndReluBecomeOneNode) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 6, 9, 8});
  ValueId res = b.input("res", {2, 8, 4, 4});
  ValueId c = add_conv(b, x, 1);
  ValueId a = b.node("Add", {c, b.random_constant("bias", {1, 8, 1, 1}, 3)});
  ValueId s = b.node("Add", {res, a});  // residual first: Add is commutative
  ValueId y = b.node("Relu", {s}, {}, "y");
  b.output(y);
  Graph after = check_pass(b.finish(), fuse_conv);
  ASSERT_EQ(after.nodes.size(), 1u);
  const Node& f = after.nodes[0];
  EXPECT_EQ(f.op_type, "FusedConv");
  EXPECT_EQ(f.domain, "hone");
  EXPECT_EQ(attr_text(f, "activation"), "Relu");
  ASSERT_EQ(f.inputs.size(), 4u);
  EXPECT_EQ(after.value(f.inputs[3]).name, "res");
  EXPECT_EQ(attr_ints(f, "pads", {}), (std::vector<int64_t>{1, 0, 0, 1}));
  HONE_SKIP_IF_UNREGISTERED(after);
}

TEST(FuseConv, EveryActivation) {
  struct Case {
    std::string op;
    Attributes a;
    std::string expect;
  };
  std::vector<Case> cases = {
      {"Relu", {}, "Relu"},
      {"LeakyRelu", attrs({{"alpha", 0.2f}}), "LeakyRelu"},
      {"Sigmoid", {}, "Sigmoid"},
      {"HardSigmoid", attrs({{"alpha", 0.3f}, {"beta", 0.4f}}), "HardSigmoid"},
      {"HardSwish", {}, "HardSwish"},
      {"Tanh", {}, "Tanh"},
      {"Clip", {}, "Clip"},
  };
  for (const Case& k : cases) {
    GraphBuilder b(14);
    ValueId x = b.input("x", {2, 6, 9, 8});
    ValueId c = add_conv(b, x, 5, k.op != "Tanh");
    std::vector<ValueId> in = {c};
    if (k.op == "Clip") {
      in.push_back(b.constant("lo", Tensor::scalar<float>(0.0f)));
      in.push_back(b.constant("hi", Tensor::scalar<float>(0.5f)));
    }
    b.output(b.node(k.op, in, k.a, "y"));
    Graph after = check_pass(b.finish(), fuse_conv);
    ASSERT_EQ(after.nodes.size(), 1u) << k.op;
    EXPECT_EQ(attr_text(after.nodes[0], "activation"), k.expect);
  }
  HONE_REQUIRE_OP("hone", "FusedConv");
}

TEST(FuseConv, XTimesHardSigmoidIsHardSwish) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 6, 9, 8});
  ValueId c = add_conv(b, x, 7);
  ValueId h = b.node("HardSigmoid", {c}, attrs({{"alpha", 1.0f / 6.0f}, {"beta", 0.5f}}));
  b.output(b.node("Mul", {h, c}, {}, "y"));
  Graph after = check_pass(b.finish(), fuse_conv);
  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(attr_text(after.nodes[0], "activation"), "HardSwish");
  HONE_SKIP_IF_UNREGISTERED(after);
}

// torch.onnx's SiLU: Mul(x, Sigmoid(x)) (either operand order).
TEST(FuseConv, XTimesSigmoidIsSilu) {
  for (bool gate_first : {false, true}) {
    GraphBuilder b;
    ValueId x = b.input("x", {2, 6, 9, 8});
    ValueId c = add_conv(b, x, 7);
    ValueId s = b.node("Sigmoid", {c});
    b.output(b.node("Mul", gate_first ? std::vector<ValueId>{s, c} : std::vector<ValueId>{c, s}, {},
                    "y"));
    Graph after = check_pass(b.finish(), fuse_conv);
    ASSERT_EQ(after.nodes.size(), 1u);
    EXPECT_EQ(attr_text(after.nodes[0], "activation"), "Silu");
    HONE_SKIP_IF_UNREGISTERED(after);
  }
}

// GELU as torch.onnx writes it (x / sqrt(2) -> Erf -> + 1, times x and 0.5 in either order,
// or x * (1 / sqrt(2))), and ONNX's own Gelu op, fuse as the Gelu activation.
TEST(FuseConv, ErfChainIsGelu) {
  for (int form = 0; form < 4; ++form) {
    GraphBuilder b;
    ValueId x = b.input("x", {1, 6, 5, 4});
    ValueId c = add_conv(b, x, 7);
    ValueId y;
    if (form == 3) {
      y = b.node("Gelu", {c}, {}, "y");
    } else {
      ValueId scaled = form == 2
                           ? b.node("Mul", {b.constant("r", Tensor::scalar<float>(0.70710678f)), c})
                           : b.node("Div", {c, b.constant("s", Tensor::scalar<float>(1.4142135f))});
      ValueId gate =
          b.node("Add", {b.node("Erf", {scaled}), b.constant("one", Tensor::scalar<float>(1.0f))});
      ValueId half = b.constant("half", Tensor::scalar<float>(0.5f));
      y = form == 0 ? b.node("Mul", {b.node("Mul", {c, gate}), half}, {}, "y")
                    : b.node("Mul", {gate, b.node("Mul", {half, c})}, {}, "y");
    }
    b.output(y);
    Graph g = b.finish();
    Graph after = check_pass(g, fuse_conv);
    ASSERT_EQ(after.nodes.size(), 1u) << "form " << form << "\n" << print_graph(after);
    EXPECT_EQ(attr_text(after.nodes[0], "activation"), "Gelu") << "form " << form;
  }
  // A scale other than 1/sqrt(2), or the Erf output read twice, is not GELU.
  GraphBuilder b;
  ValueId x = b.input("x", {1, 6, 5, 4});
  ValueId c = add_conv(b, x, 7);
  ValueId e = b.node("Erf", {b.node("Div", {c, b.constant("s", Tensor::scalar<float>(1.5f))})});
  ValueId gate = b.node("Add", {e, b.constant("one", Tensor::scalar<float>(1.0f))});
  b.output(b.node(
      "Mul", {b.node("Mul", {c, gate}), b.constant("half", Tensor::scalar<float>(0.5f))}, {}, "y"));
  Graph after = check_pass(b.finish(), fuse_conv);
  EXPECT_EQ(attr_text(after.nodes[0], "activation"), "") << print_graph(after);
}

TEST(FuseConv, ResolvesAutoPad) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 6, 9, 8});
  ValueId w = b.random_constant("w", {8, 6, 3, 3}, 9);
  b.output(b.node(
      "Conv", {x, w},
      attrs({{"auto_pad", std::string("SAME_UPPER")}, {"strides", std::vector<int64_t>{2, 2}}}),
      "y"));
  Graph after = check_pass(b.finish(), fuse_conv);
  ASSERT_EQ(after.nodes.size(), 1u);
  // Height 9, stride 2: 5 outputs need 11 rows, pad 2 split 1/1; width 8: 4 outputs need 9.
  EXPECT_EQ(attr_ints(after.nodes[0], "pads", {}), (std::vector<int64_t>{1, 0, 1, 1}));
  EXPECT_EQ(after.nodes[0].attrs.count("auto_pad"), 0u);
  HONE_SKIP_IF_UNREGISTERED(after);
}

TEST(FuseConv, ResidualDependingOnTheConvIsNotFused) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 6, 9, 8});
  ValueId c = add_conv(b, x, 11);
  ValueId r = b.node("Sigmoid", {c});
  b.output(b.node("Add", {c, r}, {}, "y"));
  Graph after = check_pass(b.finish(), fuse_conv);
  EXPECT_EQ(count_ops(after, "Add"), 1);
  EXPECT_EQ(count_ops(after, "Sigmoid"), 1);
  EXPECT_EQ(count_ops(after, "FusedConv"), 1);
  HONE_SKIP_IF_UNREGISTERED(after);
}

TEST(FuseConv, ResidualComputedAfterTheConvButIndependentIsFused) {
  // ResNet's downsample branch can come after the main conv in node order.
  GraphBuilder b;
  ValueId x = b.input("x", {2, 6, 9, 8});
  ValueId c = add_conv(b, x, 13);
  ValueId d = add_conv(b, x, 15);
  b.output(b.node("Relu", {b.node("Add", {c, d})}, {}, "y"));
  Graph after = check_pass(b.finish(), fuse_conv);
  EXPECT_EQ(count_ops(after, "FusedConv"), 2);
  EXPECT_EQ(count_ops(after, "Add"), 0);
  EXPECT_EQ(count_ops(after, "Relu"), 0);
  HONE_SKIP_IF_UNREGISTERED(after);
}

TEST(FuseConv, IntermediateGraphOutputStopsTheChain) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 6, 9, 8});
  ValueId c = add_conv(b, x, 17);
  b.output(c);
  b.output(b.node("Relu", {c}, {}, "y"));
  Graph after = check_pass(b.finish(), fuse_conv);
  EXPECT_EQ(count_ops(after, "Relu"), 1);
  EXPECT_EQ(count_ops(after, "FusedConv"), 1);
  HONE_SKIP_IF_UNREGISTERED(after);
}

TEST(FuseGemm, GemmBiasAndActivation) {
  GraphBuilder b;
  ValueId a = b.input("a", {3, 10});
  ValueId w = b.random_constant("w", {7, 10}, 20);
  ValueId g = b.node("Gemm", {a, w, b.random_constant("c", {7}, 21)},
                     attrs({{"transB", int64_t{1}}, {"beta", 0.5f}, {"alpha", 2.0f}}));
  ValueId s = b.node("Add", {g, b.random_constant("extra", {1, 7}, 22)});
  b.output(b.node("LeakyRelu", {s}, attrs({{"alpha", 0.1f}}), "y"));
  Graph after = check_pass(b.finish(), fuse_gemm);
  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(after.nodes[0].op_type, "FusedGemm");
  EXPECT_EQ(attr_text(after.nodes[0], "activation"), "LeakyRelu");
  HONE_SKIP_IF_UNREGISTERED(after);
}

TEST(FuseGemm, MatMulWithConstantWeightsAndBias) {
  GraphBuilder b;
  ValueId a = b.input("a", {4, 5});
  ValueId m = b.node("MatMul", {a, b.random_constant("w", {5, 6}, 23)});
  b.output(b.node("Add", {b.random_constant("c", {6}, 24), m}, {}, "y"));
  Graph after = check_pass(b.finish(), fuse_gemm);
  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(after.nodes[0].op_type, "FusedGemm");
  EXPECT_EQ(after.nodes[0].inputs.size(), 3u);
  HONE_SKIP_IF_UNREGISTERED(after);
}

// A transformer's projection: [batch, tokens, features] x W + b, then GELU, as one FusedGemm
// whose output keeps the leading dims; a bias of rank 3 stays a separate Add.
TEST(FuseGemm, StackedMatMulWithBiasAndGelu) {
  GraphBuilder b;
  ValueId a = b.input("a", {2, 3, 5});
  ValueId m = b.node("MatMul", {a, b.random_constant("w", {5, 6}, 25)});
  ValueId h = b.node("Add", {m, b.random_constant("c", {6}, 26)});
  ValueId e =
      b.node("Erf", {b.node("Div", {h, b.constant("s", Tensor::scalar<float>(1.4142135f))})});
  ValueId gate = b.node("Add", {e, b.constant("one", Tensor::scalar<float>(1.0f))});
  ValueId g =
      b.node("Mul", {b.node("Mul", {h, gate}), b.constant("half", Tensor::scalar<float>(0.5f))});
  ValueId m2 = b.node("MatMul", {g, b.random_constant("w2", {6, 4}, 27)});
  b.output(b.node("Add", {m2, b.random_constant("c3", {1, 1, 4}, 28)}, {}, "y"));
  Graph after = check_pass(b.finish(), fuse_gemm);
  ASSERT_EQ(count_ops(after, "FusedGemm"), 2) << print_graph(after);
  EXPECT_EQ(attr_text(after.nodes[0], "activation"), "Gelu");
  EXPECT_EQ(after.value(after.nodes[0].outputs[0]).type.shape, (Shape{2, 3, 6}));
  EXPECT_EQ(count_ops(after, "Add"), 1);
}

TEST(FuseGemm, MatMulWithRuntimeWeightsStays) {
  GraphBuilder b;
  ValueId a = b.input("a", {4, 5});
  ValueId w = b.input("w", {5, 6});
  b.output(b.node("MatMul", {a, w}, {}, "y"));
  Graph after = check_pass(b.finish(), fuse_gemm);
  EXPECT_EQ(count_ops(after, "MatMul"), 1);
}

Graph bn_graph(bool relu6) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 5, 6, 6});
  ValueId p = b.node("MaxPool", {x}, attrs({{"kernel_shape", std::vector<int64_t>{2, 2}}}));
  ValueId bn = b.node("BatchNormalization",
                      {p, b.random_constant("g", {5}, 30), b.random_constant("bt", {5}, 31),
                       b.random_constant("m", {5}, 32), b.random_constant("v", {5}, 33, 0.5f, 2)});
  ValueId y = relu6 ? b.node("Clip",
                             {bn, b.constant("lo", Tensor::scalar<float>(0.0f)),
                              b.constant("hi", Tensor::scalar<float>(0.3f))},
                             {}, "y")
                    : b.node("Relu", {bn}, {}, "y");
  b.output(y);
  return b.finish();
}

TEST(BatchnormToScaleshift, TakesTheFollowingActivation) {
  for (bool relu6 : {false, true}) {
    Graph after = check_pass(bn_graph(relu6), batchnorm_to_scaleshift);
    ASSERT_EQ(after.nodes.size(), 2u);
    EXPECT_EQ(after.nodes[1].op_type, "ScaleShift");
    EXPECT_EQ(attr_text(after.nodes[1], "activation"), relu6 ? "Clip" : "Relu");
  }
  HONE_REQUIRE_OP("hone", "ScaleShift");
}

TEST(FuseElementwise, ChainWithScalarPerChannelAndSameShapeOperands) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 3, 4, 5});
  ValueId z = b.input("z", {2, 3, 4, 5});
  ValueId a = b.node("Add", {x, b.constant("k", Tensor::scalar<float>(0.5f))});
  ValueId m = b.node("Mul", {b.random_constant("pc", {3, 1, 1}, 40), a});
  ValueId s = b.node("Sigmoid", {m});
  ValueId d = b.node("Sub", {z, s});  // acc on the right: RSub
  ValueId c = b.node("Clip", {d, b.constant("lo", Tensor::scalar<float>(-0.2f)),
                              b.constant("hi", Tensor::scalar<float>(0.7f))});
  b.output(b.node("Div", {c, b.random_constant("q", {1, 3, 1, 1}, 41, 1.0f, 2.0f)}, {}, "y"));
  Graph after = check_pass(b.finish(), fuse_elementwise);
  ASSERT_EQ(after.nodes.size(), 1u);
  const Node& f = after.nodes[0];
  EXPECT_EQ(f.op_type, "FusedElementwise");
  auto ops = std::get<std::vector<std::string>>(f.attrs.at("ops").value);
  EXPECT_EQ(ops, (std::vector<std::string>{"Add", "Mul", "Sigmoid", "RSub", "Clip", "Div"}));
  HONE_SKIP_IF_UNREGISTERED(after);
}

TEST(FuseElementwise, SwishReadsTheChainInput) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 8});
  ValueId s = b.node("Sigmoid", {x});
  b.output(b.node("Mul", {x, s}, {}, "y"));
  Graph after = check_pass(b.finish(), fuse_elementwise);
  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(std::get<std::vector<int64_t>>(after.nodes[0].attrs.at("operands").value),
            (std::vector<int64_t>{-1, 0}));
  HONE_SKIP_IF_UNREGISTERED(after);
}

TEST(FuseElementwise, SharedIntermediateAndSingleOpsStay) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 8});
  ValueId e = b.node("Exp", {x});
  ValueId n1 = b.node("Neg", {e});
  ValueId n2 = b.node("Abs", {e});               // e has two readers: chains stop at it
  ValueId y = b.node("Add", {n1, n2}, {}, "y");  // Add of two runtime values: fusable pair
  ValueId t = b.node("Tanh", {x}, {}, "t");      // a single op: not worth a fused node
  b.output(y);
  b.output(t);
  Graph after = check_pass(b.finish(), fuse_elementwise);
  EXPECT_EQ(count_ops(after, "Exp"), 1);
  EXPECT_EQ(count_ops(after, "Tanh"), 1);
  EXPECT_EQ(count_ops(after, "FusedElementwise"), 1);  // Neg -> Add(n2)
  HONE_SKIP_IF_UNREGISTERED(after);
}

TEST(FuseElementwise, BroadcastingThatGrowsTheShapeStops) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 8});
  ValueId r = b.node("Relu", {x});
  b.output(b.node("Add", {r, b.random_constant("big", {4, 8}, 50)}, {}, "y"));
  Graph after = check_pass(b.finish(), fuse_elementwise);
  EXPECT_EQ(count_ops(after, "FusedElementwise"), 0);
}

}  // namespace
}  // namespace hone::testing
