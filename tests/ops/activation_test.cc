// Activation family through the registry: hand-computed values, attributes, NaN handling,
// PRelu broadcasting, Clip's input and attribute forms, and validation errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::attrs;
using test::max_abs_diff;
using test::run_op;

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

Tensor f32(Shape shape, std::vector<float> v) {
  return Tensor::from_vector(shape, v);
}
Tensor vec(std::vector<float> v) {
  return f32({static_cast<int64_t>(v.size())}, v);
}

std::vector<float> run1(const std::string& op, std::vector<float> x, Attributes a = {}) {
  return run_op({.op_type = op, .inputs = {vec(x)}, .attrs = a})[0].to_vector<float>();
}

void expect_near_all(const std::vector<float>& got, const std::vector<double>& want,
                     double tol = 1e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tol * std::max(1.0, std::fabs(want[i]))) << "element " << i;
}

void expect_error_naming_node(const test::OpCall& call, const std::string& fragment) {
  try {
    test::prepare_op(call);
    FAIL() << "expected hone::Error containing '" << fragment << "'";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(test::kTestNodeName), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  }
}

TEST(Activation, ReluHandValuesAndNaN) {
  auto y = run1("Relu", {-2, -0.5f, 0, 0.5f, 3, kNaN, -kInf, kInf});
  EXPECT_EQ(y[0], 0);
  EXPECT_EQ(y[1], 0);
  EXPECT_EQ(y[2], 0);
  EXPECT_EQ(y[3], 0.5f);
  EXPECT_EQ(y[4], 3);
  EXPECT_TRUE(std::isnan(y[5]));
  EXPECT_EQ(y[6], 0);
  EXPECT_EQ(y[7], kInf);
}

TEST(Activation, ReluIntegerAndDouble) {
  Tensor xi = Tensor::from_vector<int32_t>({4}, {-7, 0, 5, -1});
  EXPECT_EQ(run_op({.op_type = "Relu", .inputs = {xi}})[0].to_vector<int32_t>(),
            (std::vector<int32_t>{0, 0, 5, 0}));
  Tensor xl = Tensor::from_vector<int64_t>({2}, {-(int64_t{1} << 60), (int64_t{1} << 60) + 1});
  EXPECT_EQ(run_op({.op_type = "Relu", .inputs = {xl}})[0].to_vector<int64_t>(),
            (std::vector<int64_t>{0, (int64_t{1} << 60) + 1}));
  Tensor xd = Tensor::from_vector<double>({2}, {-1.5, 2.25});
  Tensor yd = run_op({.op_type = "Relu", .inputs = {xd}})[0];
  EXPECT_EQ(yd.dtype(), DType::kFloat64);
  EXPECT_EQ(yd.to_vector<double>(), (std::vector<double>{0, 2.25}));
}

TEST(Activation, LeakyReluDefaultAndAlpha) {
  expect_near_all(run1("LeakyRelu", {-2, 3}), {-0.02, 3});
  expect_near_all(run1("LeakyRelu", {-2, 3}, attrs({{"alpha", 0.5f}})), {-1, 3});
}

TEST(Activation, EluSeluCelu) {
  expect_near_all(run1("Elu", {-1, 0, 2}), {std::exp(-1.0) - 1, 0, 2});
  expect_near_all(run1("Elu", {-1, 2}, attrs({{"alpha", 2.0f}})), {2 * (std::exp(-1.0) - 1), 2});
  const double a = 1.67326319217681884765625, g = 1.05070102214813232421875;
  expect_near_all(run1("Selu", {-1, 0, 2}), {g * (a * std::exp(-1.0) - a), 0, g * 2});
  expect_near_all(run1("Selu", {-1, 2}, attrs({{"alpha", 2.0f}, {"gamma", 3.0f}})),
                  {3 * (2 * std::exp(-1.0) - 2), 6});
  // Celu(x) = max(0,x) + min(0, alpha*(exp(x/alpha)-1)).
  expect_near_all(run1("Celu", {-1, 0, 2}, attrs({{"alpha", 2.0f}})),
                  {2 * (std::exp(-0.5) - 1), 0, 2});
  // Celu with alpha 1 equals Elu with alpha 1 (a second formulation).
  std::vector<float> x = {-3, -0.25f, 0.75f, 4};
  expect_near_all(run1("Celu", x), {std::expm1(-3.0), std::expm1(-0.25), 0.75, 4});
}

// Gelu (opset 20): hand values of Φ (the normal CDF) and of the tanh form, which agree to
// about 1e-3; a bad `approximate` names the node.
TEST(Activation, GeluExactAndTanhForms) {
  // x * Φ(x): Φ(1) = 0.8413447461, Φ(-1) = 0.1586552539, Φ(2) = 0.9772498681.
  expect_near_all(run1("Gelu", {-1, 0, 1, 2}), {-0.1586552539, 0, 0.8413447461, 1.9544997361});
  const std::vector<float> x = {-3, -1, -0.5f, 0.5f, 1, 3};
  const std::vector<float> exact = run1("Gelu", x);
  const std::vector<float> approx = run1("Gelu", x, attrs({{"approximate", std::string("tanh")}}));
  for (size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    const double c = std::sqrt(2.0 / 3.14159265358979323846);
    EXPECT_NEAR(approx[i], 0.5 * v * (1 + std::tanh(c * (v + 0.044715 * v * v * v))), 1e-6);
    EXPECT_NEAR(approx[i], exact[i], 2e-3);
    EXPECT_NE(approx[i], exact[i]);
  }
  expect_error_naming_node({.op_type = "Gelu",
                            .inputs = {vec({1})},
                            .attrs = attrs({{"approximate", std::string("fast")}})},
                           "approximate");
}

TEST(Activation, SigmoidTanhAreStableForLargeInputs) {
  auto s = run1("Sigmoid", {0, 2, -2, 1000, -1000});
  expect_near_all(s, {0.5, 1 / (1 + std::exp(-2.0)), 1 / (1 + std::exp(2.0)), 1, 0});
  // sigmoid(x) + sigmoid(-x) == 1.
  EXPECT_NEAR(s[1] + s[2], 1.0, 1e-7);
  for (float v : s) EXPECT_FALSE(std::isnan(v));
  expect_near_all(run1("Tanh", {0, 0.5f, -3, 500}), {0, std::tanh(0.5), std::tanh(-3.0), 1});
  EXPECT_TRUE(std::isnan(run1("Sigmoid", {kNaN})[0]));
  EXPECT_TRUE(std::isnan(run1("Tanh", {kNaN})[0]));
}

TEST(Activation, HardSigmoidAndHardSwish) {
  expect_near_all(run1("HardSigmoid", {-10, 0, 1, 10}), {0, 0.5, 0.7, 1});
  expect_near_all(run1("HardSigmoid", {-1, 0, 1}, attrs({{"alpha", 0.5f}, {"beta", 0.6f}})),
                  {0.1, 0.6, 1});
  // HardSwish(x) = x * HardSigmoid(x) with alpha 1/6, beta 0.5.
  expect_near_all(run1("HardSwish", {-4, -1, 0, 1, 3, 5}), {0, -1.0 / 3, 0, 2.0 / 3, 3, 5});
  EXPECT_TRUE(std::isnan(run1("HardSwish", {kNaN})[0]));
  EXPECT_TRUE(std::isnan(run1("HardSigmoid", {kNaN})[0]));
}

TEST(Activation, SoftplusSoftsign) {
  auto y = run1("Softplus", {0, 1, -1, 100, -100});
  expect_near_all(y, {std::log(2.0), std::log1p(std::exp(1.0)), std::log1p(std::exp(-1.0)), 100,
                      std::exp(-100.0)});
  EXPECT_GT(y[4], 0);  // tiny but not flushed to zero by cancellation
  // softplus(x) - softplus(-x) == x.
  EXPECT_NEAR(y[1] - y[2], 1.0, 1e-6);
  expect_near_all(run1("Softsign", {-3, 0, 1}), {-0.75, 0, 0.5});
}

TEST(Activation, ThresholdedReluAndShrink) {
  expect_near_all(run1("ThresholdedRelu", {0.5f, 1, 1.5f, -2}), {0, 0, 1.5, 0});
  expect_near_all(run1("ThresholdedRelu", {1.5f, 2.5f}, attrs({{"alpha", 2.0f}})), {0, 2.5});
  expect_near_all(run1("Shrink", {-2, -0.5f, 0, 0.25f, 2}, attrs({{"lambd", 1.5f}})),
                  {-2, 0, 0, 0, 2});
  expect_near_all(run1("Shrink", {-2, -1, 0, 1, 2}, attrs({{"lambd", 1.5f}, {"bias", 1.5f}})),
                  {-0.5, 0, 0, 0, 0.5});
  Tensor xi = Tensor::from_vector<int32_t>({3}, {-5, 0, 5});
  EXPECT_EQ(run_op({.op_type = "Shrink", .inputs = {xi}, .attrs = attrs({{"lambd", 1.0f}})})[0]
                .to_vector<int32_t>(),
            (std::vector<int32_t>{-5, 0, 5}));
}

TEST(Activation, OutputKeepsShapeAndFlopsCount) {
  Tensor x(DType::kFloat32, {2, 3, 4});
  auto op = test::prepare_op({.op_type = "Sigmoid", .inputs = {x}});
  ASSERT_EQ(op.outputs.size(), 1u);
  EXPECT_EQ(op.outputs[0], (ValueType{DType::kFloat32, {2, 3, 4}}));
  EXPECT_GT(op.flops, 0);
}

TEST(Activation, RejectsBadDtypesAndInputs) {
  Tensor xi = Tensor::from_vector<int32_t>({1}, {1});
  expect_error_naming_node({.op_type = "Sigmoid", .inputs = {xi}}, "int32");
  expect_error_naming_node({.op_type = "Relu", .inputs = {vec({1}), vec({1})}}, "inputs");
  expect_error_naming_node(
      {.op_type = "Celu", .inputs = {vec({1})}, .attrs = attrs({{"alpha", 0.0f}})}, "alpha");
  expect_error_naming_node(
      {.op_type = "LeakyRelu", .inputs = {vec({1})}, .attrs = attrs({{"alpha", std::string("x")}})},
      "alpha");
}

// ---------------------------------------------------------------------------------------------
// PRelu

TEST(PRelu, ElementwiseAndBroadcastSlope) {
  Tensor x = f32({2, 3}, {-1, 2, -3, 4, -5, 6});
  Tensor full = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_near_all(run_op({.op_type = "PRelu", .inputs = {x, full}})[0].to_vector<float>(),
                  {-1, 2, -9, 4, -25, 6});
  Tensor last = f32({3}, {0.1f, 0.2f, 0.3f});  // broadcast along rows
  expect_near_all(run_op({.op_type = "PRelu", .inputs = {x, last}})[0].to_vector<float>(),
                  {-0.1, 2, -0.9, 4, -1.0, 6});
  Tensor col = f32({2, 1}, {0.5f, 2});  // broadcast along columns
  expect_near_all(run_op({.op_type = "PRelu", .inputs = {x, col}})[0].to_vector<float>(),
                  {-0.5, 2, -1.5, 4, -10, 6});
  Tensor one = f32({1}, {0.25f});
  expect_near_all(run_op({.op_type = "PRelu", .inputs = {x, one}})[0].to_vector<float>(),
                  {-0.25, 2, -0.75, 4, -1.25, 6});
}

TEST(PRelu, ChannelSlopeInOldOpset) {
  // Opset 6: a 1-D slope of length C applies along axis 1 of NCHW.
  std::vector<float> xv(2 * 3 * 2, -1.0f);
  Tensor x = f32({2, 3, 2}, xv);
  Tensor slope = f32({3}, {1, 2, 3});
  auto y = run_op({.op_type = "PRelu", .inputs = {x, slope}, .opset = 6})[0].to_vector<float>();
  expect_near_all(y, {-1, -1, -2, -2, -3, -3, -1, -1, -2, -2, -3, -3});
  // At opset 7+ the same shapes do not broadcast ([3] against trailing dim 2).
  expect_error_naming_node({.op_type = "PRelu", .inputs = {x, slope}, .opset = 16}, "broadcast");
}

TEST(PRelu, RejectsBadSlope) {
  Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_error_naming_node({.op_type = "PRelu", .inputs = {x, f32({2}, {1, 1})}}, "broadcast");
  // Slope must not be larger than X (unidirectional).
  expect_error_naming_node({.op_type = "PRelu", .inputs = {f32({3}, {1, 2, 3}), x}}, "broadcast");
  expect_error_naming_node(
      {.op_type = "PRelu", .inputs = {x, Tensor::from_vector<double>({1}, {1})}}, "slope");
}

// ---------------------------------------------------------------------------------------------
// Clip

TEST(Clip, InputBoundsAndAbsentBounds) {
  Tensor x = vec({-3, -1, 0, 1, 3, kNaN});
  auto y =
      run_op({.op_type = "Clip", .inputs = {x, Tensor::scalar(-1.5f), Tensor::scalar(2.0f)}})[0]
          .to_vector<float>();
  EXPECT_EQ(y[0], -1.5f);
  EXPECT_EQ(y[1], -1);
  EXPECT_EQ(y[4], 2);
  EXPECT_TRUE(std::isnan(y[5]));
  // Only max given (min absent as an empty input).
  y = run_op({.op_type = "Clip", .inputs = {x, Tensor(), Tensor::scalar(0.5f)}})[0]
          .to_vector<float>();
  EXPECT_EQ(y[0], -3);
  EXPECT_EQ(y[3], 0.5f);
  // No bounds: identity, infinities included.
  y = run_op({.op_type = "Clip", .inputs = {vec({-kInf, 7, kInf})}})[0].to_vector<float>();
  EXPECT_EQ(y, (std::vector<float>{-kInf, 7, kInf}));
  // min > max: everything becomes max (numpy.clip semantics).
  y = run_op({.op_type = "Clip",
              .inputs = {vec({-5, 0, 5}), Tensor::scalar(2.0f), Tensor::scalar(1.0f)}})[0]
          .to_vector<float>();
  EXPECT_EQ(y, (std::vector<float>{1, 1, 1}));
}

TEST(Clip, BoundsAreReadAtRunTimeNotPrepareTime) {
  // Bounds need not be constants: prepare must succeed without their values.
  Tensor x = vec({-3, 0, 3});
  auto y = run_op({.op_type = "Clip",
                   .inputs = {x, Tensor::scalar(-1.0f), Tensor::scalar(1.0f)},
                   .all_inputs_constant = false})[0]
               .to_vector<float>();
  EXPECT_EQ(y, (std::vector<float>{-1, 0, 1}));
}

TEST(Clip, IntegerTypes) {
  Tensor x = Tensor::from_vector<int8_t>({4}, {-128, -5, 5, 127});
  auto y = run_op({.op_type = "Clip",
                   .inputs = {x, Tensor::scalar<int8_t>(-10), Tensor::scalar<int8_t>(10)}})[0]
               .to_vector<int32_t>();
  EXPECT_EQ(y, (std::vector<int32_t>{-10, -5, 5, 10}));
  y = run_op({.op_type = "Clip", .inputs = {x}})[0].to_vector<int32_t>();
  EXPECT_EQ(y, (std::vector<int32_t>{-128, -5, 5, 127}));
  Tensor u = Tensor::from_vector<uint64_t>({2}, {3, 1000});
  EXPECT_EQ(run_op({.op_type = "Clip", .inputs = {u, Tensor(), Tensor::scalar<uint64_t>(10)}})[0]
                .to_vector<uint64_t>(),
            (std::vector<uint64_t>{3, 10}));
}

TEST(Clip, AttributeFormOfOldOpsets) {
  Tensor x = vec({-1, -0.25f, 0.25f, 1});
  auto y = run_op({.op_type = "Clip",
                   .inputs = {x},
                   .attrs = attrs({{"min", -0.5f}, {"max", 0.5f}}),
                   .opset = 6})[0]
               .to_vector<float>();
  EXPECT_EQ(y, (std::vector<float>{-0.5f, -0.25f, 0.25f, 0.5f}));
  y = run_op({.op_type = "Clip", .inputs = {x}, .attrs = attrs({{"min", 0.0f}}), .opset = 6})[0]
          .to_vector<float>();
  EXPECT_EQ(y, (std::vector<float>{0, 0, 0.25f, 1}));
}

TEST(Clip, RejectsBadBounds) {
  Tensor x = vec({1, 2});
  expect_error_naming_node({.op_type = "Clip", .inputs = {x, vec({0, 1})}}, "scalar");
  expect_error_naming_node({.op_type = "Clip", .inputs = {x, Tensor::scalar(1.0)}}, "float64");
  expect_error_naming_node({.op_type = "Clip", .inputs = {Tensor::scalar(true)}}, "bool");
}

}  // namespace
}  // namespace hone
