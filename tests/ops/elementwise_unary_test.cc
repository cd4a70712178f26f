// Unary elementwise ops, IsNaN/IsInf and Not through the registry: hand-computed values,
// identities between ops, integer edge cases and dtype errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::attrs;
using test::prepare_op;
using test::run_op;
using test::tensor;
using test::values_of;

Tensor run1(const std::string& op, Tensor x, Attributes a = {}) {
  return run_op({.op_type = op, .inputs = {std::move(x)}, .attrs = std::move(a)})[0];
}

TEST(ElementwiseUnary, HandComputedFloat) {
  Tensor x = tensor<float>({2, 2}, {-2, 4, 0.25f, 1});
  EXPECT_EQ(values_of<float>(run1("Abs", x)), (std::vector<float>{2, 4, 0.25f, 1}));
  EXPECT_EQ(values_of<float>(run1("Neg", x)), (std::vector<float>{2, -4, -0.25f, -1}));
  EXPECT_EQ(values_of<float>(run1("Reciprocal", x)), (std::vector<float>{-0.5f, 0.25f, 4, 1}));
  EXPECT_EQ(run1("Abs", x).shape(), (Shape{2, 2}));
  Tensor s = run1("Sqrt", tensor<float>({3}, {4, 0.25f, -1}));
  EXPECT_EQ(s.data<float>()[0], 2);
  EXPECT_EQ(s.data<float>()[1], 0.5f);
  EXPECT_TRUE(std::isnan(s.data<float>()[2]));
  Tensor e = run1("Exp", tensor<float>({2}, {0, -INFINITY}));
  EXPECT_EQ(values_of<float>(e), (std::vector<float>{1, 0}));
  Tensor l = run1("Log", tensor<float>({3}, {1, 0, -1}));
  EXPECT_EQ(l.data<float>()[0], 0);
  EXPECT_EQ(l.data<float>()[1], -INFINITY);
  EXPECT_TRUE(std::isnan(l.data<float>()[2]));
}

TEST(ElementwiseUnary, ErfKnownValues) {
  Tensor y = run1("Erf", tensor<double>({5}, {0, 0.5, -1, 3, INFINITY}));
  // Values of erf from tables (Abramowitz & Stegun 7.1).
  EXPECT_EQ(y.data<double>()[0], 0);
  EXPECT_NEAR(y.data<double>()[1], 0.5204998778130465, 1e-15);
  EXPECT_NEAR(y.data<double>()[2], -0.8427007929497149, 1e-15);
  EXPECT_NEAR(y.data<double>()[3], 0.9999779095030014, 1e-15);
  EXPECT_EQ(y.data<double>()[4], 1);
}

TEST(ElementwiseUnary, FloorCeilRoundHalfToEven) {
  Tensor x = tensor<float>({9}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, 2.6f, -2.6f, 7});
  EXPECT_EQ(values_of<float>(run1("Round", x)),
            (std::vector<float>{0, 2, 2, -0.0f, -2, 2, 3, -3, 7}));
  EXPECT_TRUE(std::signbit(run1("Round", x).data<float>()[3]));  // -0.5 rounds to -0
  EXPECT_EQ(values_of<float>(run1("Floor", x)), (std::vector<float>{0, 1, 2, -1, -2, 2, 2, -3, 7}));
  EXPECT_EQ(values_of<float>(run1("Ceil", x)),
            (std::vector<float>{1, 2, 3, -0.0f, -1, 3, 3, -2, 7}));
  Tensor big = run1("Round", tensor<double>({2}, {4503599627370497.0, -0.49999999999999994}));
  EXPECT_EQ(big.data<double>()[0], 4503599627370497.0);  // already an integer
  EXPECT_EQ(big.data<double>()[1], 0);
}

TEST(ElementwiseUnary, TrigIdentities) {
  std::vector<double> v = {-0.9, -0.3, 0.0, 0.2, 0.7};
  Tensor x = tensor<double>({5}, v);
  Tensor sin = run1("Sin", x), cos = run1("Cos", x), tan = run1("Tan", x);
  Tensor asin_sin = run1("Asin", sin), acos_cos = run1("Acos", cos), atan_tan = run1("Atan", tan);
  Tensor sinh = run1("Sinh", x), cosh = run1("Cosh", x);
  Tensor asinh_sinh = run1("Asinh", sinh), atanh = run1("Atanh", x);
  Tensor acosh_cosh = run1("Acosh", cosh);
  for (size_t i = 0; i < v.size(); ++i) {
    const double s = sin.data<double>()[i], c = cos.data<double>()[i];
    EXPECT_NEAR(s * s + c * c, 1.0, 1e-15);
    EXPECT_NEAR(tan.data<double>()[i], s / c, 1e-15);
    EXPECT_NEAR(asin_sin.data<double>()[i], v[i], 1e-15);
    EXPECT_NEAR(acos_cos.data<double>()[i], std::fabs(v[i]), 1e-15);
    EXPECT_NEAR(atan_tan.data<double>()[i], v[i], 1e-15);
    const double sh = sinh.data<double>()[i], ch = cosh.data<double>()[i];
    EXPECT_NEAR(ch * ch - sh * sh, 1.0, 1e-14);
    EXPECT_NEAR(sh, (std::exp(v[i]) - std::exp(-v[i])) / 2, 1e-15);
    EXPECT_NEAR(asinh_sinh.data<double>()[i], v[i], 1e-15);
    EXPECT_NEAR(acosh_cosh.data<double>()[i], std::fabs(v[i]), 1e-7);
    // atanh(x) = 0.5 * log((1 + x) / (1 - x))
    EXPECT_NEAR(atanh.data<double>()[i], 0.5 * std::log((1 + v[i]) / (1 - v[i])), 1e-15);
  }
  // float32 path
  Tensor f = run1("Cos", tensor<float>({2}, {0, 3.14159265f}));
  EXPECT_FLOAT_EQ(f.data<float>()[0], 1);
  EXPECT_NEAR(f.data<float>()[1], -1, 1e-6);
}

TEST(ElementwiseUnary, SignHandlesZeroNaNAndIntegers) {
  Tensor y = run1("Sign", tensor<float>({4}, {-3, 0, 5, NAN}));
  EXPECT_EQ(y.data<float>()[0], -1);
  EXPECT_EQ(y.data<float>()[1], 0);
  EXPECT_EQ(y.data<float>()[2], 1);
  EXPECT_TRUE(std::isnan(y.data<float>()[3]));
  EXPECT_EQ(values_of<int64_t>(run1("Sign", tensor<int64_t>({3}, {-9, 0, 9}))),
            (std::vector<int64_t>{-1, 0, 1}));
  EXPECT_EQ(values_of<uint8_t>(run1("Sign", tensor<uint8_t>({2}, {0, 200}))),
            (std::vector<uint8_t>{0, 1}));
}

TEST(ElementwiseUnary, IntegerAbsNegWrapAtMinimum) {
  Tensor x = tensor<int8_t>({3}, {-128, -5, 7});
  EXPECT_EQ(values_of<int8_t>(run1("Abs", x)), (std::vector<int8_t>{-128, 5, 7}));
  EXPECT_EQ(values_of<int8_t>(run1("Neg", x)), (std::vector<int8_t>{-128, 5, -7}));
  EXPECT_EQ(values_of<uint16_t>(run1("Abs", tensor<uint16_t>({1}, {65535}))),
            (std::vector<uint16_t>{65535}));
}

TEST(ElementwiseUnary, NotIsNaNIsInf) {
  EXPECT_EQ(values_of<bool>(run1("Not", tensor<bool>({2}, {true, false}))),
            (std::vector<bool>{false, true}));
  Tensor x = tensor<float>({5}, {1, NAN, INFINITY, -INFINITY, 0});
  Tensor nan = run1("IsNaN", x);
  EXPECT_EQ(nan.dtype(), DType::kBool);
  EXPECT_EQ(values_of<bool>(nan), (std::vector<bool>{0, 1, 0, 0, 0}));
  EXPECT_EQ(values_of<bool>(run1("IsInf", x)), (std::vector<bool>{0, 0, 1, 1, 0}));
  EXPECT_EQ(values_of<bool>(run1("IsInf", x, attrs({{"detect_negative", int64_t{0}}}))),
            (std::vector<bool>{0, 0, 1, 0, 0}));
  EXPECT_EQ(values_of<bool>(run1("IsInf", x, attrs({{"detect_positive", int64_t{0}}}))),
            (std::vector<bool>{0, 0, 0, 1, 0}));
  // float16 input: +inf is 0x7c00, NaN 0x7e00.
  Tensor h(DType::kFloat16, {3});
  auto* p = static_cast<uint16_t*>(h.raw());
  p[0] = 0x7c00;
  p[1] = 0x7e00;
  p[2] = 0x3c00;
  EXPECT_EQ(values_of<bool>(run1("IsInf", h)), (std::vector<bool>{1, 0, 0}));
  EXPECT_EQ(values_of<bool>(run1("IsNaN", h)), (std::vector<bool>{0, 1, 0}));
}

TEST(ElementwiseUnary, Float16Sqrt) {
  Tensor h(DType::kFloat16, {2});
  auto* p = static_cast<uint16_t*>(h.raw());
  p[0] = 0x4400;  // 4
  p[1] = 0x3400;  // 0.25
  Tensor y = run1("Sqrt", h);
  ASSERT_EQ(y.dtype(), DType::kFloat16);
  EXPECT_EQ(static_cast<const uint16_t*>(y.raw())[0], 0x4000);  // 2
  EXPECT_EQ(static_cast<const uint16_t*>(y.raw())[1], 0x3800);  // 0.5
}

TEST(ElementwiseUnary, DtypeErrorsNameTheNode) {
  try {
    prepare_op({.op_type = "Sqrt", .inputs = {Tensor(DType::kInt32, {2})}});
    FAIL() << "Sqrt accepted int32";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("test_node"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("int32"), std::string::npos) << e.what();
  }
  EXPECT_THROW(prepare_op({.op_type = "Neg", .inputs = {Tensor(DType::kUInt8, {2})}}), Error);
  EXPECT_THROW(prepare_op({.op_type = "Not", .inputs = {Tensor(DType::kFloat32, {2})}}), Error);
  EXPECT_THROW(prepare_op({.op_type = "Abs", .inputs = {Tensor(DType::kBool, {2})}}), Error);
  EXPECT_THROW(prepare_op({.op_type = "IsNaN", .inputs = {Tensor(DType::kInt64, {2})}}), Error);
  EXPECT_THROW(prepare_op({.op_type = "Exp", .inputs = {}}), Error);
  EXPECT_THROW(prepare_op({.op_type = "Exp",
                           .inputs = {Tensor(DType::kFloat32, {2}), Tensor(DType::kFloat32, {2})}}),
               Error);
}

}  // namespace
}  // namespace hone
