// Tests of the latency statistics against hand-computed values.
#include "core/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"

namespace hone {
namespace {

TEST(Stats, OddCount) {
  std::vector<double> v{3, 1, 2};
  LatencyStats s = compute_latency_stats(v);
  EXPECT_DOUBLE_EQ(s.mean, 2);
  EXPECT_DOUBLE_EQ(s.median, 2);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 3);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(2.0 / 3.0));  // population: divide by n, not n-1
}

TEST(Stats, EvenCountMedianIsMeanOfMiddlePair) {
  std::vector<double> v{10, 1, 4, 2};
  LatencyStats s = compute_latency_stats(v);
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.mean, 4.25);
  // deviations: 5.75, -3.25, -0.25, -2.25 -> squares sum 33.0625+10.5625+0.0625+5.0625 = 48.75
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(48.75 / 4));
}

TEST(Stats, SingleSampleHasZeroSpread) {
  std::vector<double> v{7.5};
  LatencyStats s = compute_latency_stats(v);
  EXPECT_DOUBLE_EQ(s.mean, 7.5);
  EXPECT_DOUBLE_EQ(s.median, 7.5);
  EXPECT_DOUBLE_EQ(s.std, 0);
}

TEST(Stats, LargeOffsetDoesNotLoseTheSpread) {
  // Naive sum-of-squares would cancel catastrophically here.
  std::vector<double> v{1e9 + 1, 1e9 - 1, 1e9 + 1, 1e9 - 1};
  EXPECT_NEAR(compute_latency_stats(v).std, 1.0, 1e-6);
}

TEST(Stats, RejectsEmptyAndNonFinite) {
  EXPECT_THROW(compute_latency_stats(std::vector<double>{}), Error);
  EXPECT_THROW(compute_latency_stats(std::vector<double>{1, NAN}), Error);
  EXPECT_THROW(compute_latency_stats(std::vector<double>{INFINITY}), Error);
}

}  // namespace
}  // namespace hone
