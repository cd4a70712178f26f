// The plain ONNX elementwise ops, activations and Softmax with optimized kernels (every ISA,
// threads 1 and 2) against their reference kernels: same-shape, scalar and per-channel
// broadcasts on either side, large magnitudes for the saturating functions, softmax
// stability with huge and tiny inputs, and the flags the executor relies on.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ops/op_test_util.h"

namespace hone::test {
namespace {

double scale_of(const Tensor& t) {
  double s = 1.0;
  for (double v : t.to_vector<double>())
    if (std::isfinite(v)) s = std::max(s, std::fabs(v));
  return s;
}

void expect_close(const Tensor& got, const Tensor& want, const std::string& what) {
  EXPECT_LE(max_abs_diff(got, want), 1e-4 * scale_of(want)) << what;
}

// Runs `call` with the reference kernel and with every ISA's optimized one, both with and
// without a thread pool, and compares; returns the prepared optimized op of the last ISA.
PreparedOp check_all_variants(OpCall call, const std::string& what) {
  const Tensor want = run_op(call)[0];
  ThreadPool two(2);
  PreparedOp last;
  for (Isa isa : supported_isas())
    for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two}) {
      call.kernel_options = {true, isa, pool};
      expect_close(run_op(call)[0], want, what + " " + std::string(isa_name(isa)));
      last = prepare_op(call);
    }
  return last;
}

TEST(FastElementwise, BinaryArithmeticEveryBroadcastKind) {
  struct Case {
    Shape a, b;
    int inplace;  // the input that has the output's shape
  };
  const std::vector<Case> cases = {
      {{2, 3, 40, 50}, {2, 3, 40, 50}, 0},
      {{2, 3, 5, 7}, {}, 0},
      {{}, {2, 3, 5, 7}, 1},
      {{2, 8, 5, 7}, {8, 1, 1}, 0},
      {{1, 8, 1, 1}, {2, 8, 5, 7}, 1},
      {{4, 33}, {33}, 0},
      {{2, 5, 3, 3, 16}, {2, 5, 3, 3, 16}, 0},
      {{2, 6, 5, 7}, {2, 6, 1, 1}, 0},  // one value per image and channel
      // Per channel in a blocked layout: [N or 1, C/b, 1, 1, b] against [N, C/b, H, W, b].
      {{2, 5, 3, 3, 16}, {1, 5, 1, 1, 16}, 0},
      {{2, 4, 1, 1, 8}, {2, 4, 9, 11, 8}, 1},
      {{2, 4, 40, 41, 16}, {2, 4, 1, 1, 16}, 0},  // rows of many chunks, two threads
  };
  uint32_t seed = 1;
  for (const char* op : {"Add", "Sub", "Mul", "Div"})
    for (const Case& c : cases) {
      OpCall call{.op_type = op,
                  .inputs = {random_tensor(c.a, seed++, 0.5f, 2.0f),
                             random_tensor(c.b, seed++, 0.5f, 2.0f)}};
      const PreparedOp prepared = check_all_variants(
          call, std::string(op) + " " + shape_to_string(c.a) + " " + shape_to_string(c.b));
      EXPECT_EQ(prepared.inplace_input, c.inplace) << op;
      EXPECT_FALSE(prepared.needs_zeroed_outputs) << op;
    }
}

// Pow with a float32 base of the output's shape takes the vector kernel: squares (Torch's
// LayerNorm before opset 17), a fractional power of positive bases, a per-channel exponent.
// A scalar base to a tensor power (not commutative) and an integer exponent stay reference.
TEST(FastElementwise, PowOfAFullBase) {
  struct Case {
    Shape base, exponent;
    bool fast;
  };
  const std::vector<Case> cases = {{{2, 3, 40, 50}, {}, true},
                                   {{4, 33}, {}, true},
                                   {{2, 8, 5, 7}, {8, 1, 1}, true},
                                   {{2, 3, 5, 7}, {2, 3, 5, 7}, true},
                                   {{}, {2, 3, 5, 7}, false}};
  uint32_t seed = 1;
  for (const Case& c : cases) {
    Tensor exponent = c.exponent.empty() ? Tensor::scalar<float>(2.0f)
                                         : random_tensor(c.exponent, seed++, -1.5f, 2.5f);
    OpCall call{.op_type = "Pow", .inputs = {random_tensor(c.base, seed++, 0.25f, 2.0f), exponent}};
    const PreparedOp prepared = check_all_variants(
        call, "Pow " + shape_to_string(c.base) + " " + shape_to_string(c.exponent));
    EXPECT_EQ(prepared.inplace_input, c.fast ? 0 : -1) << shape_to_string(c.base);
  }
  // Squares of negative bases are exact squares (the sign does not reach SLEEF's log path).
  OpCall square{.op_type = "Pow",
                .inputs = {random_tensor({3, 70}, 9, -3.0f, 3.0f), Tensor::scalar<float>(2.0f)}};
  check_all_variants(square, "Pow of negative bases by 2");
  OpCall integer{.op_type = "Pow",
                 .inputs = {random_tensor({3, 70}, 10, 0.5f, 2.0f), Tensor::scalar<int64_t>(3)}};
  EXPECT_EQ(check_all_variants(integer, "Pow by an int64 exponent").inplace_input, -1);
}

// Broadcasts that are neither scalar nor per-channel run as rows of a contiguous innermost
// run: an attention mask over heads (Swin, BERT), both sides broadcast, a row per image, a
// value repeated along the run.
TEST(FastElementwise, BroadcastRowsOfEveryKind) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{1, 8, 3, 9, 49}, {8, 1, 9, 49}}, {{2, 4, 9, 33}, {2, 1, 1, 33}},
      {{5, 1, 40}, {1, 7, 40}},          {{2, 3, 20}, {2, 1, 20}},
      {{4, 1, 7, 24}, {3, 1, 24}},       {{2, 1, 9, 16}, {2, 5, 9, 16}}};
  uint32_t seed = 50;
  for (const char* op : {"Add", "Sub", "Mul", "Div"})
    for (const auto& [a, b] : cases) {
      OpCall call{
          .op_type = op,
          .inputs = {random_tensor(a, seed++, 0.5f, 2.0f), random_tensor(b, seed++, 0.5f, 2.0f)}};
      const PreparedOp prepared = check_all_variants(
          call, std::string(op) + " " + shape_to_string(a) + " " + shape_to_string(b));
      EXPECT_EQ(prepared.kernel_name, "broadcast_binary") << op << shape_to_string(a);
      EXPECT_FALSE(prepared.needs_zeroed_outputs);
    }
}

TEST(FastElementwise, UnsupportedBroadcastStaysCorrect) {
  // [3,1] + [1,4]: neither operand has the output's shape, so the reference kernel runs.
  OpCall call{.op_type = "Sub", .inputs = {random_tensor({3, 1}, 1), random_tensor({1, 4}, 2)}};
  const PreparedOp op = check_all_variants(call, "outer broadcast");
  EXPECT_EQ(op.inplace_input, -1);
}

TEST(FastElementwise, ActivationsIncludingLargeMagnitudes) {
  Tensor x = random_tensor({2, 3, 30, 31}, 3, -8.0f, 8.0f);
  float* p = x.data<float>();
  p[0] = 100.0f;  // sigmoid/tanh saturation, exp overflow inside sigmoid
  p[1] = -100.0f;
  p[2] = 0.0f;
  struct Case {
    const char* op;
    Attributes at;
  };
  const std::vector<Case> cases = {
      {"Relu", {}},
      {"Sigmoid", {}},
      {"Tanh", {}},
      {"HardSwish", {}},
      {"HardSigmoid", attrs({{"alpha", 0.3f}, {"beta", 0.4f}})},
      {"LeakyRelu", attrs({{"alpha", 0.05f}})},
      {"Clip", attrs({{"min", -1.0f}, {"max", 2.0f}})},
  };
  for (const Case& c : cases) {
    const PreparedOp op =
        check_all_variants({.op_type = c.op, .inputs = {x}, .attrs = c.at, .opset = 6}, c.op);
    EXPECT_EQ(op.inplace_input, 0) << c.op;
  }
  // Clip opset 11+: bounds as inputs, constant, absent, or computed at run time.
  check_all_variants(
      {.op_type = "Clip", .inputs = {x, Tensor::scalar<float>(-0.5f), Tensor::scalar<float>(0.5f)}},
      "Clip inputs");
  check_all_variants({.op_type = "Clip", .inputs = {x, Tensor(), Tensor::scalar<float>(0.5f)}},
                     "Clip max only");
  check_all_variants({.op_type = "Clip",
                      .inputs = {x, Tensor::scalar<float>(-0.5f), Tensor::scalar<float>(0.5f)},
                      .all_inputs_constant = false,
                      .constant_inputs = {}},
                     "Clip run-time bounds");
  check_all_variants(
      {.op_type = "Clip", .inputs = {x, Tensor::scalar<float>(1.0f), Tensor::scalar<float>(-1.0f)}},
      "Clip min > max");
}

TEST(FastSoftmax, LastAxisStableForLargeAndSmallValues) {
  uint32_t seed = 20;
  for (int64_t len : {1, 7, 16, 17, 1000})
    for (float offset : {0.0f, 1e4f, -1e4f}) {
      Tensor x = random_tensor({3, len}, seed++, -20.0f + offset, 20.0f + offset);
      const PreparedOp op =
          check_all_variants({.op_type = "Softmax", .inputs = {x}},
                             "len " + std::to_string(len) + " offset " + std::to_string(offset));
      EXPECT_FALSE(op.needs_zeroed_outputs);
      // The probabilities are finite and sum to one.
      OpCall call{
          .op_type = "Softmax", .inputs = {x}, .kernel_options = {true, best_isa(), nullptr}};
      const Tensor y = run_op(call)[0];
      for (int64_t r = 0; r < 3; ++r) {
        double sum = 0;
        for (int64_t i = 0; i < len; ++i) sum += y.data<float>()[r * len + i];
        EXPECT_NEAR(sum, 1.0, 1e-4);
      }
    }
  // Opset < 13 flattens to 2-D from axis 1: still the last axis of the 2-D view.
  check_all_variants(
      {.op_type = "Softmax", .inputs = {random_tensor({2, 3, 4, 5}, 30, -5, 5)}, .opset = 11},
      "opset 11");
  // Not the last axis: the reference path.
  check_all_variants({.op_type = "Softmax",
                      .inputs = {random_tensor({2, 3, 4}, 31)},
                      .attrs = attrs({{"axis", int64_t{1}}})},
                     "axis 1");
  // Many rows (the thread split).
  check_all_variants({.op_type = "Softmax", .inputs = {random_tensor({300, 129}, 32, -9, 9)}},
                     "rows");
}

TEST(FastSoftmax, NanMakesTheRowNan) {
  Tensor x = random_tensor({2, 40}, 40);
  x.data<float>()[45] = NAN;  // row 1
  for (Isa isa : supported_isas()) {
    OpCall call{.op_type = "Softmax", .inputs = {x}, .kernel_options = {true, isa, nullptr}};
    const Tensor y = run_op(call)[0];
    for (int64_t i = 0; i < 40; ++i) {
      EXPECT_TRUE(std::isfinite(y.data<float>()[i])) << isa_name(isa);
      EXPECT_TRUE(std::isnan(y.data<float>()[40 + i])) << isa_name(isa);
    }
  }
}

}  // namespace
}  // namespace hone::test
