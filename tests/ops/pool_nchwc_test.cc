// MaxPoolBlocked, AveragePoolBlocked, GlobalMaxPoolBlocked and GlobalAveragePoolBlocked
// (internal ops, domain "hone"): the reference and every optimized variant against a direct 2-D
// pooling written here, over odd shapes, asymmetric pads, dilations, ceil_mode and
// count_include_pad; and the error paths.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ops/blocked_test_util.h"
#include "ops/op_test_util.h"

namespace hone::test {
namespace {

using Ints = std::vector<int64_t>;

struct PoolCase {
  Ints kernel, strides, pads, dilations;
  bool ceil_mode = false;
  Shape shape;  // NCHW
};

// Output size per the ONNX formula, then a direct loop over taps.
int64_t out_dim(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, bool ceil) {
  const int64_t span = in + pb + pe - ((k - 1) * d + 1);
  return (ceil ? (span + s - 1) / s : span / s) + 1;
}

Tensor pool_direct(const Tensor& x, const PoolCase& c, bool is_max, bool include_pad) {
  const int64_t n = x.dim(0), ch = x.dim(1), ih = x.dim(2), iw = x.dim(3);
  const int64_t oh =
      out_dim(ih, c.kernel[0], c.strides[0], c.dilations[0], c.pads[0], c.pads[2], c.ceil_mode);
  const int64_t ow =
      out_dim(iw, c.kernel[1], c.strides[1], c.dilations[1], c.pads[1], c.pads[3], c.ceil_mode);
  Tensor y(DType::kFloat32, {n, ch, oh, ow});
  for (int64_t p = 0; p < n * ch; ++p)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        double acc = is_max ? -INFINITY : 0.0;
        int64_t count = 0;
        for (int64_t a = 0; a < c.kernel[0]; ++a)
          for (int64_t b = 0; b < c.kernel[1]; ++b) {
            const int64_t r = i * c.strides[0] + a * c.dilations[0] - c.pads[0];
            const int64_t q = j * c.strides[1] + b * c.dilations[1] - c.pads[1];
            const bool inside = r >= 0 && r < ih && q >= 0 && q < iw;
            const bool in_padded =
                r >= -c.pads[0] && r < ih + c.pads[2] && q >= -c.pads[1] && q < iw + c.pads[3];
            if (include_pad ? in_padded : inside) ++count;
            if (!inside) continue;
            const double v = x.data<float>()[(p * ih + r) * iw + q];
            acc = is_max ? std::max(acc, v) : acc + v;
          }
        if (is_max && acc == -INFINITY) acc = -3.40282347e+38;
        y.data<float>()[(p * oh + i) * ow + j] =
            static_cast<float>(is_max ? acc : (count > 0 ? acc / double(count) : 0.0));
      }
  return y;
}

const std::vector<PoolCase> kCases = {
    {{3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, false, {1, 24, 23, 23}},  // ResNet's stem pool
    {{2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, false, {2, 24, 8, 8}},    // DenseNet transition
    {{3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, false, {1, 3, 6, 5}},     // GoogLeNet branch pool
    {{3, 3}, {2, 2}, {0, 0, 0, 0}, {1, 1}, true, {2, 3, 14, 14}},    // ceil_mode
    {{3, 3}, {2, 2}, {0, 0, 0, 0}, {1, 1}, true, {1, 24, 13, 12}},
    {{2, 3}, {1, 2}, {0, 1, 1, 0}, {1, 1}, false, {1, 24, 7, 9}},  // asymmetric pads
    {{3, 3}, {1, 1}, {2, 2, 2, 2}, {2, 2}, false, {1, 3, 7, 7}},   // dilation
    {{1, 1}, {2, 2}, {0, 0, 0, 0}, {1, 1}, false, {1, 24, 5, 5}},
    {{7, 7}, {1, 1}, {0, 0, 0, 0}, {1, 1}, false, {2, 40, 7, 7}},
    {{5, 5}, {3, 3}, {2, 1, 0, 2}, {1, 1}, true, {1, 24, 11, 10}},
    {{3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, false, {1, 24, 1, 1}},  // tiny spatial
    {{2, 2}, {1, 1}, {0, 0, 1, 1}, {1, 1}, true, {1, 1000, 2, 3}},
};

OpCall pool_call(const std::string& op, const Tensor& x, const PoolCase& c, int block,
                 bool include_pad) {
  Attributes a = attrs({{"kernel_shape", c.kernel},
                        {"strides", c.strides},
                        {"pads", c.pads},
                        {"dilations", c.dilations},
                        {"ceil_mode", int64_t{c.ceil_mode}},
                        {"block", int64_t{block}}});
  if (op == "AveragePoolBlocked") a["count_include_pad"] = Attribute{int64_t{include_pad}};
  return OpCall{.op_type = op, .inputs = {x}, .attrs = a, .domain = "hone"};
}

void check_window_pool(const std::string& op, bool is_max, bool include_pad) {
  for (const PoolCase& c : kCases) {
    Tensor x = random_tensor(c.shape, 7, -3.0f, 3.0f);
    Tensor expected = pool_direct(x, c, is_max, include_pad);
    for (int block : {8, 16}) {
      OpCall call = pool_call(op, block_nchw(x, block, 1.5f), c, block, include_pad);
      const std::string what = op + " " + shape_to_string(c.shape) + " k" +
                               shape_to_string(c.kernel) + " b" + std::to_string(block);
      Tensor ref = run_op(call)[0];
      EXPECT_LT(relative_error(unblock(ref, c.shape[1]), expected), 1e-6) << what;
      for (const Variant& v : optimized_variants()) {
        call.kernel_options = v.options;
        PreparedOp prepared = prepare_op(call);
        EXPECT_FALSE(prepared.needs_zeroed_outputs);
        EXPECT_FALSE(prepared.kernel_name.empty());
        Tensor y = run_op(call)[0];
        EXPECT_LT(relative_error(unblock(y, c.shape[1]), expected), 1e-5) << what << " " << v.name;
        EXPECT_TRUE(all_finite(y)) << what << " " << v.name;
      }
    }
  }
}

TEST(MaxPoolBlocked, MatchesDirectPooling) {
  check_window_pool("MaxPoolBlocked", true, false);
}

TEST(AveragePoolBlocked, MatchesDirectPoolingExcludingPad) {
  check_window_pool("AveragePoolBlocked", false, false);
}

TEST(AveragePoolBlocked, MatchesDirectPoolingIncludingPad) {
  check_window_pool("AveragePoolBlocked", false, true);
}

TEST(GlobalPoolBlocked, MatchesDirectReduction) {
  for (Shape shape : {Shape{1, 24, 7, 7}, Shape{2, 3, 5, 3}, Shape{1, 1000, 1, 1},
                      Shape{1, 40, 1, 13}, Shape{2, 2048, 2, 2}}) {
    Tensor x = random_tensor(shape, 9, -2.0f, 5.0f);
    const int64_t planes = shape[0] * shape[1], spatial = shape[2] * shape[3];
    for (bool is_max : {false, true}) {
      Tensor expected(DType::kFloat32, {shape[0], shape[1], 1, 1});
      for (int64_t p = 0; p < planes; ++p) {
        double acc = is_max ? -INFINITY : 0.0;
        for (int64_t i = 0; i < spatial; ++i) {
          const double v = x.data<float>()[p * spatial + i];
          acc = is_max ? std::max(acc, v) : acc + v;
        }
        expected.data<float>()[p] = static_cast<float>(is_max ? acc : acc / double(spatial));
      }
      for (int block : {8, 16}) {
        OpCall call{.op_type = is_max ? "GlobalMaxPoolBlocked" : "GlobalAveragePoolBlocked",
                    .inputs = {block_nchw(x, block, -7.0f)},
                    .attrs = attrs({{"block", int64_t{block}}}),
                    .domain = "hone"};
        const std::string what = call.op_type + " " + shape_to_string(shape);
        Tensor ref = run_op(call)[0];
        EXPECT_EQ(ref.shape(), (Shape{shape[0], (shape[1] + block - 1) / block, 1, 1, block}));
        EXPECT_LT(relative_error(unblock(ref, shape[1]), expected), 1e-6) << what;
        for (const Variant& v : optimized_variants()) {
          call.kernel_options = v.options;
          Tensor y = run_op(call)[0];
          EXPECT_LT(relative_error(unblock(y, shape[1]), expected), 1e-5) << what << " " << v.name;
        }
      }
    }
  }
}

TEST(PoolBlocked, BadAttributesNameTheNode) {
  Tensor x = block_nchw(random_tensor({1, 16, 6, 6}, 1), 16);
  const PoolCase ok{{3, 3}, {2, 2}, {0, 0, 0, 0}, {1, 1}, false, {1, 16, 6, 6}};
  auto expect_fail = [](OpCall call) {
    try {
      prepare_op(call);
      ADD_FAILURE() << call.op_type << ": expected an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(kTestNodeName), std::string::npos) << e.what();
    }
  };
  EXPECT_NO_THROW(prepare_op(pool_call("MaxPoolBlocked", x, ok, 16, false)));
  expect_fail(pool_call("MaxPoolBlocked", x, ok, 8, false));  // last dim 16, block 8
  OpCall bad = pool_call("AveragePoolBlocked", x, ok, 16, false);
  bad.attrs["kernel_shape"] = Attribute{Ints{3}};
  expect_fail(bad);
  bad = pool_call("AveragePoolBlocked", x, ok, 16, false);
  bad.attrs["count_include_pad"] = Attribute{int64_t{2}};
  expect_fail(bad);
  bad = pool_call("MaxPoolBlocked", x, ok, 16, false);
  bad.attrs["kernel_shape"] = Attribute{Ints{9, 9}};  // larger than the input
  expect_fail(bad);
  bad = pool_call("MaxPoolBlocked", x, ok, 16, false);
  bad.num_outputs = 2;
  expect_fail(bad);
  expect_fail({.op_type = "GlobalAveragePoolBlocked",
               .inputs = {random_tensor({1, 16, 6, 6}, 1)},
               .attrs = attrs({{"block", int64_t{16}}}),
               .domain = "hone"});
  expect_fail({.op_type = "GlobalMaxPoolBlocked",
               .inputs = {x},
               .attrs = attrs({{"block", int64_t{0}}}),
               .domain = "hone"});
}

}  // namespace
}  // namespace hone::test
