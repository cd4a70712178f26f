// ReorderToBlocked, ReorderFromBlocked, ConcatBlocked and ScaleShift (internal ops, domain
// "hone") through the registry: reference and every optimized variant against formulas
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

struct ActCase {
  std::string name;
  Floats params;
};
const std::vector<ActCase> kActivations = {
    {"", {}},        {"Relu", {}},        {"Clip", {-0.5f, 0.75f}}, {"LeakyRelu", {0.1f}},
    {"Sigmoid", {}}, {"HardSigmoid", {}}, {"HardSwish", {}},        {"Tanh", {}},
    {"Silu", {}},
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
