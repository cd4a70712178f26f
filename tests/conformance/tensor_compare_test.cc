#include "conformance/tensor_compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace hone {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

Tensor f32(std::vector<float> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from_vector<float>({n}, v);
}

Tensor half(std::vector<uint16_t> bits) {
  Tensor t(DType::kFloat16, {static_cast<int64_t>(bits.size())});
  std::memcpy(t.raw(), bits.data(), bits.size() * sizeof(uint16_t));
  return t;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(TensorCompare, EqualFloatsMatch) {
  EXPECT_EQ(compare_tensors(f32({1, -2, 3.5f}), f32({1, -2, 3.5f}), {}), "");
}

TEST(TensorCompare, RelativeAndAbsoluteToleranceBoundaries) {
  const Tolerance tol{1e-3, 1e-5};
  // |e| = 1000: allowed difference 1e-5 + 1 ~ 1.00001.
  EXPECT_EQ(compare_tensors(f32({1000.9f}), f32({1000}), tol), "");
  EXPECT_NE(compare_tensors(f32({1001.1f}), f32({1000}), tol), "");
  // Near zero only atol applies.
  EXPECT_EQ(compare_tensors(f32({5e-6f}), f32({0}), tol), "");
  EXPECT_NE(compare_tensors(f32({2e-5f}), f32({0}), tol), "");
  // The tolerance is relative to the expected value, not the result.
  EXPECT_NE(compare_tensors(f32({2}), f32({1}), {0.5, 0.0}), "");
  EXPECT_EQ(compare_tensors(f32({1}), f32({2}), {0.5, 0.0}), "");
}

TEST(TensorCompare, NaNMatchesOnlyNaN) {
  EXPECT_EQ(compare_tensors(f32({kNaN, 1}), f32({kNaN, 1}), {}), "");
  EXPECT_NE(compare_tensors(f32({0}), f32({kNaN}), {}), "");
  EXPECT_NE(compare_tensors(f32({kNaN}), f32({0}), {}), "");
}

TEST(TensorCompare, InfinityMatchesOnlyTheSameInfinity) {
  EXPECT_EQ(compare_tensors(f32({kInf, -kInf}), f32({kInf, -kInf}), {}), "");
  EXPECT_NE(compare_tensors(f32({-kInf}), f32({kInf}), {}), "");
  EXPECT_NE(compare_tensors(f32({3.4e38f}), f32({kInf}), {1.0, 1.0}), "");
  EXPECT_NE(compare_tensors(f32({kInf}), f32({1}), {1.0, 1.0}), "");
}

TEST(TensorCompare, ReportsFirstMismatchAndMaxDifference) {
  const std::string r = compare_tensors(f32({1, 2.5f, 3, 9}), f32({1, 2, 3, 4}), {});
  EXPECT_TRUE(contains(r, "element 1")) << r;
  EXPECT_TRUE(contains(r, "got 2.5")) << r;
  EXPECT_TRUE(contains(r, "expected 2")) << r;
  EXPECT_TRUE(contains(r, "max abs diff 5")) << r;
  EXPECT_TRUE(contains(r, "2 of 4")) << r;
}

TEST(TensorCompare, DtypeAndShapeMismatch) {
  const std::string dtype = compare_tensors(Tensor::from_vector<double>({1}, {1.0}), f32({1}), {});
  EXPECT_TRUE(contains(dtype, "float64")) << dtype;
  EXPECT_TRUE(contains(dtype, "float32")) << dtype;
  const std::string shape = compare_tensors(Tensor::from_vector<float>({2, 1}, {1, 2}),
                                            Tensor::from_vector<float>({1, 2}, {1, 2}), {});
  EXPECT_TRUE(contains(shape, "[2,1]")) << shape;
  EXPECT_TRUE(contains(shape, "[1,2]")) << shape;
  // A scalar and a one-element vector are different shapes.
  EXPECT_NE(compare_tensors(Tensor::scalar<float>(1), f32({1}), {}), "");
}

TEST(TensorCompare, EmptyTensorsMatch) {
  EXPECT_EQ(compare_tensors(Tensor(DType::kFloat32, {0, 3}), Tensor(DType::kFloat32, {0, 3}), {}),
            "");
}

TEST(TensorCompare, IntegersAndBoolsAreExact) {
  const Tensor a = Tensor::from_vector<int64_t>({3}, {1, 2, int64_t{1} << 60});
  const Tensor b = Tensor::from_vector<int64_t>({3}, {1, 2, (int64_t{1} << 60) + 1});
  EXPECT_EQ(compare_tensors(a, a, {}), "");
  // 2^60 and 2^60+1 are the same double: the comparison must not go through floating point.
  const std::string r = compare_tensors(a, b, {1.0, 1.0});
  EXPECT_TRUE(contains(r, "element 2")) << r;
  const Tensor i8 = Tensor::from_vector<int8_t>({2}, {-5, 7});
  const std::string r8 = compare_tensors(i8, Tensor::from_vector<int8_t>({2}, {-5, 8}), {});
  EXPECT_TRUE(contains(r8, "got 7, expected 8")) << r8;  // numbers, not characters
  EXPECT_EQ(compare_tensors(Tensor::from_vector<bool>({2}, {true, false}),
                            Tensor::from_vector<bool>({2}, {true, false}), {}),
            "");
  EXPECT_NE(compare_tensors(Tensor::from_vector<bool>({2}, {true, true}),
                            Tensor::from_vector<bool>({2}, {true, false}), {}),
            "");
}

TEST(TensorCompare, Float16WidenedBeforeComparing) {
  // 0x3c00 = 1.0, 0xc000 = -2.0, 0x7c00 = +inf, 0x0001 = 2^-24 (smallest subnormal),
  // 0x7e00 = NaN.
  EXPECT_EQ(compare_tensors(half({0x3c00, 0xc000, 0x7c00, 0x7e00}),
                            half({0x3c00, 0xc000, 0x7c00, 0x7e00}), {}),
            "");
  const std::string r = compare_tensors(half({0x3c00}), half({0xc000}), {});
  EXPECT_TRUE(contains(r, "got 1, expected -2")) << r;
  const std::string sub = compare_tensors(half({0x0001}), half({0x0000}), {0.0, 0.0});
  EXPECT_TRUE(contains(sub, "5.96046448e-08")) << sub;
}

TEST(TensorCompare, SixteenBitFloatsAllowOneUlp) {
  Tensor got(DType::kBFloat16, {1});
  Tensor expected(DType::kBFloat16, {1});
  // 0x3ef6 = 0.48046875 and 0x3ef5 = 0.478515625: neighbours, as round-to-nearest and
  // truncation of the same float can give.
  const uint16_t a = 0x3ef6, b = 0x3ef5, c = 0x3ef4;
  std::memcpy(got.raw(), &a, 2);
  std::memcpy(expected.raw(), &b, 2);
  EXPECT_EQ(compare_tensors(got, expected, {}), "");
  std::memcpy(expected.raw(), &c, 2);  // two ulps apart
  EXPECT_NE(compare_tensors(got, expected, {}), "");
  // float16: 0x3c01 is one ulp above 1.0 (2^-10), 0x3c02 two.
  EXPECT_EQ(compare_tensors(half({0x3c01}), half({0x3c00}), {}), "");
  EXPECT_NE(compare_tensors(half({0x3c02}), half({0x3c00}), {}), "");
}

}  // namespace
}  // namespace hone
