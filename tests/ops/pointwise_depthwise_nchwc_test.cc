// The fused pointwise + depthwise blocked kernel: every ISA the CPU has, block 8 and 16,
// several configs (bands, channel chunks, row splits, tiles), 1 and 2 threads, against the two
// reference convs run one after the other in double precision.
#include "ops/conv/pointwise_depthwise_nchwc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "ops/blocked_test_util.h"
#include "ops/conv/conv_reference.h"
#include "ops/conv_test_util.h"

namespace hone {
namespace {

struct Case {
  int64_t n, cin, mid, h, w, k, s, pt, pl, pb, pr, dil;
};

ConvGeometry pointwise_of(const Case& k) {
  ConvGeometry g;
  g.batch = k.n;
  g.in_channels = k.cin;
  g.out_channels = k.mid;
  g.in_h = g.out_h = k.h;
  g.in_w = g.out_w = k.w;
  return g;
}

ConvGeometry depthwise_of(const Case& k) {
  ConvGeometry g;
  g.batch = k.n;
  g.in_channels = g.out_channels = k.mid;
  g.in_h = k.h;
  g.in_w = k.w;
  g.kernel_h = g.kernel_w = k.k;
  g.stride_h = g.stride_w = k.s;
  g.pad_top = k.pt;
  g.pad_left = k.pl;
  g.dilation_h = g.dilation_w = k.dil;
  g.out_h = (k.h + k.pt + k.pb - (k.k - 1) * k.dil - 1) / k.s + 1;
  g.out_w = (k.w + k.pl + k.pr - (k.k - 1) * k.dil - 1) / k.s + 1;
  return g;
}

struct Variant {
  PointwiseDepthwiseNchwcConfig config;
  bool bias = true, sum = false;
  Epilogue pw_act, dw_act;
  ThreadPool* pool = nullptr;
};

// Runs the kernel and the references; returns max |diff| / max(1, max |reference|).
double relative_error(const Case& k, const Variant& v) {
  const ConvGeometry pw = pointwise_of(k), dw = depthwise_of(k);
  const int64_t b = v.config.block, in_sp = k.h * k.w, out_sp = dw.out_h * dw.out_w;
  std::mt19937 rng(static_cast<unsigned>(k.cin * 131 + k.mid * 7 + k.h));
  const std::vector<float> x = test::random_floats(k.n * k.cin * in_sp, rng);
  const std::vector<float> pw_w = test::random_floats(k.mid * k.cin, rng);
  const std::vector<float> pw_b = test::random_floats(k.mid, rng);
  const std::vector<float> dw_w = test::random_floats(k.mid * k.k * k.k, rng);
  const std::vector<float> dw_b = test::random_floats(k.mid, rng);
  const std::vector<float> sum = test::random_floats(k.n * k.mid * out_sp, rng);

  std::vector<double> xd(x.begin(), x.end()), pwd(pw_w.begin(), pw_w.end());
  std::vector<double> pbd(pw_b.begin(), pw_b.end()), dwd(dw_w.begin(), dw_w.end());
  std::vector<double> dbd(dw_b.begin(), dw_b.end());
  std::vector<double> mid(static_cast<size_t>(k.n * k.mid * in_sp));
  conv_reference<double>(test::conv_params_of(pw), xd.data(), pwd.data(),
                         v.bias ? pbd.data() : nullptr, mid.data());
  for (double& m : mid) m = apply_epilogue(static_cast<float>(m), v.pw_act);
  std::vector<double> out(static_cast<size_t>(k.n * k.mid * out_sp));
  conv_reference<double>(test::conv_params_of(dw, k.mid), mid.data(), dwd.data(),
                         v.bias ? dbd.data() : nullptr, out.data());
  std::vector<float> expect(out.size());
  for (size_t i = 0; i < out.size(); ++i)
    expect[i] = apply_epilogue(static_cast<float>(out[i] + (v.sum ? sum[i] : 0.0)), v.dw_act);

  // Padding lanes of the blocked input hold garbage (consumers must ignore them).
  const std::vector<float> xin = test::block_vector(x, k.n, k.cin, in_sp, b, 7.0f);
  std::vector<float> y = test::block_vector(sum, k.n, k.mid, out_sp, b, -3.0f);
  PointwiseDepthwiseNchwc conv(pw, dw, v.config, pw_w.data(), v.bias ? pw_b.data() : nullptr,
                               v.pw_act, dw_w.data(), v.bias ? dw_b.data() : nullptr, v.dw_act);
  // The sum aliases y, as the in-place planner arranges for a residual.
  conv.run(xin.data(), v.sum ? y.data() : nullptr, y.data(), v.pool);
  for (float f : y)
    if (!std::isfinite(f)) return INFINITY;
  const std::vector<float> got = test::unblock_vector(y, k.n, k.mid, out_sp, b);
  return test::max_relative_error(got, expect);
}

const std::vector<Case>& cases() {
  static const std::vector<Case> list = {
      // n, cin, mid, h, w, k, s, pt, pl, pb, pr, dil
      {1, 16, 96, 24, 24, 3, 2, 1, 1, 1, 1, 1},   // MobileNetV2 features.2 shape, smaller
      {1, 24, 144, 14, 14, 3, 1, 1, 1, 1, 1, 1},  // features.3
      {2, 20, 40, 9, 11, 3, 1, 1, 1, 1, 1, 1},    // batch 2, odd sizes
      {1, 7, 21, 13, 13, 3, 2, 1, 1, 1, 1, 1},    // channels not a multiple of the block, s2
      {1, 16, 32, 10, 9, 5, 1, 2, 2, 2, 2, 1},    // 5x5
      {1, 12, 24, 8, 8, 3, 1, 0, 1, 2, 1, 1},     // asymmetric pads (no top pad)
      {1, 16, 48, 12, 10, 3, 1, 2, 2, 2, 2, 2},   // dilation 2 (general tiled kernel)
      {1, 9, 17, 3, 2, 3, 2, 1, 1, 1, 1, 1},      // tiny
      {1, 32, 64, 7, 7, 3, 1, 1, 1, 1, 1, 1},     // 7x7
  };
  return list;
}

PointwiseDepthwiseNchwcConfig with_default(const Case& k, Isa isa, int b, int threads) {
  return default_pointwise_depthwise_nchwc_config(pointwise_of(k), depthwise_of(k), isa, b,
                                                  threads);
}

TEST(PointwiseDepthwiseNchwc, EveryIsaBlockCaseAndActivationMatchesReference) {
  ThreadPool pool(2);
  for (Isa isa : supported_isas())
    for (int b : {8, 16})
      for (const Case& k : cases())
        for (int threads : {1, 2})
          for (int e = 0; e < 3; ++e) {
            Variant v;
            v.config = with_default(k, isa, b, threads);
            v.pool = threads == 2 ? &pool : nullptr;
            v.bias = e != 1;
            v.sum = e == 2;
            // MobileNetV2's Relu6 after the expansion and the depthwise conv, and others.
            const Epilogue relu6{Activation::kClip, 0.0f, 6.0f};
            v.pw_act =
                e == 0 ? relu6 : test::kActivations[(k.cin + e) % std::size(test::kActivations)];
            v.dw_act = e == 0 ? relu6
                              : test::kActivations[(k.mid + 3 * e) % std::size(test::kActivations)];
            EXPECT_LT(relative_error(k, v), 1e-5)
                << isa_name(isa) << " b" << b << " case cin=" << k.cin << " mid=" << k.mid << " "
                << k.h << "x" << k.w << " k" << k.k << " s" << k.s << " threads " << threads << " e"
                << e;
          }
}

TEST(PointwiseDepthwiseNchwc, ConfigsMatchReference) {
  ThreadPool pool(2);
  for (Isa isa : supported_isas())
    for (int b : {8, 16})
      for (const Case& k : {cases()[0], cases()[2], cases()[3], cases()[4]})
        for (int variant = 0; variant < 6; ++variant) {
          Variant v;
          v.config = with_default(k, isa, b, 2);
          v.pool = &pool;
          v.sum = true;
          v.pw_act = {Activation::kRelu};
          v.dw_act = {Activation::kClip, -0.5f, 0.5f};
          PointwiseDepthwiseNchwcConfig& c = v.config;
          c.rows = 1 + variant;  // 1..6 rows per band
          c.cb_chunk = variant % 3;
          c.row_splits = 1 + variant % 4;
          c.pw_ow_tile = variant % 2 ? 5 : 2;  // tiles every ISA's registers hold
          c.pw_oc_tile = 2 - variant % 2;
          c.dw_ow_tile = 1 + 3 * variant;
          c.fast3x3 = variant != 3;
          ASSERT_EQ(pointwise_depthwise_nchwc_config_problem(pointwise_of(k), depthwise_of(k), c),
                    "");
          EXPECT_LT(relative_error(k, v), 1e-5)
              << isa_name(isa) << " b" << b << " variant " << variant << " cin=" << k.cin;
        }
}

TEST(PointwiseDepthwiseNchwc, ThreeThreadsAndKernelsOfDifferentScratchSizesShareThreads) {
  // Each thread's scratch grows to the biggest kernel it ran; a smaller one then reuses it.
  ThreadPool pool(3);
  for (const Case& k : {cases()[0], cases()[1], cases()[7], cases()[1]}) {
    Variant v;
    v.config = with_default(k, best_isa(), 16, 3);
    v.config.row_splits = 5;
    v.pool = &pool;
    EXPECT_LT(relative_error(k, v), 1e-5) << "mid " << k.mid;
  }
}

TEST(PointwiseDepthwiseNchwc, ConfigJsonRoundTripsAndNamesBadFields) {
  const Case& k = cases()[0];
  PointwiseDepthwiseNchwcConfig c = with_default(k, Isa::kPortable, 8, 2);
  c.rows = 3;
  c.cb_chunk = 2;
  c.row_splits = 4;
  c.fast3x3 = false;
  EXPECT_EQ(pointwise_depthwise_nchwc_config_from_json(pointwise_depthwise_nchwc_config_to_json(c)),
            c);
  for (const char* field : {"rows", "cb_chunk", "row_splits", "pw_ow_tile", "pw_oc_tile",
                            "dw_ow_tile", "fast3x3", "block", "isa"}) {
    nlohmann::json j = pointwise_depthwise_nchwc_config_to_json(c);
    j.erase(field);
    try {
      pointwise_depthwise_nchwc_config_from_json(j);
      ADD_FAILURE() << "no error without " << field;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  }
  nlohmann::json j = pointwise_depthwise_nchwc_config_to_json(c);
  j["rows"] = 0;
  EXPECT_THROW(pointwise_depthwise_nchwc_config_from_json(j), Error);
  j = pointwise_depthwise_nchwc_config_to_json(c);
  j["dw_ow_tile"] = 17;
  EXPECT_THROW(pointwise_depthwise_nchwc_config_from_json(j), Error);
}

TEST(PointwiseDepthwiseNchwc, ProblemNamesWhatDoesNotFit) {
  const Case& k = cases()[0];
  const ConvGeometry pw = pointwise_of(k), dw = depthwise_of(k);
  const PointwiseDepthwiseNchwcConfig c = with_default(k, Isa::kPortable, 16, 1);
  EXPECT_EQ(pointwise_depthwise_nchwc_config_problem(pw, dw, c), "");
  ConvGeometry bad = pw;
  bad.kernel_h = bad.kernel_w = 3;
  EXPECT_NE(pointwise_depthwise_nchwc_config_problem(bad, dw, c).find("1x1"), std::string::npos);
  bad = dw;
  bad.in_channels = bad.out_channels = k.mid + 1;
  EXPECT_NE(pointwise_depthwise_nchwc_config_problem(pw, bad, c).find("channels"),
            std::string::npos);
  bad = dw;
  bad.in_h += 1;
  EXPECT_NE(pointwise_depthwise_nchwc_config_problem(pw, bad, c).find("size"), std::string::npos);
  PointwiseDepthwiseNchwcConfig t = c;
  t.rows = 0;
  EXPECT_NE(pointwise_depthwise_nchwc_config_problem(pw, dw, t).find("rows"), std::string::npos);
  EXPECT_THROW(PointwiseDepthwiseNchwc(pw, dw, t, nullptr, nullptr, {}, nullptr, nullptr, {}),
               Error);
}

TEST(PointwiseDepthwiseNchwc, DefaultSplitsSmallImagesByChannelsAndNamesItself) {
  // 7x7 with 2 threads: two channel chunks, no row split (which would recompute rows).
  const Case& k = cases()[8];
  const PointwiseDepthwiseNchwcConfig c = with_default(k, best_isa(), 16, 2);
  EXPECT_EQ(c.row_splits, 1);
  EXPECT_EQ(c.cb_chunk, 2);
  std::vector<float> pw_w(static_cast<size_t>(k.cin * k.mid)), dw_w(static_cast<size_t>(k.mid * 9));
  PointwiseDepthwiseNchwc conv(pointwise_of(k), depthwise_of(k), c, pw_w.data(), nullptr, {},
                               dw_w.data(), nullptr, {});
  EXPECT_EQ(conv.name().rfind("pw_dw_nchw16c " + std::string(isa_name(best_isa())) + " r", 0), 0u)
      << conv.name();
}

}  // namespace
}  // namespace hone
