// The packed GEMM (ops/gemm/gemm_packed.h) against the reference kernel: every ISA the CPU
// has, every register tile width, several blockings, threads 1 and 2, odd shapes,
// transposes, alpha/beta, bias broadcasts and activations; then Gemm/MatMul/FusedGemm
// through the registry with optimized kernels, the config's JSON form and error messages.
#include "ops/gemm/gemm_packed.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>

#include "ops/gemm/gemm_reference.h"
#include "ops/op_test_util.h"

namespace hone::test {
namespace {

double scale_of(const Tensor& t) {
  double s = 1.0;
  for (double v : t.to_vector<double>()) s = std::max(s, std::fabs(v));
  return s;
}

// Fails with the case's description when got differs from want by more than 1e-4 of scale.
void expect_close(const Tensor& got, const Tensor& want, const std::string& what) {
  const double diff = max_abs_diff(got, want);
  EXPECT_LE(diff, 1e-4 * scale_of(want)) << what;
}

std::vector<int> tile_widths(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return {16, 32, 48, 64};
    case Isa::kAvx2:
      return {8, 16};
    case Isa::kPortable:
      return {8};
  }
  return {};
}

struct Case {
  int64_t m, n, k;
  bool trans_a, trans_b;
};

// Reference y = act(alpha * op(a) op(b) + bias + beta * c).
Tensor reference(const Case& c, const Tensor& a, const Tensor& b, float alpha, const float* bias,
                 const Tensor* cm, float beta, Epilogue e) {
  GemmParams p;
  p.m = c.m;
  p.n = c.n;
  p.k = c.k;
  p.trans_a = c.trans_a;
  p.trans_b = c.trans_b;
  p.alpha = alpha;
  p.beta = beta;
  p.c_row_stride = c.n;
  p.c_col_stride = 1;
  Tensor y(DType::kFloat32, {c.m, c.n});
  gemm_reference<float>(p, a.data<float>(), b.data<float>(), cm ? cm->data<float>() : nullptr,
                        y.data<float>());
  float* yp = y.data<float>();
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.n; ++j)
      yp[i * c.n + j] = apply_epilogue(yp[i * c.n + j] + (bias ? bias[j] : 0.0f), e);
  return y;
}

TEST(GemmPacked, EveryVariantMatchesReference) {
  const std::vector<Case> cases = {
      {1, 1, 1, false, false},
      {1, 17, 1000, false, true},
      {2, 3, 17, true, false},
      {7, 1000, 3, false, true},
      {64, 17, 17, true, true},
      {64, 33, 300, false, false},
      {7, 40, 4096, false, true},
      {1, 4096, 3, false, false},
      {13, 65, 129, true, true},
      {1, 200, 70, false, true},
      // Two row blocks whose row tiles are balanced (112 + 85 rows: 13- and 12-row tiles).
      {197, 100, 70, false, false},
  };
  ThreadPool two(2);
  const Epilogue relu{Activation::kRelu, 0, 0};
  const Epilogue sigmoid{Activation::kSigmoid, 0, 0};
  uint32_t seed = 1;
  for (Isa isa : supported_isas()) {
    for (int nr : tile_widths(isa)) {
      const int max_mr = gemm_packed_max_mr(isa, nr);
      for (const Case& c : cases) {
        Tensor a = random_tensor(c.trans_a ? Shape{c.k, c.m} : Shape{c.m, c.k}, seed++);
        Tensor b = random_tensor(c.trans_b ? Shape{c.n, c.k} : Shape{c.k, c.n}, seed++);
        Tensor bias = random_tensor({c.n}, seed++);
        Tensor cm = random_tensor({c.m, c.n}, seed++);
        // Blockings: the default, a tiny one (many k passes, tails everywhere), a mid one.
        std::vector<GemmPackedConfig> configs;
        GemmPackedConfig d = default_gemm_packed_config(c.m, c.n, c.k, isa, 2);
        d.nr = nr;
        d.mr = std::min(d.mr, max_mr);
        d.mc = d.mr * std::max(1, d.mc / d.mr);
        d.nc = nr * std::max(1, d.nc / nr);
        configs.push_back(d);
        configs.push_back({isa, std::min(3, max_mr), nr, std::min(3, max_mr), 5, nr});
        configs.push_back({isa, max_mr, nr, 2 * max_mr, 64, 2 * nr});
        // Each also with A the other way (packed / read in place) where the tiles can.
        for (size_t i = 0, count = configs.size(); i < count; ++i) {
          GemmPackedConfig other = configs[i];
          other.pack_a = !other.pack_a;
          if (gemm_packed_config_problem(other).empty()) configs.push_back(other);
        }
        // The default with B prefetched the other way (the prefetch must not change a value).
        configs.push_back(d);
        configs.back().prefetch_b = !d.prefetch_b;
        // A GEMV over 1..4 panels at once, also with few panels per task (a group cut short
        // at a task's end) and short passes over k (partial sums in y, bias on the last).
        if (d.mr == 1 && isa != Isa::kPortable)
          for (int streams = 1; streams <= kMaxGemvStreams; ++streams) {
            GemmPackedConfig g = d;
            g.gemv_streams = streams;
            configs.push_back(g);
            g.nc = 3 * nr;
            g.kc = 5;
            configs.push_back(g);
          }
        for (const GemmPackedConfig& cfg : configs) {
          ASSERT_EQ(gemm_packed_config_problem(cfg), "");
          const std::string what = "isa " + std::string(isa_name(isa)) + " config " +
                                   gemm_packed_config_to_json(cfg).dump() + " m " +
                                   std::to_string(c.m) + " n " + std::to_string(c.n) + " k " +
                                   std::to_string(c.k) + " tA " + std::to_string(c.trans_a) +
                                   " tB " + std::to_string(c.trans_b);
          // Plain product.
          GemmPacked plain(c.n, c.k, b.data<float>(), c.trans_b, 1.0f, cfg, nullptr, {});
          Tensor y(DType::kFloat32, {c.m, c.n});
          y.data<float>()[0] = NAN;  // the kernel must overwrite, not accumulate
          const int64_t lda = c.trans_a ? c.m : c.k;
          plain.run(c.m, a.data<float>(), lda, c.trans_a, nullptr, 0, 0, 0.0f, y.data<float>(),
                    nullptr);
          expect_close(y, reference(c, a, b, 1.0f, nullptr, nullptr, 0.0f, {}), what + " plain");
          // Alpha, packed bias and Relu, two threads.
          GemmPacked fused(c.n, c.k, b.data<float>(), c.trans_b, 0.5f, cfg, bias.data<float>(),
                           relu);
          fused.run(c.m, a.data<float>(), lda, c.trans_a, nullptr, 0, 0, 0.0f, y.data<float>(),
                    &two);
          expect_close(y, reference(c, a, b, 0.5f, bias.data<float>(), nullptr, 0.0f, relu),
                       what + " bias relu");
          // A full C with beta and Sigmoid (the post-pass), two threads.
          GemmPacked post(c.n, c.k, b.data<float>(), c.trans_b, 1.5f, cfg, nullptr, sigmoid);
          post.run(c.m, a.data<float>(), lda, c.trans_a, cm.data<float>(), c.n, 1, -0.75f,
                   y.data<float>(), &two);
          expect_close(y, reference(c, a, b, 1.5f, nullptr, &cm, -0.75f, sigmoid),
                       what + " C sigmoid");
        }
      }
    }
  }
}

// A with a row stride longer than its depth (a slice of a wider matrix), packed and in place.
TEST(GemmPacked, ReadsARowStrideLongerThanK) {
  const Case c{13, 40, 29, false, true};
  const int64_t lda = 37;
  Tensor a = random_tensor({c.m, c.k}, 21), b = random_tensor({c.n, c.k}, 22);
  std::vector<float> wide(static_cast<size_t>(c.m * lda), NAN);  // NaN past k must not leak
  for (int64_t i = 0; i < c.m; ++i)
    std::copy_n(a.data<float>() + i * c.k, c.k, wide.begin() + i * lda);
  const Tensor want = reference(c, a, b, 1.0f, nullptr, nullptr, 0.0f, {});
  ThreadPool two(2);
  for (Isa isa : supported_isas())
    for (bool pack : {true, false}) {
      GemmPackedConfig cfg = default_gemm_packed_config(c.m, c.n, c.k, isa, 2);
      cfg.pack_a = pack;
      if (!gemm_packed_config_problem(cfg).empty()) continue;
      GemmPacked g(c.n, c.k, b.data<float>(), true, 1.0f, cfg, nullptr, {});
      Tensor y(DType::kFloat32, {c.m, c.n});
      g.run(c.m, wide.data(), lda, false, nullptr, 0, 0, 0.0f, y.data<float>(), &two);
      expect_close(y, want, std::string(isa_name(isa)) + " pack_a " + std::to_string(pack));
    }
}

// ldy: rows of y further apart than n (a product written into a wider tensor in place); the
// gaps between the rows stay as they were, with and without a C added after the product.
TEST(GemmPacked, WritesARowStrideLongerThanN) {
  const Case c{17, 40, 29, false, false};
  const int64_t ldy = 53;
  Tensor a = random_tensor({c.m, c.k}, 23), b = random_tensor({c.k, c.n}, 24);
  Tensor cm = random_tensor({c.m, c.n}, 25);
  ThreadPool two(2);
  for (bool with_c : {false, true}) {
    const Tensor want =
        reference(c, a, b, 1.0f, nullptr, with_c ? &cm : nullptr, with_c ? 0.5f : 0.0f, {});
    for (Isa isa : supported_isas()) {
      const GemmPackedConfig cfg = default_gemm_packed_config(c.m, c.n, c.k, isa, 2);
      GemmPacked g(c.n, c.k, b.data<float>(), false, 1.0f, cfg, nullptr, {});
      std::vector<float> wide(static_cast<size_t>(c.m * ldy), -7.0f);
      g.run(c.m, a.data<float>(), c.k, false, with_c ? cm.data<float>() : nullptr, c.n, 1,
            with_c ? 0.5f : 0.0f, wide.data(), &two, ldy);
      Tensor y(DType::kFloat32, {c.m, c.n});
      for (int64_t i = 0; i < c.m; ++i) {
        std::copy_n(wide.begin() + i * ldy, c.n, y.data<float>() + i * c.n);
        for (int64_t j = c.n; j < ldy; ++j)
          ASSERT_EQ(wide[static_cast<size_t>(i * ldy + j)], -7.0f) << "row " << i << " col " << j;
      }
      expect_close(y, want, std::string(isa_name(isa)) + " with C " + std::to_string(with_c));
    }
  }
}

TEST(GemmPacked, EveryActivationInTheTile) {
  const std::vector<Epilogue> epilogues = {{Activation::kClip, -0.3f, 0.4f},
                                           {Activation::kLeakyRelu, 0.1f, 0},
                                           {Activation::kHardSigmoid, 0.2f, 0.5f},
                                           {Activation::kHardSwish, 0, 0},
                                           {Activation::kTanh, 0, 0},
                                           {Activation::kSigmoid, 0, 0},
                                           {Activation::kSilu, 0, 0},
                                           {Activation::kGelu, 0, 0}};
  const Case c{5, 37, 29, false, true};
  Tensor a = random_tensor({c.m, c.k}, 7), b = random_tensor({c.n, c.k}, 8);
  Tensor bias = random_tensor({c.n}, 9);
  for (Isa isa : supported_isas())
    for (const Epilogue& e : epilogues) {
      GemmPacked g(c.n, c.k, b.data<float>(), true, 1.0f,
                   default_gemm_packed_config(c.m, c.n, c.k, isa, 1), bias.data<float>(), e);
      Tensor y(DType::kFloat32, {c.m, c.n});
      g.run(c.m, a.data<float>(), c.k, false, nullptr, 0, 0, 0.0f, y.data<float>(), nullptr);
      expect_close(y, reference(c, a, b, 1.0f, bias.data<float>(), nullptr, 0.0f, e),
                   std::string(isa_name(isa)) + " " + std::string(activation_name(e.kind)));
    }
}

TEST(GemmPacked, ConfigJsonRoundTripAndBadJson) {
  for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512}) {
    const GemmPackedConfig c = default_gemm_packed_config(7, 1000, 300, isa, 2);
    EXPECT_EQ(gemm_packed_config_from_json(gemm_packed_config_to_json(c)), c);
  }
  const nlohmann::json good = gemm_packed_config_to_json({Isa::kAvx2, 6, 16, 60, 128, 64});
  auto broken = [&](const char* field, nlohmann::json value) {
    nlohmann::json j = good;
    if (value.is_null())
      j.erase(field);
    else
      j[field] = value;
    return j;
  };
  EXPECT_THROW(gemm_packed_config_from_json(nlohmann::json::array()), Error);
  EXPECT_THROW(gemm_packed_config_from_json(broken("mr", nullptr)), Error);
  EXPECT_THROW(gemm_packed_config_from_json(broken("mr", "six")), Error);
  EXPECT_THROW(gemm_packed_config_from_json(broken("mr", 7)), Error);   // > 6 for avx2 nr 16
  EXPECT_THROW(gemm_packed_config_from_json(broken("nr", 32)), Error);  // not an avx2 width
  EXPECT_THROW(gemm_packed_config_from_json(broken("mc", 61)), Error);  // not a multiple of mr
  EXPECT_THROW(gemm_packed_config_from_json(broken("nc", 24)), Error);
  EXPECT_THROW(gemm_packed_config_from_json(broken("kc", 0)), Error);
  EXPECT_THROW(gemm_packed_config_from_json(broken("isa", "sse9")), Error);
  EXPECT_THROW(gemm_packed_config_from_json(broken("pack_a", 1)), Error);
  // pack_a: round-trips both ways; absent means packed (configs written before the knob).
  for (bool pack : {false, true}) {
    GemmPackedConfig c{Isa::kAvx2, 6, 16, 60, 128, 64};
    c.pack_a = pack;
    EXPECT_EQ(gemm_packed_config_from_json(gemm_packed_config_to_json(c)).pack_a, pack);
  }
  EXPECT_TRUE(gemm_packed_config_from_json(broken("pack_a", nullptr)).pack_a);
  // prefetch_b likewise; absent means prefetched.
  EXPECT_THROW(gemm_packed_config_from_json(broken("prefetch_b", "yes")), Error);
  for (bool prefetch : {false, true}) {
    GemmPackedConfig c{Isa::kAvx2, 6, 16, 60, 128, 64};
    c.prefetch_b = prefetch;
    EXPECT_EQ(gemm_packed_config_from_json(gemm_packed_config_to_json(c)).prefetch_b, prefetch);
  }
  EXPECT_TRUE(gemm_packed_config_from_json(broken("prefetch_b", nullptr)).prefetch_b);
  // The default streams a GEMV's B without software prefetch, and prefetches for many rows.
  EXPECT_FALSE(default_gemm_packed_config(1, 4096, 9216, Isa::kAvx512, 2).prefetch_b);
  EXPECT_TRUE(default_gemm_packed_config(197, 768, 3072, Isa::kAvx512, 2).prefetch_b);
  // gemv_streams: round-trips, absent means one stream, only for one-row vector tiles; the
  // default walks four panels at once for a GEMV and one otherwise.
  for (int streams = 1; streams <= kMaxGemvStreams; ++streams) {
    GemmPackedConfig c{Isa::kAvx512, 1, 32, 1, 4096, 512};
    c.gemv_streams = streams;
    EXPECT_EQ(gemm_packed_config_from_json(gemm_packed_config_to_json(c)).gemv_streams, streams);
  }
  nlohmann::json gemv = gemm_packed_config_to_json({Isa::kAvx512, 1, 32, 1, 4096, 512});
  gemv.erase("gemv_streams");
  EXPECT_EQ(gemm_packed_config_from_json(gemv).gemv_streams, 1);
  for (int bad : {0, kMaxGemvStreams + 1}) {
    gemv["gemv_streams"] = bad;
    EXPECT_THROW(gemm_packed_config_from_json(gemv), Error) << bad;
  }
  gemv["gemv_streams"] = 2;
  gemv["mr"] = 2;
  gemv["mc"] = 2;
  EXPECT_THROW(gemm_packed_config_from_json(gemv), Error);  // needs mr 1
  nlohmann::json portable = gemm_packed_config_to_json({Isa::kPortable, 1, 8, 1, 64, 64});
  portable["gemv_streams"] = 2;
  EXPECT_THROW(gemm_packed_config_from_json(portable), Error);
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
    EXPECT_EQ(default_gemm_packed_config(1, 4096, 9216, isa, 2).gemv_streams, kMaxGemvStreams);
    EXPECT_EQ(default_gemm_packed_config(197, 768, 3072, isa, 2).gemv_streams, 1);
  }
  EXPECT_EQ(default_gemm_packed_config(1, 4096, 9216, Isa::kPortable, 2).gemv_streams, 1);
  // Column tasks: 256 columns when B (a megabyte or more) streams from memory, 512 when it
  // fits the caches (whole 48-column AVX-512 panels: 240 and 480); a GEMV keeps 512 whatever
  // its B.
  EXPECT_EQ(default_gemm_packed_config(197, 3072, 768, Isa::kAvx512, 2).nc, 240);
  EXPECT_EQ(default_gemm_packed_config(197, 3072, 16, Isa::kAvx512, 2).nc, 480);
  EXPECT_EQ(default_gemm_packed_config(1, 4096, 9216, Isa::kAvx512, 2).nc, 512);
  EXPECT_EQ(default_gemm_packed_config(197, 3072, 768, Isa::kAvx2, 2).nc, 256);
  // AVX-512 tiles: 8 x 48 for many rows and wide outputs, 14 x 32 where 48-column panels pad
  // more (197 columns: 240 against 224) or the output is narrow (attention's 64 per head),
  // one 32-column tile for up to 14 rows.
  auto tile_of = [](int64_t m, int64_t n) {
    const GemmPackedConfig c = default_gemm_packed_config(m, n, 768, Isa::kAvx512, 2);
    return std::pair{c.mr, c.nr};
  };
  EXPECT_EQ(tile_of(197, 3072), (std::pair{8, 48}));
  EXPECT_EQ(tile_of(128, 1000), (std::pair{8, 48}));
  EXPECT_EQ(tile_of(197, 197), (std::pair{14, 32}));
  EXPECT_EQ(tile_of(197, 64), (std::pair{14, 32}));
  EXPECT_EQ(tile_of(14, 3072), (std::pair{14, 32}));
  // Row blocks are near-equal whole row tiles (128 rows: 64 + 64, not 120 + 8); depth passes
  // are equal and, with A packed (AVX-512), as deep as half of L2 holds an A block and a B
  // micro-panel (the cap never below the L1-sized depth, which tiles reading A in place keep).
  const int64_t half_l2 = cache_sizes().l2 / 2;
  for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512}) {
    for (auto [m, n, k] : {std::tuple{128, 768, 3072}, {197, 3072, 768}, {300, 1000, 100000}}) {
      const GemmPackedConfig c = default_gemm_packed_config(m, n, k, isa, 2);
      SCOPED_TRACE(std::string(isa_name(isa)) + " " + std::to_string(m) + "x" + std::to_string(n) +
                   "x" + std::to_string(k));
      const int64_t blocks = (m + c.mc - 1) / c.mc, passes = (k + c.kc - 1) / c.kc;
      EXPECT_EQ(c.mc % c.mr, 0);
      EXPECT_LT(blocks * c.mc - m, blocks * c.mr);  // the last block is short by < a tile each
      EXPECT_LT(passes * c.kc - k, passes);         // equal passes
      EXPECT_TRUE(4 * c.kc * (c.mc + c.nr) <= half_l2 ||
                  c.kc <= std::max(64, 24 * 1024 / (4 * c.nr)));
      if (!c.pack_a) {
        EXPECT_LE(c.kc, std::max(64, 24 * 1024 / (4 * c.nr)));
      }
      if (isa_supported(isa)) {
        EXPECT_EQ(gemm_packed_config_problem(c), "");
      }
    }
  }
  EXPECT_EQ(default_gemm_packed_config(128, 768, 3072, Isa::kAvx512, 2).mc, 64);
  // The AVX-512 tiles read packed panels only.
  nlohmann::json avx512_in_place = gemm_packed_config_to_json({Isa::kAvx512, 14, 32, 14, 64, 32});
  avx512_in_place["pack_a"] = false;
  EXPECT_THROW(gemm_packed_config_from_json(avx512_in_place), Error);
  EXPECT_TRUE(default_gemm_packed_config(64, 64, 64, Isa::kAvx512, 2).pack_a);
  try {
    gemm_packed_config_from_json(broken("kc", nullptr));
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'kc'"), std::string::npos) << e.what();
  }
}

// ---- through the registry ----

KernelOptions optimized(Isa isa, ThreadPool* pool) {
  return {true, isa, pool};
}

TEST(GemmPackedOp, GemmMatchesReferenceForEveryCForm) {
  ThreadPool two(2);
  const int64_t m = 7, k = 17, n = 1000;
  Tensor a = random_tensor({m, k}, 21), bt = random_tensor({n, k}, 22);
  const std::vector<Shape> c_shapes = {{}, {1}, {n}, {1, n}, {m, 1}, {m, n}};
  for (Isa isa : supported_isas())
    for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two})
      for (const Shape& cs : c_shapes)
        for (bool c_constant : {true, false}) {
          OpCall call{.op_type = "Gemm",
                      .inputs = {a, bt, random_tensor(cs, 23)},
                      .attrs = attrs({{"transB", int64_t{1}}, {"alpha", 0.5f}, {"beta", 2.0f}})};
          const Tensor want = run_op(call)[0];
          call.kernel_options = optimized(isa, pool);
          call.all_inputs_constant = false;
          call.constant_inputs = c_constant ? std::vector<size_t>{1, 2} : std::vector<size_t>{1};
          const PreparedOp op = prepare_op(call);
          EXPECT_FALSE(op.needs_zeroed_outputs);
          EXPECT_GT(op.packed_bytes, 0);
          EXPECT_NE(op.kernel_name.find("gemm_f32"), std::string::npos);
          expect_close(run_op(call)[0], want,
                       std::string(isa_name(isa)) + " C " + shape_to_string(cs));
        }
}

TEST(GemmPackedOp, GemmTransposesAndLongDepth) {
  for (Isa isa : supported_isas())
    for (int64_t m : {1, 2, 64})
      for (int64_t ta = 0; ta < 2; ++ta)
        for (int64_t tb = 0; tb < 2; ++tb) {
          const int64_t k = m == 64 ? 300 : 4096, n = 3;
          Tensor a = random_tensor(ta ? Shape{k, m} : Shape{m, k}, 31);
          Tensor b = random_tensor(tb ? Shape{n, k} : Shape{k, n}, 32);
          OpCall call{.op_type = "Gemm",
                      .inputs = {a, b},
                      .attrs = attrs({{"transA", ta}, {"transB", tb}})};
          const Tensor want = run_op(call)[0];
          call.kernel_options = optimized(isa, nullptr);
          expect_close(run_op(call)[0], want, std::string(isa_name(isa)));
        }
}

TEST(GemmPackedOp, NonConstantBUsesReference) {
  OpCall call{.op_type = "Gemm",
              .inputs = {random_tensor({2, 3}, 1), random_tensor({3, 4}, 2)},
              .all_inputs_constant = false,
              .kernel_options = optimized(best_isa(), nullptr)};
  EXPECT_TRUE(prepare_op(call).needs_zeroed_outputs);
  call.all_inputs_constant = true;
  const Tensor want = run_op({.op_type = "Gemm", .inputs = call.inputs})[0];
  expect_close(run_op(call)[0], want, "constant B");
}

TEST(GemmPackedOp, MatMulPlainAndBatchedWithConstantB) {
  struct MatMulCase {
    Shape a, b;
  };
  const std::vector<MatMulCase> cases = {
      {{5, 17}, {17, 9}},           {{2, 3, 5, 17}, {17, 9}}, {{3, 5, 17}, {3, 17, 9}},
      {{5, 17}, {2, 17, 9}},        {{17}, {17, 9}},          {{4, 17}, {17}},
      {{2, 1, 3, 17}, {4, 17, 33}},
  };
  ThreadPool two(2);
  uint32_t seed = 40;
  for (Isa isa : supported_isas())
    for (const MatMulCase& c : cases) {
      OpCall call{.op_type = "MatMul",
                  .inputs = {random_tensor(c.a, seed++), random_tensor(c.b, seed++)}};
      const Tensor want = run_op(call)[0];
      call.kernel_options = optimized(isa, &two);
      call.all_inputs_constant = false;
      call.constant_inputs = {1};
      expect_close(
          run_op(call)[0], want,
          std::string(isa_name(isa)) + " " + shape_to_string(c.a) + " x " + shape_to_string(c.b));
    }
}

// Both operands computed at run time (attention): B is packed on every run, batch matrices
// spread over the threads when there are enough of them. One prepared op runs twice with
// different inputs, so B must really be repacked.
TEST(GemmPackedOp, MatMulWithRuntimeBPacksItPerRun) {
  struct MatMulCase {
    Shape a, b;
  };
  const std::vector<MatMulCase> cases = {
      {{5, 17}, {17, 9}},
      {{12, 37, 16}, {12, 16, 41}},  // attention's Q·Kᵀ shapes
      {{3, 41, 41}, {3, 41, 16}},
      {{5, 17}, {2, 17, 9}},
      {{2, 3, 5, 17}, {17, 9}},
      {{17}, {17, 9}},
      {{4, 17}, {17}},
      {{2, 1, 3, 17}, {4, 17, 33}},
  };
  ThreadPool two(2);
  uint32_t seed = 60;
  for (Isa isa : supported_isas())
    for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two})
      for (const MatMulCase& c : cases) {
        OpCall call{.op_type = "MatMul",
                    .inputs = {random_tensor(c.a, seed++), random_tensor(c.b, seed++)},
                    .all_inputs_constant = false,
                    .kernel_options = optimized(isa, pool)};
        const std::string what =
            std::string(isa_name(isa)) + " " + shape_to_string(c.a) + " x " + shape_to_string(c.b);
        PreparedOp op = prepare_op(call);
        EXPECT_NE(op.kernel_name.find("packed per run"), std::string::npos) << what;
        EXPECT_FALSE(op.needs_zeroed_outputs) << what;
        for (int round = 0; round < 2; ++round) {
          std::vector<Tensor> in = {random_tensor(c.a, seed++), random_tensor(c.b, seed++)};
          const Tensor want = run_op({.op_type = "MatMul", .inputs = in})[0];
          Tensor y(DType::kFloat32, want.shape());
          std::vector<const Tensor*> ins = {&in[0], &in[1]};
          std::vector<Tensor*> outs = {&y};
          op.run(TensorsIn(ins), TensorsOut(outs));
          expect_close(y, want, what + " round " + std::to_string(round));
        }
      }
}

// FusedGemm over an A of rank 3 (what fuse-gemm makes of a transformer's MatMul): one GEMM
// over all leading rows, the output keeping A's leading dims.
TEST(FusedGemm, StackedAKeepsItsLeadingDims) {
  Tensor a = random_tensor({2, 7, 19}, 80), w = random_tensor({19, 33}, 81),
         c = random_tensor({33}, 82);
  const Tensor want = run_op({.op_type = "Gemm", .inputs = {a.reshaped({14, 19}), w, c}})[0];
  ThreadPool two(2);
  for (Isa isa : supported_isas())
    for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two}) {
      OpCall call{.op_type = "FusedGemm",
                  .inputs = {a, w, c},
                  .attrs = attrs({{"activation", std::string("Gelu")}}),
                  .domain = "hone",
                  .kernel_options = optimized(isa, pool)};
      const Tensor got = run_op(call)[0];
      ASSERT_EQ(got.shape(), (Shape{2, 7, 33}));
      std::vector<float> gelu;
      for (float v : want.to_vector<float>())
        gelu.push_back(0.5f * v * (1.0f + std::erf(v / std::sqrt(2.0f))));
      expect_close(got.reshaped({14, 33}), Tensor::from_vector<float>({14, 33}, gelu),
                   std::string(isa_name(isa)));
    }
}

TEST(FusedGemm, MatchesGemmThenActivation) {
  const int64_t m = 3, k = 50, n = 20;
  Tensor a = random_tensor({m, k}, 51), b = random_tensor({n, k}, 52), c = random_tensor({n}, 53);
  const std::vector<std::pair<std::string, std::vector<float>>> acts = {
      {"", {}},        {"Relu", {}},      {"Clip", {0.0f, 6.0f}},        {"LeakyRelu", {0.2f}},
      {"Sigmoid", {}}, {"HardSwish", {}}, {"HardSigmoid", {0.3f, 0.4f}}, {"Tanh", {}}};
  for (const auto& [name, params] : acts) {
    Attributes at = attrs({{"transB", int64_t{1}},
                           {"alpha", 2.0f},
                           {"beta", 0.5f},
                           {"activation", name},
                           {"activation_params", params}});
    const Tensor gemm = run_op({.op_type = "Gemm", .inputs = {a, b, c}, .attrs = at})[0];
    const Epilogue e = *make_epilogue(name, params);
    Tensor want = gemm.clone();
    for (int64_t i = 0; i < want.numel(); ++i)
      want.data<float>()[i] = apply_epilogue(want.data<float>()[i], e);
    OpCall call{.op_type = "FusedGemm", .inputs = {a, b, c}, .attrs = at, .domain = "hone"};
    expect_close(run_op(call)[0], want, "reference " + name);
    for (Isa isa : supported_isas()) {
      call.kernel_options = optimized(isa, nullptr);
      expect_close(run_op(call)[0], want, std::string(isa_name(isa)) + " " + name);
    }
  }
}

TEST(FusedGemm, ErrorsNameTheNode) {
  auto message = [](OpCall call) {
    try {
      prepare_op(call);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Tensor a = random_tensor({2, 3}, 1), b = random_tensor({3, 4}, 2);
  const std::string bad_act = message({.op_type = "FusedGemm",
                                       .inputs = {a, b},
                                       .attrs = attrs({{"activation", "Swish"}}),
                                       .domain = "hone"});
  EXPECT_NE(bad_act.find(kTestNodeName), std::string::npos) << bad_act;
  EXPECT_NE(bad_act.find("Swish"), std::string::npos) << bad_act;
  const std::string clip = message({.op_type = "FusedGemm",
                                    .inputs = {a, b},
                                    .attrs = attrs({{"activation", "Clip"}}),
                                    .domain = "hone"});
  EXPECT_NE(clip.find(kTestNodeName), std::string::npos) << clip;
  const std::string dims = message({.op_type = "Gemm",
                                    .inputs = {a, random_tensor({4, 4}, 3)},
                                    .kernel_options = optimized(best_isa(), nullptr)});
  EXPECT_NE(dims.find(kTestNodeName), std::string::npos) << dims;
  EXPECT_NE(dims.find("inner dimensions"), std::string::npos) << dims;
  const std::string dtype =
      message({.op_type = "FusedGemm",
               .inputs = {Tensor(DType::kFloat64, {2, 3}), Tensor(DType::kFloat64, {3, 4})},
               .domain = "hone"});
  EXPECT_NE(dtype.find(kTestNodeName), std::string::npos) << dtype;
}

// A FusedMatMul of inputs a, b and these attributes against `want`: the reference kernel, and
// the optimized one (B packed per run) for every ISA with no pool and with two threads.
void expect_fused_matmul(const Tensor& a, const Tensor& b, const Attributes& at, const Tensor& want,
                         const std::string& what) {
  const OpCall reference{.op_type = "FusedMatMul", .inputs = {a, b}, .attrs = at, .domain = "hone"};
  expect_close(run_op(reference)[0], want, what + " reference");
  ThreadPool two(2);
  for (Isa isa : supported_isas())
    for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two}) {
      OpCall call = reference;
      call.all_inputs_constant = false;
      call.kernel_options = optimized(isa, pool);
      PreparedOp op = prepare_op(call);
      EXPECT_NE(op.kernel_name.find("packed per run"), std::string::npos) << what;
      ASSERT_EQ(op.outputs[0].shape, want.shape()) << what;
      Tensor y(DType::kFloat32, want.shape());
      std::vector<const Tensor*> ins = {&a, &b};
      std::vector<Tensor*> outs = {&y};
      op.run(TensorsIn(ins), TensorsOut(outs));
      expect_close(y, want, what + " " + std::string(isa_name(isa)));
    }
}

// FusedMatMul (what fold-matmul-transpose makes of attention's Transpose -> Div -> MatMul):
// operands read in place through their perms, scaled by alpha; against Transpose + MatMul +
// Mul on the reference kernels, with the reference and the optimized kernel (every ISA, no
// pool and two threads). The perms cover batch permutations (ViT's [197,12,64] read as
// [12,197,64]), a transposed B ([12,64,197] from [197,12,64]), a transposed A, broadcast batch
// dims and none at all.
TEST(FusedMatMul, TransposedViewsMatchTransposeThenMatMul) {
  struct Case {
    Shape a, b;
    std::vector<int64_t> perm_a, perm_b;
    float alpha;
  };
  const std::vector<Case> cases = {
      {{37, 3, 16}, {37, 3, 16}, {1, 0, 2}, {1, 2, 0}, 0.125f},  // Q·Kᵀ
      {{3, 37, 37}, {37, 3, 16}, {}, {1, 0, 2}, 1.0f},           // weights·V
      {{16, 3, 37}, {3, 16, 9}, {1, 2, 0}, {}, 2.0f},            // A transposed in place
      {{5, 17}, {9, 17}, {}, {1, 0}, 0.5f},                      // a plain transposed B
      {{2, 1, 5, 17}, {17, 4, 33}, {}, {1, 0, 2}, 1.0f},         // broadcast batch dims
      {{4, 5, 7}, {4, 7, 6}, {}, {}, -1.5f},                     // no perm: only the scale
  };
  uint32_t seed = 300;
  for (const Case& c : cases) {
    const Tensor a = random_tensor(c.a, seed++), b = random_tensor(c.b, seed++);
    Tensor ta = a, tb = b;
    if (!c.perm_a.empty())
      ta = run_op({.op_type = "Transpose", .inputs = {a}, .attrs = attrs({{"perm", c.perm_a}})})[0];
    if (!c.perm_b.empty())
      tb = run_op({.op_type = "Transpose", .inputs = {b}, .attrs = attrs({{"perm", c.perm_b}})})[0];
    const Tensor product = run_op({.op_type = "MatMul", .inputs = {ta, tb}})[0];
    const Tensor want = run_op(
        {.op_type = "Mul", .inputs = {product, Tensor::from_vector<float>({}, {c.alpha})}})[0];
    Attributes fused_attrs = attrs({{"alpha", c.alpha}});
    if (!c.perm_a.empty()) fused_attrs["perm_a"] = Attribute{c.perm_a};
    if (!c.perm_b.empty()) fused_attrs["perm_b"] = Attribute{c.perm_b};
    expect_fused_matmul(a, b, fused_attrs, want,
                        shape_to_string(c.a) + " perm " + shape_to_string(c.perm_a) + " x " +
                            shape_to_string(c.b) + " perm " + shape_to_string(c.perm_b));
  }
}

TEST(FusedMatMul, BadPermsViewsAndShapesNameTheProblem) {
  const Tensor a = random_tensor({4, 5, 6}, 1), b = random_tensor({4, 6, 3}, 2);
  auto fails_with = [&](Attributes at, const std::string& text) {
    try {
      run_op({.op_type = "FusedMatMul", .inputs = {a, b}, .attrs = at, .domain = "hone"});
      ADD_FAILURE() << "no error, expected " << text;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(kTestNodeName), std::string::npos) << e.what();
    }
  };
  fails_with(attrs({{"perm_a", std::vector<int64_t>{0, 0, 1}}}), "is not a permutation");
  fails_with(attrs({{"perm_b", std::vector<int64_t>{1, 0}}}), "does not fit input 1");
  fails_with(attrs({{"perm_a", std::vector<int64_t>{0, 2, 1}}}), "inner dimensions differ");
  // Views (shape_X / strides_X / offset_X / groups_X) and the output perm.
  using V = std::vector<int64_t>;
  // One element past the end of a's 120.
  fails_with(attrs({{"shape_a", V{4, 5, 6}}, {"strides_a", V{30, 6, 1}}, {"offset_a", int64_t{1}}}),
             "reads outside input 0");
  fails_with(attrs({{"shape_a", V{4, 5, 6}}, {"strides_a", V{30, 6}}}), "does not fit shape_a");
  fails_with(attrs({{"shape_b", V{4, 6, 3}}, {"strides_b", V{18, -3, 1}}}), "must not be negative");
  fails_with(attrs({{"perm_y", V{0, 2, 1}}}), "must keep the product's last axis last");
  fails_with(attrs({{"shape_a", V{4, 5, 6}}, {"strides_a", V{30, 6, 1}}, {"groups_a", V{1, 1}}}),
             "groups_a [1,1] does not fit shape_a");
  // A matrix axis made of two strided sub-axes: the GEMM reads one stride per matrix axis.
  fails_with(
      attrs({{"shape_a", V{4, 5, 2, 3}}, {"strides_a", V{30, 6, 3, 1}}, {"groups_a", V{1, 1, 2}}}),
      "must each be one strided axis");
  fails_with(attrs({{"perm_y", V{1, 1, 2}}}), "is not a permutation");
}

// FusedMatMul reading sliced views (shape_X / strides_X / offset_X: attention's q, k and v cut
// from one packed projection and split into heads, in place) and writing a transposed output
// (perm_y: the heads back into each token's row), against Slice + Reshape + Transpose + MatMul
// + Mul + Transpose on the reference kernels, with the reference and the optimized kernel.
TEST(FusedMatMul, SlicedViewsAndTransposedOutputMatchTheUnfusedOps) {
  const int64_t tokens = 37, heads = 3, dim = 16, width = 3 * heads * dim;
  const Tensor qkv = random_tensor({tokens, 1, width}, 400);
  auto ints = [](std::vector<int64_t> v) {
    return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
  };
  // q, k or v ([tokens, heads, dim]) as the unfused ops make it.
  auto part = [&](int64_t i) {
    const Tensor s = run_op(
        {.op_type = "Slice",
         .inputs = {qkv, ints({i * heads * dim}), ints({(i + 1) * heads * dim}), ints({2})}})[0];
    return run_op({.op_type = "Reshape", .inputs = {s, ints({tokens, heads, dim})}})[0];
  };
  auto transpose = [](const Tensor& t, std::vector<int64_t> perm) {
    return run_op({.op_type = "Transpose", .inputs = {t}, .attrs = attrs({{"perm", perm}})})[0];
  };
  auto view_attrs = [&](Attributes& at, const std::string& x, int64_t i) {
    at["shape_" + x] = Attribute{std::vector<int64_t>{tokens, heads, dim}};
    at["strides_" + x] = Attribute{std::vector<int64_t>{width, dim, 1}};
    at["offset_" + x] = Attribute{i * heads * dim};
  };
  const std::vector<int64_t> swap = {1, 0, 2};
  const Tensor weights = random_tensor({heads, tokens, tokens}, 401);
  struct Case {
    std::string what;
    std::vector<Tensor> inputs;
    Attributes attrs;
    Tensor want;
  };
  std::vector<Case> cases;
  {  // scores = q·kᵀ / 4, both operands views of qkv, the output [tokens, heads, tokens]
    const Tensor s =
        run_op({.op_type = "MatMul",
                .inputs = {transpose(part(0), swap), transpose(part(1), {1, 2, 0})}})[0];
    const Tensor scaled =
        run_op({.op_type = "Mul", .inputs = {s, Tensor::from_vector<float>({}, {0.25f})}})[0];
    Attributes at = attrs({{"alpha", 0.25f},
                           {"perm_a", swap},
                           {"perm_b", std::vector<int64_t>{1, 2, 0}},
                           {"perm_y", swap}});
    view_attrs(at, "a", 0);
    view_attrs(at, "b", 1);
    cases.push_back({"q·kᵀ", {qkv, qkv}, at, transpose(scaled, swap)});
  }
  {  // weights·v, v a view, the output [tokens, heads, dim]
    const Tensor o =
        run_op({.op_type = "MatMul", .inputs = {weights, transpose(part(2), swap)}})[0];
    Attributes at = attrs({{"alpha", 1.0f}, {"perm_b", swap}, {"perm_y", swap}});
    view_attrs(at, "b", 2);
    cases.push_back({"weights·v", {weights, qkv}, at, transpose(o, swap)});
  }
  {  // batch 2: k of a packed [tokens, 2, width] qkv, heads of both images as one axis of 2 x 3
    // sub-axes (groups_b); q·kᵀ as [6, tokens, tokens]
    const Tensor qkv2 = random_tensor({tokens, 2, width}, 404);
    const Tensor q2 = random_tensor({6, tokens, dim}, 405);
    const Tensor s =
        run_op({.op_type = "Slice",
                .inputs = {qkv2, ints({heads * dim}), ints({2 * heads * dim}), ints({2})}})[0];
    const Tensor k2 = run_op({.op_type = "Reshape", .inputs = {s, ints({tokens, 6, dim})}})[0];
    const Tensor want = run_op({.op_type = "MatMul", .inputs = {q2, transpose(k2, {1, 2, 0})}})[0];
    Attributes at = attrs({{"alpha", 1.0f},
                           {"perm_b", std::vector<int64_t>{1, 2, 0}},
                           {"shape_b", std::vector<int64_t>{tokens, 2, heads, dim}},
                           {"strides_b", std::vector<int64_t>{2 * width, width, dim, 1}},
                           {"groups_b", std::vector<int64_t>{1, 2, 1}},
                           {"offset_b", heads * dim}});
    cases.push_back({"batch 2 q·kᵀ", {q2, qkv2}, at, want});
  }
  {  // every other row of a plain matrix: strides_a [2 * 9, 1] from row 1
    const Tensor x = random_tensor({11, 9}, 402), w = random_tensor({9, 5}, 403);
    const Tensor rows =
        run_op({.op_type = "Slice", .inputs = {x, ints({1}), ints({11}), ints({0}), ints({2})}})[0];
    Attributes at = attrs({{"alpha", 1.0f},
                           {"shape_a", std::vector<int64_t>{5, 9}},
                           {"strides_a", std::vector<int64_t>{18, 1}},
                           {"offset_a", int64_t{9}}});
    cases.push_back(
        {"odd rows", {x, w}, at, run_op({.op_type = "MatMul", .inputs = {rows, w}})[0]});
  }
  for (const Case& c : cases)
    expect_fused_matmul(c.inputs[0], c.inputs[1], c.attrs, c.want, c.what);
}

}  // namespace
}  // namespace hone::test
