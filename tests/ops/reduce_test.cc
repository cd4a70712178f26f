// Reduce* and ArgMax/ArgMin through the registry: every reduction against a direct
// computation, keepdims, axes as attribute and as input, negative axes, noop_with_empty_axes,
// empty reductions, NaN, integer types and validation errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::attrs;
using test::run_op;

Tensor axes_tensor(std::vector<int64_t> axes) {
  return Tensor::from_vector<int64_t>({static_cast<int64_t>(axes.size())}, axes);
}

// A [3, 2, 2] tensor with distinct positive and negative values.
std::vector<float> sample() {
  return {1, -2, 3, 4, -5, 6, 7, 8, 9, -10, 0.5f, 12};
}

// Reduces the [3, 2, 2] sample over axis 1 with f(a, b) of the two values, for an
// independent check of every kind: y[i][k] = f(x[i][0][k], x[i][1][k]).
std::vector<double> pairwise_axis1(const std::function<double(double, double)>& f) {
  std::vector<float> x = sample();
  std::vector<double> y;
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 2; ++k)
      y.push_back(f(x[static_cast<size_t>(i * 4 + k)], x[static_cast<size_t>(i * 4 + 2 + k)]));
  return y;
}

void expect_near_all(const std::vector<float>& got, const std::vector<double>& want,
                     double rel = 1e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], rel * std::max(1.0, std::fabs(want[i]))) << "element " << i;
}

struct KindCase {
  const char* op;
  std::function<double(double, double)> pair;
};

TEST(Reduce, EveryKindOverOneAxisMatchesDirectFormula) {
  const std::vector<KindCase> cases = {
      {"ReduceSum", [](double a, double b) { return a + b; }},
      {"ReduceMean", [](double a, double b) { return (a + b) / 2; }},
      {"ReduceMax", [](double a, double b) { return std::max(a, b); }},
      {"ReduceMin", [](double a, double b) { return std::min(a, b); }},
      {"ReduceProd", [](double a, double b) { return a * b; }},
      {"ReduceL1", [](double a, double b) { return std::fabs(a) + std::fabs(b); }},
      {"ReduceL2", [](double a, double b) { return std::sqrt(a * a + b * b); }},
      {"ReduceSumSquare", [](double a, double b) { return a * a + b * b; }},
      {"ReduceLogSumExp", [](double a, double b) { return std::log(std::exp(a) + std::exp(b)); }},
  };
  Tensor x = Tensor::from_vector<float>({3, 2, 2}, sample());
  for (const KindCase& c : cases) {
    SCOPED_TRACE(c.op);
    // Attribute form, keepdims default (1).
    auto out = run_op(
        {.op_type = c.op, .inputs = {x}, .attrs = attrs({{"axes", std::vector<int64_t>{1}}})})[0];
    EXPECT_EQ(out.shape(), (Shape{3, 1, 2}));
    expect_near_all(out.to_vector<float>(), pairwise_axis1(c.pair));
    // Input form with a negative axis and keepdims 0.
    out = run_op({.op_type = c.op,
                  .inputs = {x, axes_tensor({-2})},
                  .attrs = attrs({{"keepdims", int64_t{0}}})})[0];
    EXPECT_EQ(out.shape(), (Shape{3, 2}));
    expect_near_all(out.to_vector<float>(), pairwise_axis1(c.pair));
  }
}

TEST(Reduce, LogSumOfPositiveData) {
  Tensor x = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto y =
      run_op({.op_type = "ReduceLogSum",
              .inputs = {x},
              .attrs = attrs({{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}})})[0];
  EXPECT_EQ(y.shape(), (Shape{2}));
  expect_near_all(y.to_vector<float>(), {std::log(6.0), std::log(15.0)});
}

TEST(Reduce, DefaultReducesAllAxes) {
  Tensor x = Tensor::from_vector<float>({3, 2, 2}, sample());
  double sum = 0;
  for (float v : sample()) sum += v;
  auto y = run_op({.op_type = "ReduceSum", .inputs = {x}})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 1, 1}));
  EXPECT_NEAR(y.to_vector<float>()[0], sum, 1e-5);
  y = run_op(
      {.op_type = "ReduceMean", .inputs = {x}, .attrs = attrs({{"keepdims", int64_t{0}}})})[0];
  EXPECT_EQ(y.shape(), Shape{});
  EXPECT_NEAR(y.to_vector<float>()[0], sum / 12, 1e-6);
  // An empty axes input also means "all axes".
  y = run_op({.op_type = "ReduceMax", .inputs = {x, axes_tensor({})}})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 1, 1}));
  EXPECT_EQ(y.to_vector<float>()[0], 12);
}

TEST(Reduce, MultipleAxesInAnyOrder) {
  // x[i][j][k] = 100 i + 10 j + k over [2, 3, 4]; summing over j and k leaves 12 * 100 i + const.
  std::vector<float> xv;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) xv.push_back(static_cast<float>(100 * i + 10 * j + k));
  Tensor x = Tensor::from_vector<float>({2, 3, 4}, xv);
  const double base = 4 * (0 + 10 + 20) + 3 * (0 + 1 + 2 + 3);
  for (auto axes :
       {std::vector<int64_t>{1, 2}, std::vector<int64_t>{2, 1}, std::vector<int64_t>{-1, 1}}) {
    auto y = run_op({.op_type = "ReduceSum",
                     .inputs = {x, axes_tensor(axes)},
                     .attrs = attrs({{"keepdims", int64_t{0}}})})[0];
    EXPECT_EQ(y.shape(), (Shape{2}));
    expect_near_all(y.to_vector<float>(), {base, base + 1200});
  }
  // Over axes 0 and 2: y[j] = sum_i sum_k = 2*(4*10j + 6) + 4*100.
  auto y = run_op({.op_type = "ReduceSum",
                   .inputs = {x},
                   .attrs = attrs({{"axes", std::vector<int64_t>{0, 2}}})})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 3, 1}));
  expect_near_all(y.to_vector<float>(), {412, 492, 572});
}

TEST(Reduce, NoopWithEmptyAxes) {
  Tensor x = Tensor::from_vector<float>({2, 2}, {-1, 2, -3, 4});
  auto y = run_op({.op_type = "ReduceSum",
                   .inputs = {x, axes_tensor({})},
                   .attrs = attrs({{"noop_with_empty_axes", int64_t{1}}})})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{-1, 2, -3, 4}));
  // Reducing single-element sets: SumSquare squares, L1 takes |x|.
  y = run_op({.op_type = "ReduceSumSquare",
              .inputs = {x},
              .attrs = attrs({{"noop_with_empty_axes", int64_t{1}}})})[0];
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{1, 4, 9, 16}));
  y = run_op({.op_type = "ReduceL1",
              .inputs = {x},
              .attrs = attrs({{"noop_with_empty_axes", int64_t{1}}})})[0];
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
}

TEST(Reduce, EmptyReductionGivesIdentity) {
  Tensor x(DType::kFloat32, {2, 0});
  auto reduce = [&](const char* op) {
    auto y = run_op(
        {.op_type = op, .inputs = {x}, .attrs = attrs({{"axes", std::vector<int64_t>{1}}})})[0];
    EXPECT_EQ(y.shape(), (Shape{2, 1}));
    return y.to_vector<float>()[0];
  };
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(reduce("ReduceSum"), 0);
  EXPECT_EQ(reduce("ReduceProd"), 1);
  EXPECT_EQ(reduce("ReduceMax"), -inf);
  EXPECT_EQ(reduce("ReduceMin"), inf);
  EXPECT_EQ(reduce("ReduceL2"), 0);
  EXPECT_EQ(reduce("ReduceLogSumExp"), -inf);
  EXPECT_TRUE(std::isnan(reduce("ReduceMean")));
}

TEST(Reduce, StabilityAndNaN) {
  Tensor big = Tensor::from_vector<float>({2}, {1000, 1000});
  EXPECT_NEAR(run_op({.op_type = "ReduceLogSumExp", .inputs = {big}})[0].to_vector<float>()[0],
              1000 + std::log(2.0), 1e-4);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = Tensor::from_vector<float>({3}, {1, nan, 3});
  for (const char* op : {"ReduceMax", "ReduceMin", "ReduceSum", "ReduceLogSumExp"})
    EXPECT_TRUE(std::isnan(run_op({.op_type = op, .inputs = {x}})[0].to_vector<float>()[0])) << op;
}

TEST(Reduce, IntegerAndDoubleTypes) {
  Tensor xi = Tensor::from_vector<int32_t>({2, 3}, {1, -2, 3, 4, 5, -7});
  auto y = run_op({.op_type = "ReduceSum", .inputs = {xi, axes_tensor({1})}})[0];
  EXPECT_EQ(y.dtype(), DType::kInt32);
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{2, 2}));
  // Integer mean truncates toward zero: 5/2 -> 2, 3/2 -> 1, -4/2 -> -2.
  EXPECT_EQ(
      run_op({.op_type = "ReduceMean",
              .inputs = {xi},
              .attrs = attrs({{"axes", std::vector<int64_t>{0}}, {"keepdims", int64_t{0}}})})[0]
          .to_vector<int32_t>(),
      (std::vector<int32_t>{2, 1, -2}));
  EXPECT_EQ(run_op({.op_type = "ReduceMin", .inputs = {xi}})[0].to_vector<int32_t>(),
            (std::vector<int32_t>{-7}));
  EXPECT_EQ(run_op({.op_type = "ReduceProd", .inputs = {xi}})[0].to_vector<int32_t>(),
            (std::vector<int32_t>{1 * -2 * 3 * 4 * 5 * -7}));
  Tensor xl = Tensor::from_vector<int64_t>({2}, {int64_t{1} << 62, (int64_t{1} << 62) + 3});
  EXPECT_EQ(run_op({.op_type = "ReduceMax", .inputs = {xl}})[0].to_vector<int64_t>(),
            (std::vector<int64_t>{(int64_t{1} << 62) + 3}));
  Tensor xd = Tensor::from_vector<double>({2}, {0.1, 0.2});
  auto yd = run_op({.op_type = "ReduceSum", .inputs = {xd}})[0];
  EXPECT_EQ(yd.dtype(), DType::kFloat64);
  EXPECT_DOUBLE_EQ(yd.to_vector<double>()[0], 0.1 + 0.2);
}

void expect_error(const test::OpCall& call, const std::string& fragment) {
  try {
    test::prepare_op(call);
    FAIL() << "expected an error containing '" << fragment << "'";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(test::kTestNodeName), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  }
}

TEST(Reduce, ValidationErrors) {
  Tensor x(DType::kFloat32, {2, 3});
  expect_error({.op_type = "ReduceSum", .inputs = {x, axes_tensor({2})}}, "out of range");
  expect_error({.op_type = "ReduceMean",
                .inputs = {x},
                .attrs = attrs({{"axes", std::vector<int64_t>{-3}}})},
               "out of range");
  expect_error({.op_type = "ReduceMax",
                .inputs = {x},
                .attrs = attrs({{"axes", std::vector<int64_t>{1, -1}}})},
               "twice");
  expect_error({.op_type = "ReduceSum", .inputs = {Tensor(DType::kInt8, {2})}}, "int8");
  expect_error({.op_type = "ReduceSum", .inputs = {x, Tensor::from_vector<float>({1}, {0})}},
               "axes");
  // A non-constant axes input cannot be planned statically.
  EXPECT_THROW(
      test::prepare_op(
          {.op_type = "ReduceSum", .inputs = {x, axes_tensor({0})}, .all_inputs_constant = false}),
      NeedsConstantError);
  // ... but a non-constant data input is fine.
  EXPECT_NO_THROW(test::prepare_op({.op_type = "ReduceSum",
                                    .inputs = {x, axes_tensor({0})},
                                    .all_inputs_constant = false,
                                    .constant_inputs = {1}}));
}

// ---------------------------------------------------------------------------------------------
// ArgMax / ArgMin

TEST(ArgMax, AxesKeepdimsAndTies) {
  Tensor x = Tensor::from_vector<float>({2, 3}, {2, 5, 5, 7, 1, 7});
  auto y = run_op({.op_type = "ArgMax", .inputs = {x}, .attrs = attrs({{"axis", int64_t{1}}})})[0];
  EXPECT_EQ(y.dtype(), DType::kInt64);
  EXPECT_EQ(y.shape(), (Shape{2, 1}));
  EXPECT_EQ(y.to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
  y = run_op({.op_type = "ArgMax",
              .inputs = {x},
              .attrs = attrs({{"axis", int64_t{-1}}, {"select_last_index", int64_t{1}}})})[0];
  EXPECT_EQ(y.to_vector<int64_t>(), (std::vector<int64_t>{2, 2}));
  // Default axis 0, keepdims 0.
  y = run_op({.op_type = "ArgMax", .inputs = {x}, .attrs = attrs({{"keepdims", int64_t{0}}})})[0];
  EXPECT_EQ(y.shape(), (Shape{3}));
  EXPECT_EQ(y.to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 1}));
  y = run_op({.op_type = "ArgMin", .inputs = {x}, .attrs = attrs({{"axis", int64_t{1}}})})[0];
  EXPECT_EQ(y.to_vector<int64_t>(), (std::vector<int64_t>{0, 1}));
  Tensor t = Tensor::from_vector<float>({4}, {3, 1, 4, 1});
  EXPECT_EQ(run_op({.op_type = "ArgMin",
                    .inputs = {t},
                    .attrs = attrs({{"select_last_index", int64_t{1}}})})[0]
                .to_vector<int64_t>(),
            (std::vector<int64_t>{3}));
}

TEST(ArgMax, MiddleAxisOf3DAndIntegers) {
  // x[i][j][k] = (j == 2 - k) ? 10 : j, so the max along axis 1 sits at j = 2 - k.
  std::vector<int32_t> xv;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) xv.push_back(j == 2 - k ? 10 : j);
  Tensor x = Tensor::from_vector<int32_t>({2, 3, 3}, xv);
  auto y = run_op({.op_type = "ArgMax",
                   .inputs = {x},
                   .attrs = attrs({{"axis", int64_t{1}}, {"keepdims", int64_t{0}}})})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(y.to_vector<int64_t>(), (std::vector<int64_t>{2, 1, 0, 2, 1, 0}));
  y = run_op({.op_type = "ArgMin",
              .inputs = {x},
              .attrs = attrs({{"axis", int64_t{1}}, {"keepdims", int64_t{0}}})})[0];
  EXPECT_EQ(y.to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 1, 0, 0, 1}));
}

TEST(ArgMax, NaNCountsAsExtreme) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = Tensor::from_vector<float>({4}, {1, nan, 9, nan});
  EXPECT_EQ(run_op({.op_type = "ArgMax", .inputs = {x}})[0].to_vector<int64_t>()[0], 1);
  EXPECT_EQ(run_op({.op_type = "ArgMin", .inputs = {x}})[0].to_vector<int64_t>()[0], 1);
}

TEST(ArgMax, ValidationErrors) {
  Tensor x(DType::kFloat32, {2, 3});
  expect_error({.op_type = "ArgMax", .inputs = {x}, .attrs = attrs({{"axis", int64_t{2}}})},
               "out of range");
  expect_error({.op_type = "ArgMin", .inputs = {Tensor(DType::kFloat32, {0, 3})}}, "empty");
  expect_error({.op_type = "ArgMax", .inputs = {Tensor(DType::kFloat32, {})}}, "out of range");
  expect_error({.op_type = "ArgMax", .inputs = {Tensor::scalar(true)}}, "bool");
}

}  // namespace
}  // namespace hone
