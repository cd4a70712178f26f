// Slice, Concat, Split, Pad and Tile through the registry.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::attrs;
using test::infer_types;
using test::OpCall;
using test::prepare_op;
using test::run_op;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

Tensor iota(const Shape& shape) {
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return Tensor::from_vector<float>(shape, v);
}
Tensor ints(std::vector<int64_t> v) {
  return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
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

std::vector<float> slice1d(int64_t n, int64_t start, int64_t end, int64_t step) {
  auto y = run_op({.op_type = "Slice",
                   .inputs = {iota({n}), ints({start}), ints({end}), ints({0}), ints({step})}});
  return values(y[0]);
}

TEST(Slice, StartsEndsAxesSteps) {
  auto y = run_op({.op_type = "Slice", .inputs = {iota({3, 4}), ints({0, 1}), ints({2, 3})}});
  ASSERT_EQ(y[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values(y[0]), (std::vector<float>{1, 2, 5, 6}));
  // Only axis -1, every second element.
  auto z = run_op(
      {.op_type = "Slice", .inputs = {iota({2, 5}), ints({0}), ints({5}), ints({-1}), ints({2})}});
  EXPECT_EQ(values(z[0]), (std::vector<float>{0, 2, 4, 5, 7, 9}));
}

TEST(Slice, NegativeStepsClampingAndInfiniteEnds) {
  EXPECT_EQ(slice1d(5, -1, kMin, -1), (std::vector<float>{4, 3, 2, 1, 0}));
  EXPECT_EQ(slice1d(5, 4, 0, -2), (std::vector<float>{4, 2}));
  EXPECT_EQ(slice1d(5, 1, kMax, 1), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(slice1d(5, -100, 100, 1), (std::vector<float>{0, 1, 2, 3, 4}));
  EXPECT_EQ(slice1d(5, 100, -100, -3), (std::vector<float>{4, 1}));
  EXPECT_EQ(slice1d(5, 10, 20, 1), (std::vector<float>{}));
  EXPECT_EQ(slice1d(5, 3, 1, 1), (std::vector<float>{}));
  EXPECT_EQ(slice1d(5, -2, -1, 1), (std::vector<float>{3}));
}

TEST(Slice, ThreeDimsMatchIndexFormula) {
  Tensor x = iota({4, 5, 6});
  auto y = run_op(
      {.op_type = "Slice",
       .inputs = {x, ints({3, 1, -1}), ints({kMin, 5, 0}), ints({0, 1, 2}), ints({-2, 2, -1})}});
  // axis 0: 3, 1; axis 1: 1, 3; axis 2: 5, 4, 3, 2, 1.
  ASSERT_EQ(y[0].shape(), (Shape{2, 2, 5}));
  std::vector<float> got = values(y[0]);
  size_t e = 0;
  for (int i : {3, 1})
    for (int j : {1, 3})
      for (int k : {5, 4, 3, 2, 1}) EXPECT_EQ(got[e++], static_cast<float>((i * 5 + j) * 6 + k));
}

TEST(Slice, Opset9AttributesAndInt32Inputs) {
  auto y = run_op({.op_type = "Slice",
                   .inputs = {iota({3, 4})},
                   .attrs = attrs({{"starts", std::vector<int64_t>{1}},
                                   {"ends", std::vector<int64_t>{1000}},
                                   {"axes", std::vector<int64_t>{1}}}),
                   .opset = 9});
  EXPECT_EQ(values(y[0]), (std::vector<float>{1, 2, 3, 5, 6, 7, 9, 10, 11}));
  auto z = run_op({.op_type = "Slice",
                   .inputs = {iota({4}), Tensor::from_vector<int32_t>({1}, {1}),
                              Tensor::from_vector<int32_t>({1}, {3})}});
  EXPECT_EQ(values(z[0]), (std::vector<float>{1, 2}));
}

TEST(Slice, Errors) {
  Tensor x = iota({3, 4});
  expect_error({.op_type = "Slice", .inputs = {x, ints({0}), ints({1}), ints({0}), ints({0})}},
               "step");
  expect_error({.op_type = "Slice", .inputs = {x, ints({0, 0}), ints({1, 1}), ints({0, -2})}},
               "twice");
  expect_error({.op_type = "Slice", .inputs = {x, ints({0}), ints({1}), ints({2})}},
               "out of range");
  expect_error({.op_type = "Slice", .inputs = {x, ints({0, 1}), ints({1})}}, "different lengths");
  EXPECT_THROW(
      prepare_op(
          {.op_type = "Slice", .inputs = {x, ints({0}), ints({1})}, .all_inputs_constant = false}),
      NeedsConstantError);
}

TEST(Concat, JoinsAlongAxis) {
  Tensor a = Tensor::from_vector<int64_t>({2, 1}, {1, 2});
  Tensor b = Tensor::from_vector<int64_t>({2, 2}, {3, 4, 5, 6});
  auto y = run_op({.op_type = "Concat", .inputs = {a, b}, .attrs = attrs({{"axis", int64_t{-1}}})});
  ASSERT_EQ(y[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(y[0].to_vector<int64_t>(), (std::vector<int64_t>{1, 3, 4, 2, 5, 6}));
  Tensor empty(DType::kInt64, {0, 2});
  auto z = run_op(
      {.op_type = "Concat", .inputs = {b, empty, b}, .attrs = attrs({{"axis", int64_t{0}}})});
  ASSERT_EQ(z[0].shape(), (Shape{4, 2}));
  EXPECT_EQ(z[0].to_vector<int64_t>(), (std::vector<int64_t>{3, 4, 5, 6, 3, 4, 5, 6}));
  expect_error({.op_type = "Concat", .inputs = {a, b}, .attrs = attrs({{"axis", int64_t{0}}})},
               "incompatible");
  expect_error({.op_type = "Concat", .inputs = {a, b}, .attrs = attrs({{"axis", int64_t{2}}})},
               "out of range");
  expect_error({.op_type = "Concat",
                .inputs = {a, Tensor::from_vector<float>({2, 1}, {1, 2})},
                .attrs = attrs({{"axis", int64_t{1}}})},
               "element type");
  expect_error({.op_type = "Concat", .inputs = {a, b}}, "axis");
}

TEST(Split, EqualInputAttributeAndNumOutputs) {
  Tensor x = iota({2, 6});
  auto eq = run_op({.op_type = "Split",
                    .inputs = {x},
                    .attrs = attrs({{"axis", int64_t{1}}}),
                    .num_outputs = 3});
  ASSERT_EQ(eq.size(), 3u);
  EXPECT_EQ(values(eq[1]), (std::vector<float>{2, 3, 8, 9}));
  auto in = run_op({.op_type = "Split",
                    .inputs = {x, ints({1, 5})},
                    .attrs = attrs({{"axis", int64_t{-1}}}),
                    .num_outputs = 2});
  EXPECT_EQ(values(in[0]), (std::vector<float>{0, 6}));
  EXPECT_EQ(values(in[1]), (std::vector<float>{1, 2, 3, 4, 5, 7, 8, 9, 10, 11}));
  auto at = run_op({.op_type = "Split",
                    .inputs = {x},
                    .attrs = attrs({{"split", std::vector<int64_t>{1, 1}}}),
                    .num_outputs = 2,
                    .opset = 11});
  EXPECT_EQ(values(at[1]), (std::vector<float>{6, 7, 8, 9, 10, 11}));
  auto no = run_op({.op_type = "Split",
                    .inputs = {iota({5})},
                    .attrs = attrs({{"num_outputs", int64_t{2}}}),
                    .num_outputs = 2,
                    .opset = 18});
  EXPECT_EQ(values(no[0]), (std::vector<float>{0, 1, 2}));
  EXPECT_EQ(values(no[1]), (std::vector<float>{3, 4}));
  expect_error({.op_type = "Split", .inputs = {x, ints({1, 2})}, .num_outputs = 2}, "sums to");
  expect_error({.op_type = "Split", .inputs = {iota({5})}, .num_outputs = 2}, "equally");
  expect_error({.op_type = "Split", .inputs = {x, ints({2})}, .num_outputs = 2}, "split lists");
}

std::vector<float> pad1d(std::vector<float> x, int64_t begin, int64_t end, const char* mode) {
  auto y = run_op({.op_type = "Pad",
                   .inputs = {Tensor::from_vector<float>({static_cast<int64_t>(x.size())}, x),
                              ints({begin, end})},
                   .attrs = attrs({{"mode", std::string(mode)}})});
  return values(y[0]);
}

TEST(Pad, ModesByHand) {
  EXPECT_EQ(pad1d({1, 2, 3}, 2, 2, "reflect"), (std::vector<float>{3, 2, 1, 2, 3, 2, 1}));
  EXPECT_EQ(pad1d({1, 2, 3}, 2, 1, "edge"), (std::vector<float>{1, 1, 1, 2, 3, 3}));
  EXPECT_EQ(pad1d({1, 2, 3}, 1, 2, "constant"), (std::vector<float>{0, 1, 2, 3, 0, 0}));
  EXPECT_EQ(pad1d({1, 2, 3}, -1, 1, "constant"), (std::vector<float>{2, 3, 0}));
  EXPECT_EQ(pad1d({1, 2, 3}, -1, 1, "reflect"), (std::vector<float>{2, 3, 2}));
  EXPECT_EQ(pad1d({1, 2, 3}, 0, -3, "edge"), (std::vector<float>{}));
  EXPECT_EQ(pad1d({5}, 2, 1, "reflect"), (std::vector<float>{5, 5, 5, 5}));
}

TEST(Pad, TwoDimsWithConstantValueInput) {
  Tensor x = Tensor::from_vector<int32_t>({2, 2}, {1, 2, 3, 4});
  auto y =
      run_op({.op_type = "Pad", .inputs = {x, ints({1, 0, 0, 1}), Tensor::scalar<int32_t>(9)}});
  ASSERT_EQ(y[0].shape(), (Shape{3, 3}));
  EXPECT_EQ(y[0].to_vector<int>(), (std::vector<int>{9, 9, 9, 1, 2, 9, 3, 4, 9}));
  // The constant value may be a runtime input; only pads must be constant.
  auto r = run_op({.op_type = "Pad",
                   .inputs = {x, ints({0, 1, 0, 0}), Tensor::scalar<int32_t>(-1)},
                   .all_inputs_constant = false,
                   .constant_inputs = {1}});
  EXPECT_EQ(r[0].to_vector<int>(), (std::vector<int>{-1, 1, 2, -1, 3, 4}));
  auto e = run_op({.op_type = "Pad",
                   .inputs = {x, ints({1, 1, 1, 1})},
                   .attrs = attrs({{"mode", std::string("edge")}})});
  EXPECT_EQ(e[0].to_vector<int>(),
            (std::vector<int>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
  // Opset 18 axes input pads only the listed axes.
  auto a =
      run_op({.op_type = "Pad", .inputs = {x, ints({1, 0}), Tensor(), ints({-1})}, .opset = 18});
  EXPECT_EQ(a[0].to_vector<int>(), (std::vector<int>{0, 1, 2, 0, 3, 4}));
}

TEST(Pad, Opset2Attributes) {
  auto y = run_op({.op_type = "Pad",
                   .inputs = {Tensor::from_vector<float>({2}, {1, 2})},
                   .attrs = attrs({{"pads", std::vector<int64_t>{1, 2}}, {"value", 5.0f}}),
                   .opset = 2});
  EXPECT_EQ(values(y[0]), (std::vector<float>{5, 1, 2, 5, 5}));
}

TEST(Pad, Errors) {
  Tensor x = iota({2, 2});
  expect_error({.op_type = "Pad", .inputs = {x, ints({1, 1})}}, "pads has 2 values");
  expect_error({.op_type = "Pad", .inputs = {x, ints({-2, 0, -1, 0})}}, "crop");
  expect_error({.op_type = "Pad",
                .inputs = {x, ints({1, 1, 1, 1})},
                .attrs = attrs({{"mode", std::string("mirror")}})},
               "unknown pad mode");
  expect_error({.op_type = "Pad",
                .inputs = {Tensor(DType::kFloat32, {0}), ints({1, 0})},
                .attrs = attrs({{"mode", std::string("edge")}})},
               "empty axis");
  EXPECT_THROW(
      prepare_op(
          {.op_type = "Pad", .inputs = {x, ints({1, 1, 1, 1})}, .all_inputs_constant = false}),
      NeedsConstantError);
}

TEST(Tile, RepeatsEachDim) {
  Tensor x = Tensor::from_vector<uint8_t>({2, 2}, {1, 2, 3, 4});
  auto y = run_op({.op_type = "Tile", .inputs = {x, ints({2, 3})}});
  ASSERT_EQ(y[0].shape(), (Shape{4, 6}));
  std::vector<int> got = y[0].to_vector<int>();
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 6; ++j)
      EXPECT_EQ(got[static_cast<size_t>(i * 6 + j)], (i % 2) * 2 + (j % 2) + 1) << i << "," << j;
  auto z = run_op({.op_type = "Tile", .inputs = {x, ints({0, 1})}});
  EXPECT_EQ(z[0].shape(), (Shape{0, 2}));
  expect_error({.op_type = "Tile", .inputs = {x, ints({2})}}, "repeats has 1");
  expect_error({.op_type = "Tile", .inputs = {x, ints({2, -1})}}, "negative");
  EXPECT_THROW(
      prepare_op({.op_type = "Tile", .inputs = {x, ints({1, 1})}, .all_inputs_constant = false}),
      NeedsConstantError);
}

}  // namespace
}  // namespace hone
