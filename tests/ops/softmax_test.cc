// Softmax, LogSoftmax and Hardmax through the registry: hand-computed values, both axis
// conventions (opset < 13 flattens to 2-D, opset 13+ uses one axis), stability, NaN, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::attrs;
using test::run_op;

// Softmax over one axis of a [a, b, c] tensor computed directly from the definition.
std::vector<double> softmax_3d(const std::vector<float>& x, int64_t a, int64_t b, int64_t c,
                               int axis) {
  std::vector<double> y(x.size());
  auto at = [&](int64_t i, int64_t j, int64_t k) { return (i * b + j) * c + k; };
  int64_t dims[3] = {a, b, c};
  for (int64_t i = 0; i < a; ++i)
    for (int64_t j = 0; j < b; ++j)
      for (int64_t k = 0; k < c; ++k) {
        double sum = 0;
        for (int64_t t = 0; t < dims[axis]; ++t) {
          int64_t idx = axis == 0 ? at(t, j, k) : axis == 1 ? at(i, t, k) : at(i, j, t);
          sum += std::exp(static_cast<double>(x[idx]));
        }
        y[at(i, j, k)] = std::exp(static_cast<double>(x[at(i, j, k)])) / sum;
      }
  return y;
}

std::vector<float> ramp(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::sin(static_cast<float>(i) * 0.7f) * 3;
  return v;
}

void expect_near_all(const std::vector<float>& got, const std::vector<double>& want,
                     double tol = 1e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

TEST(Softmax, HandComputedRow) {
  Tensor x = Tensor::from_vector<float>({1, 3}, {1, 2, 3});
  auto y = run_op({.op_type = "Softmax", .inputs = {x}})[0].to_vector<float>();
  double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  expect_near_all(y, {std::exp(1.0) / s, std::exp(2.0) / s, std::exp(3.0) / s});
}

TEST(Softmax, Opset13UsesSingleAxis) {
  std::vector<float> xv = ramp(2 * 3 * 4);
  Tensor x = Tensor::from_vector<float>({2, 3, 4}, xv);
  for (int axis = 0; axis < 3; ++axis) {
    auto y = run_op({.op_type = "Softmax",
                     .inputs = {x},
                     .attrs = attrs({{"axis", int64_t{axis}}}),
                     .opset = 13})[0]
                 .to_vector<float>();
    expect_near_all(y, softmax_3d(xv, 2, 3, 4, axis));
  }
  // Default axis is -1 from opset 13.
  auto y = run_op({.op_type = "Softmax", .inputs = {x}, .opset = 13})[0].to_vector<float>();
  expect_near_all(y, softmax_3d(xv, 2, 3, 4, 2));
  y = run_op({.op_type = "Softmax", .inputs = {x}, .attrs = attrs({{"axis", int64_t{-2}}})})[0]
          .to_vector<float>();
  expect_near_all(y, softmax_3d(xv, 2, 3, 4, 1));
}

TEST(Softmax, OldOpsetsFlattenTo2D) {
  std::vector<float> xv = ramp(2 * 3 * 4);
  Tensor x = Tensor::from_vector<float>({2, 3, 4}, xv);
  // Default axis 1: rows of 12 = softmax over the last axis of a [2, 1, 12] view.
  auto y = run_op({.op_type = "Softmax", .inputs = {x}, .opset = 11})[0].to_vector<float>();
  expect_near_all(y, softmax_3d(xv, 2, 1, 12, 2));
  // axis 2: rows of 4, the same as the single-axis form along the last axis.
  y = run_op({.op_type = "Softmax",
              .inputs = {x},
              .attrs = attrs({{"axis", int64_t{2}}}),
              .opset = 11})[0]
          .to_vector<float>();
  expect_near_all(y, softmax_3d(xv, 2, 3, 4, 2));
  // axis 0: one row of all 24 elements.
  y = run_op({.op_type = "Softmax",
              .inputs = {x},
              .attrs = attrs({{"axis", int64_t{0}}}),
              .opset = 1})[0]
          .to_vector<float>();
  expect_near_all(y, softmax_3d(xv, 1, 1, 24, 2));
  double total = 0;
  for (float v : y) total += v;
  EXPECT_NEAR(total, 1.0, 1e-5);
}

TEST(Softmax, StableForLargeInputsAndPropagatesNaN) {
  Tensor x = Tensor::from_vector<float>({2, 4}, {0, 1, 2, 3, 10000, 10001, 10002, 10003});
  auto y = run_op({.op_type = "Softmax", .inputs = {x}})[0].to_vector<float>();
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(y[static_cast<size_t>(i)], y[static_cast<size_t>(i + 4)], 1e-7);
  for (float v : y) EXPECT_TRUE(std::isfinite(v));
  auto ly = run_op({.op_type = "LogSoftmax", .inputs = {x}})[0].to_vector<float>();
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(ly[static_cast<size_t>(i + 4)], std::log(y[static_cast<size_t>(i)]), 1e-5);
  float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor xn = Tensor::from_vector<float>({2, 2}, {1, nan, 1, 2});
  auto yn = run_op({.op_type = "Softmax", .inputs = {xn}})[0].to_vector<float>();
  EXPECT_TRUE(std::isnan(yn[0]));
  EXPECT_TRUE(std::isnan(yn[1]));
  EXPECT_FALSE(std::isnan(yn[2]));
}

TEST(LogSoftmax, EqualsLogOfSoftmaxAndKeepsTinyValues) {
  std::vector<float> xv = ramp(3 * 5);
  Tensor x = Tensor::from_vector<float>({3, 5}, xv);
  auto ly = run_op({.op_type = "LogSoftmax", .inputs = {x}})[0].to_vector<float>();
  auto ref = softmax_3d(xv, 1, 3, 5, 2);
  for (auto& v : ref) v = std::log(v);
  expect_near_all(ly, ref, 1e-5);
  // A value so small that exp underflows in float still has a finite log-probability.
  Tensor far = Tensor::from_vector<float>({1, 2}, {0, -200});
  auto lf = run_op({.op_type = "LogSoftmax", .inputs = {far}})[0].to_vector<float>();
  EXPECT_NEAR(lf[1], -200, 1e-3);
}

TEST(Hardmax, FirstMaximumWins) {
  Tensor x = Tensor::from_vector<float>({3, 3}, {1, 3, 3, 5, 2, 1, -1, -1, -1});
  auto y = run_op({.op_type = "Hardmax", .inputs = {x}})[0].to_vector<float>();
  EXPECT_EQ(y, (std::vector<float>{0, 1, 0, 1, 0, 0, 1, 0, 0}));
  // Along axis 0 (opset 13).
  y = run_op({.op_type = "Hardmax", .inputs = {x}, .attrs = attrs({{"axis", int64_t{0}}})})[0]
          .to_vector<float>();
  EXPECT_EQ(y, (std::vector<float>{0, 1, 1, 1, 0, 0, 0, 0, 0}));
  // Opset 11, axis 0: a single one over the whole tensor.
  y = run_op({.op_type = "Hardmax",
              .inputs = {x},
              .attrs = attrs({{"axis", int64_t{0}}}),
              .opset = 11})[0]
          .to_vector<float>();
  EXPECT_EQ(y, (std::vector<float>{0, 0, 0, 1, 0, 0, 0, 0, 0}));
}

TEST(Softmax, Float64) {
  Tensor x = Tensor::from_vector<double>({2}, {0, std::log(3.0)});
  Tensor y = run_op({.op_type = "Softmax", .inputs = {x}})[0];
  EXPECT_EQ(y.dtype(), DType::kFloat64);
  auto v = y.to_vector<double>();
  EXPECT_NEAR(v[0], 0.25, 1e-15);
  EXPECT_NEAR(v[1], 0.75, 1e-15);
}

TEST(Softmax, RejectsBadAxisAndDtype) {
  Tensor x(DType::kFloat32, {2, 3});
  for (const char* op : {"Softmax", "LogSoftmax", "Hardmax"}) {
    for (int64_t axis : {int64_t{2}, int64_t{-3}}) {
      try {
        test::prepare_op({.op_type = op, .inputs = {x}, .attrs = attrs({{"axis", axis}})});
        FAIL() << op << " accepted axis " << axis;
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(test::kTestNodeName), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("axis"), std::string::npos);
      }
    }
  }
  EXPECT_THROW(test::prepare_op({.op_type = "Softmax", .inputs = {Tensor(DType::kInt32, {2})}}),
               Error);
  EXPECT_THROW(test::prepare_op({.op_type = "Softmax", .inputs = {Tensor(DType::kFloat32, {})}}),
               Error);
}

}  // namespace
}  // namespace hone
