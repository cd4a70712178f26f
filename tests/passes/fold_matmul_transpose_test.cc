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
