// ReorderToBlocked, ReorderFromBlocked, ConcatBlocked, ChannelGather and ScaleShift (internal ops,
// domain "hone") through the registry: reference and every optimized variant against formulas
// written here, odd channel counts, garbage in padding lanes, and error paths.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ops/blocked_test_util.h"
#include "ops/common/epilogue.h"
#include "ops/op_test_util.h"

namespace hone::test {
namespace {

using Ints = std::vector<int64_t>;
using Floats = std::vector<float>;

Tensor run1(OpCall call, const KernelOptions& options = {}) {
  call.domain = "hone";
  call.kernel_options = options;
  return run_op(call)[0];
}

void expect_error_naming_node(OpCall call) {
  call.domain = "hone";
  try {
    prepare_op(call);
    ADD_FAILURE() << call.op_type << ": expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(kTestNodeName), std::string::npos) << e.what();
  }
}

struct ReorderCase {
  Shape shape;
  int block;
};

const std::vector<ReorderCase> kReorderCases = {
    {{1, 3, 5, 7}, 8},   {{1, 3, 5, 7}, 16},    {{2, 24, 6, 6}, 8},  {{2, 24, 6, 6}, 16},
    {{1, 16, 1, 1}, 16}, {{1, 1000, 1, 1}, 16}, {{1, 8, 40, 41}, 8}, {{1, 20, 37, 29}, 16},
    {{2, 64, 9, 9}, 16}, {{1, 5, 1, 13}, 8},
};

TEST(ReorderToBlocked, MatchesFormulaWithZeroPadding) {
  for (const ReorderCase& rc : kReorderCases) {
    Tensor x = random_tensor(rc.shape, 11);
    OpCall call{.op_type = "ReorderToBlocked",
                .inputs = {x},
                .attrs = attrs({{"block", int64_t{rc.block}}})};
    Tensor expected = block_nchw(x, rc.block, 0.0f);
    EXPECT_EQ(max_abs_diff(run1(call), expected), 0.0) << shape_to_string(rc.shape);
    for (const Variant& v : optimized_variants())
      EXPECT_EQ(max_abs_diff(run1(call, v.options), expected), 0.0)
          << v.name << " " << shape_to_string(rc.shape) << " b" << rc.block;
  }
}

TEST(ReorderFromBlocked, RoundTripIsIdentityOnRealChannels) {
  for (const ReorderCase& rc : kReorderCases) {
    Tensor x = random_tensor(rc.shape, 12);
    Tensor blocked = block_nchw(x, rc.block, 99.0f);  // padding lanes must be ignored
    OpCall call{.op_type = "ReorderFromBlocked",
                .inputs = {blocked},
                .attrs = attrs({{"block", int64_t{rc.block}}, {"channels", rc.shape[1]}})};
    EXPECT_EQ(max_abs_diff(run1(call), x), 0.0) << shape_to_string(rc.shape);
    for (const Variant& v : optimized_variants()) {
      EXPECT_EQ(max_abs_diff(run1(call, v.options), x), 0.0)
          << v.name << " " << shape_to_string(rc.shape) << " b" << rc.block;
      OpCall to{.op_type = "ReorderToBlocked",
                .inputs = {x},
                .attrs = attrs({{"block", int64_t{rc.block}}})};
      call.inputs = {run1(to, v.options)};
      EXPECT_EQ(max_abs_diff(run1(call, v.options), x), 0.0) << v.name << " round trip";
      call.inputs = {blocked};
    }
  }
}

TEST(Reorder, BadAttributesNameTheNode) {
  Tensor x = random_tensor({1, 3, 4, 4}, 1);
  expect_error_naming_node(
      {.op_type = "ReorderToBlocked", .inputs = {x}, .attrs = attrs({{"block", int64_t{4}}})});
  expect_error_naming_node({.op_type = "ReorderToBlocked", .inputs = {x}});
  expect_error_naming_node({.op_type = "ReorderToBlocked",
                            .inputs = {random_tensor({3, 4, 4}, 1)},
                            .attrs = attrs({{"block", int64_t{8}}})});
  Tensor b = block_nchw(x, 8);
  // 9 channels need 2 blocks of 8, the input has 1.
  expect_error_naming_node({.op_type = "ReorderFromBlocked",
                            .inputs = {b},
                            .attrs = attrs({{"block", int64_t{8}}, {"channels", int64_t{9}}})});
  // The last dim must equal the block.
  expect_error_naming_node({.op_type = "ReorderFromBlocked",
                            .inputs = {b},
                            .attrs = attrs({{"block", int64_t{16}}, {"channels", int64_t{3}}})});
  expect_error_naming_node(
      {.op_type = "ReorderFromBlocked", .inputs = {b}, .attrs = attrs({{"block", int64_t{8}}})});
}

// Plain NCHW concat along channels, written here.
Tensor concat_nchw(const std::vector<Tensor>& xs) {
  int64_t c = 0;
  for (const Tensor& x : xs) c += x.dim(1);
  const int64_t n = xs[0].dim(0), hw = xs[0].dim(2) * xs[0].dim(3);
  Tensor y(DType::kFloat32, {n, c, xs[0].dim(2), xs[0].dim(3)});
  for (int64_t i = 0; i < n; ++i) {
    int64_t off = 0;
    for (const Tensor& x : xs) {
      for (int64_t k = 0; k < x.dim(1) * hw; ++k)
        y.data<float>()[(i * c + off) * hw + k] = x.data<float>()[(i * x.dim(1)) * hw + k];
      off += x.dim(1);
    }
  }
  return y;
}

TEST(ConcatBlocked, EqualsBlockOfConcat) {
  struct Case {
    Ints channels;
    int block;
    int64_t n, h, w;
  };
  const std::vector<Case> cases = {
      {{16, 32}, 16, 1, 7, 7},        {{8, 8, 16}, 8, 2, 5, 3},
      {{3, 5, 24}, 8, 1, 4, 6},       {{24, 40}, 16, 2, 3, 3},
      {{64, 32, 32}, 16, 1, 14, 14},  {{1000, 3}, 16, 1, 1, 1},
      {{16, 3}, 16, 1, 5, 5},         {{5}, 8, 1, 2, 2},
      {{7, 1, 9, 16, 2}, 8, 2, 3, 2},
  };
  for (const Case& c : cases) {
    std::vector<Tensor> plain, blocked;
    for (size_t i = 0; i < c.channels.size(); ++i) {
      plain.push_back(random_tensor({c.n, c.channels[i], c.h, c.w}, 20 + static_cast<int>(i)));
      blocked.push_back(block_nchw(plain.back(), c.block, -55.0f));
    }
    Tensor expected = concat_nchw(plain);
    int64_t total = 0;
    for (int64_t ch : c.channels) total += ch;
    OpCall call{.op_type = "ConcatBlocked",
                .inputs = blocked,
                .attrs = attrs({{"block", int64_t{c.block}}, {"channels", c.channels}})};
    Tensor ref = run1(call);
    EXPECT_EQ(ref.shape(), (Shape{c.n, (total + c.block - 1) / c.block, c.h, c.w, c.block}));
    EXPECT_EQ(max_abs_diff(unblock(ref, total), expected), 0.0);
    for (const Variant& v : optimized_variants()) {
      Tensor y = run1(call, v.options);
      EXPECT_EQ(max_abs_diff(unblock(y, total), expected), 0.0)
          << v.name << " channels " << shape_to_string(c.channels) << " b" << c.block;
      EXPECT_TRUE(all_finite(y));
    }
  }
}

TEST(ConcatBlocked, KernelNameSaysWhichPath) {
  auto name = [](Ints channels, int block) {
    std::vector<Tensor> xs;
    for (int64_t c : channels) xs.push_back(block_nchw(random_tensor({1, c, 2, 2}, 3), block));
    OpCall call{.op_type = "ConcatBlocked",
                .inputs = xs,
                .attrs = attrs({{"block", int64_t{block}}, {"channels", channels}}),
                .domain = "hone",
                .kernel_options = {true, Isa::kPortable, nullptr}};
    return prepare_op(call).kernel_name;
  };
  EXPECT_NE(name({32, 16}, 16).find("block_copy"), std::string::npos);
  EXPECT_NE(name({32, 3}, 16).find("block_copy"), std::string::npos);  // only the last is odd
  EXPECT_NE(name({24, 16}, 16).find("lane_shift"), std::string::npos);
}

TEST(ConcatBlocked, BadAttributesNameTheNode) {
  Tensor a = block_nchw(random_tensor({1, 16, 4, 4}, 1), 16);
  Tensor b = block_nchw(random_tensor({1, 8, 4, 5}, 1), 16);
  Tensor c8 = block_nchw(random_tensor({1, 8, 4, 4}, 1), 8);
  auto call = [](std::vector<Tensor> xs, Ints channels, int64_t block) {
    return OpCall{.op_type = "ConcatBlocked",
                  .inputs = std::move(xs),
                  .attrs = attrs({{"block", block}, {"channels", channels}})};
  };
  expect_error_naming_node(call({a, b}, {16, 8}, 16));   // spatial dims differ
  expect_error_naming_node(call({a, a}, {16}, 16));      // one channels entry for two inputs
  expect_error_naming_node(call({a, a}, {16, 17}, 16));  // 17 channels need 2 blocks
  expect_error_naming_node(call({a, c8}, {16, 8}, 16));  // input 1 is blocked by 8
  expect_error_naming_node(call({a}, {16}, 12));
}

// Output channel j of a plain gather, written here: channel source_channels[j] of input
// source_inputs[j].
Tensor gather_nchw(const std::vector<Tensor>& xs, const Ints& inputs, const Ints& channels) {
  const int64_t n = xs[0].dim(0), h = xs[0].dim(2), w = xs[0].dim(3), hw = h * w;
  const auto cout = static_cast<int64_t>(inputs.size());
  Tensor y(DType::kFloat32, {n, cout, h, w});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < cout; ++j) {
      const Tensor& x = xs[static_cast<size_t>(inputs[static_cast<size_t>(j)])];
      const int64_t c = channels[static_cast<size_t>(j)];
      for (int64_t k = 0; k < hw; ++k)
        y.data<float>()[(i * cout + j) * hw + k] = x.data<float>()[(i * x.dim(1) + c) * hw + k];
    }
  return y;
}

TEST(ChannelGather, EqualsGatherPlainAndBlocked) {
  struct Case {
    Ints channels;  // of each input
    int64_t n, h, w;
    const char* map;  // how the output channels are drawn
  };
  const std::vector<Case> cases = {
      {{58, 58}, 1, 5, 6, "shuffle"},    // ShuffleNet: interleave the two inputs
      {{116}, 2, 3, 3, "shuffle"},       // a shuffle of one input
      {{40}, 1, 4, 4, "slice"},          // channels 5..30
      {{24, 7, 33}, 2, 3, 2, "random"},  // any channel of any input, repeats allowed
      {{3}, 1, 17, 19, "random"},        // more pixels than one work item
      {{64, 32}, 1, 2, 2, "identity"},   // whole blocks
  };
  uint32_t seed = 40;
  for (const Case& c : cases) {
    std::vector<Tensor> plain;
    for (int64_t ch : c.channels) plain.push_back(random_tensor({c.n, ch, c.h, c.w}, seed++));
    Ints inputs, sources;
    const std::string map = c.map;
    if (map == "shuffle") {
      const auto groups = static_cast<int64_t>(c.channels.size() == 1 ? 2 : c.channels.size());
      int64_t total = 0;
      for (int64_t ch : c.channels) total += ch;
      for (int64_t a = 0; a < total / groups; ++a)
        for (int64_t b = 0; b < groups; ++b) {
          const int64_t k = b * (total / groups) + a;  // channel of the concatenation
          const int64_t in = c.channels.size() == 1 ? 0 : k / c.channels[0];
          inputs.push_back(in);
          sources.push_back(c.channels.size() == 1 ? k : k % c.channels[0]);
        }
    } else if (map == "slice") {
      for (int64_t k = 5; k < 31; ++k) {
        inputs.push_back(0);
        sources.push_back(k);
      }
    } else if (map == "identity") {
      for (size_t i = 0; i < c.channels.size(); ++i)
        for (int64_t k = 0; k < c.channels[i]; ++k) {
          inputs.push_back(static_cast<int64_t>(i));
          sources.push_back(k);
        }
    } else {
      std::vector<float> r = random_tensor({45}, seed++, 0.0f, 1.0f).to_vector<float>();
      for (float u : r) {
        const auto i = static_cast<size_t>(u * static_cast<float>(c.channels.size()) * 0.999f);
        inputs.push_back(static_cast<int64_t>(i));
        sources.push_back(static_cast<int64_t>(u * 1000.0f) % c.channels[i]);
      }
    }
    const Tensor expected = gather_nchw(plain, inputs, sources);
    const auto cout = static_cast<int64_t>(inputs.size());
    const std::string what = map + " channels " + shape_to_string(c.channels);
    for (int block : {0, 8, 16}) {
      std::vector<Tensor> xs;
      for (const Tensor& x : plain) xs.push_back(block == 0 ? x : block_nchw(x, block, -55.0f));
      Attributes at = attrs(
          {{"block", int64_t{block}}, {"source_inputs", inputs}, {"source_channels", sources}});
      if (block != 0) at["channels"] = Attribute{c.channels};
      OpCall call{.op_type = "ChannelGather", .inputs = xs, .attrs = at};
      auto check = [&](const Tensor& y, const std::string& variant) {
        const std::string where = what + " b" + std::to_string(block) + " " + variant;
        if (block == 0) {
          EXPECT_EQ(max_abs_diff(y, expected), 0.0) << where;
          return;
        }
        EXPECT_EQ(y.shape(), (Shape{c.n, (cout + block - 1) / block, c.h, c.w, block})) << where;
        EXPECT_EQ(max_abs_diff(unblock(y, cout), expected), 0.0) << where;
        // Padding lanes are 0, not the inputs' garbage.
        const std::vector<float> v = y.to_vector<float>();
        const int64_t blocks = (cout + block - 1) / block, pixels = c.h * c.w;
        for (size_t e = 0; e < v.size(); ++e) {
          const auto k = static_cast<int64_t>(e);
          const int64_t channel = (k / (pixels * block)) % blocks * block + k % block;
          if (channel >= cout) {
            ASSERT_EQ(v[e], 0.0f) << where << " padding element " << e;
          }
        }
      };
      check(run1(call), "reference");
      for (const Variant& v : optimized_variants()) check(run1(call, v.options), v.name);
    }
  }
}

TEST(ChannelGather, KernelNameSaysWhichVariant) {
  auto name = [](int block, Isa isa) {
    Tensor x = random_tensor({1, 20, 2, 2}, 3);
    Attributes at = attrs({{"block", int64_t{block}},
                           {"source_inputs", Ints{0, 0}},
                           {"source_channels", Ints{3, 1}}});
    if (block != 0) at["channels"] = Attribute{Ints{20}};
    OpCall call{.op_type = "ChannelGather",
                .inputs = {block == 0 ? x : block_nchw(x, block)},
                .attrs = at,
                .domain = "hone",
                .kernel_options = {true, isa, nullptr}};
    return prepare_op(call).kernel_name;
  };
  EXPECT_EQ(name(0, Isa::kPortable), "channel_gather_nchw");
  EXPECT_EQ(name(16, Isa::kPortable), "channel_gather_nchw16c_portable");
  if (isa_supported(Isa::kAvx512)) {
    EXPECT_EQ(name(16, Isa::kAvx512), "channel_gather_nchw16c_avx512");
    EXPECT_EQ(name(8, Isa::kAvx512), "channel_gather_nchw8c_avx2");
  }
  if (isa_supported(Isa::kAvx2)) {
    EXPECT_EQ(name(16, Isa::kAvx2), "channel_gather_nchw16c_avx2");
    EXPECT_EQ(name(8, Isa::kAvx2), "channel_gather_nchw8c_avx2");
  }
}

TEST(ChannelGather, BadAttributesNameTheNode) {
  Tensor a = random_tensor({1, 16, 4, 4}, 1), b = random_tensor({1, 8, 4, 5}, 1);
  Tensor a16 = block_nchw(a, 16);
  auto call = [](std::vector<Tensor> xs, Ints inputs, Ints sources, int64_t block,
                 Ints channels = {}) {
    Attributes at =
        attrs({{"block", block}, {"source_inputs", inputs}, {"source_channels", sources}});
    if (!channels.empty()) at["channels"] = Attribute{channels};
    return OpCall{.op_type = "ChannelGather", .inputs = std::move(xs), .attrs = at};
  };
  expect_error_naming_node(call({a, b}, {0, 1}, {0, 0}, 0));  // spatial dims differ
  expect_error_naming_node(call({a}, {0, 0}, {0}, 0));        // lengths differ
  expect_error_naming_node(call({a}, {}, {}, 0));             // no output channel
  expect_error_naming_node(call({a}, {1}, {0}, 0));           // no input 1
  expect_error_naming_node(call({a}, {0}, {16}, 0));          // channel 16 of 16
  expect_error_naming_node(call({a}, {0}, {-1}, 0));
  expect_error_naming_node(call({a16}, {0}, {0}, 16, {17}));  // 17 channels need 2 blocks
  expect_error_naming_node(call({a16}, {0}, {0}, 16));        // no channels attribute
  expect_error_naming_node(call({a16}, {0}, {0}, 8, {16}));   // blocked by 16, not 8
  expect_error_naming_node(call({a}, {0}, {0}, 12));
  expect_error_naming_node(call({random_tensor({16, 4}, 2)}, {0}, {0}, 0));  // not 4-D
}

struct ActCase {
  std::string name;
  Floats params;
};
const std::vector<ActCase> kActivations = {
    {"", {}},        {"Relu", {}},        {"Clip", {-0.5f, 0.75f}}, {"LeakyRelu", {0.1f}},
    {"Sigmoid", {}}, {"HardSigmoid", {}}, {"HardSwish", {}},        {"Tanh", {}},
    {"Silu", {}},    {"Gelu", {}},
};

TEST(ScaleShift, MatchesFormulaPlainAndBlocked) {
  struct Case {
    Shape shape;  // NCHW
    int block;
  };
  const std::vector<Case> cases = {{{2, 5, 3, 4}, 0},    {{1, 24, 7, 7}, 0},  {{1, 3, 5, 5}, 8},
                                   {{2, 24, 6, 5}, 8},   {{1, 24, 9, 9}, 16}, {{1, 3, 1, 1}, 16},
                                   {{1, 40, 33, 35}, 16}};
  for (const Case& c : cases) {
    const int64_t ch = c.shape[1];
    Tensor x = random_tensor(c.shape, 31, -4.0f, 4.0f);
    Tensor scale = random_tensor({ch}, 32, -2.0f, 2.0f), shift = random_tensor({ch}, 33);
    for (const ActCase& act : kActivations) {
      Epilogue e = *make_epilogue(act.name, act.params);
      Tensor expected(DType::kFloat32, c.shape);
      const int64_t hw = c.shape[2] * c.shape[3];
      for (int64_t i = 0; i < x.numel(); ++i) {
        const int64_t k = i / hw % ch;
        expected.data<float>()[i] =
            apply_epilogue(x.data<float>()[i] * scale.data<float>()[k] + shift.data<float>()[k], e);
      }
      Tensor input = c.block == 0 ? x : block_nchw(x, c.block, 3.0f);
      OpCall call{.op_type = "ScaleShift",
                  .inputs = {input, scale, shift},
                  .attrs = attrs({{"block", int64_t{c.block}},
                                  {"activation", act.name},
                                  {"activation_params", act.params}})};
      auto real = [&](const Tensor& y) { return c.block == 0 ? y : unblock(y, ch); };
      EXPECT_LT(relative_error(real(run1(call)), expected), 1e-6) << act.name;
      for (const Variant& v : optimized_variants()) {
        Tensor y = run1(call, v.options);
        EXPECT_LT(relative_error(real(y), expected), 1e-5)
            << v.name << " " << act.name << " " << shape_to_string(c.shape) << " b" << c.block;
        EXPECT_TRUE(all_finite(y));
      }
    }
  }
}

TEST(ScaleShift, InPlaceGivesTheSameResult) {
  Tensor x = block_nchw(random_tensor({1, 24, 5, 5}, 40), 16);
  Tensor scale = random_tensor({24}, 41), shift = random_tensor({24}, 42);
  OpCall call{.op_type = "ScaleShift",
              .inputs = {x, scale, shift},
              .attrs = attrs({{"block", int64_t{16}}, {"activation", std::string("Relu")}}),
              .domain = "hone"};
  Tensor expected = run_op(call)[0];
  for (const Variant& v : optimized_variants()) {
    call.kernel_options = v.options;
    PreparedOp op = prepare_op(call);
    EXPECT_EQ(op.inplace_input, 0);
    EXPECT_FALSE(op.needs_zeroed_outputs);
    Tensor buffer = x.clone();
    const Tensor* in[] = {&buffer, &scale, &shift};
    Tensor* out[] = {&buffer};
    op.run(TensorsIn(in), TensorsOut(out));
    EXPECT_LT(relative_error(unblock(buffer, 24), unblock(expected, 24)), 1e-6) << v.name;
  }
}

TEST(ScaleShift, BadInputsNameTheNode) {
  Tensor x = random_tensor({1, 4, 3, 3}, 1);
  Tensor s4 = random_tensor({4}, 2), s5 = random_tensor({5}, 3);
  auto call = [&](Tensor in, Tensor s, Tensor t, int64_t block, std::string act = "",
                  Floats params = {}) {
    return OpCall{
        .op_type = "ScaleShift",
        .inputs = {in, s, t},
        .attrs = attrs({{"block", block}, {"activation", act}, {"activation_params", params}})};
  };
  expect_error_naming_node(call(x, s5, s5, 0));                  // 5 values for 4 channels
  expect_error_naming_node(call(x, s4, s4, 0, "Swish"));         // unknown activation
  expect_error_naming_node(call(x, s4, s4, 0, "Clip", {1.0f}));  // Clip needs min and max
  expect_error_naming_node(call(x, s4, s4, 8));                  // X not blocked
  Tensor b = block_nchw(x, 8);
  expect_error_naming_node(call(b, random_tensor({9}, 4), random_tensor({9}, 5), 8));
  OpCall not_constant = call(x, s4, s4, 0);
  not_constant.all_inputs_constant = false;
  expect_error_naming_node(not_constant);
}

}  // namespace
}  // namespace hone::test
