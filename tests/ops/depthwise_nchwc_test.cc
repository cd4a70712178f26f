// Depthwise blocked conv kernel: every ISA variant, block 8 and 16, several configs and
// layouts against the reference conv (plus bias, residual sum and activation by hand).
#include "ops/conv/depthwise_nchwc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "ops/blocked_test_util.h"
#include "ops/conv/conv_reference.h"
#include "ops/conv_test_util.h"
#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::random_tensor;

struct Case {
  int64_t n, c, h, w, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
};

ConvGeometry geometry_of(const Case& k) {
  ConvGeometry g;
  g.batch = k.n;
  g.in_channels = g.out_channels = k.c;
  g.in_h = k.h;
  g.in_w = k.w;
  g.kernel_h = k.kh;
  g.kernel_w = k.kw;
  g.stride_h = k.sh;
  g.stride_w = k.sw;
  g.pad_top = k.pt;
  g.pad_left = k.pl;
  g.dilation_h = k.dh;
  g.dilation_w = k.dw;
  g.out_h = (k.h + k.pt + k.pb - (k.kh - 1) * k.dh - 1) / k.sh + 1;
  g.out_w = (k.w + k.pl + k.pr - (k.kw - 1) * k.dw - 1) / k.sw + 1;
  return g;
}

std::vector<float> values(const Tensor& t) {
  return test::values_of<float>(t);
}

struct Variant {
  DepthwiseNchwcConfig config;
  int input_block, output_block;
  bool bias, sum;
  Epilogue epilogue;
  ThreadPool* pool;
};

// Runs the kernel and the reference; returns max |diff| / max(1, max |reference|).
double relative_error(const Case& k, const Variant& v) {
  const ConvGeometry g = geometry_of(k);
  const int64_t b = v.config.block;
  const int64_t in_sp = k.h * k.w, out_sp = g.out_h * g.out_w;
  const std::vector<float> x = values(random_tensor({k.n, k.c, k.h, k.w}, 1));
  const std::vector<float> w = values(random_tensor({k.c, 1, k.kh, k.kw}, 2));
  const std::vector<float> bias = values(random_tensor({k.c}, 3));
  const std::vector<float> sum = values(random_tensor({k.n, k.c, g.out_h, g.out_w}, 4));

  std::vector<float> expect(static_cast<size_t>(k.n * k.c * out_sp));
  conv_reference<float>(test::conv_params_of(geometry_of(k), k.c), x.data(), w.data(),
                        v.bias ? bias.data() : nullptr, expect.data());
  for (size_t i = 0; i < expect.size(); ++i)
    expect[i] = apply_epilogue(expect[i] + (v.sum ? sum[i] : 0.0f), v.epilogue);

  // Padding lanes of blocked inputs hold garbage (any finite value is allowed there).
  const std::vector<float> xin =
      v.input_block ? test::block_vector(x, k.n, k.c, in_sp, b, 7.0f) : x;
  std::vector<float> y = v.output_block ? test::block_vector(sum, k.n, k.c, out_sp, b, -3.0f) : sum;
  DepthwiseNchwc conv(g, v.config, w.data(), v.bias ? bias.data() : nullptr, v.input_block,
                      v.output_block, v.epilogue);
  // The sum aliases y, as the in-place planner arranges for a residual.
  conv.run(xin.data(), v.sum ? y.data() : nullptr, y.data(), v.pool);
  const std::vector<float> got = v.output_block ? test::unblock_vector(y, k.n, k.c, out_sp, b) : y;
  if (v.output_block)
    for (float f : y)
      if (!std::isfinite(f)) return INFINITY;
  return test::max_relative_error(got, expect);
}

const std::vector<Case>& cases() {
  static const std::vector<Case> list = {
      // n, c, h, w, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw
      {1, 32, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},  // MobileNet 3x3 s1
      {1, 24, 15, 13, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},  // s2, odd sizes, 24 channels
      {2, 5, 7, 9, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1},     // 5x5, batch 2, 5 channels
      {1, 17, 9, 11, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1},   // 7x7 s2
      {1, 16, 8, 10, 3, 3, 1, 1, 0, 1, 2, 1, 1, 1},   // asymmetric pads
      {1, 20, 12, 12, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},  // dilation 2
      {1, 8, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},     // 1x1 spatial
      {2, 33, 2, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},    // tiny 2x3, 33 channels
      {1, 40, 6, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},    // 1x1 kernel
      {1, 12, 9, 30, 3, 5, 2, 1, 1, 2, 0, 2, 1, 1},   // 3x5 kernel, mixed strides, wide
      {1, 3, 5, 5, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1},     // even kernel, no pad
      {1, 16, 5, 5, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1},    // window fills the input
  };
  return list;
}

std::vector<int> blocks() {
  return {8, 16};
}

TEST(DepthwiseNchwc, EveryIsaBlockLayoutAndCaseMatchesReference) {
  ThreadPool pool(2);
  for (Isa isa : supported_isas())
    for (int b : blocks())
      for (const Case& k : cases())
        for (int layout = 0; layout < 4; ++layout) {
          Variant v;
          v.config = default_depthwise_nchwc_config(geometry_of(k), isa, b);
          v.input_block = layout & 1 ? b : 0;
          v.output_block = layout & 2 ? b : 0;
          v.bias = layout != 1;
          v.sum = layout >= 2;
          v.epilogue = {Activation::kRelu};
          v.pool = layout == 3 ? &pool : nullptr;
          EXPECT_LT(relative_error(k, v), 1e-5)
              << isa_name(isa) << " block " << b << " layout " << layout << " case c=" << k.c << " "
              << k.h << "x" << k.w << " k" << k.kh << "x" << k.kw << " s" << k.sh;
        }
}

TEST(DepthwiseNchwc, ConfigsTilesAndChunksMatchReference) {
  ThreadPool pool(2);
  for (Isa isa : supported_isas())
    for (int b : blocks())
      for (int tile : {1, 3, 7, 8, 13, 16})
        for (int chunk : {1, 2, 5})
          for (const Case& k : {cases()[0], cases()[1], cases()[9]}) {
            Variant v{{isa, b, tile, chunk, true, chunk != 2},
                      b,
                      b,
                      true,
                      true,
                      {Activation::kNone},
                      &pool};
            EXPECT_LT(relative_error(k, v), 1e-5)
                << isa_name(isa) << " b" << b << " ow" << tile << " oh" << chunk;
          }
}

// Geometries at the edges of the 3x3 row kernel's reach (and just past it).
struct Case3x3 {
  Case k;
  bool fast;  // whether the 3x3 row kernel takes it
};

const std::vector<Case3x3>& cases_3x3() {
  static const std::vector<Case3x3> list = {
      // n, c, h, w, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw
      {{1, 16, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, true},    // MobileNet 7x7
      {{1, 32, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, true},  // s2, even input: no right pad
      {{1, 16, 13, 13, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, true},  // s2, odd input: right pad
      {{2, 24, 9, 23, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1}, true},   // no pad, long row tails
      {{1, 16, 6, 5, 3, 3, 2, 1, 2, 1, 0, 1, 1, 1}, true},    // stride_h 2, top pad 2
      {{1, 8, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, true},     // 2 wide: both borders only
      {{1, 8, 3, 3, 3, 3, 1, 1, 0, 1, 0, 0, 1, 1}, true},     // left pad only
      {{1, 16, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, false},   // 1 wide: both pads in one pixel
      {{1, 16, 8, 8, 3, 3, 1, 1, 1, 2, 1, 2, 1, 1}, false},   // 2 padded columns
      {{1, 16, 8, 8, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1}, false},   // stride 3
      {{1, 16, 8, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2}, false},   // dilation 2
      {{1, 16, 8, 9, 3, 3, 2, 2, 1, 1, 1, 2, 1, 1}, true},    // s2, pad 2 right: 1 read
      {{1, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 2, 1, 1}, false},   // s1, 2 padded columns right
  };
  return list;
}

TEST(DepthwiseNchwc, RowKernel3x3MatchesReferenceAndTakesItsGeometries) {
  ThreadPool pool(2);
  for (Isa isa : supported_isas())
    for (int b : blocks())
      for (const Case3x3& c : cases_3x3())
        for (int tile : {1, 4, 5, 16})
          for (bool fast : {true, false}) {
            const ConvGeometry g = geometry_of(c.k);
            DepthwiseNchwcConfig config{isa, b, tile, 2, fast};
            const std::vector<float> w(static_cast<size_t>(c.k.c * 9), 1.0f);
            const std::string name = DepthwiseNchwc(g, config, w.data(), nullptr, b, b, {}).name();
            EXPECT_EQ(name.find(" 3x3 ") != std::string::npos, fast && c.fast) << name;
            Variant v{config, b, b, true, true, {Activation::kClip, 0.0f, 6.0f}, &pool};
            EXPECT_LT(relative_error(c.k, v), 1e-5)
                << isa_name(isa) << " b" << b << " ow" << tile << " fast " << fast << " case "
                << c.k.h << "x" << c.k.w << " s" << c.k.sh << "," << c.k.sw << " pads " << c.k.pt
                << "," << c.k.pl << "," << c.k.pb << "," << c.k.pr;
          }
}

TEST(DepthwiseNchwc, EveryActivationMatchesReference) {
  const std::vector<Epilogue> epilogues = {{Activation::kNone},
                                           {Activation::kRelu},
                                           {Activation::kClip, 0.0f, 6.0f},
                                           {Activation::kClip, -0.5f, 0.25f},
                                           {Activation::kLeakyRelu, 0.1f},
                                           {Activation::kSigmoid},
                                           {Activation::kHardSigmoid, 0.2f, 0.5f},
                                           {Activation::kHardSwish},
                                           {Activation::kTanh},
                                           {Activation::kSilu},
                                           {Activation::kGelu}};
  for (Isa isa : supported_isas())
    for (int b : blocks())
      for (const Epilogue& e : epilogues) {
        Variant v{default_depthwise_nchwc_config(geometry_of(cases()[1]), isa, b),
                  b,
                  b,
                  true,
                  true,
                  e,
                  nullptr};
        EXPECT_LT(relative_error(cases()[1], v), 1e-5)
            << isa_name(isa) << " b" << b << " " << activation_name(e.kind);
      }
}

TEST(DepthwiseNchwc, ConfigJsonRoundTripsAndRejectsBadFields) {
  DepthwiseNchwcConfig c{best_isa(), 8, 6, 3, false};
  EXPECT_EQ(depthwise_nchwc_config_from_json(depthwise_nchwc_config_to_json(c)), c);
  c.fast3x3 = true;
  c.rows_outer = false;
  EXPECT_EQ(depthwise_nchwc_config_from_json(depthwise_nchwc_config_to_json(c)), c);
  nlohmann::json j = depthwise_nchwc_config_to_json(c);
  j["ow_tile"] = 17;
  EXPECT_THROW(depthwise_nchwc_config_from_json(j), Error);
  j = depthwise_nchwc_config_to_json(c);
  j["block"] = 12;
  EXPECT_THROW(depthwise_nchwc_config_from_json(j), Error);
  j = depthwise_nchwc_config_to_json(c);
  j.erase("oh_chunk");
  EXPECT_THROW(depthwise_nchwc_config_from_json(j), Error);
  j = depthwise_nchwc_config_to_json(c);
  j["fast3x3"] = 1;
  EXPECT_THROW(depthwise_nchwc_config_from_json(j), Error);
  j = depthwise_nchwc_config_to_json(c);
  j.erase("rows_outer");
  EXPECT_THROW(depthwise_nchwc_config_from_json(j), Error);
  j = depthwise_nchwc_config_to_json(c);
  j["isa"] = "sse9";
  EXPECT_THROW(depthwise_nchwc_config_from_json(j), Error);
  EXPECT_THROW(depthwise_nchwc_config_from_json(nlohmann::json::array()), Error);
}

TEST(DepthwiseNchwc, DefaultConfigIsValidAndProblemsAreReported) {
  for (Isa isa : supported_isas())
    for (int b : blocks())
      for (const Case& k : cases()) {
        const ConvGeometry g = geometry_of(k);
        const DepthwiseNchwcConfig c = default_depthwise_nchwc_config(g, isa, b);
        EXPECT_EQ(depthwise_nchwc_config_problem(g, c), "");
        EXPECT_EQ(c.isa, isa);
        EXPECT_EQ(c.block, b);
      }
  ConvGeometry g = geometry_of(cases()[0]);
  DepthwiseNchwcConfig c = default_depthwise_nchwc_config(g, Isa::kPortable, 16);
  c.ow_tile = 0;
  EXPECT_NE(depthwise_nchwc_config_problem(g, c), "");
  c = default_depthwise_nchwc_config(g, Isa::kPortable, 16);
  g.out_channels = 64;
  EXPECT_NE(depthwise_nchwc_config_problem(g, c), "");
  const std::vector<float> w(64 * 9, 1.0f);
  EXPECT_THROW(DepthwiseNchwc(g, c, w.data(), nullptr, 16, 16, {}), Error);
  g = geometry_of(cases()[0]);
  EXPECT_THROW(DepthwiseNchwc(g, c, w.data(), nullptr, 8, 16, {}), Error);
}

}  // namespace
}  // namespace hone
