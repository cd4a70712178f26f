// MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool and LRN through the registry:
// hand-computed cases, a direct 2-D formulation written here, identities and error paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/op_test_util.h"

namespace hone::test {
namespace {

using Ints = std::vector<int64_t>;

Tensor iota(Shape shape) {
  Tensor t(DType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}

// Direct 2-D pooling over [N, C, H, W] with explicit pads, written without the kernel's
// window helpers: max or mean of the in-range taps (mean over in-range taps only).
Tensor pool2d_direct(const Tensor& x, bool is_max, Ints k, Ints s, Ints d, Ints pads, Shape out) {
  Tensor y(DType::kFloat32, out);
  const int64_t planes = x.dim(0) * x.dim(1), ih = x.dim(2), iw = x.dim(3);
  const int64_t oh = out[2], ow = out[3];
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        double acc = is_max ? -INFINITY : 0.0;
        int count = 0;
        for (int64_t a = 0; a < k[0]; ++a)
          for (int64_t b = 0; b < k[1]; ++b) {
            const int64_t r = i * s[0] + a * d[0] - pads[0];
            const int64_t c = j * s[1] + b * d[1] - pads[1];
            if (r < 0 || r >= ih || c < 0 || c >= iw) continue;
            const double v = x.data<float>()[(p * ih + r) * iw + c];
            acc = is_max ? std::max(acc, v) : acc + v;
            ++count;
          }
        y.data<float>()[(p * oh + i) * ow + j] = static_cast<float>(is_max ? acc : acc / count);
      }
  return y;
}

TEST(MaxPool, HandComputedWithIndices) {
  Tensor x = iota({1, 1, 4, 4});
  OpCall call{.op_type = "MaxPool",
              .inputs = {x},
              .attrs = attrs({{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}}),
              .num_outputs = 2};
  std::vector<Tensor> y = run_op(call);
  EXPECT_EQ(y[0].shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(y[0].to_vector<float>(), (std::vector<float>{5, 7, 13, 15}));
  EXPECT_EQ(y[1].dtype(), DType::kInt64);
  EXPECT_EQ(y[1].to_vector<int64_t>(), (std::vector<int64_t>{5, 7, 13, 15}));
  // Column-major storage counts rows fastest: (r, c) -> r + 4 c.
  call.attrs["storage_order"] = Attribute{int64_t{1}};
  EXPECT_EQ(run_op(call)[1].to_vector<int64_t>(), (std::vector<int64_t>{5, 13, 7, 15}));
  // The index is into the whole tensor: the second plane's maxima are offset by 16.
  call.inputs = {iota({1, 2, 4, 4})};
  call.attrs.erase("storage_order");
  EXPECT_EQ(run_op(call)[1].to_vector<int64_t>(),
            (std::vector<int64_t>{5, 7, 13, 15, 21, 23, 29, 31}));
}

TEST(MaxPool, PaddingNeverWins) {
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {-4, -3, -2, -1});
  Tensor y =
      run_op({.op_type = "MaxPool",
              .inputs = {x},
              .attrs = attrs({{"kernel_shape", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}})})[0];
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{-4, -3, -3, -2, -1, -1, -2, -1, -1}));
}

TEST(MaxPool, MatchesDirectFormulation) {
  struct Case {
    Ints k, s, d, pads;
  };
  std::vector<Case> cases = {{{3, 3}, {1, 1}, {1, 1}, {0, 0, 0, 0}},
                             {{3, 2}, {2, 1}, {1, 1}, {1, 0, 1, 1}},
                             {{2, 2}, {1, 2}, {2, 3}, {1, 2, 0, 1}}};
  uint32_t seed = 1;
  for (Case c : cases) {
    Tensor x = random_tensor({2, 3, 9, 10}, seed++);
    Tensor y = run_op(
        {.op_type = "MaxPool",
         .inputs = {x},
         .attrs = attrs(
             {{"kernel_shape", c.k}, {"strides", c.s}, {"dilations", c.d}, {"pads", c.pads}})})[0];
    EXPECT_EQ(max_abs_diff(y, pool2d_direct(x, true, c.k, c.s, c.d, c.pads, y.shape())), 0.0);
    // Average pooling without dilation; pads stay below the kernel so no window is all padding.
    for (int64_t& p : c.pads) p = std::min<int64_t>(p, 1);
    Tensor a =
        run_op({.op_type = "AveragePool",
                .inputs = {x},
                .attrs = attrs({{"kernel_shape", c.k}, {"strides", c.s}, {"pads", c.pads}})})[0];
    EXPECT_LT(max_abs_diff(a, pool2d_direct(x, false, c.k, c.s, {1, 1}, c.pads, a.shape())), 1e-6);
  }
}

TEST(MaxPool, CeilModeAddsPartialWindows) {
  Tensor x = iota({1, 1, 5, 5});
  Attributes a = attrs({{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}});
  EXPECT_EQ(run_op({.op_type = "MaxPool", .inputs = {x}, .attrs = a})[0].shape(),
            (Shape{1, 1, 2, 2}));
  a["ceil_mode"] = Attribute{int64_t{1}};
  Tensor y = run_op({.op_type = "MaxPool", .inputs = {x}, .attrs = a})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{6, 8, 9, 16, 18, 19, 21, 23, 24}));
  Tensor avg = run_op({.op_type = "AveragePool", .inputs = {x}, .attrs = a})[0];
  // Partial windows average only the elements they cover: (4 + 9) / 2 and 24 alone.
  EXPECT_FLOAT_EQ(avg.data<float>()[2], 6.5f);
  EXPECT_FLOAT_EQ(avg.data<float>()[8], 24.0f);
}

TEST(MaxPool, IntegerTypesAndOtherRanks) {
  Tensor x8 = Tensor::from_vector<uint8_t>({1, 1, 4}, {3, 250, 7, 1});
  Tensor y8 = run_op(
      {.op_type = "MaxPool", .inputs = {x8}, .attrs = attrs({{"kernel_shape", Ints{2}}})})[0];
  EXPECT_EQ(y8.dtype(), DType::kUInt8);
  EXPECT_EQ(y8.to_vector<int>(), (std::vector<int>{250, 250, 7}));
  Tensor xi = Tensor::from_vector<int8_t>({1, 1, 3}, {-128, -100, -120});
  Tensor yi = run_op({.op_type = "MaxPool",
                      .inputs = {xi},
                      .attrs = attrs({{"kernel_shape", Ints{2}}, {"pads", Ints{1, 0}}})})[0];
  EXPECT_EQ(yi.to_vector<int>(), (std::vector<int>{-128, -100, -100}));

  // 3-D pooling with a unit depth equals the 2-D pooling.
  Tensor x = random_tensor({1, 2, 6, 7}, 9);
  Attributes a2 =
      attrs({{"kernel_shape", Ints{3, 2}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 0, 1, 1}}});
  Attributes a3 = attrs({{"kernel_shape", Ints{1, 3, 2}},
                         {"strides", Ints{1, 2, 2}},
                         {"pads", Ints{0, 1, 0, 0, 1, 1}}});
  for (const char* op : {"MaxPool", "AveragePool"}) {
    Tensor y2 = run_op({.op_type = op, .inputs = {x}, .attrs = a2})[0];
    Tensor y3 = run_op({.op_type = op, .inputs = {x.reshaped({1, 2, 1, 6, 7})}, .attrs = a3})[0];
    EXPECT_EQ(max_abs_diff(y2.reshaped(y3.shape()), y3), 0.0) << op;
  }
}

TEST(AveragePool, CountIncludePad) {
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Attributes a = attrs({{"kernel_shape", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  Tensor excl = run_op({.op_type = "AveragePool", .inputs = {x}, .attrs = a})[0];
  EXPECT_EQ(excl.to_vector<float>(), (std::vector<float>{1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4}));
  a["count_include_pad"] = Attribute{int64_t{1}};
  Tensor incl = run_op({.op_type = "AveragePool", .inputs = {x}, .attrs = a})[0];
  EXPECT_EQ(incl.to_vector<float>(),
            (std::vector<float>{0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1}));
}

TEST(AveragePool, SameUpperMatchesExplicitPads) {
  Tensor x = random_tensor({1, 2, 5, 6}, 12);
  Tensor same =
      run_op({.op_type = "AveragePool",
              .inputs = {x},
              .attrs = attrs({{"kernel_shape", Ints{2, 3}}, {"auto_pad", "SAME_UPPER"}})})[0];
  Tensor expl =
      run_op({.op_type = "AveragePool",
              .inputs = {x},
              .attrs = attrs({{"kernel_shape", Ints{2, 3}}, {"pads", Ints{0, 1, 1, 1}}})})[0];
  EXPECT_EQ(same.shape(), x.shape());
  EXPECT_EQ(max_abs_diff(same, expl), 0.0);
}

TEST(GlobalPool, MatchesWindowedPoolAndDirectReduction) {
  Tensor x = random_tensor({2, 3, 4, 5}, 13);
  Tensor gavg = run_op({.op_type = "GlobalAveragePool", .inputs = {x}})[0];
  Tensor gmax = run_op({.op_type = "GlobalMaxPool", .inputs = {x}})[0];
  EXPECT_EQ(gavg.shape(), (Shape{2, 3, 1, 1}));
  EXPECT_EQ(gmax.shape(), (Shape{2, 3, 1, 1}));
  for (int64_t p = 0; p < 6; ++p) {
    const float* plane = x.data<float>() + p * 20;
    double sum = 0;
    for (int i = 0; i < 20; ++i) sum += plane[i];
    EXPECT_NEAR(gavg.data<float>()[p], sum / 20, 1e-6);
    EXPECT_EQ(gmax.data<float>()[p], *std::max_element(plane, plane + 20));
  }
  Tensor avg = run_op(
      {.op_type = "AveragePool", .inputs = {x}, .attrs = attrs({{"kernel_shape", Ints{4, 5}}})})[0];
  EXPECT_LT(max_abs_diff(avg, gavg), 1e-6);
  // 1-D and 3-D inputs keep their rank.
  EXPECT_EQ(
      run_op({.op_type = "GlobalAveragePool", .inputs = {random_tensor({1, 2, 7}, 1)}})[0].shape(),
      (Shape{1, 2, 1}));
  EXPECT_EQ(run_op({.op_type = "GlobalMaxPool", .inputs = {random_tensor({1, 2, 3, 3, 3}, 1)}})[0]
                .shape(),
            (Shape{1, 2, 1, 1, 1}));
}

TEST(Lrn, HandComputed) {
  // size 3, alpha / size = 1, beta = 1, bias = 1: y = x / (1 + sum of neighbours' squares).
  Tensor x = Tensor::from_vector<float>({1, 3, 1, 1}, {1, 2, 3});
  Tensor y = run_op({.op_type = "LRN",
                     .inputs = {x},
                     .attrs = attrs({{"size", 3}, {"alpha", 3.0f}, {"beta", 1.0f}})})[0];
  std::vector<float> v = y.to_vector<float>();
  EXPECT_NEAR(v[0], 1.0 / 6, 1e-6);
  EXPECT_NEAR(v[1], 2.0 / 15, 1e-6);
  EXPECT_NEAR(v[2], 3.0 / 14, 1e-6);
  // Even size: the window is [c, c + 1] (floor of (size-1)/2 before, ceil after).
  Tensor y2 = run_op({.op_type = "LRN",
                      .inputs = {x},
                      .attrs = attrs({{"size", 2}, {"alpha", 2.0f}, {"beta", 1.0f}})})[0];
  v = y2.to_vector<float>();
  EXPECT_NEAR(v[0], 1.0 / 6, 1e-6);
  EXPECT_NEAR(v[1], 2.0 / 14, 1e-6);
  EXPECT_NEAR(v[2], 3.0 / 10, 1e-6);
  // Default beta 0.75 and bias: a single channel of value 2 with size 1, alpha 1:
  // 2 / (1 + 4)^0.75.
  Tensor y3 = run_op({.op_type = "LRN",
                      .inputs = {Tensor::from_vector<float>({1, 1}, {2})},
                      .attrs = attrs({{"size", 1}, {"alpha", 1.0f}})})[0];
  EXPECT_NEAR(y3.data<float>()[0], 2 / std::pow(5.0, 0.75), 1e-6);
}

TEST(Pool, FlopsAndErrors) {
  Tensor x = random_tensor({1, 2, 5, 5}, 14);
  PreparedOp op = prepare_op(
      {.op_type = "MaxPool", .inputs = {x}, .attrs = attrs({{"kernel_shape", Ints{3, 3}}})});
  EXPECT_EQ(op.outputs[0].shape, (Shape{1, 2, 3, 3}));
  EXPECT_EQ(op.flops, 2 * 9 * 9);
  auto fails = [&](OpCall call) {
    try {
      prepare_op(call);
      ADD_FAILURE() << call.op_type << " accepted a bad node";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(kTestNodeName), std::string::npos) << e.what();
    }
  };
  fails({.op_type = "MaxPool", .inputs = {x}});  // kernel_shape missing
  fails({.op_type = "MaxPool", .inputs = {x}, .attrs = attrs({{"kernel_shape", Ints{3}}})});
  fails({.op_type = "MaxPool", .inputs = {x}, .attrs = attrs({{"kernel_shape", Ints{6, 6}}})});
  fails({.op_type = "MaxPool",
         .inputs = {x},
         .attrs = attrs({{"kernel_shape", Ints{2, 2}}, {"ceil_mode", 2}})});
  fails({.op_type = "MaxPool",
         .inputs = {x},
         .attrs = attrs({{"kernel_shape", Ints{2, 2}}, {"storage_order", 3}})});
  fails({.op_type = "MaxPool",
         .inputs = {x},
         .attrs = attrs({{"kernel_shape", Ints{2, 2}}, {"pads", Ints{0, -1, 0, 0}}})});
  fails({.op_type = "MaxPool",
         .inputs = {x},
         .attrs = attrs({{"kernel_shape", Ints{2, 2}}, {"auto_pad", "same_upper"}})});
  fails({.op_type = "MaxPool",
         .inputs = {random_tensor({2, 5}, 1)},
         .attrs = attrs({{"kernel_shape", Ints{2}}})});
  fails({.op_type = "AveragePool",
         .inputs = {x},
         .attrs = attrs({{"kernel_shape", Ints{2, 2}}, {"dilations", Ints{2, 2}}})});
  fails({.op_type = "AveragePool",
         .inputs = {Tensor::from_vector<int32_t>({1, 1, 2}, {1, 2})},
         .attrs = attrs({{"kernel_shape", Ints{2}}})});
  fails({.op_type = "LRN", .inputs = {x}});
  fails({.op_type = "LRN", .inputs = {x}, .attrs = attrs({{"size", 0}})});
  fails({.op_type = "GlobalAveragePool", .inputs = {random_tensor({3}, 1)}});
}

}  // namespace
}  // namespace hone::test
