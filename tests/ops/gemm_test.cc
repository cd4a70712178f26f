// Gemm and MatMul through the registry: hand-computed products, transposition and
// broadcasting identities, NumPy's 1-D rules, integer types and error paths.
#include <gtest/gtest.h>

#include "ops/op_test_util.h"

namespace hone::test {
namespace {

// The transpose of a float matrix, written here to build transposed operands.
Tensor transpose2d(const Tensor& t) {
  Tensor out(DType::kFloat32, {t.dim(1), t.dim(0)});
  for (int64_t i = 0; i < t.dim(0); ++i)
    for (int64_t j = 0; j < t.dim(1); ++j)
      out.data<float>()[j * t.dim(0) + i] = t.data<float>()[i * t.dim(1) + j];
  return out;
}

// Naive dot products for one [m, k] x [k, n] product at the given element offsets.
std::vector<double> naive_matmul(const float* a, const float* b, int64_t m, int64_t k, int64_t n) {
  std::vector<double> y(static_cast<size_t>(m * n), 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p)
        y[static_cast<size_t>(i * n + j)] += double{a[i * k + p]} * b[p * n + j];
  return y;
}

TEST(Gemm, HandComputedWithAlphaBetaAndBias) {
  Tensor a = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = Tensor::from_vector<float>({3, 2}, {1, 0, 0, 1, 1, 1});
  // a @ b = [[4, 5], [10, 11]].
  Tensor plain = run_op({.op_type = "Gemm", .inputs = {a, b}})[0];
  EXPECT_EQ(plain.to_vector<float>(), (std::vector<float>{4, 5, 10, 11}));
  Attributes ab = attrs({{"alpha", 2.0f}, {"beta", 0.5f}});
  auto with_c = [&](Tensor c) {
    return run_op({.op_type = "Gemm", .inputs = {a, b, c}, .attrs = ab})[0].to_vector<float>();
  };
  EXPECT_EQ(with_c(Tensor::scalar<float>(2)), (std::vector<float>{9, 11, 21, 23}));
  EXPECT_EQ(with_c(Tensor::from_vector<float>({2}, {2, 4})), (std::vector<float>{9, 12, 21, 24}));
  EXPECT_EQ(with_c(Tensor::from_vector<float>({2, 1}, {2, 4})),
            (std::vector<float>{9, 11, 22, 24}));
  EXPECT_EQ(with_c(Tensor::from_vector<float>({1, 2}, {2, 4})),
            (std::vector<float>{9, 12, 21, 24}));
  EXPECT_EQ(with_c(Tensor::from_vector<float>({2, 2}, {2, 4, 6, 8})),
            (std::vector<float>{9, 12, 23, 26}));
}

TEST(Gemm, TransposeFlagsMatchTransposedOperands) {
  Tensor a = random_tensor({4, 5}, 1), b = random_tensor({5, 3}, 2), c = random_tensor({3}, 3);
  Tensor ref = run_op({.op_type = "Gemm", .inputs = {a, b, c}})[0];
  std::vector<double> naive = naive_matmul(a.data<float>(), b.data<float>(), 4, 5, 3);
  for (int64_t i = 0; i < 12; ++i)
    EXPECT_NEAR(ref.data<float>()[i], naive[static_cast<size_t>(i)] + c.data<float>()[i % 3], 1e-5);
  Tensor ta = run_op(
      {.op_type = "Gemm", .inputs = {transpose2d(a), b, c}, .attrs = attrs({{"transA", 1}})})[0];
  Tensor tb = run_op(
      {.op_type = "Gemm", .inputs = {a, transpose2d(b), c}, .attrs = attrs({{"transB", 1}})})[0];
  Tensor tab = run_op({.op_type = "Gemm",
                       .inputs = {transpose2d(a), transpose2d(b), c},
                       .attrs = attrs({{"transA", 1}, {"transB", 1}})})[0];
  EXPECT_LT(max_abs_diff(ta, ref), 1e-6);
  EXPECT_LT(max_abs_diff(tb, ref), 1e-6);
  EXPECT_LT(max_abs_diff(tab, ref), 1e-6);
}

TEST(Gemm, IntegerAndDoubleTypes) {
  Tensor a = Tensor::from_vector<int32_t>({1, 2}, {3, -4});
  Tensor b = Tensor::from_vector<int32_t>({2, 2}, {5, 6, 7, 8});
  Tensor y = run_op({.op_type = "Gemm", .inputs = {a, b, Tensor::scalar<int32_t>(1)}})[0];
  EXPECT_EQ(y.dtype(), DType::kInt32);
  EXPECT_EQ(y.to_vector<int>(), (std::vector<int>{-12, -13}));
  const int64_t big = int64_t{1} << 40;
  Tensor y64 = run_op({.op_type = "Gemm",
                       .inputs = {Tensor::from_vector<int64_t>({1, 1}, {big}),
                                  Tensor::from_vector<int64_t>({1, 1}, {3})}})[0];
  EXPECT_EQ(y64.to_vector<int64_t>(), (std::vector<int64_t>{3 * big}));
  Tensor yd = run_op({.op_type = "Gemm",
                      .inputs = {Tensor::from_vector<double>({1, 1}, {0.1}),
                                 Tensor::from_vector<double>({1, 1}, {0.2})}})[0];
  EXPECT_DOUBLE_EQ(yd.to_vector<double>()[0], 0.1 * 0.2);
}

TEST(Gemm, FlopsAndErrors) {
  Tensor a = random_tensor({4, 5}, 1), b = random_tensor({5, 3}, 2);
  EXPECT_EQ(prepare_op({.op_type = "Gemm", .inputs = {a, b}}).flops, 2 * 4 * 5 * 3);
  EXPECT_THROW(prepare_op({.op_type = "Gemm", .inputs = {a, a}}), Error);
  EXPECT_THROW(prepare_op({.op_type = "Gemm", .inputs = {a, b, random_tensor({4}, 3)}}), Error);
  EXPECT_THROW(prepare_op({.op_type = "Gemm", .inputs = {a, b, random_tensor({1, 4, 3}, 3)}}),
               Error);
  EXPECT_THROW(prepare_op({.op_type = "Gemm", .inputs = {random_tensor({4, 5, 1}, 1), b}}), Error);
  EXPECT_THROW(prepare_op({.op_type = "Gemm",
                           .inputs = {a, Tensor::from_vector<double>({5, 1}, {1, 2, 3, 4, 5})}}),
               Error);
  try {
    prepare_op({.op_type = "Gemm", .inputs = {a, a}});
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(kTestNodeName), std::string::npos) << e.what();
  }
}

TEST(MatMul, HandComputedAndOneDRules) {
  Tensor a = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = Tensor::from_vector<float>({3, 2}, {1, 0, 0, 1, 1, 1});
  EXPECT_EQ(run_op({.op_type = "MatMul", .inputs = {a, b}})[0].to_vector<float>(),
            (std::vector<float>{4, 5, 10, 11}));
  Tensor v3 = Tensor::from_vector<float>({3}, {1, 1, 2});
  Tensor v2 = Tensor::from_vector<float>({2}, {1, -1});
  Tensor mv = run_op({.op_type = "MatMul", .inputs = {a, v3}})[0];
  EXPECT_EQ(mv.shape(), (Shape{2}));
  EXPECT_EQ(mv.to_vector<float>(), (std::vector<float>{9, 21}));
  Tensor vm = run_op({.op_type = "MatMul", .inputs = {v2, a}})[0];
  EXPECT_EQ(vm.shape(), (Shape{3}));
  EXPECT_EQ(vm.to_vector<float>(), (std::vector<float>{-3, -3, -3}));
  Tensor vv = run_op({.op_type = "MatMul", .inputs = {v3, v3}})[0];
  EXPECT_EQ(vv.shape(), (Shape{}));
  EXPECT_EQ(vv.to_vector<float>(), (std::vector<float>{6}));
  // A 1-D operand against a batched one: [3] @ [2, 3, 2] -> [2, 2].
  Tensor batched = random_tensor({2, 3, 2}, 5);
  Tensor vb = run_op({.op_type = "MatMul", .inputs = {v3, batched}})[0];
  EXPECT_EQ(vb.shape(), (Shape{2, 2}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 2; ++j) {
      const float* m = batched.data<float>() + i * 6;
      EXPECT_NEAR(vb.data<float>()[i * 2 + j], m[j] + m[2 + j] + 2 * m[4 + j], 1e-6);
    }
}

TEST(MatMul, BroadcastsBatchDims) {
  Tensor a = random_tensor({2, 1, 3, 4}, 11);
  Tensor b = random_tensor({3, 4, 5}, 12);
  Tensor y = run_op({.op_type = "MatMul", .inputs = {a, b}})[0];
  ASSERT_EQ(y.shape(), (Shape{2, 3, 3, 5}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j) {
      std::vector<double> want =
          naive_matmul(a.data<float>() + i * 12, b.data<float>() + j * 20, 3, 4, 5);
      const float* got = y.data<float>() + (i * 3 + j) * 15;
      for (size_t e = 0; e < want.size(); ++e) EXPECT_NEAR(got[e], want[e], 1e-5);
    }
  EXPECT_EQ(prepare_op({.op_type = "MatMul", .inputs = {a, b}}).flops, 2 * 6 * 3 * 4 * 5);
}

TEST(MatMul, IntegerTypesAndErrors) {
  Tensor a = Tensor::from_vector<int64_t>({1, 2}, {2, 3});
  Tensor b = Tensor::from_vector<int64_t>({2, 1}, {-1, 5});
  EXPECT_EQ(run_op({.op_type = "MatMul", .inputs = {a, b}})[0].to_vector<int64_t>(),
            (std::vector<int64_t>{13}));
  Tensor u = Tensor::from_vector<uint32_t>({2}, {7, 9});
  EXPECT_EQ(run_op({.op_type = "MatMul", .inputs = {u, u}})[0].to_vector<uint32_t>(),
            (std::vector<uint32_t>{130}));
  EXPECT_THROW(prepare_op({.op_type = "MatMul",
                           .inputs = {random_tensor({2, 3}, 1), random_tensor({2, 3}, 2)}}),
               Error);
  EXPECT_THROW(prepare_op({.op_type = "MatMul",
                           .inputs = {random_tensor({2, 2, 3}, 1), random_tensor({3, 3, 1}, 2)}}),
               Error);
  EXPECT_THROW(prepare_op({.op_type = "MatMul",
                           .inputs = {Tensor::scalar<float>(1), random_tensor({1}, 2)}}),
               Error);
  EXPECT_THROW(prepare_op({.op_type = "MatMul", .inputs = {a, random_tensor({2, 1}, 2)}}), Error);
  EXPECT_THROW(prepare_op({.op_type = "MatMul",
                           .inputs = {Tensor::from_vector<bool>({1, 1}, {true}),
                                      Tensor::from_vector<bool>({1, 1}, {true})}}),
               Error);
}

}  // namespace
}  // namespace hone::test
