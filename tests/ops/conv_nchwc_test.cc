// The blocked direct convolution (ops/conv/conv_nchwc.h) against the reference conv (computed
// in double) plus bias, residual sum and activation by the scalar formula: every supported ISA,
// block 8 and 16, several configs per geometry, plain and blocked input and output, threads.
#include "ops/conv/conv_nchwc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "ops/blocked_test_util.h"
#include "ops/conv/conv_reference.h"
#include "ops/conv_test_util.h"

namespace hone {
namespace {

struct Case {
  std::string name;
  int64_t n, ic, oc, ih, iw, kh, kw, sh, sw, pt, pl, pb, pr, dh = 1, dw = 1;
};

ConvGeometry geometry(const Case& c) {
  ConvGeometry g;
  g.batch = c.n;
  g.in_channels = c.ic;
  g.in_h = c.ih;
  g.in_w = c.iw;
  g.out_channels = c.oc;
  g.kernel_h = c.kh;
  g.kernel_w = c.kw;
  g.stride_h = c.sh;
  g.stride_w = c.sw;
  g.pad_top = c.pt;
  g.pad_left = c.pl;
  g.dilation_h = c.dh;
  g.dilation_w = c.dw;
  g.out_h = (c.ih + c.pt + c.pb - (c.kh - 1) * c.dh - 1) / c.sh + 1;
  g.out_w = (c.iw + c.pl + c.pr - (c.kw - 1) * c.dw - 1) / c.sw + 1;
  return g;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> list = {
      {"1x1_s1", 1, 32, 48, 5, 7, 1, 1, 1, 1, 0, 0, 0, 0},
      {"1x1_s1_long", 1, 16, 32, 9, 11, 1, 1, 1, 1, 0, 0, 0, 0},
      {"1x1_s2", 1, 24, 40, 7, 9, 1, 1, 2, 2, 0, 0, 0, 0},
      {"3x3_s1_p1", 1, 32, 32, 9, 10, 3, 3, 1, 1, 1, 1, 1, 1},
      {"3x3_s2_p1", 1, 16, 48, 11, 12, 3, 3, 2, 2, 1, 1, 1, 1},
      {"5x5_p2", 1, 16, 16, 8, 9, 5, 5, 1, 1, 2, 2, 2, 2},
      {"7x7_s2_p3_rgb", 1, 3, 32, 23, 21, 7, 7, 2, 2, 3, 3, 3, 3},
      {"3x3_asym_pads", 1, 8, 24, 7, 8, 3, 3, 1, 1, 0, 2, 2, 1},
      {"3x3_dilation2", 1, 16, 16, 9, 9, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},
      {"3x3_odd_channels", 1, 24, 40, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1},
      {"1x1_c1000", 1, 1000, 20, 2, 3, 1, 1, 1, 1, 0, 0, 0, 0},
      {"3x3_c3_out3", 1, 3, 3, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1},
      {"spatial_1x1", 1, 16, 32, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1},
      {"spatial_2x3", 1, 16, 32, 2, 3, 3, 3, 1, 1, 1, 1, 1, 1},
      {"batch2", 2, 20, 36, 6, 7, 3, 3, 1, 1, 1, 1, 1, 1},
      {"batch2_1x1", 2, 40, 24, 4, 5, 1, 1, 1, 1, 0, 0, 0, 0},
      {"batch2_1x1_s2x3", 2, 40, 24, 9, 8, 1, 1, 2, 3, 0, 0, 0, 0},
      {"wide_row", 1, 16, 32, 3, 40, 3, 3, 1, 1, 1, 1, 1, 1},
      {"kernel_larger_than_input", 1, 8, 16, 2, 2, 5, 5, 1, 1, 2, 2, 2, 2},
      // Border tiles with 2- and 3-pixel borders (unrolled loops of their own), several tiles
      // per row: AlexNet's 5x5 at 27 wide, Inception-v3's 1x7 and 7x1.
      {"5x5_p2_wide", 1, 16, 32, 5, 27, 5, 5, 1, 1, 2, 2, 2, 2},
      {"1x7_p3", 1, 16, 24, 5, 17, 1, 7, 1, 1, 0, 3, 0, 3},
      {"7x1_p3", 1, 16, 24, 17, 5, 7, 1, 1, 1, 3, 0, 3, 0},
      // Plain inputs of few channels run the kernel columns as lanes (kw_as_lanes): wide rows
      // so that tiles without borders exist, strides, dilation and uneven pads.
      {"11x11_s4_rgb", 1, 3, 24, 31, 35, 11, 11, 4, 4, 2, 2, 2, 2},
      {"3x3_s2_rgb_wide", 1, 3, 40, 9, 50, 3, 3, 2, 2, 1, 1, 1, 1},
      {"5x5_c5_dilated_wide", 1, 5, 16, 9, 30, 5, 5, 1, 1, 4, 3, 4, 5, 2, 2},
  };
  return list;
}

using test::kActivations;

// Configs to try beside the default: small and largest tiles, input-channel chunks, row chunks.
std::vector<ConvNchwcConfig> configs(const ConvGeometry& g, Isa isa, int block) {
  ConvNchwcConfig d = default_conv_nchwc_config(g, isa, block);
  std::vector<ConvNchwcConfig> out = {d};
  auto add = [&](int ow, int oc, int ic_chunk, int oh_chunk, int loop_order = 0, int oc_chunk = 0) {
    ConvNchwcConfig c = d;
    c.loop_order = loop_order;
    c.oc_chunk = oc_chunk;
    c.ow_tile = ow;
    c.oc_tile = oc;
    c.ic_chunk = ic_chunk;
    c.oh_chunk = oh_chunk;
    if (conv_nchwc_config_problem(g, c).empty()) out.push_back(c);
  };
  add(1, 1, 1, 1);
  add(3, 2, 2, 3, 1);
  add(isa == Isa::kAvx2 ? (block == 8 ? 14 : 6) : 30, 1, 0, 2);
  add(isa == Isa::kAvx2 ? (block == 8 ? 4 : 2) : 7, isa == Isa::kAvx2 ? 2 : 3, 1, 1, 1);
  // Loop order 1 with the oc tiles split into ranges (a last range shorter than the others).
  add(2, 1, 0, 2, 1, 2);
  add(5, 2, 2, 1, 1, 1);
  add(isa == Isa::kAvx2 ? 3 : 6, isa == Isa::kAvx2 ? 1 : 2, 0, 3, 1, 3);
  // Weight prefetch changes no result (a prefetch past the weights' end must not fault).
  ConvNchwcConfig p = d;
  p.w_prefetch = 24;
  out.push_back(p);
  // Next-pass weight prefetch, with input-channel passes and whole-image items, both orders
  // (the last pass's prefetch runs past the weights' end; it must not fault either).
  for (int order : {0, 1}) {
    ConvNchwcConfig n = d;
    n.w_prefetch_next = 1;
    n.loop_order = order;
    n.ic_chunk = 1;
    n.oh_chunk = static_cast<int>(g.out_h);
    out.push_back(n);
  }
  ConvNchwcConfig s = d;
  s.stream_out = 1;  // the test's unaligned vectors take the normal stores: see StreamOut
  out.push_back(s);
  // Strided 1x1s subsample by default: every config again on the strided kernel itself.
  if (d.subsample) {
    const size_t n = out.size();
    for (size_t i = 0; i < n; ++i) {
      ConvNchwcConfig strided = out[i];
      strided.subsample = 0;
      out.push_back(strided);
    }
  }
  return out;
}

struct Outcome {
  double max_err = 0, scale = 0;
};

// Runs one configuration with every option given and compares with the expectation.
Outcome run_case(const Case& cs, const ConvNchwcConfig& cfg, bool in_blocked, bool out_blocked,
                 bool with_bias, bool with_sum, bool sum_in_place, Epilogue e, ThreadPool* pool,
                 uint32_t seed, bool aligned_y = false) {
  const ConvGeometry g = geometry(cs);
  std::mt19937 rng(seed);
  const int64_t b = cfg.block;
  const std::vector<float> x = test::random_floats(g.batch * g.in_channels * g.in_h * g.in_w, rng);
  const std::vector<float> w =
      test::random_floats(g.out_channels * g.in_channels * g.kernel_h * g.kernel_w, rng);
  const std::vector<float> bias = test::random_floats(g.out_channels, rng);
  const int64_t ohw = g.out_h * g.out_w;
  const std::vector<float> sum = test::random_floats(g.batch * g.out_channels * ohw, rng);
  const std::vector<float> want =
      test::expected_conv(g, x, w, with_bias ? &bias : nullptr, with_sum ? &sum : nullptr, e);

  ConvNchwc conv(g, cfg, w.data(), with_bias ? bias.data() : nullptr, in_blocked ? cfg.block : 0,
                 out_blocked ? cfg.block : 0, e);
  EXPECT_GE(conv.packed_bytes(), static_cast<int64_t>(w.size() * sizeof(float)));
  const std::vector<float> xin =
      in_blocked ? test::block_vector(x, g.batch, g.in_channels, g.in_h * g.in_w, b, 3.0f) : x;
  std::vector<float> sum_l =
      out_blocked ? test::block_vector(sum, g.batch, g.out_channels, ohw, b, 0.0f) : sum;
  const size_t y_size = out_blocked ? sum_l.size() : sum.size();
  std::vector<float> y(y_size, std::nanf(""));
  const float* sum_ptr = nullptr;
  if (with_sum) {
    if (sum_in_place) {
      y = sum_l;
      sum_ptr = y.data();
    } else {
      sum_ptr = sum_l.data();
    }
  }
  if (aligned_y) {
    // y at a 64-byte boundary (stream_out's non-temporal stores need one).
    std::vector<float> store(y.size() + 16);
    float* ya = store.data() + (16 - reinterpret_cast<uintptr_t>(store.data()) / 4 % 16) % 16;
    std::copy(y.begin(), y.end(), ya);
    conv.run(xin.data(), sum_ptr == y.data() ? ya : sum_ptr, ya, pool);
    std::copy(ya, ya + y.size(), y.begin());
  } else {
    conv.run(xin.data(), sum_ptr, y.data(), pool);
  }
  const std::vector<float> got =
      out_blocked ? test::unblock_vector(y, g.batch, g.out_channels, ohw, b) : y;
  Outcome r;
  for (size_t i = 0; i < want.size(); ++i) {
    r.scale = std::max(r.scale, std::fabs(double(want[i])));
    const double err = std::fabs(double(got[i]) - want[i]);
    r.max_err = std::isnan(err) ? 1e30 : std::max(r.max_err, err);
  }
  return r;
}

std::string describe(const Case& cs, const ConvNchwcConfig& c, bool ib, bool ob, Epilogue e) {
  return cs.name + " " + conv_nchwc_config_to_json(c).dump() + " in_blocked=" + std::to_string(ib) +
         " out_blocked=" + std::to_string(ob) + " act=" + std::string(activation_name(e.kind));
}

void check_all(const std::vector<Isa>& isas, ThreadPool* pool) {
  uint32_t seed = 1;
  for (Isa isa : isas) {
    for (int block : {8, 16}) {
      for (const Case& cs : cases()) {
        const ConvGeometry g = geometry(cs);
        int variant = 0;
        for (const ConvNchwcConfig& cfg : configs(g, isa, block)) {
          for (int layout = 0; layout < 4; ++layout) {
            const bool in_blocked = layout & 1, out_blocked = layout & 2;
            ++variant;
            const Epilogue e = kActivations[(variant + seed) % std::size(kActivations)];
            const bool with_bias = variant % 3 != 0, with_sum = variant % 2 == 0;
            const bool in_place = variant % 4 == 0;
            const Outcome r = run_case(cs, cfg, in_blocked, out_blocked, with_bias, with_sum,
                                       in_place, e, pool, ++seed);
            EXPECT_LE(r.max_err, 1e-4 * std::max(1.0, r.scale))
                << describe(cs, cfg, in_blocked, out_blocked, e);
          }
        }
      }
    }
  }
}

TEST(ConvNchwc, MatchesReferenceEveryIsaBlockAndConfig) {
  check_all(supported_isas(), nullptr);
}

// Threads split work items only; one ISA suffices (each run wakes the pool, slow on a busy VM).
TEST(ConvNchwc, MatchesReferenceWithTwoThreads) {
  ThreadPool pool(2);
  check_all({best_isa()}, &pool);
}

// Both tile paths: a 3x3 window, and a 1x1 on whole input blocks (the pointwise tile, which
// has its own copy of the loop around the shared epilogue).
TEST(ConvNchwc, EveryActivationOnEveryIsa) {
  const Case window{"3x3", 2, 20, 40, 5, 17, 3, 3, 1, 1, 1, 1, 1, 1};
  const Case pointwise{"1x1_whole_blocks", 2, 32, 40, 5, 17, 1, 1, 1, 1, 0, 0, 0, 0};
  uint32_t seed = 100;
  for (const Case& cs : {window, pointwise}) {
    const ConvGeometry g = geometry(cs);
    for (Isa isa : supported_isas())
      for (int block : {8, 16})
        for (const Epilogue& e : kActivations)
          for (bool ob : {false, true}) {
            const ConvNchwcConfig cfg = default_conv_nchwc_config(g, isa, block);
            const Outcome r = run_case(cs, cfg, true, ob, true, true, false, e, nullptr, ++seed);
            EXPECT_LE(r.max_err, 1e-4 * std::max(1.0, r.scale)) << describe(cs, cfg, true, ob, e);
          }
  }
}

// The ResNet-50 shapes the default heuristic must handle (smaller spatial size where the
// reference would be slow), checked at the default config and with input-channel chunks.
TEST(ConvNchwc, ResNetLikeLayers) {
  const std::vector<Case> layers = {
      {"1x1_64_256", 1, 64, 256, 14, 14, 1, 1, 1, 1, 0, 0, 0, 0},
      {"3x3_128_s2", 1, 128, 128, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1},
      {"3x3_512_7x7", 1, 512, 64, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1},
      {"1x1_2048_512_7x7", 1, 256, 512, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0},
  };
  ThreadPool pool(2);
  uint32_t seed = 200;
  for (Isa isa : supported_isas())
    for (const Case& cs : layers) {
      ConvNchwcConfig cfg = default_conv_nchwc_config(geometry(cs), isa, 16);
      for (int ic_chunk : {0, 3}) {
        cfg.ic_chunk = ic_chunk;
        const Outcome r =
            run_case(cs, cfg, true, true, true, true, true, {Activation::kRelu}, &pool, ++seed);
        EXPECT_LE(r.max_err, 1e-4 * std::max(1.0, r.scale))
            << describe(cs, cfg, true, true, {Activation::kRelu});
      }
    }
}

// MobileNetV2's pointwise convs at their real sizes (the default config depends on them),
// plain on one thread and blocked on two.
TEST(ConvNchwc, MobileNetV2Pointwise) {
  const std::vector<Case> layers = {
      {"32_16_112", 1, 32, 16, 112, 112, 1, 1, 1, 1, 0, 0, 0, 0},
      {"16_96_112", 1, 16, 96, 112, 112, 1, 1, 1, 1, 0, 0, 0, 0},
      {"96_24_56", 1, 96, 24, 56, 56, 1, 1, 1, 1, 0, 0, 0, 0},
      {"24_144_56", 1, 24, 144, 56, 56, 1, 1, 1, 1, 0, 0, 0, 0},
      {"144_32_28", 1, 144, 32, 28, 28, 1, 1, 1, 1, 0, 0, 0, 0},
      {"192_64_14", 1, 192, 64, 14, 14, 1, 1, 1, 1, 0, 0, 0, 0},
      {"576_96_14", 1, 576, 96, 14, 14, 1, 1, 1, 1, 0, 0, 0, 0},
      {"160_960_7", 1, 160, 960, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0},
      {"320_1280_7", 1, 320, 1280, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0},
  };
  ThreadPool pool(2);
  uint32_t seed = 300;
  for (const Case& cs : layers)
    for (bool blocked : {false, true}) {
      const ConvNchwcConfig cfg = default_conv_nchwc_config(geometry(cs), best_isa(), 16);
      const Epilogue e{Activation::kClip, 0.0f, 6.0f};
      const Outcome r = run_case(cs, cfg, blocked, blocked, true, blocked, false, e,
                                 blocked ? &pool : nullptr, ++seed);
      EXPECT_LE(r.max_err, 1e-4 * std::max(1.0, r.scale)) << describe(cs, cfg, blocked, blocked, e);
    }
}

// Non-temporal stores into an aligned blocked output: every vector ISA and block, with
// input-channel passes (the last pass streams), residual sums in place, one and two threads.
TEST(ConvNchwc, StreamOut) {
  const std::vector<Case> layers = {
      {"1x1", 1, 40, 56, 7, 9, 1, 1, 1, 1, 0, 0, 0, 0},
      {"3x3", 2, 24, 40, 6, 11, 3, 3, 1, 1, 1, 1, 1, 1},
      {"1x1_s2", 1, 48, 24, 9, 9, 1, 1, 2, 2, 0, 0, 0, 0},
  };
  ThreadPool pool(2);
  uint32_t seed = 400;
  for (Isa isa : supported_isas())
    for (int block : {8, 16})
      for (const Case& cs : layers)
        for (int ic_chunk : {0, 1})
          for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
            ConvNchwcConfig cfg = default_conv_nchwc_config(geometry(cs), isa, block);
            cfg.stream_out = 1;
            cfg.ic_chunk = ic_chunk;
            const Epilogue e{Activation::kRelu};
            const bool in_place = ic_chunk == 0;
            const Outcome r =
                run_case(cs, cfg, true, true, true, true, in_place, e, p, ++seed, true);
            EXPECT_LE(r.max_err, 1e-4 * std::max(1.0, r.scale)) << describe(cs, cfg, true, true, e);
          }
}

TEST(ConvNchwc, DefaultConfigIsValidForManyShapes) {
  for (Isa isa : supported_isas())
    for (int block : {8, 16})
      for (int64_t w : {1, 2, 7, 14, 28, 56, 112})
        for (int64_t oc : {1, 16, 64, 512}) {
          const Case cs{"x", 1, 16, oc, w, w, 3, 3, 1, 1, 1, 1, 1, 1};
          const ConvGeometry g = geometry(cs);
          const ConvNchwcConfig c = default_conv_nchwc_config(g, isa, block);
          EXPECT_EQ(conv_nchwc_config_problem(g, c), "") << conv_nchwc_config_to_json(c).dump();
          EXPECT_EQ(c.isa, isa);
          EXPECT_EQ(c.block, block);
        }
}

// 1x1 work items hold whole tiles (no short tails at 7x7), and small images are split into
// enough work items for two threads.
TEST(ConvNchwc, DefaultConfigSplitsWorkEvenly) {
  for (int64_t size : {7, 14, 28, 56})
    for (int64_t ic : {64, 256, 512, 2048}) {
      const Case cs{"x", 1, ic, 512, size, size, 1, 1, 1, 1, 0, 0, 0, 0};
      const ConvGeometry g = geometry(cs);
      const ConvNchwcConfig c = default_conv_nchwc_config(g, Isa::kAvx512, 16);
      EXPECT_TRUE(c.oh_chunk == size || c.oh_chunk * size % c.ow_tile == 0)
          << conv_nchwc_config_to_json(c).dump();
      const int64_t n_ocg = (512 / 16 + c.oc_tile - 1) / c.oc_tile;
      const int64_t ranges =
          c.loop_order == 0 ? n_ocg : (c.oc_chunk > 0 ? (n_ocg + c.oc_chunk - 1) / c.oc_chunk : 1);
      EXPECT_GE(ranges * ((size + c.oh_chunk - 1) / c.oh_chunk), 8)
          << conv_nchwc_config_to_json(c).dump();
    }
}

// Layers with a megabyte of weights or more run input-channel passes of about 128 KB of
// weights per oc tile, prefetching the next pass, with work items for two threads.
TEST(ConvNchwc, DefaultConfigStreamsDeepWeights) {
  const std::vector<Case> layers = {
      {"3x3_512_7", 1, 512, 512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1},
      {"1x1_2048_512_7", 1, 2048, 512, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0},
      {"1x1_1024_2048_s2", 1, 1024, 2048, 14, 14, 1, 1, 2, 2, 0, 0, 0, 0},
      {"1x1_256_1024_14", 1, 256, 1024, 14, 14, 1, 1, 1, 1, 0, 0, 0, 0},
  };
  for (const Case& cs : layers) {
    const ConvGeometry g = geometry(cs);
    const ConvNchwcConfig c = default_conv_nchwc_config(g, Isa::kAvx512, 16);
    EXPECT_EQ(c.w_prefetch_next, 1) << cs.name;
    EXPECT_EQ(c.loop_order, 0) << cs.name;
    const int64_t icb = cs.ic / 16, chunk = c.ic_chunk > 0 ? c.ic_chunk : icb;
    const int64_t pass_bytes = 4 * chunk * c.oc_tile * 256 * cs.kh * cs.kw;
    EXPECT_LE(pass_bytes, 128 << 10) << cs.name << " " << conv_nchwc_config_to_json(c).dump();
    const int64_t n_ocg = (cs.oc / 16 + c.oc_tile - 1) / c.oc_tile;
    EXPECT_GE(n_ocg * ((g.out_h + c.oh_chunk - 1) / c.oh_chunk), 8) << cs.name;
  }
  // 1x1 convs with 1024+ input channels over a 14x14 image take L1-sized passes (16 KB per oc
  // tile); fewer input channels, 3x3 convs and 7x7 images keep L2-sized ones.
  auto pass_bytes = [](const Case& cs) {
    const ConvNchwcConfig c = default_conv_nchwc_config(geometry(cs), Isa::kAvx512, 16);
    const int64_t chunk = c.ic_chunk > 0 ? c.ic_chunk : cs.ic / 16;
    return 4 * chunk * c.oc_tile * 256 * cs.kh * cs.kw;
  };
  EXPECT_LE(pass_bytes({"1x1_1024_256_14", 1, 1024, 256, 14, 14, 1, 1, 1, 1, 0, 0, 0, 0}),
            16 << 10);
  EXPECT_GT(pass_bytes({"1x1_2048_512_7", 1, 2048, 512, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0}), 16 << 10);
  EXPECT_GT(pass_bytes({"1x1_512_1000_13", 1, 512, 1000, 13, 13, 1, 1, 1, 1, 0, 0, 0, 0}),
            16 << 10);
  EXPECT_GT(pass_bytes({"3x3_512_7", 1, 512, 512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1}), 16 << 10);
  // A small layer keeps the input-hot order.
  const ConvNchwcConfig small = default_conv_nchwc_config(
      geometry({"1x1_64_256", 1, 64, 256, 56, 56, 1, 1, 1, 1, 0, 0, 0, 0}), Isa::kAvx512, 16);
  EXPECT_EQ(small.w_prefetch_next, 0);
  // Deep 1x1 convs store their output non-temporally (decision 014); deep 3x3s and small
  // layers store normally.
  EXPECT_EQ(small.stream_out, 0);
  for (const Case& deep : {Case{"1x1_1024_256_14", 1, 1024, 256, 14, 14, 1, 1, 1, 1, 0, 0, 0, 0},
                           Case{"1x1_256_1024_14", 1, 256, 1024, 14, 14, 1, 1, 1, 1, 0, 0, 0, 0}})
    EXPECT_EQ(default_conv_nchwc_config(geometry(deep), Isa::kAvx512, 16).stream_out, 1)
        << deep.name;
  EXPECT_EQ(
      default_conv_nchwc_config(geometry({"3x3_512_7", 1, 512, 512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1}),
                                Isa::kAvx512, 16)
          .stream_out,
      0);
}

// A first conv (3 input channels) with a 3x3 kernel takes 6 x 4 tiles where the registers hold
// them; 7x7 and 11x11 first convs take two-block row tiles (decision in default_conv_nchwc_config).
TEST(ConvNchwc, DefaultConfigOfAFirstConv) {
  const ConvGeometry g = geometry({"3x3_rgb", 1, 3, 64, 224, 224, 3, 3, 1, 1, 1, 1, 1, 1});
  const ConvNchwcConfig c = default_conv_nchwc_config(g, Isa::kAvx512, 16);
  EXPECT_EQ(c.oc_tile, 4);
  EXPECT_EQ(c.ow_tile, 6);
  // AVX2's 16 registers do not hold 6 x 4: it keeps a tile that fits.
  const ConvNchwcConfig avx2 = default_conv_nchwc_config(g, Isa::kAvx2, 8);
  EXPECT_LE((avx2.ow_tile + 1) * avx2.oc_tile + 1, 16) << conv_nchwc_config_to_json(avx2).dump();
  for (const int64_t k : {7, 11}) {
    const ConvGeometry big = geometry({"big_rgb", 1, 3, 96, 224, 224, k, k, 2, 2, 3, 3, 3, 3});
    const ConvNchwcConfig b = default_conv_nchwc_config(big, Isa::kAvx512, 16);
    EXPECT_EQ(b.oc_tile, 2) << k;
    EXPECT_GE(b.ow_tile, 13) << k;
  }
}

// Strided 1x1s without padding (ResNet's downsamples) subsample by default; nothing else does.
TEST(ConvNchwc, DefaultConfigSubsamplesStridedPointwise) {
  const Case down{"down", 1, 64, 128, 14, 14, 1, 1, 2, 2, 0, 0, 0, 0};
  const Case padded{"padded", 1, 64, 128, 14, 14, 1, 1, 2, 2, 1, 1, 1, 1};
  const Case flat{"flat", 1, 64, 128, 14, 14, 1, 1, 1, 1, 0, 0, 0, 0};
  const Case k3{"k3", 1, 64, 128, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1};
  for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512}) {
    EXPECT_EQ(default_conv_nchwc_config(geometry(down), isa, 16).subsample, 1);
    EXPECT_EQ(default_conv_nchwc_config(geometry(padded), isa, 16).subsample, 0);
    EXPECT_EQ(default_conv_nchwc_config(geometry(flat), isa, 16).subsample, 0);
    EXPECT_EQ(default_conv_nchwc_config(geometry(k3), isa, 16).subsample, 0);
  }
}

// The name says the tiles that run: a subsampled conv's are those of the stride-1 conv on its
// compact copy (the strided geometry's default may tile its rows differently).
TEST(ConvNchwc, NameSaysTheTilesThatRun) {
  const Isa isa = best_isa();
  const int b = layout_block(isa);
  const Case down{"down", 1, 64, 128, 56, 56, 1, 1, 2, 2, 0, 0, 0, 0};
  const ConvGeometry g = geometry(down);
  ConvGeometry compact = g;
  compact.in_h = g.out_h;
  compact.in_w = g.out_w;
  compact.stride_h = compact.stride_w = 1;
  const std::vector<float> w(static_cast<size_t>(g.out_channels * g.in_channels), 0.5f);
  auto expected = [&](const ConvNchwcConfig& c) {
    return "conv_nchw" + std::to_string(b) + "c " + std::string(isa_name(isa)) + " ow" +
           std::to_string(c.ow_tile) + " oc" + std::to_string(c.oc_tile);
  };
  const ConvNchwcConfig strided = default_conv_nchwc_config(g, isa, b);
  ASSERT_EQ(strided.subsample, 1);
  const ConvNchwc sub(g, strided, w.data(), nullptr, b, b, Epilogue{});
  EXPECT_EQ(sub.name(), expected(default_conv_nchwc_config(compact, isa, b)) + " subsampled");
  ConvNchwcConfig plain = strided;
  plain.subsample = 0;
  plain.ow_tile = 3;
  const ConvNchwc direct(g, plain, w.data(), nullptr, b, b, Epilogue{});
  EXPECT_EQ(direct.name(), expected(plain));
}

TEST(ConvNchwc, ConfigJsonRoundTrip) {
  ConvNchwcConfig c;
  c.isa = best_isa();
  c.block = 8;
  c.ow_tile = 5;
  c.oc_tile = 2;
  c.ic_chunk = 3;
  c.oh_chunk = 4;
  c.loop_order = 1;
  c.oc_chunk = 6;
  c.w_prefetch = 16;
  c.w_prefetch_next = 1;
  c.stream_out = 1;
  c.subsample = 1;
  const nlohmann::json j = conv_nchwc_config_to_json(c);
  EXPECT_EQ(conv_nchwc_config_from_json(j), c);
  EXPECT_EQ(conv_nchwc_config_from_json(nlohmann::json::parse(j.dump())), c);
}

TEST(ConvNchwc, ConfigJsonRejectsBadInput) {
  const nlohmann::json good = conv_nchwc_config_to_json(ConvNchwcConfig{});
  EXPECT_THROW(conv_nchwc_config_from_json(nlohmann::json::array()), Error);
  for (const char* key :
       {"isa", "block", "ow_tile", "oc_tile", "ic_chunk", "oh_chunk", "loop_order", "oc_chunk",
        "w_prefetch", "w_prefetch_next", "stream_out", "subsample"}) {
    nlohmann::json missing = good;
    missing.erase(key);
    if (std::string(key) == "loop_order")  // optional: older records lack it
      EXPECT_EQ(conv_nchwc_config_from_json(missing).loop_order, 0);
    else if (std::string(key) == "oc_chunk")  // optional too
      EXPECT_EQ(conv_nchwc_config_from_json(missing).oc_chunk, 0);
    else if (std::string(key) == "w_prefetch")  // optional too
      EXPECT_EQ(conv_nchwc_config_from_json(missing).w_prefetch, 0);
    else if (std::string(key) == "w_prefetch_next")  // optional too
      EXPECT_EQ(conv_nchwc_config_from_json(missing).w_prefetch_next, 0);
    else if (std::string(key) == "stream_out")  // optional too
      EXPECT_EQ(conv_nchwc_config_from_json(missing).stream_out, 0);
    else if (std::string(key) == "subsample")  // optional too
      EXPECT_EQ(conv_nchwc_config_from_json(missing).subsample, 0);
    else
      EXPECT_THROW(conv_nchwc_config_from_json(missing), Error) << key;
    nlohmann::json wrong_type = good;
    wrong_type[key] = "x";
    if (std::string(key) == "isa") wrong_type[key] = 3;
    EXPECT_THROW(conv_nchwc_config_from_json(wrong_type), Error) << key;
  }
  auto with = [&](const char* key, const nlohmann::json& v) {
    nlohmann::json j = good;
    j[key] = v;
    return j;
  };
  EXPECT_THROW(conv_nchwc_config_from_json(with("isa", "sse9")), Error);
  EXPECT_THROW(conv_nchwc_config_from_json(with("block", 12)), Error);
  EXPECT_THROW(conv_nchwc_config_from_json(with("ow_tile", 0)), Error);
  EXPECT_THROW(conv_nchwc_config_from_json(with("oc_tile", 99)), Error);
  EXPECT_THROW(conv_nchwc_config_from_json(with("ic_chunk", -1)), Error);
  EXPECT_THROW(conv_nchwc_config_from_json(with("oh_chunk", 0)), Error);
  EXPECT_THROW(conv_nchwc_config_from_json(with("loop_order", 2)), Error);
  EXPECT_THROW(conv_nchwc_config_from_json(with("oc_chunk", -1)), Error);
  EXPECT_THROW(conv_nchwc_config_from_json(with("w_prefetch", -1)), Error);
  EXPECT_THROW(conv_nchwc_config_from_json(with("w_prefetch", 5000)), Error);
  EXPECT_THROW(conv_nchwc_config_from_json(with("w_prefetch_next", 2)), Error);
  EXPECT_THROW(conv_nchwc_config_from_json(with("stream_out", -1)), Error);
  EXPECT_THROW(conv_nchwc_config_from_json(with("subsample", 2)), Error);
}

TEST(ConvNchwc, ConfigProblemRejectsInvalidCombinations) {
  const ConvGeometry g = geometry({"g", 1, 16, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1});
  ConvNchwcConfig c = default_conv_nchwc_config(g, Isa::kPortable, 16);
  EXPECT_EQ(conv_nchwc_config_problem(g, c), "");
  ConvNchwcConfig bad = c;
  bad.block = 4;
  EXPECT_NE(conv_nchwc_config_problem(g, bad), "");
  bad = c;
  bad.oh_chunk = 0;
  EXPECT_NE(conv_nchwc_config_problem(g, bad), "");
  bad = c;
  bad.loop_order = 5;
  EXPECT_NE(conv_nchwc_config_problem(g, bad), "");
  bad = c;
  bad.oc_chunk = -1;
  EXPECT_NE(conv_nchwc_config_problem(g, bad), "");
  bad = c;
  bad.w_prefetch = -1;
  EXPECT_NE(conv_nchwc_config_problem(g, bad), "");
  bad = c;
  bad.w_prefetch_next = 3;
  EXPECT_NE(conv_nchwc_config_problem(g, bad), "");
  bad = c;
  bad.stream_out = 2;
  EXPECT_NE(conv_nchwc_config_problem(g, bad), "");
  bad = c;
  bad.subsample = 1;  // a 3x3 stride-1 conv: nothing to subsample
  EXPECT_NE(conv_nchwc_config_problem(g, bad), "");
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
    bad = default_conv_nchwc_config(g, isa, 16);
    bad.ow_tile = 28;
    bad.oc_tile = 4;  // 116+ vector registers
    EXPECT_NE(conv_nchwc_config_problem(g, bad), "") << isa_name(isa);
    if (!isa_supported(isa)) {
      EXPECT_NE(conv_nchwc_config_problem(g, default_conv_nchwc_config(g, isa, 16)), "");
    }
  }
  ConvGeometry zero = g;
  zero.out_w = 0;
  EXPECT_NE(conv_nchwc_config_problem(zero, c), "");
  std::vector<float> w(16 * 16 * 9, 1.0f);
  EXPECT_THROW(ConvNchwc(g, bad, w.data(), nullptr, 16, 16, {}), Error);
  EXPECT_THROW(ConvNchwc(g, c, w.data(), nullptr, 8, 16, {}), Error);
}

}  // namespace
}  // namespace hone
