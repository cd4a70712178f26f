// Shape-only and copy ops through the registry: Reshape, Flatten, Squeeze, Unsqueeze,
// Transpose, Expand, Identity, Dropout, Shape, Size, Constant, ConstantOfShape.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::attrs;
using test::infer_types;
using test::OpCall;
using test::prepare_op;
using test::run_op;

Tensor iota(const Shape& shape) {
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return Tensor::from_vector<float>(shape, v);
}
Tensor ints(std::vector<int64_t> v) {
  return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
}
Shape out_shape(const OpCall& call) {
  return infer_types(call)[0].shape;
}

// Expects prepare to throw hone::Error whose message names the test node and has `fragment`.
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

TEST(Reshape, CopiesZeroDimsAndInfersMinusOne) {
  Tensor x = iota({2, 3, 4});
  auto y = run_op({.op_type = "Reshape", .inputs = {x, ints({0, -1})}});
  EXPECT_EQ(y[0].shape(), (Shape{2, 12}));
  EXPECT_EQ(y[0].to_vector<float>(), x.to_vector<float>());
  EXPECT_EQ(out_shape({.op_type = "Reshape", .inputs = {x, ints({-1, 2, 2})}}), (Shape{6, 2, 2}));
  EXPECT_EQ(out_shape({.op_type = "Reshape", .inputs = {x, ints({4, 0, 2})}}), (Shape{4, 3, 2}));
  // allowzero: 0 is a real zero-sized dim (so the element count must be 0).
  Tensor empty = Tensor(DType::kFloat32, {0, 3});
  EXPECT_EQ(out_shape({.op_type = "Reshape",
                       .inputs = {empty, ints({3, 0})},
                       .attrs = attrs({{"allowzero", int64_t{1}}})}),
            (Shape{3, 0}));
  // Opset < 5 takes the shape as an attribute.
  EXPECT_EQ(out_shape({.op_type = "Reshape",
                       .inputs = {x},
                       .attrs = attrs({{"shape", std::vector<int64_t>{24}}}),
                       .opset = 4}),
            (Shape{24}));
}

TEST(Reshape, Errors) {
  Tensor x = iota({2, 3, 4});
  expect_error({.op_type = "Reshape", .inputs = {x, ints({5, 5})}}, "cannot reshape");
  expect_error({.op_type = "Reshape", .inputs = {x, ints({-1, -1})}}, "more than one -1");
  expect_error({.op_type = "Reshape", .inputs = {x, ints({-1, 5})}}, "cannot infer");
  expect_error({.op_type = "Reshape", .inputs = {x, ints({-2, 12})}}, "negative");
  expect_error({.op_type = "Reshape", .inputs = {iota({6}), ints({2, 0})}}, "copies dim 1");
  EXPECT_THROW(
      prepare_op({.op_type = "Reshape", .inputs = {x, ints({6, 4})}, .all_inputs_constant = false}),
      NeedsConstantError);
}

TEST(Flatten, AxisSplitsDims) {
  Tensor x = iota({2, 3, 4, 5});
  EXPECT_EQ(out_shape({.op_type = "Flatten", .inputs = {x}}), (Shape{2, 60}));
  EXPECT_EQ(
      out_shape({.op_type = "Flatten", .inputs = {x}, .attrs = attrs({{"axis", int64_t{0}}})}),
      (Shape{1, 120}));
  EXPECT_EQ(
      out_shape({.op_type = "Flatten", .inputs = {x}, .attrs = attrs({{"axis", int64_t{4}}})}),
      (Shape{120, 1}));
  EXPECT_EQ(
      out_shape({.op_type = "Flatten", .inputs = {x}, .attrs = attrs({{"axis", int64_t{-1}}})}),
      (Shape{24, 5}));
  auto y = run_op({.op_type = "Flatten", .inputs = {x}, .attrs = attrs({{"axis", int64_t{2}}})});
  EXPECT_EQ(y[0].to_vector<float>(), x.to_vector<float>());
  expect_error({.op_type = "Flatten", .inputs = {x}, .attrs = attrs({{"axis", int64_t{5}}})},
               "out of range");
}

TEST(Squeeze, AxesInputAttributeAndDefault) {
  Tensor x = iota({1, 3, 1, 2});
  EXPECT_EQ(out_shape({.op_type = "Squeeze", .inputs = {x}}), (Shape{3, 2}));
  EXPECT_EQ(out_shape({.op_type = "Squeeze", .inputs = {x, ints({-2})}}), (Shape{1, 3, 2}));
  EXPECT_EQ(out_shape({.op_type = "Squeeze",
                       .inputs = {x},
                       .attrs = attrs({{"axes", std::vector<int64_t>{0}}}),
                       .opset = 11}),
            (Shape{3, 1, 2}));
  auto y = run_op({.op_type = "Squeeze", .inputs = {x, ints({0, 2})}});
  EXPECT_EQ(y[0].to_vector<float>(), x.to_vector<float>());
  expect_error({.op_type = "Squeeze", .inputs = {x, ints({1})}}, "not 1");
  expect_error({.op_type = "Squeeze", .inputs = {x, ints({4})}}, "out of range");
  expect_error({.op_type = "Squeeze", .inputs = {x, ints({0, -4})}}, "twice");
}

TEST(Unsqueeze, InsertsOnesAtNormalizedOutputAxes) {
  Tensor x = iota({3, 4});
  EXPECT_EQ(out_shape({.op_type = "Unsqueeze", .inputs = {x, ints({0})}}), (Shape{1, 3, 4}));
  EXPECT_EQ(out_shape({.op_type = "Unsqueeze", .inputs = {x, ints({-1})}}), (Shape{3, 4, 1}));
  EXPECT_EQ(out_shape({.op_type = "Unsqueeze", .inputs = {x, ints({3, 1})}}), (Shape{3, 1, 4, 1}));
  EXPECT_EQ(out_shape({.op_type = "Unsqueeze",
                       .inputs = {x},
                       .attrs = attrs({{"axes", std::vector<int64_t>{0, 3}}}),
                       .opset = 11}),
            (Shape{1, 3, 4, 1}));
  EXPECT_EQ(out_shape({.op_type = "Unsqueeze", .inputs = {Tensor::scalar(1.0f), ints({0})}}),
            (Shape{1}));
  expect_error({.op_type = "Unsqueeze", .inputs = {x, ints({3})}}, "out of range");
  expect_error({.op_type = "Unsqueeze", .inputs = {x, ints({1, 1})}}, "twice");
  expect_error({.op_type = "Unsqueeze", .inputs = {x}}, "axes are required");
}

// Optimized, a permutation that moves only unit axes runs as a reshape in place; one that
// reorders longer axes still permutes.
TEST(Transpose, MovingOnlyUnitAxesRunsInPlace) {
  const KernelOptions fast{true, best_isa(), nullptr};
  Tensor x = iota({3, 1, 4});
  const OpCall unit_move{.op_type = "Transpose",
                         .inputs = {x},
                         .attrs = attrs({{"perm", std::vector<int64_t>{1, 0, 2}}}),
                         .kernel_options = fast};
  EXPECT_EQ(prepare_op(unit_move).inplace_input, 0);
  auto y = run_op(unit_move);
  EXPECT_EQ(y[0].shape(), (Shape{1, 3, 4}));
  EXPECT_EQ(y[0].to_vector<float>(), x.to_vector<float>());
  const OpCall reorder{.op_type = "Transpose",
                       .inputs = {x},
                       .attrs = attrs({{"perm", std::vector<int64_t>{2, 1, 0}}}),
                       .kernel_options = fast};
  EXPECT_NE(prepare_op(reorder).inplace_input, 0);
  auto z = run_op(reorder);
  auto want = run_op({.op_type = "Transpose",
                      .inputs = {x},
                      .attrs = attrs({{"perm", std::vector<int64_t>{2, 1, 0}}})});
  EXPECT_EQ(z[0].shape(), (Shape{4, 1, 3}));
  EXPECT_EQ(z[0].to_vector<float>(), want[0].to_vector<float>());
}

TEST(Transpose, PermutesAndDefaultsToReverse) {
  Tensor x = iota({2, 3});
  auto y = run_op({.op_type = "Transpose", .inputs = {x}});
  EXPECT_EQ(y[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(y[0].to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  // 3-D perm checked against the index formula y[i][j][k] = x[k][i][j] for perm (1, 2, 0)...
  Tensor z = iota({2, 3, 4});
  auto t = run_op({.op_type = "Transpose",
                   .inputs = {z},
                   .attrs = attrs({{"perm", std::vector<int64_t>{2, 0, 1}}})});
  ASSERT_EQ(t[0].shape(), (Shape{4, 2, 3}));
  std::vector<float> got = t[0].to_vector<float>();
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 3; ++c)
        EXPECT_EQ(got[static_cast<size_t>((a * 2 + b) * 3 + c)],
                  static_cast<float>((b * 3 + c) * 4 + a));
  // Works on any element size (bool, int16, double).
  auto b = run_op(
      {.op_type = "Transpose", .inputs = {Tensor::from_vector<int16_t>({2, 2}, {1, 2, 3, 4})}});
  EXPECT_EQ(b[0].to_vector<int>(), (std::vector<int>{1, 3, 2, 4}));
  auto d =
      run_op({.op_type = "Transpose", .inputs = {Tensor::from_vector<double>({1, 2}, {5, 6})}});
  EXPECT_EQ(d[0].shape(), (Shape{2, 1}));
  expect_error({.op_type = "Transpose",
                .inputs = {x},
                .attrs = attrs({{"perm", std::vector<int64_t>{0, 0}}})},
               "twice");
  expect_error({.op_type = "Transpose",
                .inputs = {x},
                .attrs = attrs({{"perm", std::vector<int64_t>{1, 0, 2}}})},
               "perm");
}

TEST(Expand, BroadcastsBothWays) {
  Tensor x = Tensor::from_vector<int32_t>({3, 1}, {1, 2, 3});
  auto y = run_op({.op_type = "Expand", .inputs = {x, ints({2, 1, 2})}});
  ASSERT_EQ(y[0].shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(y[0].to_vector<int>(), (std::vector<int>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
  // The shape may be smaller than the input's (bidirectional broadcast).
  EXPECT_EQ(out_shape({.op_type = "Expand", .inputs = {iota({2, 3}), ints({1})}}), (Shape{2, 3}));
  expect_error({.op_type = "Expand", .inputs = {iota({2, 3}), ints({4})}}, "cannot broadcast");
  EXPECT_THROW(prepare_op({.op_type = "Expand",
                           .inputs = {iota({2, 3}), ints({2, 3})},
                           .all_inputs_constant = false}),
               NeedsConstantError);
}

TEST(Identity, CopiesAnyType) {
  Tensor x = Tensor::from_vector<bool>({3}, {true, false, true});
  auto y = run_op({.op_type = "Identity", .inputs = {x}});
  EXPECT_EQ(y[0].dtype(), DType::kBool);
  EXPECT_EQ(y[0].to_vector<int>(), (std::vector<int>{1, 0, 1}));
}

TEST(Dropout, InferenceCopiesAndMaskIsTrue) {
  Tensor x = iota({2, 2});
  auto y = run_op({.op_type = "Dropout",
                   .inputs = {x, Tensor::scalar(0.5f), Tensor::scalar(false)},
                   .num_outputs = 2});
  EXPECT_EQ(y[0].to_vector<float>(), x.to_vector<float>());
  EXPECT_EQ(y[1].dtype(), DType::kBool);
  EXPECT_EQ(y[1].to_vector<int>(), (std::vector<int>{1, 1, 1, 1}));
  auto old = run_op({.op_type = "Dropout", .inputs = {x}, .num_outputs = 2, .opset = 7});
  EXPECT_EQ(old[1].dtype(), DType::kFloat32);
  EXPECT_EQ(old[1].to_vector<float>(), (std::vector<float>{1, 1, 1, 1}));
  EXPECT_THROW(
      prepare_op({.op_type = "Dropout", .inputs = {x, Tensor::scalar(0.5f), Tensor::scalar(true)}}),
      UnsupportedError);
  // Training with ratio 0 drops nothing, so it is supported.
  auto zero = run_op({.op_type = "Dropout",
                      .inputs = {x, Tensor::scalar(0.0f), Tensor::scalar(true)},
                      .num_outputs = 2});
  EXPECT_EQ(zero[0].to_vector<float>(), x.to_vector<float>());
  EXPECT_EQ(zero[1].to_vector<int>(), (std::vector<int>{1, 1, 1, 1}));
  EXPECT_THROW(prepare_op({.op_type = "Dropout",
                           .inputs = {x, Tensor::scalar(0.0f), Tensor::scalar(true)},
                           .all_inputs_constant = false,
                           .constant_inputs = {2}}),
               NeedsConstantError);
}

TEST(ShapeOp, ShapeWithStartEndAndSize) {
  Tensor x = iota({2, 3, 4, 5});
  auto y = run_op({.op_type = "Shape", .inputs = {x}});
  EXPECT_EQ(y[0].to_vector<int64_t>(), (std::vector<int64_t>{2, 3, 4, 5}));
  auto s = run_op({.op_type = "Shape",
                   .inputs = {x},
                   .attrs = attrs({{"start", int64_t{1}}, {"end", int64_t{-1}}})});
  EXPECT_EQ(s[0].to_vector<int64_t>(), (std::vector<int64_t>{3, 4}));
  auto c = run_op({.op_type = "Shape",
                   .inputs = {x},
                   .attrs = attrs({{"start", int64_t{-10}}, {"end", int64_t{10}}})});
  EXPECT_EQ(c[0].to_vector<int64_t>(), (std::vector<int64_t>{2, 3, 4, 5}));
  auto e = run_op({.op_type = "Shape",
                   .inputs = {x},
                   .attrs = attrs({{"start", int64_t{3}}, {"end", int64_t{1}}})});
  EXPECT_EQ(e[0].shape(), (Shape{0}));
  auto n = run_op({.op_type = "Size", .inputs = {x}});
  EXPECT_EQ(n[0].shape(), Shape{});
  EXPECT_EQ(n[0].to_vector<int64_t>(), (std::vector<int64_t>{120}));
}

TEST(Constant, EveryValueAttribute) {
  Tensor t = Tensor::from_vector<int32_t>({2}, {4, 5});
  auto a = run_op({.op_type = "Constant", .attrs = attrs({{"value", t}})});
  EXPECT_EQ(a[0].dtype(), DType::kInt32);
  EXPECT_EQ(a[0].to_vector<int>(), (std::vector<int>{4, 5}));
  auto f = run_op({.op_type = "Constant", .attrs = attrs({{"value_float", 2.5f}})});
  EXPECT_EQ(f[0].shape(), Shape{});
  EXPECT_EQ(f[0].to_vector<float>(), (std::vector<float>{2.5f}));
  auto fs =
      run_op({.op_type = "Constant", .attrs = attrs({{"value_floats", std::vector<float>{1, 2}}})});
  EXPECT_EQ(fs[0].shape(), (Shape{2}));
  auto i = run_op({.op_type = "Constant", .attrs = attrs({{"value_int", int64_t{-7}}})});
  EXPECT_EQ(i[0].dtype(), DType::kInt64);
  EXPECT_EQ(i[0].to_vector<int64_t>(), (std::vector<int64_t>{-7}));
  auto is = run_op(
      {.op_type = "Constant", .attrs = attrs({{"value_ints", std::vector<int64_t>{3, 4, 5}}})});
  EXPECT_EQ(is[0].to_vector<int64_t>(), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_THROW(
      prepare_op({.op_type = "Constant", .attrs = attrs({{"value_string", std::string("x")}})}),
      UnsupportedError);
  EXPECT_THROW(prepare_op({.op_type = "Constant", .attrs = attrs({{"sparse_value", t}})}),
               UnsupportedError);
  expect_error({.op_type = "Constant"}, "none of the attributes");
}

TEST(ConstantOfShape, FillsWithValue) {
  auto z = run_op({.op_type = "ConstantOfShape", .inputs = {ints({2, 3})}});
  EXPECT_EQ(z[0].dtype(), DType::kFloat32);
  EXPECT_EQ(z[0].to_vector<float>(), std::vector<float>(6, 0.0f));
  auto v = run_op({.op_type = "ConstantOfShape",
                   .inputs = {ints({3})},
                   .attrs = attrs({{"value", Tensor::from_vector<int32_t>({1}, {9})}})});
  EXPECT_EQ(v[0].dtype(), DType::kInt32);
  EXPECT_EQ(v[0].to_vector<int>(), (std::vector<int>{9, 9, 9}));
  auto e = run_op({.op_type = "ConstantOfShape", .inputs = {ints({0})}});
  EXPECT_EQ(e[0].shape(), (Shape{0}));
  expect_error({.op_type = "ConstantOfShape", .inputs = {ints({2, -1})}}, "negative");
  expect_error({.op_type = "ConstantOfShape",
                .inputs = {ints({2})},
                .attrs = attrs({{"value", Tensor::from_vector<float>({2}, {1, 2})}})},
               "exactly one element");
  EXPECT_THROW(
      prepare_op(
          {.op_type = "ConstantOfShape", .inputs = {ints({2})}, .all_inputs_constant = false}),
      NeedsConstantError);
}

}  // namespace
}  // namespace hone
