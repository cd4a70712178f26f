// The inline exp and GELU of the vector kernels (ops/common/fast_math_*.h) against the exact
// formulas in double precision, over the float line: GELU directly, exp through Sigmoid and
// SiLU. A GEMM with k = 1 and B = [1] is the carrier: its output is the epilogue applied to A's
// values exactly (x * 1 adds no rounding), and the GEMM is the kernel transformers run their
// GELU in.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "ops/gemm/gemm_packed.h"

namespace hone {
namespace {

std::vector<float> activate_by_gemm(const std::vector<float>& x, Isa isa, Activation kind) {
  const float one = 1.0f;
  const auto m = static_cast<int64_t>(x.size());
  GemmPacked gemm(1, 1, &one, false, 1.0f, default_gemm_packed_config(m, 1, 1, isa, 1), nullptr,
                  {kind});
  std::vector<float> y(x.size());
  gemm.run(m, x.data(), 1, false, nullptr, 0, 0, 0.0f, y.data(), nullptr);
  return y;
}

double gelu_exact(double x) {
  return 0.5 * x * std::erfc(-x / std::sqrt(2.0));
}

TEST(FastMath, GeluWithinHalfAMillionthOfScaleEverywhere) {
  std::vector<float> x;
  for (int i = -200000; i <= 200000; ++i) x.push_back(static_cast<float>(i) * 1e-4f);  // [-20, 20]
  for (float v : {1e-30f, 1e-40f, 3e4f, 1e20f, std::numeric_limits<float>::max()}) {
    x.push_back(v);
    x.push_back(-v);
  }
  for (Isa isa : supported_isas()) {
    const std::vector<float> y = activate_by_gemm(x, isa, Activation::kGelu);
    int bad = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double want = gelu_exact(x[i]);
      const double bound = 5e-7 * std::max(1.0, std::fabs(static_cast<double>(x[i])));
      if (!(std::fabs(y[i] - want) <= bound) && ++bad <= 5)
        ADD_FAILURE() << isa_name(isa) << ": gelu(" << x[i] << ") = " << y[i] << ", want " << want;
    }
    EXPECT_EQ(bad, 0) << isa_name(isa);
    // Signs of the limits: tiny negative inputs give tiny negative outputs, never positive.
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i] < 0.0f) {
        EXPECT_LE(y[i], 0.0f) << isa_name(isa) << " at " << x[i];
      }
    }
  }
}

TEST(FastMath, GeluKeepsNanAndInfinity) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {std::nanf(""), inf, -inf, 0.0f, -0.0f};
  for (Isa isa : supported_isas()) {
    const std::vector<float> y = activate_by_gemm(x, isa, Activation::kGelu);
    const std::string what(isa_name(isa));
    EXPECT_TRUE(std::isnan(y[0])) << what;
    EXPECT_EQ(y[1], inf) << what;
    // -inf: the limit 0 from the vector kernels; the scalar formula gives NaN (inf * 0).
    if (isa != Isa::kPortable) {
      EXPECT_EQ(y[2], 0.0f) << what;
    }
    EXPECT_EQ(y[3], 0.0f) << what;
    EXPECT_EQ(y[4], 0.0f) << what;
  }
}

// Sigmoid and SiLU take e^-x from exp_fast: relative error within 3e-7 (1.4e-7 measured) wherever
// the result is above 1e-30 (SiLU of x < -88.7 is x / inf = 0 in float), the limits 0 and 1 at the
// ends of the line, NaN kept.
TEST(FastMath, SigmoidAndSiluThroughExpWithinThreeTenMillionths) {
  std::vector<float> x;
  for (int i = -12000; i <= 12000; ++i) x.push_back(static_cast<float>(i) * 1e-2f);  // +-120
  for (float v : {1e-30f, 1e-40f, 3e4f, std::numeric_limits<float>::max()}) {
    x.push_back(v);
    x.push_back(-v);
  }
  for (Isa isa : supported_isas()) {
    const std::vector<float> sig = activate_by_gemm(x, isa, Activation::kSigmoid);
    const std::vector<float> silu = activate_by_gemm(x, isa, Activation::kSilu);
    int bad = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double s = 1.0 / (1.0 + std::exp(-static_cast<double>(x[i])));
      const double want[2] = {s, x[i] * s};
      const float got[2] = {sig[i], silu[i]};
      for (int f = 0; f < 2; ++f) {
        const double bound = 3e-7 * std::fabs(want[f]) + 1e-30;
        if (!(std::fabs(got[f] - want[f]) <= bound) && ++bad <= 5)
          ADD_FAILURE() << isa_name(isa) << (f ? ": silu(" : ": sigmoid(") << x[i]
                        << ") = " << got[f] << ", want " << want[f];
      }
    }
    EXPECT_EQ(bad, 0) << isa_name(isa);
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> edge =
        activate_by_gemm({-inf, inf, std::nanf("")}, isa, Activation::kSigmoid);
    EXPECT_EQ(edge[0], 0.0f) << isa_name(isa);
    EXPECT_EQ(edge[1], 1.0f) << isa_name(isa);
    EXPECT_TRUE(std::isnan(edge[2])) << isa_name(isa);
  }
}

}  // namespace
}  // namespace hone
