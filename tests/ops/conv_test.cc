// Conv and ConvTranspose through the registry: hand-computed cases, an im2col + matmul
// formulation written here, identities (1x1 conv == matmul, grouped == per-group convs,
// 1-D/3-D == 2-D with unit dims, ConvTranspose == adjoint of Conv) and error paths.
#include <gtest/gtest.h>

#include <array>

#include "ops/op_test_util.h"

namespace hone::test {
namespace {

using Ints = std::vector<int64_t>;

std::vector<float> values(const Tensor& t) {
  return t.to_vector<float>();
}

// The part of x (N, C, ...) with channels [begin, begin + count).
Tensor channel_slice(const Tensor& x, int64_t begin, int64_t count) {
  Shape s = x.shape();
  const int64_t inner = x.numel() / (s[0] * s[1]);
  Shape out_shape = s;
  out_shape[1] = count;
  Tensor out(DType::kFloat32, out_shape);
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < count; ++c)
      for (int64_t i = 0; i < inner; ++i)
        out.data<float>()[(n * count + c) * inner + i] =
            x.data<float>()[(n * s[1] + begin + c) * inner + i];
  return out;
}

struct Conv2dSpec {
  int64_t group = 1;
  std::array<int64_t, 2> strides{1, 1}, dilations{1, 1};
  std::array<int64_t, 4> pads{0, 0, 0, 0};  // top, left, bottom, right
};

// Conv2d written as im2col followed by a matrix product, independently of the kernel.
Tensor conv2d_im2col(const Tensor& x, const Tensor& w, const Tensor* bias, const Conv2dSpec& s) {
  const int64_t n_batch = x.dim(0), cin = x.dim(1), ih = x.dim(2), iw = x.dim(3);
  const int64_t cout = w.dim(0), cin_g = w.dim(1), kh = w.dim(2), kw = w.dim(3);
  const int64_t cout_g = cout / s.group;
  const int64_t oh =
      (ih + s.pads[0] + s.pads[2] - (kh - 1) * s.dilations[0] - 1) / s.strides[0] + 1;
  const int64_t ow =
      (iw + s.pads[1] + s.pads[3] - (kw - 1) * s.dilations[1] - 1) / s.strides[1] + 1;
  Tensor y(DType::kFloat32, {n_batch, cout, oh, ow});
  const float* xp = x.data<float>();
  const float* wp = w.data<float>();
  float* yp = y.data<float>();
  const int64_t rows = cin_g * kh * kw, cols = oh * ow;
  std::vector<float> col(static_cast<size_t>(rows * cols));
  for (int64_t n = 0; n < n_batch; ++n) {
    for (int64_t g = 0; g < s.group; ++g) {
      for (int64_t c = 0; c < cin_g; ++c)
        for (int64_t a = 0; a < kh; ++a)
          for (int64_t b = 0; b < kw; ++b)
            for (int64_t i = 0; i < oh; ++i)
              for (int64_t j = 0; j < ow; ++j) {
                const int64_t r = i * s.strides[0] + a * s.dilations[0] - s.pads[0];
                const int64_t q = j * s.strides[1] + b * s.dilations[1] - s.pads[1];
                const bool inside = r >= 0 && r < ih && q >= 0 && q < iw;
                col[static_cast<size_t>(((c * kh + a) * kw + b) * cols + i * ow + j)] =
                    inside ? xp[((n * cin + g * cin_g + c) * ih + r) * iw + q] : 0.0f;
              }
      for (int64_t o = 0; o < cout_g; ++o) {
        const int64_t co = g * cout_g + o;
        for (int64_t p = 0; p < cols; ++p) {
          double acc = bias ? bias->data<float>()[co] : 0.0;
          for (int64_t r = 0; r < rows; ++r)
            acc += double{wp[co * rows + r]} * col[static_cast<size_t>(r * cols + p)];
          yp[(n * cout + co) * cols + p] = static_cast<float>(acc);
        }
      }
    }
  }
  return y;
}

Attributes conv2d_attrs(const Conv2dSpec& s) {
  return attrs({{"group", s.group},
                {"strides", Ints{s.strides[0], s.strides[1]}},
                {"dilations", Ints{s.dilations[0], s.dilations[1]}},
                {"pads", Ints{s.pads[0], s.pads[1], s.pads[2], s.pads[3]}}});
}

double dot(const Tensor& a, const Tensor& b) {
  std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
  return s;
}

TEST(Conv, HandComputed2x2OnesKernel) {
  Tensor x = Tensor::from_vector<float>({1, 1, 3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8});
  Tensor w = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 1, 1, 1});
  std::vector<Tensor> y = run_op({.op_type = "Conv", .inputs = {x, w}});
  EXPECT_EQ(y[0].shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(values(y[0]), (std::vector<float>{8, 12, 20, 24}));
}

TEST(Conv, HandComputedPaddedStridedWithBias) {
  // x = 1..4 in a 2x2 image, pad 1, 3x3 kernel of ones, stride 2: the window at (0,0) covers
  // the whole image; bias 10.
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor w = Tensor::from_vector<float>({1, 1, 3, 3}, std::vector<float>(9, 1.0f));
  Tensor b = Tensor::from_vector<float>({1}, {10});
  std::vector<Tensor> y =
      run_op({.op_type = "Conv",
              .inputs = {x, w, b},
              .attrs = attrs({{"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}})});
  EXPECT_EQ(y[0].shape(), (Shape{1, 1, 1, 1}));
  EXPECT_EQ(values(y[0]), (std::vector<float>{20}));
}

TEST(Conv, MatchesIm2colMatmulOverManyConfigs) {
  std::vector<Conv2dSpec> specs(5);
  specs[1].strides = {2, 3};
  specs[2].pads = {1, 2, 0, 3};
  specs[2].dilations = {2, 1};
  specs[3].group = 2;
  specs[3].strides = {2, 1};
  specs[3].pads = {2, 1, 1, 2};
  specs[4].group = 4;  // depthwise with channel multiplier 2
  specs[4].dilations = {2, 2};
  specs[4].pads = {2, 2, 2, 2};
  uint32_t seed = 1;
  for (const Conv2dSpec& s : specs) {
    Tensor x = random_tensor({2, 4, 9, 8}, seed++);
    Tensor w = random_tensor({8, 4 / s.group, 3, 2}, seed++);
    Tensor b = random_tensor({8}, seed++);
    std::vector<Tensor> y =
        run_op({.op_type = "Conv", .inputs = {x, w, b}, .attrs = conv2d_attrs(s)});
    Tensor expected = conv2d_im2col(x, w, &b, s);
    EXPECT_LT(max_abs_diff(y[0], expected), 1e-5) << "group " << s.group;
  }
}

TEST(Conv, OneByOneConvIsMatmulOverChannels) {
  Tensor x = random_tensor({1, 5, 3, 4}, 11);
  Tensor w = random_tensor({3, 5, 1, 1}, 12);
  std::vector<Tensor> y = run_op({.op_type = "Conv", .inputs = {x, w}});
  ASSERT_EQ(y[0].shape(), (Shape{1, 3, 3, 4}));
  for (int64_t o = 0; o < 3; ++o)
    for (int64_t p = 0; p < 12; ++p) {
      double acc = 0;
      for (int64_t c = 0; c < 5; ++c)
        acc += double{w.data<float>()[o * 5 + c]} * x.data<float>()[c * 12 + p];
      EXPECT_NEAR(y[0].data<float>()[o * 12 + p], acc, 1e-5);
    }
}

TEST(Conv, GroupedConvIsConcatOfPerGroupConvs) {
  const int64_t groups = 3;
  Tensor x = random_tensor({2, 6, 5, 5}, 21);
  Tensor w = random_tensor({9, 2, 3, 3}, 22);
  Attributes a = attrs({{"group", groups}, {"pads", Ints{1, 1, 1, 1}}});
  std::vector<Tensor> y = run_op({.op_type = "Conv", .inputs = {x, w}, .attrs = a});
  for (int64_t g = 0; g < groups; ++g) {
    // Per-group weights are rows [3g, 3g + 3) of W: slice along W's output dim.
    Tensor wg(DType::kFloat32, {3, 2, 3, 3});
    for (int64_t i = 0; i < wg.numel(); ++i) wg.data<float>()[i] = w.data<float>()[g * 54 + i];
    Tensor yg = run_op({.op_type = "Conv",
                        .inputs = {channel_slice(x, 2 * g, 2), wg},
                        .attrs = attrs({{"pads", Ints{1, 1, 1, 1}}})})[0];
    EXPECT_LT(max_abs_diff(channel_slice(y[0], 3 * g, 3), yg), 1e-6) << "group " << g;
  }
}

TEST(Conv, OneDAndThreeDAgreeWithTwoDOnUnitDims) {
  Tensor x1 = random_tensor({2, 3, 11}, 31);
  Tensor w1 = random_tensor({4, 3, 3}, 32);
  Attributes a1 = attrs({{"strides", Ints{2}}, {"pads", Ints{1, 2}}, {"dilations", Ints{2}}});
  Tensor y1 = run_op({.op_type = "Conv", .inputs = {x1, w1}, .attrs = a1})[0];
  Attributes a2 =
      attrs({{"strides", Ints{1, 2}}, {"pads", Ints{0, 1, 0, 2}}, {"dilations", Ints{1, 2}}});
  Tensor y2 = run_op({.op_type = "Conv",
                      .inputs = {x1.reshaped({2, 3, 1, 11}), w1.reshaped({4, 3, 1, 3})},
                      .attrs = a2})[0];
  EXPECT_LT(max_abs_diff(y1.reshaped(y2.shape()), y2), 1e-6);

  Attributes a3 = attrs(
      {{"strides", Ints{1, 1, 2}}, {"pads", Ints{0, 0, 1, 0, 0, 2}}, {"dilations", Ints{1, 1, 2}}});
  Tensor y3 = run_op({.op_type = "Conv",
                      .inputs = {x1.reshaped({2, 3, 1, 1, 11}), w1.reshaped({4, 3, 1, 1, 3})},
                      .attrs = a3})[0];
  EXPECT_LT(max_abs_diff(y1.reshaped(y3.shape()), y3), 1e-6);
}

TEST(Conv, ThreeDMatchesSumOfTwoDSlices) {
  // A 3-D conv with kernel depth 2 equals, per output depth d, conv2d(x[d]) with w[.., 0]
  // plus conv2d(x[d + 1]) with w[.., 1].
  Tensor x = random_tensor({1, 2, 3, 4, 4}, 41);
  Tensor w = random_tensor({2, 2, 2, 3, 3}, 42);
  Tensor y = run_op({.op_type = "Conv", .inputs = {x, w}})[0];
  ASSERT_EQ(y.shape(), (Shape{1, 2, 2, 2, 2}));
  auto depth_slice = [](const Tensor& t, int64_t d) {  // [N, C, D, H, W] -> [N, C, H, W]
    Shape s = t.shape();
    Tensor out(DType::kFloat32, {s[0], s[1], s[3], s[4]});
    const int64_t hw = s[3] * s[4];
    for (int64_t nc = 0; nc < s[0] * s[1]; ++nc)
      for (int64_t i = 0; i < hw; ++i)
        out.data<float>()[nc * hw + i] = t.data<float>()[(nc * s[2] + d) * hw + i];
    return out;
  };
  for (int64_t d = 0; d < 2; ++d) {
    Tensor a = run_op({.op_type = "Conv", .inputs = {depth_slice(x, d), depth_slice(w, 0)}})[0];
    Tensor b = run_op({.op_type = "Conv", .inputs = {depth_slice(x, d + 1), depth_slice(w, 1)}})[0];
    for (int64_t i = 0; i < a.numel(); ++i) a.data<float>()[i] += b.data<float>()[i];
    EXPECT_LT(max_abs_diff(depth_slice(y, d), a), 1e-5);
  }
}

TEST(Conv, AutoPadSameAndValid) {
  Tensor x = random_tensor({1, 1, 5, 6}, 51);
  Tensor w = random_tensor({1, 1, 2, 3}, 52);
  // SAME: output ceil(in / stride); total pads (rows: 1, cols: 2 with stride 2 -> 1) split
  // with the odd one at the end (UPPER) or beginning (LOWER).
  Tensor upper = run_op({.op_type = "Conv",
                         .inputs = {x, w},
                         .attrs = attrs({{"auto_pad", "SAME_UPPER"}, {"strides", Ints{1, 2}}})})[0];
  EXPECT_EQ(upper.shape(), (Shape{1, 1, 5, 3}));
  Tensor upper_explicit =
      run_op({.op_type = "Conv",
              .inputs = {x, w},
              .attrs = attrs({{"pads", Ints{0, 0, 1, 1}}, {"strides", Ints{1, 2}}})})[0];
  EXPECT_LT(max_abs_diff(upper, upper_explicit), 1e-6);
  Tensor lower = run_op({.op_type = "Conv",
                         .inputs = {x, w},
                         .attrs = attrs({{"auto_pad", "SAME_LOWER"}, {"strides", Ints{1, 2}}})})[0];
  Tensor lower_explicit =
      run_op({.op_type = "Conv",
              .inputs = {x, w},
              .attrs = attrs({{"pads", Ints{1, 1, 0, 0}}, {"strides", Ints{1, 2}}})})[0];
  EXPECT_LT(max_abs_diff(lower, lower_explicit), 1e-6);
  // VALID ignores pads.
  Tensor valid =
      run_op({.op_type = "Conv", .inputs = {x, w}, .attrs = attrs({{"auto_pad", "VALID"}})})[0];
  EXPECT_EQ(valid.shape(), (Shape{1, 1, 4, 4}));
}

TEST(Conv, FlopsAndFloat64) {
  OpCall call{.op_type = "Conv",
              .inputs = {random_tensor({2, 4, 8, 8}, 61), random_tensor({6, 2, 3, 3}, 62)},
              .attrs = attrs({{"group", 2}, {"pads", Ints{1, 1, 1, 1}}})};
  PreparedOp op = prepare_op(call);
  EXPECT_EQ(op.flops, 2 * 2 * 6 * 64 * 2 * 9);

  Tensor x = Tensor::from_vector<double>({1, 1, 1, 3}, {1, 2, 3});
  Tensor w = Tensor::from_vector<double>({1, 1, 1, 2}, {0.5, -1});
  Tensor y = run_op({.op_type = "Conv", .inputs = {x, w}})[0];
  EXPECT_EQ(y.dtype(), DType::kFloat64);
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{-1.5, -2}));
}

TEST(Conv, RejectsBadNodes) {
  Tensor x = random_tensor({1, 4, 5, 5}, 71);
  Tensor w = random_tensor({2, 4, 3, 3}, 72);
  auto fails = [&](OpCall call, const std::string& needle) {
    try {
      prepare_op(call);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find(kTestNodeName), std::string::npos) << msg;
      EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
  };
  fails({.op_type = "Conv", .inputs = {x, random_tensor({2, 3, 3, 3}, 1)}}, "channels");
  fails({.op_type = "Conv", .inputs = {x, w}, .attrs = attrs({{"group", 3}})}, "channels");
  fails({.op_type = "Conv",
         .inputs = {x, random_tensor({3, 2, 3, 3}, 1)},
         .attrs = attrs({{"group", 2}})},
        "divisible");
  fails({.op_type = "Conv", .inputs = {x, random_tensor({2, 4, 7, 3}, 1)}}, "larger");
  fails({.op_type = "Conv", .inputs = {x, w}, .attrs = attrs({{"auto_pad", "SAME"}})}, "auto_pad");
  fails({.op_type = "Conv", .inputs = {x, w}, .attrs = attrs({{"pads", Ints{-1, 0, 0, 0}}})},
        "negative");
  fails({.op_type = "Conv", .inputs = {x, w}, .attrs = attrs({{"pads", Ints{1, 1}}})}, "pads");
  fails({.op_type = "Conv", .inputs = {x, w}, .attrs = attrs({{"strides", Ints{0, 1}}})},
        "strides");
  fails({.op_type = "Conv", .inputs = {x, random_tensor({2, 4, 3}, 1)}}, "rank");
  fails({.op_type = "Conv", .inputs = {x, w}, .attrs = attrs({{"kernel_shape", Ints{2, 2}}})},
        "kernel_shape");
  fails({.op_type = "Conv", .inputs = {x, w, random_tensor({3}, 1)}}, "B");
  fails({.op_type = "Conv", .inputs = {random_tensor({4, 5}, 1), w}}, "rank");
  fails({.op_type = "Conv",
         .inputs = {x, Tensor::from_vector<double>({2, 4, 1, 1}, std::vector<double>(8))}},
        "element type");
  fails({.op_type = "Conv", .inputs = {x}}, "inputs");
}

// ---- ConvTranspose ----

TEST(ConvTranspose, HandComputed) {
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor w = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor y = run_op({.op_type = "ConvTranspose", .inputs = {x, w}})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(values(y), (std::vector<float>{1, 3, 2, 4, 10, 6, 3, 7, 4}));
  // Stride 2 spreads the copies apart without overlap; pads trim the border.
  Tensor y2 = run_op({.op_type = "ConvTranspose",
                      .inputs = {x, w, Tensor::from_vector<float>({1}, {0.5f})},
                      .attrs = attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 0, 0}}})})[0];
  EXPECT_EQ(y2.shape(), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(values(y2), (std::vector<float>{1.5, 2.5, 2.5, 3.5, 4.5, 4.5, 3.5, 4.5, 4.5}));
}

TEST(ConvTranspose, IsTheAdjointOfConv) {
  struct Case {
    Ints x_shape, w_shape, strides, pads, dilations;
    int64_t group;
  };
  std::vector<Case> cases = {
      {{1, 2, 6, 7}, {3, 2, 3, 3}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1},
      {{2, 4, 9, 8}, {6, 2, 3, 2}, {2, 1}, {1, 0, 2, 1}, {1, 2}, 2},
      {{1, 3, 10, 7}, {3, 1, 2, 3}, {3, 2}, {1, 1, 0, 2}, {2, 1}, 3},
      {{1, 2, 13}, {4, 2, 4}, {3}, {2, 1}, {2}, 1},
      {{1, 2, 4, 5, 6}, {2, 1, 2, 3, 2}, {2, 1, 2}, {1, 0, 1, 0, 1, 0}, {1, 2, 1}, 2},
  };
  uint32_t seed = 100;
  for (const Case& c : cases) {
    Tensor x = random_tensor(c.x_shape, seed++);
    Tensor w = random_tensor(c.w_shape, seed++);
    Attributes a = attrs(
        {{"strides", c.strides}, {"pads", c.pads}, {"dilations", c.dilations}, {"group", c.group}});
    Tensor y = run_op({.op_type = "Conv", .inputs = {x, w}, .attrs = a})[0];
    Tensor v = random_tensor(y.shape(), seed++);
    // output_padding makes the transpose's output exactly x's spatial size.
    const size_t rank = c.x_shape.size() - 2;
    Ints output_padding(rank);
    for (size_t i = 0; i < rank; ++i) {
      const int64_t ext = (c.w_shape[2 + i] - 1) * c.dilations[i] + 1;
      output_padding[i] = c.x_shape[2 + i] -
                          (c.strides[i] * (y.dim(2 + i) - 1) + ext - c.pads[i] - c.pads[rank + i]);
      ASSERT_GE(output_padding[i], 0);
    }
    Attributes at = a;
    at["output_padding"] = Attribute{output_padding};
    Tensor u = run_op({.op_type = "ConvTranspose", .inputs = {v, w}, .attrs = at})[0];
    ASSERT_EQ(u.shape(), x.shape());
    const double lhs = dot(y, v), rhs = dot(x, u);
    EXPECT_NEAR(lhs, rhs, 1e-4 * (1 + std::fabs(lhs))) << "case x" << shape_to_string(c.x_shape);
  }
}

TEST(ConvTranspose, OutputShapeAndAutoPad) {
  Tensor x = random_tensor({1, 2, 3, 3}, 201);
  Tensor w = random_tensor({2, 3, 3, 3}, 202);
  // Natural size: 2 * (3 - 1) + 3 = 7. output_shape 6 trims one position (the spec puts the
  // odd pad at the beginning unless SAME_UPPER); 9 leaves two positions no input reaches.
  Tensor natural = run_op(
      {.op_type = "ConvTranspose", .inputs = {x, w}, .attrs = attrs({{"strides", Ints{2, 2}}})})[0];
  ASSERT_EQ(natural.shape(), (Shape{1, 3, 7, 7}));
  Tensor trimmed =
      run_op({.op_type = "ConvTranspose",
              .inputs = {x, w},
              .attrs = attrs({{"strides", Ints{2, 2}}, {"output_shape", Ints{6, 6}}})})[0];
  ASSERT_EQ(trimmed.shape(), (Shape{1, 3, 6, 6}));
  Tensor padded_big =
      run_op({.op_type = "ConvTranspose",
              .inputs = {x, w},
              .attrs = attrs({{"strides", Ints{2, 2}}, {"output_shape", Ints{1, 3, 9, 9}}})})[0];
  ASSERT_EQ(padded_big.shape(), (Shape{1, 3, 9, 9}));
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t i = 0; i < 9; ++i)
      for (int64_t j = 0; j < 9; ++j) {
        const float got = padded_big.data<float>()[(c * 9 + i) * 9 + j];
        const float want = i < 7 && j < 7 ? natural.data<float>()[(c * 7 + i) * 7 + j] : 0.0f;
        EXPECT_EQ(got, want);
      }
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t i = 0; i < 6; ++i)
      for (int64_t j = 0; j < 6; ++j)
        EXPECT_EQ(trimmed.data<float>()[(c * 6 + i) * 6 + j],
                  natural.data<float>()[(c * 7 + i + 1) * 7 + j + 1]);
  // SAME_UPPER: output in * stride = 6, the one trimmed position taken from the end.
  Tensor same = run_op({.op_type = "ConvTranspose",
                        .inputs = {x, w},
                        .attrs = attrs({{"strides", Ints{2, 2}}, {"auto_pad", "SAME_UPPER"}})})[0];
  ASSERT_EQ(same.shape(), (Shape{1, 3, 6, 6}));
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t i = 0; i < 6; ++i)
      for (int64_t j = 0; j < 6; ++j)
        EXPECT_EQ(same.data<float>()[(c * 6 + i) * 6 + j],
                  natural.data<float>()[(c * 7 + i) * 7 + j]);
}

TEST(ConvTranspose, FlopsAndErrors) {
  Tensor x = random_tensor({2, 4, 5, 5}, 301);
  Tensor w = random_tensor({4, 3, 3, 3}, 302);
  PreparedOp op =
      prepare_op({.op_type = "ConvTranspose", .inputs = {x, w}, .attrs = attrs({{"group", 2}})});
  EXPECT_EQ(op.outputs[0].shape, (Shape{2, 6, 7, 7}));
  EXPECT_EQ(op.flops, 2 * 2 * 4 * 25 * 3 * 9);
  EXPECT_THROW(
      prepare_op({.op_type = "ConvTranspose", .inputs = {x, random_tensor({3, 3, 3, 3}, 1)}}),
      Error);
  EXPECT_THROW(
      prepare_op({.op_type = "ConvTranspose", .inputs = {x, w}, .attrs = attrs({{"group", 3}})}),
      Error);
  EXPECT_THROW(prepare_op({.op_type = "ConvTranspose",
                           .inputs = {x, w},
                           .attrs = attrs({{"pads", Ints{4, 4, 4, 4}}})}),
               Error);
  EXPECT_THROW(prepare_op({.op_type = "ConvTranspose",
                           .inputs = {x, w},
                           .attrs = attrs({{"output_shape", Ints{7}}})}),
               Error);
  EXPECT_THROW(prepare_op({.op_type = "ConvTranspose",
                           .inputs = {x, w},
                           .attrs = attrs({{"output_padding", Ints{-1, 0}}})}),
               Error);
  EXPECT_THROW(
      prepare_op(
          {.op_type = "ConvTranspose", .inputs = {x, w}, .attrs = attrs({{"auto_pad", "bogus"}})}),
      Error);
}

}  // namespace
}  // namespace hone::test
