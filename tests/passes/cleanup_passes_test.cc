// Level-1 passes, each alone: fold-constants, remove-identity, fold-pad, fold-batchnorm,
// eliminate-dead-nodes; and CSE (level 2). Each checks the rewrite happened and the outputs
// did not change.
#include "ir/passes/eliminate_common_subexpressions.h"
#include "ir/passes/eliminate_dead_nodes.h"
#include "ir/passes/fold_batchnorm.h"
#include "ir/passes/fold_constants.h"
#include "ir/passes/fold_pad.h"
#include "ir/passes/remove_identity.h"
#include "pass_test_util.h"

namespace hone::testing {
namespace {

TEST(FoldConstants, ComputesConstantSubgraphsAndRemovesTheirNodes) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 3});
  ValueId c1 = b.random_constant("c1", {3}, 1);
  ValueId c2 = b.random_constant("c2", {3}, 2);
  ValueId s = b.node("Mul", {c1, c2});
  ValueId t = b.node("Exp", {s});
  ValueId y = b.node("Add", {x, t}, {}, "y");
  b.output(y);
  Graph g = b.finish();
  // The importer-style folding marked s, t constant but kept their nodes.
  ASSERT_EQ(g.nodes.size(), 3u);
  Graph after = check_pass(g, fold_constants);
  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(after.nodes[0].op_type, "Add");
}

TEST(FoldConstants, FoldsNodesWhoseInputsBecameConstant) {
  GraphBuilder b;
  ValueId x = b.input("x", {4});
  ValueId c = b.random_constant("c", {4}, 3);
  ValueId r = b.node("Relu", {c});
  ValueId y = b.node("Sub", {x, r}, {}, "y");
  b.output(y);
  Graph g = b.finish();
  // Pretend the constant appeared after import (as another pass could leave it).
  g.value(r).constant.reset();
  Graph after = check_pass(g, fold_constants);
  ASSERT_EQ(after.nodes.size(), 1u);
  ASSERT_TRUE(after.value(r).constant.has_value());
  std::vector<float> cv = g.value(c).constant->to_vector<float>();
  std::vector<float> rv = after.value(r).constant->to_vector<float>();
  for (size_t i = 0; i < cv.size(); ++i) EXPECT_EQ(rv[i], std::max(cv[i], 0.0f));
}

TEST(FoldConstants, GraphOutputThatIsConstantKeepsItsName) {
  GraphBuilder b;
  ValueId x = b.input("x", {2});
  ValueId c = b.random_constant("c", {2}, 4);
  ValueId k = b.node("Neg", {c}, {}, "k");
  ValueId y = b.node("Relu", {x}, {}, "y");
  b.output(y);
  b.output(k);
  Graph after = check_pass(b.finish(), fold_constants);
  EXPECT_EQ(after.nodes.size(), 1u);
}

TEST(RemoveIdentity, RemovesIdentityDropoutAndSameShapeReshapes) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 3, 4});
  ValueId a = b.node("Relu", {x});
  ValueId i = b.node("Identity", {a});
  ValueId d = b.node("Dropout", {i});
  ValueId shape = b.constant("shape", Tensor::from_vector<int64_t>({3}, {2, 3, 4}));
  ValueId r = b.node("Reshape", {d, shape});
  ValueId axes = b.constant("axes", Tensor::from_vector<int64_t>({1}, {0}));
  // Each of these changes its own input's shape, so both stay (the pair is not local).
  ValueId u = b.node("Unsqueeze", {r, axes});
  ValueId sq = b.node("Squeeze", {u, axes});
  ValueId y = b.node("Sigmoid", {sq}, {}, "y");
  b.output(y);
  Graph g = b.finish();
  Graph after = check_pass(g, remove_identity);
  EXPECT_EQ(count_ops(after, "Identity"), 0);
  EXPECT_EQ(count_ops(after, "Dropout"), 0);
  EXPECT_EQ(count_ops(after, "Reshape"), 0);
  EXPECT_EQ(count_ops(after, "Unsqueeze"), 1);
  EXPECT_EQ(count_ops(after, "Squeeze"), 1);
}

TEST(RemoveIdentity, UnitPoolsGoStridedOnesStay) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 2, 6, 6});
  auto one = std::vector<int64_t>{1, 1};
  ValueId p = b.node("AveragePool", {x}, attrs({{"kernel_shape", one}}));
  ValueId r = b.node("Relu", {p});
  ValueId m = b.node("MaxPool", {r}, attrs({{"kernel_shape", one}, {"strides", one}}));
  ValueId s = b.node("MaxPool", {m},
                     attrs({{"kernel_shape", one}, {"strides", std::vector<int64_t>{2, 2}}}), "y");
  b.output(s);
  Graph after = check_pass(b.finish(), remove_identity);
  EXPECT_EQ(count_ops(after, "AveragePool"), 0);
  EXPECT_EQ(count_ops(after, "MaxPool"), 1);
}

// torch.onnx writes a Pad by zero before some pools. A Pad that keeps the shape by cropping
// one side and padding the other moves the data, so it stays; so does a real pad.
TEST(RemoveIdentity, PadByZeroGoesShiftsAndRealPadsStay) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 2, 5, 5});
  ValueId zero = b.constant("zero", Tensor::from_vector<int64_t>({8}, {0, 0, 0, 0, 0, 0, 0, 0}));
  ValueId shift = b.constant("shift", Tensor::from_vector<int64_t>({8}, {0, 0, 1, 0, 0, 0, -1, 0}));
  ValueId grow = b.constant("grow", Tensor::from_vector<int64_t>({8}, {0, 0, 1, 1, 0, 0, 1, 1}));
  ValueId a = b.node("Pad", {x, zero});
  ValueId r = b.node("Relu", {a});
  ValueId c = b.node("Pad", {r, shift});
  ValueId e = b.node("Pad", {c, grow}, {}, "y");
  b.output(e);
  Graph after = check_pass(b.finish(), remove_identity);
  EXPECT_EQ(count_ops(after, "Pad"), 2);
  EXPECT_EQ(count_ops(after, "Relu"), 1);
  for (const Node& n : after.nodes) {
    if (n.op_type == "Relu") {
      EXPECT_EQ(n.inputs[0], after.inputs[0]);
    }
  }
}

// torch.onnx's avg_pool2d(padding=1) and a padded conv: the Pads become the consumers' pads
// (the pool counting the zeros); a Pad also read by a Relu, a pad of the channels, a pad by 1
// and a pool in ceil mode keep theirs.
TEST(FoldPad, SpatialZeroPadBecomesConvAndAveragePoolPads) {
  using Ints = std::vector<int64_t>;
  GraphBuilder b;
  ValueId x = b.input("x", {1, 3, 6, 6});
  ValueId w = b.random_constant("w", {4, 3, 3, 3}, 1);
  auto pads = [&](const std::string& name, Ints v) {
    return b.constant(name, Tensor::from_vector<int64_t>({8}, v));
  };
  ValueId spatial = pads("spatial", {0, 0, 1, 2, 0, 0, 1, 0});
  ValueId p1 = b.node("Pad", {x, spatial});
  ValueId pool = b.node("AveragePool", {p1}, attrs({{"kernel_shape", Ints{3, 3}}}), "pool");
  ValueId conv = b.node("Conv", {p1, w}, attrs({{"pads", Ints{0, 1, 0, 1}}}), "conv");
  b.output(pool);
  b.output(conv);
  // Read by a Relu too: stays.
  ValueId p2 = b.node("Pad", {x, spatial}, {}, "kept_relu");
  b.output(b.node("Relu", {p2}, {}, "relu"));
  b.output(b.node("AveragePool", {p2}, attrs({{"kernel_shape", Ints{2, 2}}}), "pool2"));
  // Channels padded: stays.
  ValueId p3 = b.node("Pad", {x, pads("channels", {0, 1, 0, 0, 0, 0, 0, 0})}, {}, "kept_c");
  b.output(b.node("AveragePool", {p3}, attrs({{"kernel_shape", Ints{2, 2}}}), "pool3"));
  // Padded with 1, not 0: stays.
  ValueId one = b.constant("one", Tensor::from_vector<float>({}, {1.0f}));
  ValueId p4 = b.node("Pad", {x, spatial, one}, {}, "kept_one");
  b.output(b.node("AveragePool", {p4}, attrs({{"kernel_shape", Ints{2, 2}}}), "pool4"));
  // Ceil mode: stays.
  ValueId p5 = b.node("Pad", {x, spatial}, {}, "kept_ceil");
  b.output(b.node(
      "AveragePool", {p5},
      attrs({{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}, {"ceil_mode", int64_t{1}}}),
      "pool5"));
  Graph after = check_pass(b.finish(), fold_pad);
  EXPECT_EQ(count_ops(after, "Pad"), 4);
  for (const Node& n : after.nodes) {
    if (n.name == "pool") {
      EXPECT_EQ(n.inputs[0], after.inputs[0]);
      EXPECT_EQ(attr_ints(n, "pads", {}), (Ints{1, 2, 1, 0}));
      EXPECT_EQ(attr_int(n, "count_include_pad", 0), 1);
    }
    if (n.name == "conv") {
      EXPECT_EQ(n.inputs[0], after.inputs[0]);
      EXPECT_EQ(attr_ints(n, "pads", {}), (Ints{1, 3, 1, 1}));
    }
  }
}

TEST(RemoveIdentity, KeepsDropoutWhoseMaskIsUsed) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 3});
  auto outs = b.nodes("Dropout", {x}, 2, {}, "d");
  ValueId m = b.node("Cast", {outs[1]}, attrs({{"to", int64_t{1}}}));
  ValueId y = b.node("Add", {outs[0], m}, {}, "y");
  b.output(y);
  Graph after = check_pass(b.finish(), remove_identity);
  EXPECT_EQ(count_ops(after, "Dropout"), 1);
}

TEST(RemoveIdentity, GraphOutputKeepsItsNameByRenamingTheProducer) {
  GraphBuilder b;
  ValueId x = b.input("x", {3});
  ValueId a = b.node("Relu", {x}, {}, "a");
  ValueId y = b.node("Identity", {a}, {}, "y");
  ValueId z = b.node("Neg", {a}, {}, "z");
  b.output(y);
  b.output(z);
  Graph after = check_pass(b.finish(), remove_identity);
  EXPECT_EQ(count_ops(after, "Identity"), 0);
  // Relu now writes "y" and Neg reads it.
  EXPECT_EQ(after.value(after.nodes[0].outputs[0]).name, "y");
  EXPECT_EQ(after.value(after.nodes[1].inputs[0]).name, "y");
}

TEST(RemoveIdentity, IdentityOfAGraphInputOrOutputStays) {
  GraphBuilder b;
  ValueId x = b.input("x", {3});
  ValueId y = b.node("Identity", {x}, {}, "y");  // input -> output: needs a node
  ValueId a = b.node("Relu", {x}, {}, "a");
  ValueId z = b.node("Identity", {a}, {}, "z");  // a is an output too: two names, two values
  b.output(y);
  b.output(a);
  b.output(z);
  Graph after = check_pass(b.finish(), remove_identity);
  EXPECT_EQ(count_ops(after, "Identity"), 2);
}

// Conv -> BN with random statistics; `second_reader` adds another consumer of the conv.
Graph conv_bn_graph(bool bias, bool second_reader, int64_t group = 1) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 4, 7, 6});
  ValueId w = b.random_constant("w", {6, 4 / group, 3, 3}, 10);
  std::vector<ValueId> in = {x, w};
  if (bias) in.push_back(b.random_constant("cb", {6}, 11));
  ValueId c = b.node(
      "Conv", in, attrs({{"pads", std::vector<int64_t>{1, 0, 1, 1}}, {"group", int64_t{group}}}));
  ValueId y = b.node(
      "BatchNormalization",
      {c, b.random_constant("gamma", {6}, 12, 0.5f, 1.5f), b.random_constant("beta", {6}, 13),
       b.random_constant("mean", {6}, 14), b.random_constant("var", {6}, 15, 0.1f, 2.0f)},
      attrs({{"epsilon", 1e-3f}}), "y");
  b.output(y);
  if (second_reader) b.output(b.node("Relu", {c}, {}, "r"));
  return b.finish();
}

TEST(FoldBatchnorm, FoldsIntoConvWithAndWithoutBias) {
  for (bool bias : {false, true})
    for (int64_t group : {1, 2}) {
      Graph after = check_pass(conv_bn_graph(bias, false, group), fold_batchnorm);
      EXPECT_EQ(count_ops(after, "BatchNormalization"), 0);
      ASSERT_EQ(after.nodes.size(), 1u);
      EXPECT_EQ(after.nodes[0].inputs.size(), 3u);
    }
}

TEST(FoldBatchnorm, ConvOutputWithAnotherReaderIsNotFolded) {
  Graph after = check_pass(conv_bn_graph(true, true), fold_batchnorm);
  EXPECT_EQ(count_ops(after, "BatchNormalization"), 1);
}

TEST(FoldBatchnorm, SharedWeightsAreNotModified) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 2, 4, 4});
  ValueId w = b.random_constant("w", {2, 2, 1, 1}, 20);
  ValueId c1 = b.node("Conv", {x, w});
  ValueId c2 = b.node("Conv", {x, w}, {}, "plain");
  ValueId y = b.node("BatchNormalization",
                     {c1, b.random_constant("g", {2}, 21), b.random_constant("bt", {2}, 22),
                      b.random_constant("m", {2}, 23), b.random_constant("v", {2}, 24, 0.5f, 1)},
                     {}, "y");
  b.output(y);
  b.output(c2);
  Graph after = check_pass(b.finish(), fold_batchnorm);
  EXPECT_EQ(count_ops(after, "BatchNormalization"), 0);
  EXPECT_NE(after.nodes[0].inputs[1], after.nodes[1].inputs[1]);
}

TEST(FoldBatchnorm, FoldsIntoGemmForEveryBiasForm) {
  struct Case {
    Shape c_shape;  // {} = no C
    bool trans_b;
  };
  for (const Case& k :
       std::vector<Case>{{{}, false}, {{5}, true}, {{1, 5}, false}, {{3, 5}, true}, {{1}, false}}) {
    GraphBuilder b;
    ValueId a = b.input("a", {3, 4});
    ValueId w = b.random_constant("w", k.trans_b ? Shape{5, 4} : Shape{4, 5}, 30);
    std::vector<ValueId> in = {a, w};
    bool has_c = !k.c_shape.empty();
    if (has_c) in.push_back(b.random_constant("c", k.c_shape, 31));
    ValueId gm = b.node("Gemm", in,
                        attrs({{"transB", int64_t{k.trans_b}}, {"alpha", 0.7f}, {"beta", 1.3f}}));
    ValueId y = b.node("BatchNormalization",
                       {gm, b.random_constant("g", {5}, 32), b.random_constant("bt", {5}, 33),
                        b.random_constant("m", {5}, 34), b.random_constant("v", {5}, 35, 0.5f, 1)},
                       {}, "y");
    b.output(y);
    Graph after = check_pass(b.finish(), fold_batchnorm);
    EXPECT_EQ(count_ops(after, "BatchNormalization"), 0) << shape_to_string(k.c_shape);
  }
}

TEST(EliminateDeadNodes, RemovesUnusedNodesAndConstants) {
  GraphBuilder b;
  ValueId x = b.input("x", {4});
  ValueId unused_input = b.input("unused", {4});
  ValueId w = b.random_constant("w", {4}, 40);
  b.random_constant("orphan", {100}, 41);
  ValueId dead = b.node("Mul", {x, w});
  b.node("Relu", {dead});
  ValueId y = b.node("Neg", {x}, {}, "y");
  b.output(y);
  Graph g = b.finish();
  Graph after = check_pass(g, eliminate_dead_nodes);
  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(after.find_value("orphan"), kNoValue);
  EXPECT_EQ(after.find_value("w"), kNoValue);
  EXPECT_NE(after.find_value("unused"), kNoValue);
  (void)unused_input;
  EXPECT_LT(after.parameter_count(), g.parameter_count());
}

TEST(EliminateCommonSubexpressions, MergesEqualNodesButNotDifferentAttributes) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 5});
  ValueId a1 = b.node("Sigmoid", {x});
  ValueId a2 = b.node("Sigmoid", {x});
  ValueId l1 = b.node("LeakyRelu", {x}, attrs({{"alpha", 0.1f}}));
  ValueId l2 = b.node("LeakyRelu", {x}, attrs({{"alpha", 0.2f}}));
  // Equal small constants under two names merge, so these Adds merge too.
  ValueId k1 = b.constant("k1", Tensor::from_vector<float>({1}, {2.0f}));
  ValueId k2 = b.constant("k2", Tensor::from_vector<float>({1}, {2.0f}));
  ValueId s1 = b.node("Add", {a1, k1});
  ValueId s2 = b.node("Add", {a2, k2});
  ValueId m = b.node("Mul", {s1, s2});
  ValueId n = b.node("Sub", {l1, l2});
  ValueId y = b.node("Add", {m, n}, {}, "y");
  b.output(y);
  Graph after = check_pass(b.finish(), eliminate_common_subexpressions);
  EXPECT_EQ(count_ops(after, "Sigmoid"), 1);
  EXPECT_EQ(count_ops(after, "LeakyRelu"), 2);
  EXPECT_EQ(count_ops(after, "Add"), 2);
}

TEST(EliminateCommonSubexpressions, DuplicateGraphOutputKeepsItsNode) {
  GraphBuilder b;
  ValueId x = b.input("x", {3});
  ValueId y1 = b.node("Relu", {x}, {}, "y1");
  ValueId y2 = b.node("Relu", {x}, {}, "y2");
  b.output(y1);
  b.output(y2);
  Graph after = check_pass(b.finish(), eliminate_common_subexpressions);
  EXPECT_EQ(count_ops(after, "Relu"), 2);
}

}  // namespace
}  // namespace hone::testing
