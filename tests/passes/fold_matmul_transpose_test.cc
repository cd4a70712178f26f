// fold-matmul-transpose alone: attention's scaled and transposed MatMul operands become one
// FusedMatMul reading them in place (outputs compared with the unfolded graph); transposes
// that move the innermost axis into a batch axis, constant B, shared intermediates and
// non-scalar scales stay.
#include "ir/passes/fold_matmul_transpose.h"

#include "pass_test_util.h"

namespace hone::testing {
namespace {

// [tokens, heads, dim] = [7, 3, 4] for q, k, v: softmax(q/2 · kᵀ) · v, written the way
// torch.onnx writes multi-head attention.
Graph attention(bool mul_scale) {
  GraphBuilder b;
  ValueId q = b.input("q", {7, 3, 4});
  ValueId k = b.input("k", {7, 3, 4});
  ValueId v = b.input("v", {7, 3, 4});
  auto perm = [](std::vector<int64_t> p) { return attrs({{"perm", p}}); };
  ValueId qt = b.node("Transpose", {q}, perm({1, 0, 2}));  // [3, 7, 4]
  ValueId qs = mul_scale ? b.node("Mul", {b.constant("half", Tensor::scalar<float>(0.5f)), qt})
                         : b.node("Div", {qt, b.constant("two", Tensor::scalar<float>(2.0f))});
  ValueId kt = b.node("Transpose", {k}, perm({1, 2, 0}));  // [3, 4, 7]
  ValueId scores = b.node("MatMul", {qs, kt});             // [3, 7, 7]
  ValueId w = b.node("Softmax", {scores}, attrs({{"axis", int64_t{-1}}}));
  ValueId vt = b.node("Transpose", {v}, perm({1, 0, 2}));  // [3, 7, 4]
  b.output(b.node("MatMul", {w, vt}, {}, "y"));
  return b.finish();
}

TEST(FoldMatmulTranspose, AttentionTransposesAndScaleFold) {
  for (bool mul_scale : {false, true}) {
    Graph after = check_pass(attention(mul_scale), fold_matmul_transpose);
    EXPECT_EQ(count_ops(after, "FusedMatMul"), 2) << print_graph(after);
    EXPECT_EQ(count_ops(after, "Transpose"), 0) << print_graph(after);
    EXPECT_EQ(count_ops(after, "Div") + count_ops(after, "Mul"), 0) << print_graph(after);
    const Node& scores = after.nodes[0];
    EXPECT_EQ(scores.op_type, "FusedMatMul");
    EXPECT_EQ(attr_float(scores, "alpha", 0.0f), 0.5f);
    EXPECT_EQ(attr_ints(scores, "perm_a", {}), (std::vector<int64_t>{1, 0, 2}));
    EXPECT_EQ(attr_ints(scores, "perm_b", {}), (std::vector<int64_t>{1, 2, 0}));
    HONE_SKIP_IF_UNREGISTERED(after);
  }
}

// nn.MultiheadAttention as torch.onnx writes it (ViT, BERT): one packed projection
// [tokens, 1, 3 * heads * dim] sliced into q, k and v, each reshaped into heads; the output's
// heads transposed back into each token's row and flattened.
Graph packed_attention(int64_t slice_step, int64_t batch = 1) {
  GraphBuilder b;
  const int64_t tokens = 7, heads = 3 * batch, dim = 4, part = 3 * dim;
  ValueId qkv = b.input("qkv", {tokens, batch, 3 * part * slice_step});
  auto ints = [&](const std::string& name, std::vector<int64_t> v) {
    return b.constant(name, Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v));
  };
  auto perm = [](std::vector<int64_t> p) { return attrs({{"perm", p}}); };
  ValueId axes = ints("axes", {2}), steps = ints("steps", {slice_step}),
          split = ints("split", {tokens, heads, dim});
  auto slice = [&](int64_t i) {
    const std::string n = std::to_string(i);
    ValueId s = b.node("Slice", {qkv, ints("s" + n, {i * part * slice_step}),
                                 ints("e" + n, {(i + 1) * part * slice_step}), axes, steps});
    return b.node("Reshape", {s, split});
  };
  ValueId q = b.node("Transpose", {slice(0)}, perm({1, 0, 2}));
  ValueId qs = b.node("Div", {q, b.constant("two", Tensor::scalar<float>(2.0f))});
  ValueId kt = b.node("Transpose", {slice(1)}, perm({1, 2, 0}));
  ValueId w = b.node("Softmax", {b.node("MatMul", {qs, kt})}, attrs({{"axis", int64_t{-1}}}));
  ValueId v = b.node("Transpose", {slice(2)}, perm({1, 0, 2}));
  ValueId o = b.node("Transpose", {b.node("MatMul", {w, v})}, perm({1, 0, 2}));
  b.output(b.node("Reshape", {o, ints("rows", {tokens * batch, part})}, {}, "y"));
  return b.finish();
}

TEST(FoldMatmulTranspose, PackedProjectionSlicesAndOutputTransposeFold) {
  Graph after = check_pass(packed_attention(1), fold_matmul_transpose);
  EXPECT_EQ(count_ops(after, "FusedMatMul"), 2) << print_graph(after);
  EXPECT_EQ(count_ops(after, "Slice"), 0) << print_graph(after);
  EXPECT_EQ(count_ops(after, "Transpose"), 0) << print_graph(after);
  EXPECT_EQ(count_ops(after, "Reshape"), 1) << print_graph(after);  // the output's flatten
  const Node& scores = after.nodes[0];
  ASSERT_EQ(scores.op_type, "FusedMatMul");
  EXPECT_EQ(attr_ints(scores, "shape_b", {}), (std::vector<int64_t>{7, 3, 4}));
  EXPECT_EQ(attr_ints(scores, "strides_b", {}), (std::vector<int64_t>{36, 4, 1}));
  EXPECT_EQ(attr_int(scores, "offset_b", -1), 12);
  EXPECT_EQ(attr_int(scores, "offset_a", -1), 0);
  EXPECT_EQ(attr_ints(after.nodes[2], "perm_y", {}), (std::vector<int64_t>{1, 0, 2}));
  HONE_SKIP_IF_UNREGISTERED(after);
}

// At batch 2 the head-splitting Reshape merges the images with the heads ([7, 2, 12] ->
// [7, 6, 4]): one axis of two strided sub-axes (groups_X), still read in place.
TEST(FoldMatmulTranspose, BatchTwoMergesImagesAndHeadsInPlace) {
  Graph after = check_pass(packed_attention(1, 2), fold_matmul_transpose);
  EXPECT_EQ(count_ops(after, "FusedMatMul"), 2) << print_graph(after);
  EXPECT_EQ(count_ops(after, "Slice"), 0) << print_graph(after);
  EXPECT_EQ(count_ops(after, "Transpose"), 0) << print_graph(after);
  const Node& scores = after.nodes[0];
  ASSERT_EQ(scores.op_type, "FusedMatMul");
  EXPECT_EQ(attr_ints(scores, "groups_b", {}), (std::vector<int64_t>{1, 2, 1}));
  EXPECT_EQ(attr_ints(scores, "strides_b", {}), (std::vector<int64_t>{72, 36, 4, 1}));
  HONE_SKIP_IF_UNREGISTERED(after);
}

TEST(FoldMatmulTranspose, SlicesWithStepsAcrossTheHeadsStay) {
  // Every other column: [.., 24] -> [.., 12] cannot split into [3, 4] heads with unit stride.
  Graph after = check_pass(packed_attention(2), fold_matmul_transpose);
  EXPECT_EQ(count_ops(after, "Slice"), 3) << print_graph(after);
  EXPECT_EQ(count_ops(after, "FusedMatMul"), 2) << print_graph(after);
}

TEST(FoldMatmulTranspose, WhatCannotBeReadInPlaceStays) {
  GraphBuilder b;
  ValueId x = b.input("x", {4, 5, 6});
  ValueId w = b.input("w", {6, 3});
  // The innermost axis becomes a batch axis: no unit stride left in the matrices.
  ValueId xt = b.node("Transpose", {x}, attrs({{"perm", std::vector<int64_t>{2, 0, 1}}}));
  ValueId m1 = b.node("MatMul", {xt, b.input("y5", {6, 5, 2})});
  // A non-scalar scale and a constant B.
  ValueId scaled = b.node("Mul", {x, b.random_constant("s", {1, 1, 6}, 3)});
  ValueId m2 = b.node("MatMul", {scaled, b.random_constant("c", {6, 2}, 4)});
  // A transpose read twice.
  ValueId wt = b.node("Transpose", {w}, attrs({{"perm", std::vector<int64_t>{1, 0}}}));
  ValueId m3 = b.node("MatMul", {b.input("z", {2, 3}), wt});
  b.output(m1);
  b.output(m2);
  b.output(m3);
  b.output(b.node("Relu", {wt}, {}, "wt_out"));
  Graph after = check_pass(b.finish(), fold_matmul_transpose);
  EXPECT_EQ(count_ops(after, "FusedMatMul"), 0) << print_graph(after);
  EXPECT_EQ(count_ops(after, "MatMul"), 3);
  EXPECT_EQ(count_ops(after, "Transpose"), 2);
}

}  // namespace
}  // namespace hone::testing
