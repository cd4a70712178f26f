// Resize with the optimized kernels (ResizeFast for H/W resizes, the reference otherwise)
// against the reference kernel: every mode, coordinate transformation and nearest rounding,
// up and down by whole and fractional scales, cropping with extrapolation, 1 and 2 threads.
// Nearest mode must copy exactly (NaN, -0 and infinities included).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::attrs;
using test::run_op;

Tensor random_input(const Shape& shape, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (float& x : v) x = dist(gen);
  return Tensor::from_vector<float>(shape, v);
}

Tensor int64s(std::vector<int64_t> v) {
  return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
}
Tensor floats(std::vector<float> v) {
  return Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v);
}

struct Case {
  std::string mode, coordinate, nearest;
  Shape in;
  std::vector<int64_t> sizes;  // empty: use scales
  std::vector<float> scales;
  std::vector<float> roi;  // tf_crop_and_resize only
  int64_t exclude_outside = 0;
};

Case make(std::string mode, std::string coordinate, std::string nearest, Shape in,
          std::vector<int64_t> sizes, std::vector<float> scales = {}, std::vector<float> roi = {}) {
  Case c;
  c.mode = std::move(mode);
  c.coordinate = std::move(coordinate);
  c.nearest = std::move(nearest);
  c.in = std::move(in);
  c.sizes = std::move(sizes);
  c.scales = std::move(scales);
  c.roi = std::move(roi);
  return c;
}

Tensor run(const Case& c, const Tensor& x, KernelOptions options) {
  Attributes a = attrs({{"mode", c.mode},
                        {"coordinate_transformation_mode", c.coordinate},
                        {"nearest_mode", c.nearest},
                        {"exclude_outside", c.exclude_outside},
                        {"extrapolation_value", 7.5f}});
  const Tensor roi = c.roi.empty() ? Tensor() : floats(c.roi);
  std::vector<Tensor> inputs = {x, roi, c.sizes.empty() ? floats(c.scales) : Tensor(),
                                c.sizes.empty() ? Tensor() : int64s(c.sizes)};
  return run_op({.op_type = "Resize",
                 .inputs = inputs,
                 .attrs = a,
                 .opset = 13,
                 .kernel_options = options})[0];
}

std::vector<Case> cases() {
  std::vector<Case> list;
  const std::vector<std::string> coordinates = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                                "asymmetric"};
  for (const std::string& mode :
       {std::string("nearest"), std::string("linear"), std::string("cubic")}) {
    for (const std::string& coordinate : coordinates) {
      // Upsample by 8 (LRASPP's head), by 2, down by a fraction, a 3-D tensor, odd sizes.
      list.push_back(make(mode, coordinate, "round_prefer_floor", {1, 3, 7, 7}, {1, 3, 56, 56}));
      list.push_back(make(mode, coordinate, "floor", {2, 5, 6, 9}, {}, {1, 1, 2, 2}));
      list.push_back(make(mode, coordinate, "ceil", {1, 4, 17, 13}, {1, 4, 6, 5}));
      list.push_back(make(mode, coordinate, "round_prefer_ceil", {3, 11, 8}, {}, {1, 1.7f, 0.6f}));
      list.push_back(make(mode, coordinate, "round_prefer_floor", {1, 2, 1, 9}, {1, 2, 4, 20}));
    }
    list.push_back(
        make(mode, "tf_half_pixel_for_nn", "round_prefer_floor", {1, 2, 5, 6}, {1, 2, 9, 13}));
    // Crops: rows and columns outside the roi take the extrapolation value.
    list.push_back(make(mode, "tf_crop_and_resize", "round_prefer_floor", {1, 3, 8, 8},
                        {1, 3, 10, 9}, {}, {0, 0, -0.2f, 0.1f, 1, 1, 0.9f, 1.3f}));
  }
  Case cubic_exclude =
      make("cubic", "half_pixel", "round_prefer_floor", {1, 2, 9, 9}, {1, 2, 20, 4});
  cubic_exclude.exclude_outside = 1;
  list.push_back(cubic_exclude);
  // An earlier axis resized: not ResizeFast's form, the reference runs.
  list.push_back(make("linear", "half_pixel", "round_prefer_floor", {2, 3, 4, 4}, {2, 5, 8, 8}));
  return list;
}

TEST(ResizeFast, EveryModeAndCoordinateMatchesTheReference) {
  ThreadPool two(2);
  uint32_t seed = 1;
  for (const Case& c : cases()) {
    const Tensor x = random_input(c.in, seed++);
    const Tensor want = run(c, x, {});
    for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two}) {
      KernelOptions options;
      options.optimized = true;
      options.pool = pool;
      const Tensor got = run(c, x, options);
      const std::string what = c.mode + " " + c.coordinate + " " + c.nearest + " in " +
                               shape_to_string(c.in) + (pool ? " 2 threads" : " 1 thread");
      ASSERT_EQ(got.shape(), want.shape()) << what;
      const std::vector<float> g = got.to_vector<float>(), w = want.to_vector<float>();
      int bad = 0;
      for (size_t i = 0; i < w.size(); ++i) {
        const bool ok = c.mode == "nearest" ? g[i] == w[i] : std::fabs(g[i] - w[i]) <= 2e-6f;
        if (!ok && ++bad <= 3)
          ADD_FAILURE() << what << " at " << i << ": " << g[i] << " vs " << w[i];
      }
      EXPECT_EQ(bad, 0) << what;
    }
  }
}

TEST(ResizeFast, NearestCopiesSpecialValuesExactly) {
  const float inf = std::numeric_limits<float>::infinity();
  const Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {std::nanf(""), -0.0f, inf, -inf});
  const Case c = make("nearest", "asymmetric", "floor", {1, 1, 2, 2}, {1, 1, 4, 4});
  KernelOptions options;
  options.optimized = true;
  const std::vector<float> y = run(c, x, options).to_vector<float>();
  ASSERT_EQ(y.size(), 16u);
  EXPECT_TRUE(std::isnan(y[0]) && std::isnan(y[1]));
  EXPECT_TRUE(y[2] == 0.0f && std::signbit(y[2]) && std::signbit(y[3]));
  EXPECT_EQ(y[8], inf);
  EXPECT_EQ(y[15], -inf);
}

}  // namespace
}  // namespace hone
