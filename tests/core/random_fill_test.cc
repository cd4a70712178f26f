// Tests of the deterministic input fills.
#include "core/random_fill.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"

namespace hone {
namespace {

TEST(RandomFill, ParsesModes) {
  EXPECT_EQ(parse_fill_mode("zeros"), FillMode::kZeros);
  EXPECT_EQ(parse_fill_mode("ones"), FillMode::kOnes);
  EXPECT_EQ(parse_fill_mode("random"), FillMode::kRandom);
  EXPECT_THROW(parse_fill_mode("gaussian"), Error);
  EXPECT_EQ(fill_mode_name(FillMode::kOnes), "ones");
}

TEST(RandomFill, ZerosAndOnes) {
  Tensor t = make_filled_tensor(DType::kInt64, {5}, FillMode::kOnes, 0);
  EXPECT_EQ(t.to_vector<int64_t>(), (std::vector<int64_t>(5, 1)));
  fill_tensor(t, FillMode::kZeros, 0);
  EXPECT_EQ(t.to_vector<int64_t>(), (std::vector<int64_t>(5, 0)));
  Tensor h = make_filled_tensor(DType::kFloat16, {1}, FillMode::kOnes, 0);
  EXPECT_EQ(static_cast<const uint16_t*>(h.raw())[0], 0x3C00);
  Tensor bf = make_filled_tensor(DType::kBFloat16, {1}, FillMode::kOnes, 0);
  EXPECT_EQ(static_cast<const uint16_t*>(bf.raw())[0], 0x3F80);
}

TEST(RandomFill, RandomFloatsAreInUnitIntervalAndDeterministic) {
  Tensor a = make_filled_tensor(DType::kFloat32, {1000}, FillMode::kRandom, 42);
  Tensor b = make_filled_tensor(DType::kFloat32, {1000}, FillMode::kRandom, 42);
  Tensor c = make_filled_tensor(DType::kFloat32, {1000}, FillMode::kRandom, 43);
  auto va = a.to_vector<float>();
  EXPECT_EQ(va, b.to_vector<float>());
  EXPECT_NE(va, c.to_vector<float>());
  double sum = 0;
  for (float v : va) {
    EXPECT_GE(v, 0.0f);
    EXPECT_LT(v, 1.0f);
    sum += v;
  }
  EXPECT_NEAR(sum / 1000, 0.5, 0.05);  // uniform: mean 1/2, sd of the mean about 0.009
  EXPECT_GT(std::set<float>(va.begin(), va.end()).size(), 990u);
}

TEST(RandomFill, RandomIntegersAreSmallAndCoverTheRange) {
  Tensor t = make_filled_tensor(DType::kInt32, {500}, FillMode::kRandom, 1);
  std::set<int> seen;
  for (int v : t.to_vector<int>()) {
    EXPECT_GE(v, 0);
    EXPECT_LT(v, 10);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
  Tensor m = make_filled_tensor(DType::kBool, {200}, FillMode::kRandom, 1);
  int ones = 0;
  for (int v : m.to_vector<int>()) ones += v;
  EXPECT_GT(ones, 50);
  EXPECT_LT(ones, 150);
}

TEST(RandomFill, HalfValuesStayBelowOne) {
  Tensor h = make_filled_tensor(DType::kFloat16, {100}, FillMode::kRandom, 3);
  for (int i = 0; i < 100; ++i) EXPECT_LT(static_cast<const uint16_t*>(h.raw())[i], 0x3C00);
}

TEST(RandomFill, RejectsStrings) {
  EXPECT_THROW(make_filled_tensor(DType::kString, {1}, FillMode::kZeros, 0), Error);
}

}  // namespace
}  // namespace hone
