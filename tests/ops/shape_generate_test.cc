// Range, OneHot, EyeLike, Trilu, CumSum, TopK, DepthToSpace, SpaceToDepth and ReverseSequence
// through the registry (hand-worked cases and the ONNX spec examples).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::attrs;
using test::OpCall;
using test::prepare_op;
using test::run_op;

Tensor iota(const Shape& shape) {
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return Tensor::from_vector<float>(shape, v);
}
std::vector<float> values(const Tensor& t) {
  return t.to_vector<float>();
}

void expect_error(const OpCall& call, const std::string& fragment) {
  try {
    prepare_op(call);
    ADD_FAILURE() << call.op_type << ": no error, expected '" << fragment << "'";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(test::kTestNodeName), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  }
}

template <class T>
std::vector<Tensor> range(T start, T limit, T delta) {
  return run_op({.op_type = "Range",
                 .inputs = {Tensor::scalar(start), Tensor::scalar(limit), Tensor::scalar(delta)}});
}

TEST(Range, IntegerFloatNegativeAndEmpty) {
  EXPECT_EQ(range<int32_t>(1, 6, 2)[0].to_vector<int>(), (std::vector<int>{1, 3, 5}));
  EXPECT_EQ(values(range<float>(0, 1, 0.25f)[0]), (std::vector<float>{0, 0.25f, 0.5f, 0.75f}));
  EXPECT_EQ(range<int64_t>(10, 4, -3)[0].to_vector<int64_t>(), (std::vector<int64_t>{10, 7}));
  EXPECT_EQ(range<int64_t>(5, 1, 1)[0].shape(), (Shape{0}));
  expect_error({.op_type = "Range",
                .inputs = {Tensor::scalar<int64_t>(0), Tensor::scalar<int64_t>(3),
                           Tensor::scalar<int64_t>(0)}},
               "delta");
  EXPECT_THROW(
      prepare_op({.op_type = "Range",
                  .inputs = {Tensor::scalar(0.0f), Tensor::scalar(3.0f), Tensor::scalar(1.0f)},
                  .all_inputs_constant = false}),
      NeedsConstantError);
}

TEST(OneHot, AxisNegativeIndicesAndOffOnValues) {
  Tensor idx = Tensor::from_vector<int64_t>({3}, {0, 2, -1});
  Tensor vals = Tensor::from_vector<float>({2}, {2, 5});
  auto y = run_op({.op_type = "OneHot", .inputs = {idx, Tensor::scalar<int64_t>(3), vals}});
  ASSERT_EQ(y[0].shape(), (Shape{3, 3}));
  EXPECT_EQ(values(y[0]), (std::vector<float>{5, 2, 2, 2, 2, 5, 2, 2, 5}));
  auto t = run_op({.op_type = "OneHot",
                   .inputs = {idx, Tensor::scalar<float>(3), vals},
                   .attrs = attrs({{"axis", int64_t{0}}})});
  EXPECT_EQ(values(t[0]), (std::vector<float>{5, 2, 2, 2, 2, 2, 2, 5, 5}));
  // Out of range indices give an all-off row.
  auto o = run_op({.op_type = "OneHot",
                   .inputs = {Tensor::from_vector<int32_t>({1}, {7}), Tensor::scalar<int64_t>(2),
                              Tensor::from_vector<int64_t>({2}, {0, 1})}});
  EXPECT_EQ(o[0].to_vector<int64_t>(), (std::vector<int64_t>{0, 0}));
  expect_error({.op_type = "OneHot", .inputs = {idx, Tensor::scalar<int64_t>(0), vals}}, "depth");
  expect_error({.op_type = "OneHot",
                .inputs = {idx, Tensor::scalar<int64_t>(3), vals},
                .attrs = attrs({{"axis", int64_t{2}}})},
               "out of range");
}

TEST(EyeLike, DiagonalOffsetAndDtype) {
  auto y =
      run_op({.op_type = "EyeLike", .inputs = {iota({2, 3})}, .attrs = attrs({{"k", int64_t{1}}})});
  EXPECT_EQ(values(y[0]), (std::vector<float>{0, 1, 0, 0, 0, 1}));
  auto i = run_op({.op_type = "EyeLike",
                   .inputs = {iota({2, 2})},
                   .attrs = attrs({{"dtype", int64_t{6}}, {"k", int64_t{-1}}})});
  EXPECT_EQ(i[0].dtype(), DType::kInt32);
  EXPECT_EQ(i[0].to_vector<int>(), (std::vector<int>{0, 0, 1, 0}));
  expect_error({.op_type = "EyeLike", .inputs = {iota({3})}}, "2-D");
}

TEST(Trilu, UpperLowerWithK) {
  Tensor x = Tensor::from_vector<int32_t>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto u = run_op({.op_type = "Trilu", .inputs = {x}});
  EXPECT_EQ(u[0].to_vector<int>(), (std::vector<int>{1, 2, 3, 0, 5, 6, 0, 0, 9}));
  auto l = run_op({.op_type = "Trilu",
                   .inputs = {x, Tensor::scalar<int64_t>(-1)},
                   .attrs = attrs({{"upper", int64_t{0}}})});
  EXPECT_EQ(l[0].to_vector<int>(), (std::vector<int>{0, 0, 0, 4, 0, 0, 7, 8, 0}));
  auto b = run_op({.op_type = "Trilu", .inputs = {iota({2, 2, 2}), Tensor::scalar<int64_t>(1)}});
  EXPECT_EQ(values(b[0]), (std::vector<float>{0, 1, 0, 0, 0, 5, 0, 0}));
}

TEST(CumSum, ExclusiveReverseAndAxis) {
  Tensor x = Tensor::from_vector<double>({5}, {1, 2, 3, 4, 5});
  auto cs = [&](int64_t exclusive, int64_t reverse) {
    return run_op({.op_type = "CumSum",
                   .inputs = {x, Tensor::scalar<int64_t>(0)},
                   .attrs = attrs({{"exclusive", exclusive}, {"reverse", reverse}})})[0]
        .to_vector<double>();
  };
  EXPECT_EQ(cs(0, 0), (std::vector<double>{1, 3, 6, 10, 15}));
  EXPECT_EQ(cs(1, 0), (std::vector<double>{0, 1, 3, 6, 10}));
  EXPECT_EQ(cs(0, 1), (std::vector<double>{15, 14, 12, 9, 5}));
  EXPECT_EQ(cs(1, 1), (std::vector<double>{14, 12, 9, 5, 0}));
  auto two = run_op({.op_type = "CumSum",
                     .inputs = {Tensor::from_vector<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6}),
                                Tensor::scalar<int32_t>(-1)}});
  EXPECT_EQ(two[0].to_vector<int>(), (std::vector<int>{1, 3, 6, 4, 9, 15}));
  expect_error({.op_type = "CumSum", .inputs = {x, Tensor::scalar<int64_t>(1)}}, "out of range");
}

TEST(TopK, LargestSmallestAndTies) {
  Tensor x = Tensor::from_vector<float>({2, 4}, {0, 1, 2, 3, 7, 6, 5, 4});
  auto y = run_op(
      {.op_type = "TopK", .inputs = {x, Tensor::from_vector<int64_t>({1}, {3})}, .num_outputs = 2});
  ASSERT_EQ(y[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(values(y[0]), (std::vector<float>{3, 2, 1, 7, 6, 5}));
  EXPECT_EQ(y[1].to_vector<int64_t>(), (std::vector<int64_t>{3, 2, 1, 0, 1, 2}));
  auto s = run_op({.op_type = "TopK",
                   .inputs = {x, Tensor::from_vector<int64_t>({1}, {1})},
                   .attrs = attrs({{"largest", int64_t{0}}, {"axis", int64_t{0}}}),
                   .num_outputs = 2});
  EXPECT_EQ(values(s[0]), (std::vector<float>{0, 1, 2, 3}));
  EXPECT_EQ(s[1].to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 0, 0}));
  auto t = run_op({.op_type = "TopK",
                   .inputs = {Tensor::from_vector<int32_t>({4}, {1, 3, 3, 2}),
                              Tensor::from_vector<int64_t>({1}, {2})},
                   .num_outputs = 2});
  EXPECT_EQ(t[1].to_vector<int64_t>(), (std::vector<int64_t>{1, 2}));
  auto old = run_op({.op_type = "TopK",
                     .inputs = {x},
                     .attrs = attrs({{"k", int64_t{1}}}),
                     .num_outputs = 2,
                     .opset = 9});
  EXPECT_EQ(values(old[0]), (std::vector<float>{3, 7}));
  expect_error(
      {.op_type = "TopK", .inputs = {x, Tensor::from_vector<int64_t>({1}, {5})}, .num_outputs = 2},
      "k = 5");
}

TEST(DepthToSpace, DcrAndCrdMatchSpecFormula) {
  Tensor x = iota({1, 8, 2, 3});
  // Expected values: numpy reshape/transpose of the ONNX spec formula for each mode.
  auto dcr = run_op(
      {.op_type = "DepthToSpace", .inputs = {x}, .attrs = attrs({{"blocksize", int64_t{2}}})});
  ASSERT_EQ(dcr[0].shape(), (Shape{1, 2, 4, 6}));
  EXPECT_EQ(values(dcr[0]),
            (std::vector<float>{0,  12, 1,  13, 2,  14, 24, 36, 25, 37, 26, 38, 3,  15, 4,  16,
                                5,  17, 27, 39, 28, 40, 29, 41, 6,  18, 7,  19, 8,  20, 30, 42,
                                31, 43, 32, 44, 9,  21, 10, 22, 11, 23, 33, 45, 34, 46, 35, 47}));
  auto crd = run_op({.op_type = "DepthToSpace",
                     .inputs = {x},
                     .attrs = attrs({{"blocksize", int64_t{2}}, {"mode", std::string("CRD")}})});
  EXPECT_EQ(values(crd[0]),
            (std::vector<float>{0,  6,  1,  7,  2,  8,  12, 18, 13, 19, 14, 20, 3,  9,  4,  10,
                                5,  11, 15, 21, 16, 22, 17, 23, 24, 30, 25, 31, 26, 32, 36, 42,
                                37, 43, 38, 44, 27, 33, 28, 34, 29, 35, 39, 45, 40, 46, 41, 47}));
  // SpaceToDepth inverts DepthToSpace in DCR mode.
  auto back = run_op(
      {.op_type = "SpaceToDepth", .inputs = {dcr[0]}, .attrs = attrs({{"blocksize", int64_t{2}}})});
  EXPECT_EQ(back[0].shape(), x.shape());
  EXPECT_EQ(values(back[0]), values(x));
  expect_error({.op_type = "DepthToSpace",
                .inputs = {iota({1, 6, 2, 2})},
                .attrs = attrs({{"blocksize", int64_t{2}}})},
               "divisible");
  expect_error({.op_type = "SpaceToDepth",
                .inputs = {iota({1, 1, 3, 2})},
                .attrs = attrs({{"blocksize", int64_t{2}}})},
               "divisible");
}

TEST(ReverseSequence, SpecExample) {
  Tensor x =
      Tensor::from_vector<int64_t>({4, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  auto y = run_op({.op_type = "ReverseSequence",
                   .inputs = {x, Tensor::from_vector<int64_t>({4}, {4, 3, 2, 1})}});
  EXPECT_EQ(y[0].to_vector<int64_t>(),
            (std::vector<int64_t>{12, 9, 6, 3, 8, 5, 2, 7, 4, 1, 10, 11, 0, 13, 14, 15}));
  auto b = run_op({.op_type = "ReverseSequence",
                   .inputs = {x, Tensor::from_vector<int64_t>({4}, {1, 2, 3, 4})},
                   .attrs = attrs({{"time_axis", int64_t{1}}, {"batch_axis", int64_t{0}}})});
  EXPECT_EQ(b[0].to_vector<int64_t>(),
            (std::vector<int64_t>{0, 1, 2, 3, 5, 4, 6, 7, 10, 9, 8, 11, 15, 14, 13, 12}));
  expect_error(
      {.op_type = "ReverseSequence", .inputs = {x, Tensor::from_vector<int64_t>({2}, {1, 1})}},
      "sequence_lens");
}

}  // namespace
}  // namespace hone
