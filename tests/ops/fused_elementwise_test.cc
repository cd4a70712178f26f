// FusedElementwise (domain "hone"): the reference implementation against chains of the plain
// ONNX ops, and the fast kernel (every ISA, threads 1 and 2) against the reference for every
// step kind and every operand layout; in-place use and the error messages.
#include "ops/elementwise/fused_elementwise.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>

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

OpCall fused(std::vector<Tensor> inputs, std::vector<std::string> ops,
             std::vector<int64_t> operands, std::vector<float> alphas = {},
             std::vector<float> betas = {}) {
  Attributes at = attrs({{"ops", ops}, {"operands", operands}});
  if (!alphas.empty()) at["alphas"] = Attribute{alphas};
  if (!betas.empty()) at["betas"] = Attribute{betas};
  return {
      .op_type = "FusedElementwise", .inputs = std::move(inputs), .attrs = at, .domain = "hone"};
}

TEST(FusedElementwise, ReferenceEqualsChainOfOnnxOps) {
  Tensor x = random_tensor({2, 3, 4, 5}, 1), full = random_tensor({2, 3, 4, 5}, 2);
  Tensor channel = random_tensor({3, 1, 1}, 3, 0.5f, 2.0f), scalar = random_tensor({}, 4);
  // ((x + full) * channel - scalar) -> Relu -> Clip[0, 0.5] -> RDiv by channel (channel / acc)
  Tensor got =
      run_op(fused({x, full, channel, scalar}, {"Add", "Mul", "Sub", "Sigmoid", "Clip", "RDiv"},
                   {1, 2, 3, -1, -1, 2}, {0, 0, 0, 0, 0.1f, 0}, {0, 0, 0, 0, 0.6f, 0}))[0];
  Tensor t = run_op({.op_type = "Add", .inputs = {x, full}})[0];
  t = run_op({.op_type = "Mul", .inputs = {t, channel}})[0];
  t = run_op({.op_type = "Sub", .inputs = {t, scalar}})[0];
  t = run_op({.op_type = "Sigmoid", .inputs = {t}})[0];
  t = run_op({.op_type = "Clip",
              .inputs = {t, Tensor::scalar<float>(0.1f), Tensor::scalar<float>(0.6f)}})[0];
  t = run_op({.op_type = "Div", .inputs = {channel, t}})[0];
  expect_close(got, t, "chain");
}

struct Layout {
  Shape out, operand;
  const char* name;
};

TEST(FusedElementwise, FastMatchesReferenceForEveryStepAndLayout) {
  const std::vector<Layout> layouts = {
      {{2, 3, 5, 7}, {2, 3, 5, 7}, "full"},
      {{2, 3, 5, 7}, {}, "scalar"},
      {{2, 3, 5, 7}, {1, 1, 1, 1}, "scalar4d"},
      {{2, 3, 5, 7}, {3, 1, 1}, "channel[C,1,1]"},
      {{2, 3, 5, 7}, {1, 3, 1, 1}, "channel[1,C,1,1]"},
      {{6, 37}, {37}, "last-axis vector"},
      {{2, 3, 100, 120}, {3, 1, 1}, "large channel"},  // > the threading threshold, many chunks
      {{1, 5, 3, 3, 16}, {1, 5, 3, 3, 16}, "blocked 5-D"},
      {{2, 3, 5, 7}, {2, 3, 1, 1}, "channel per image [N,C,1,1]"},
      {{1, 5, 3, 3, 16}, {1, 5, 1, 1, 16}, "blocked channel, 16 lanes"},
      {{2, 5, 3, 3, 8}, {2, 5, 1, 1, 8}, "blocked channel per image, 8 lanes"},
      {{3, 2, 7, 4}, {1, 2, 1, 4}, "channel with 4 lanes"},
      {{2, 3, 21, 21, 16}, {1, 3, 1, 1, 16}, "blocked channel, rows of many chunks"},
  };
  const std::vector<std::string> unary = {"Relu", "Sigmoid",   "Tanh",       "Exp", "Log",
                                          "Neg",  "Abs",       "Sqrt",       "Erf", "HardSwish",
                                          "Clip", "LeakyRelu", "HardSigmoid"};
  const std::vector<std::string> binary = {"Add", "Sub", "Mul",  "Div", "Max",
                                           "Min", "Pow", "RSub", "RDiv"};
  ThreadPool two(2);
  uint32_t seed = 10;
  for (const Layout& l : layouts) {
    // Positive values keep Log, Sqrt, Pow and Div finite.
    Tensor x = random_tensor(l.out, seed++, 0.2f, 3.0f);
    Tensor operand = random_tensor(l.operand, seed++, 0.2f, 3.0f);
    Tensor signed_x = random_tensor(l.out, seed++, -4.0f, 4.0f);
    std::vector<OpCall> calls;
    for (const std::string& u : unary) {
      const bool positive = u == "Log" || u == "Sqrt";
      calls.push_back(
          fused({positive ? x : signed_x, operand}, {u, "Add"}, {-1, 1}, {-0.5f, 0}, {0.7f, 0}));
      if (u == "HardSigmoid" || u == "LeakyRelu" || u == "Clip")  // with the ONNX defaults
        calls.push_back(fused({signed_x, operand}, {"Add", u}, {1, -1}));
    }
    for (const std::string& b : binary) calls.push_back(fused({x, operand}, {b}, {1}));
    calls.push_back(fused({x, operand}, {"Mul", "Add", "Relu", "Sub"}, {0, 1, -1, 1}));
    for (OpCall& call : calls) {
      const Tensor want = run_op(call)[0];
      const std::string what = std::string(l.name) + " " +
                               std::get<std::vector<std::string>>(call.attrs["ops"].value)[0];
      for (Isa isa : supported_isas())
        for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two}) {
          OpCall fast = call;
          fast.kernel_options = {true, isa, pool};
          expect_close(run_op(fast)[0], want, what + " " + std::string(isa_name(isa)));
        }
    }
  }
}

TEST(FusedElementwise, LongProgramsAndInPlace) {
  Tensor x = random_tensor({3, 4, 50}, 5), b = random_tensor({4, 1}, 6);
  std::vector<std::string> ops;
  std::vector<int64_t> operands;
  for (int i = 0; i < 40; ++i) {  // more steps than one round of the chunk loop
    ops.push_back(i % 2 ? "Tanh" : "Add");
    operands.push_back(i % 2 ? -1 : 1);
  }
  OpCall call = fused({x, b}, ops, operands);
  const Tensor want = run_op(call)[0];
  for (Isa isa : supported_isas()) {
    call.kernel_options = {true, isa, nullptr};
    PreparedOp op = prepare_op(call);
    EXPECT_EQ(op.inplace_input, 0);
    EXPECT_FALSE(op.needs_zeroed_outputs);
    Tensor y = x.clone();  // output aliases input 0
    std::vector<const Tensor*> in = {&y, &call.inputs[1]};
    std::vector<Tensor*> out = {&y};
    op.run(TensorsIn(in), TensorsOut(out));
    expect_close(y, want, std::string("in place ") + std::string(isa_name(isa)));
  }
}

// x * sigmoid(x) (SiLU, as torch.onnx writes it): a step reads X0 again after the chunk's
// running value is in the output, so the output must not share X0's buffer.
TEST(FusedElementwise, ProgramRereadingX0IsNotInPlace) {
  Tensor x = random_tensor({2, 16, 9, 9}, 7);
  OpCall call = fused({x}, {"Sigmoid", "Mul"}, {-1, 0});
  const Tensor want = run_op(call)[0];
  std::vector<float> silu;
  for (float v : x.to_vector<float>()) silu.push_back(v / (1.0f + std::exp(-v)));
  expect_close(want, Tensor::from_vector<float>(x.shape(), silu), "reference is x * sigmoid(x)");
  for (Isa isa : supported_isas()) {
    call.kernel_options = {true, isa, nullptr};
    PreparedOp op = prepare_op(call);
    EXPECT_EQ(op.inplace_input, -1) << isa_name(isa);
    expect_close(run_op(call)[0], want, std::string(isa_name(isa)));
  }
}

TEST(FusedElementwise, ClassifiesOperandLayouts) {
  using K = EltOperandKind;
  auto expect = [](const Shape& operand, const Shape& out, std::optional<EltOperandLayout> want) {
    EXPECT_EQ(classify_elt_operand(operand, out), want)
        << shape_to_string(operand) << " against " << shape_to_string(out);
  };
  expect({2, 3, 4}, {2, 3, 4}, EltOperandLayout{K::kFull});
  expect({1, 1}, {2, 3, 4}, EltOperandLayout{K::kScalar});
  expect({3, 1, 1}, {2, 3, 4, 5}, EltOperandLayout{K::kChannel, 1, 1, 1});
  expect({2, 3, 1, 1}, {2, 3, 4, 5}, EltOperandLayout{K::kChannel, 0, 1, 1});
  expect({5}, {2, 3, 4, 5}, EltOperandLayout{K::kChannel, 3, 3, 1});
  expect({1, 4, 1, 1, 16}, {2, 4, 3, 3, 16}, EltOperandLayout{K::kChannel, 1, 1, 16});
  // Axes of size 1 in the output are neither shared nor broadcast.
  expect({1, 4, 1, 1, 16}, {1, 4, 1, 3, 16}, EltOperandLayout{K::kChannel, 1, 1, 16});
  expect({3, 1, 4}, {2, 3, 5, 4}, EltOperandLayout{K::kChannel, 1, 1, 4});
  expect({3, 1, 3}, {2, 3, 5, 3}, std::nullopt);     // 3 lanes do not divide the period
  expect({2, 1, 4, 1}, {2, 3, 4, 5}, std::nullopt);  // two separate runs of channels
  expect({4}, {2, 3, 5}, std::nullopt);              // does not broadcast
  expect({2, 3, 4, 5, 6}, {3, 4, 5, 6}, std::nullopt);
}

TEST(FusedElementwise, ErrorsNameTheNode) {
  Tensor x = random_tensor({2, 3, 4}, 1);
  auto expect_error = [](OpCall call, const std::string& fragment) {
    try {
      prepare_op(call);
      ADD_FAILURE() << "no error for " << fragment;
    } catch (const Error& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(kTestNodeName), std::string::npos) << m;
      EXPECT_NE(m.find(fragment), std::string::npos) << m;
    }
  };
  expect_error(fused({x}, {"Swish"}, {-1}), "Swish");
  expect_error(fused({x}, {"Add"}, {-1}), "operand -1");
  expect_error(fused({x, x}, {"Add"}, {2}), "operand 2");
  expect_error(fused({x, x}, {"Relu"}, {1}), "unary");
  expect_error(fused({x, x}, {"Relu", "Add"}, {-1}), "'operands'");
  expect_error(fused({x, x}, {"Add"}, {1}, {1.0f, 2.0f}), "'alphas'");
  expect_error(fused({x, random_tensor({3, 3}, 2)}, {"Add"}, {1}), "[3,3]");
  expect_error(
      fused({random_tensor({2, 3, 4, 5}, 1), random_tensor({2, 1, 4, 1}, 2)}, {"Add"}, {1}),
      "[2,1,4,1]");
  expect_error(
      fused({x, random_tensor({2, 1, 1}, 2), random_tensor({3, 1}, 3)}, {"Add", "Mul"}, {1, 2}),
      "other axes");
  expect_error(fused({Tensor(DType::kFloat64, {2})}, {"Relu"}, {-1}), "");
  OpCall no_ops{.op_type = "FusedElementwise", .inputs = {x}, .domain = "hone"};
  expect_error(no_ops, "'ops'");
}

}  // namespace
}  // namespace hone::test
