// FusedConv (domain "hone") and the optimized path of Conv through the registry: every
// supported ISA and block against the reference kernels (optimized = false), dense,
// depthwise and grouped, with bias, sum, activations, plain and blocked layouts; errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::attrs;
using test::OpCall;
using test::random_tensor;
using test::run_op;

// Plain [N, C, H, W] -> blocked [N, ceil(C/b), H, W, b]; padding lanes get `fill`.
Tensor to_blocked(const Tensor& t, int64_t b, float fill) {
  const int64_t n = t.dim(0), c = t.dim(1), h = t.dim(2), w = t.dim(3), cb = (c + b - 1) / b;
  Tensor out(DType::kFloat32, {n, cb, h, w, b});
  float* o = out.data<float>();
  std::fill(o, o + out.numel(), fill);
  const float* s = t.data<float>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < h * w; ++p)
        o[((i * cb + ch / b) * h * w + p) * b + ch % b] = s[(i * c + ch) * h * w + p];
  return out;
}

Tensor from_blocked(const Tensor& t, int64_t c) {
  const int64_t n = t.dim(0), cb = t.dim(1), h = t.dim(2), w = t.dim(3), b = t.dim(4);
  Tensor out(DType::kFloat32, {n, c, h, w});
  float* o = out.data<float>();
  const float* s = t.data<float>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < h * w; ++p)
        o[(i * c + ch) * h * w + p] = s[((i * cb + ch / b) * h * w + p) * b + ch % b];
  return out;
}

// max |a - b| / max(1, max |b|).
double relative_diff(const Tensor& a, const Tensor& b) {
  double scale = 1.0;
  const std::vector<double> v = b.to_vector<double>();
  for (double x : v) scale = std::max(scale, std::fabs(x));
  return test::max_abs_diff(a, b) / scale;
}

struct ConvCase {
  int64_t n, in_c, out_c, group, h, w, k, stride, pad;
};

struct Fusion {
  bool bias = true;
  bool sum = false;
  std::string activation;
  std::vector<float> params;
};

// A FusedConv call with plain tensors x, sum; blocks them as the layout asks.
OpCall fused_call(const ConvCase& c, const Fusion& f, int in_block, int out_block, const Tensor& x,
                  const Tensor& w, const Tensor& bias, const Tensor& sum) {
  OpCall call;
  call.op_type = "FusedConv";
  call.domain = "hone";
  call.attrs = attrs({{"kernel_shape", std::vector<int64_t>{c.k, c.k}},
                      {"strides", std::vector<int64_t>{c.stride, c.stride}},
                      {"pads", std::vector<int64_t>{c.pad, c.pad, c.pad, c.pad}},
                      {"group", c.group},
                      {"input_block", int64_t{in_block}},
                      {"output_block", int64_t{out_block}},
                      {"activation", f.activation},
                      {"activation_params", f.params}});
  call.inputs = {in_block ? to_blocked(x, in_block, 5.0f) : x, w, f.bias ? bias : Tensor(),
                 Tensor()};
  if (f.sum)
    call.inputs[3] = out_block ? to_blocked(sum, out_block, -2.0f) : sum;
  else
    call.inputs.pop_back();
  return call;
}

// Runs FusedConv optimized (isa, block layout) and reference; returns their relative diff
// over the real channels.
double optimized_vs_reference(const ConvCase& c, const Fusion& f, Isa isa, int in_block,
                              int out_block, ThreadPool* pool) {
  const int64_t oh = (c.h + 2 * c.pad - c.k) / c.stride + 1;
  const int64_t ow = (c.w + 2 * c.pad - c.k) / c.stride + 1;
  const Tensor x = random_tensor({c.n, c.in_c, c.h, c.w}, 11);
  const Tensor w = random_tensor({c.out_c, c.in_c / c.group, c.k, c.k}, 12);
  const Tensor bias = random_tensor({c.out_c}, 13);
  const Tensor sum = random_tensor({c.n, c.out_c, oh, ow}, 14);
  OpCall ref = fused_call(c, f, in_block, out_block, x, w, bias, sum);
  OpCall opt = ref;
  opt.kernel_options = {true, isa, pool};
  Tensor y_ref = run_op(ref)[0];
  Tensor y_opt = run_op(opt)[0];
  if (out_block) {
    const float* p = y_opt.data<float>();
    for (int64_t i = 0; i < y_opt.numel(); ++i)
      if (!std::isfinite(p[i])) return INFINITY;  // padding lanes must stay finite
    y_ref = from_blocked(y_ref, c.out_c);
    y_opt = from_blocked(y_opt, c.out_c);
  }
  return relative_diff(y_opt, y_ref);
}

const std::vector<ConvCase>& conv_cases() {
  static const std::vector<ConvCase> list = {
      // n, in_c, out_c, group, h, w, k, stride, pad
      {1, 16, 32, 1, 9, 9, 3, 1, 1},     // dense 3x3
      {2, 13, 19, 1, 7, 6, 1, 1, 0},     // dense 1x1, odd channels, batch 2
      {1, 3, 16, 1, 15, 15, 7, 2, 3},    // stem-like 7x7 s2, 3 input channels
      {1, 24, 24, 24, 10, 11, 3, 1, 1},  // depthwise s1
      {2, 35, 35, 35, 9, 9, 3, 2, 1},    // depthwise s2, odd channels, batch 2
      {1, 32, 64, 2, 6, 6, 3, 1, 1},     // grouped, 16/32 channels per group
      {2, 32, 32, 4, 5, 5, 3, 2, 1},     // grouped, 8 channels per group
      {1, 12, 18, 3, 5, 7, 3, 1, 1},     // grouped, 4/6 per group: blocked merges groups
      {1, 104, 104, 13, 6, 6, 3, 1, 1},  // RegNet-Y: 13 groups of 8, the last merge partial
      {2, 24, 36, 6, 5, 5, 3, 2, 1},     // 4 -> 6 per group, batch 2 (partial blocks), s2
      {1, 128, 128, 32, 5, 5, 3, 1, 1},  // ResNeXt: 32 groups of 4
  };
  return list;
}

TEST(FusedConv, OptimizedMatchesReferenceForEveryIsaBlockAndLayout) {
  ThreadPool pool(2);
  for (Isa isa : supported_isas())
    for (int b : {8, 16})
      for (const ConvCase& c : conv_cases())
        for (int layout = 0; layout < 4; ++layout) {
          const int in_block = layout & 1 ? b : 0, out_block = layout & 2 ? b : 0;
          Fusion f;
          f.bias = layout != 2;
          f.sum = layout >= 2;
          f.activation = layout == 0 ? "" : "Relu";
          EXPECT_LT(
              optimized_vs_reference(c, f, isa, in_block, out_block, layout == 3 ? &pool : nullptr),
              1e-4)
              << isa_name(isa) << " block " << b << " layout " << layout << " group " << c.group
              << " " << c.in_c << "->" << c.out_c << " k" << c.k << " s" << c.stride;
        }
}

TEST(FusedConv, EveryActivationMatchesReference) {
  const std::vector<Fusion> fusions = {
      {true, true, "Relu", {}},           {true, true, "Clip", {0.0f, 6.0f}},
      {true, false, "LeakyRelu", {0.2f}}, {true, true, "LeakyRelu", {}},
      {true, true, "Sigmoid", {}},        {false, true, "HardSigmoid", {0.3f, 0.4f}},
      {true, true, "HardSigmoid", {}},    {true, true, "HardSwish", {}},
      {true, true, "Tanh", {}},           {true, true, "Silu", {}},
      {true, true, "Gelu", {}},           {true, true, "", {}}};
  // Both blocks: each ISA's tile has its own inline epilogues per block width.
  for (Isa isa : supported_isas())
    for (int b : {8, 16})
      for (const Fusion& f : fusions)
        for (const ConvCase& c : {conv_cases()[0], conv_cases()[4], conv_cases()[5]})
          EXPECT_LT(optimized_vs_reference(c, f, isa, b, b, nullptr), 1e-4)
              << isa_name(isa) << " block " << b << " " << f.activation << " group " << c.group;
}

TEST(FusedConv, ReferenceEqualsConvPlusBiasSumActivation) {
  // The oracle itself: FusedConv's reference (blocked in and out) against the plain Conv op's
  // reference with the sum and the activation applied here.
  const ConvCase c{2, 10, 12, 2, 6, 5, 3, 1, 1};
  const Tensor x = random_tensor({2, 10, 6, 5}, 1);
  const Tensor w = random_tensor({12, 5, 3, 3}, 2);
  const Tensor bias = random_tensor({12}, 3);
  const Tensor sum = random_tensor({2, 12, 6, 5}, 4);
  Tensor conv = run_op(
      {.op_type = "Conv",
       .inputs = {x, w, bias},
       .attrs = attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"group", int64_t{2}}})})[0];
  float* p = conv.data<float>();
  const float* s = sum.data<float>();
  for (int64_t i = 0; i < conv.numel(); ++i) p[i] = std::clamp(p[i] + s[i], -0.5f, 0.5f);
  Fusion f{true, true, "Clip", {-0.5f, 0.5f}};
  for (int b : {0, 8, 16}) {
    Tensor y = run_op(fused_call(c, f, b, b, x, w, bias, sum))[0];
    if (b) {
      ASSERT_EQ(y.shape(), (Shape{2, (12 + b - 1) / b, 6, 5, b}));
      y = from_blocked(y, 12);
    }
    EXPECT_LT(test::max_abs_diff(y, conv), 1e-6) << "block " << b;
  }
}

TEST(FusedConv, ConvOpOptimizedMatchesReference) {
  ThreadPool pool(2);
  for (Isa isa : supported_isas())
    for (const ConvCase& c : conv_cases()) {
      const Tensor x = random_tensor({c.n, c.in_c, c.h, c.w}, 21);
      const Tensor w = random_tensor({c.out_c, c.in_c / c.group, c.k, c.k}, 22);
      const Tensor bias = random_tensor({c.out_c}, 23);
      OpCall call{.op_type = "Conv",
                  .inputs = {x, w, bias},
                  .attrs = attrs({{"strides", std::vector<int64_t>{c.stride, c.stride}},
                                  {"pads", std::vector<int64_t>{c.pad, c.pad, c.pad, c.pad}},
                                  {"group", c.group}})};
      const Tensor ref = run_op(call)[0];
      call.kernel_options = {true, isa, &pool};
      const test::OpCall opt = call;
      const PreparedOp prepared = test::prepare_op(opt);
      EXPECT_FALSE(prepared.kernel_name.empty());
      EXPECT_LT(relative_diff(run_op(opt)[0], ref), 1e-4)
          << isa_name(isa) << " group " << c.group << " " << prepared.kernel_name;
    }
}

TEST(FusedConv, ShapesFlopsAndKernelNames) {
  const ConvCase c{1, 35, 35, 35, 9, 9, 3, 2, 1};
  const Tensor x = random_tensor({1, 35, 9, 9}, 1);
  const Tensor w = random_tensor({35, 1, 3, 3}, 2);
  OpCall call = fused_call(c, {true, true, "Relu", {}}, 16, 16, x, w, random_tensor({35}, 3),
                           random_tensor({1, 35, 5, 5}, 4));
  PreparedOp op = test::prepare_op(call);
  ASSERT_EQ(op.outputs.size(), 1u);
  EXPECT_EQ(op.outputs[0].shape, (Shape{1, 3, 5, 5, 16}));
  EXPECT_EQ(op.flops, 2 * 35 * 25 * 9);
  EXPECT_EQ(op.inplace_input, 3);
  EXPECT_FALSE(op.needs_zeroed_outputs);
  call.kernel_options = {true, best_isa(), nullptr};
  op = test::prepare_op(call);
  EXPECT_NE(op.kernel_name.find("depthwise"), std::string::npos) << op.kernel_name;
  EXPECT_GT(op.packed_bytes, 0);
  // Grouped with 4 channels per group in blocks of 8: two neighbouring groups run as one
  // (block-diagonal weights); the FLOPs stay the grouped conv's.
  const ConvCase g{1, 12, 12, 3, 5, 5, 3, 1, 1};
  OpCall grouped = fused_call(g, {}, 8, 8, random_tensor({1, 12, 5, 5}, 5),
                              random_tensor({12, 4, 3, 3}, 6), random_tensor({12}, 7), Tensor());
  grouped.kernel_options = {true, best_isa(), nullptr};
  op = test::prepare_op(grouped);
  EXPECT_NE(op.kernel_name.find("x2 groups (3 merged by 2)"), std::string::npos) << op.kernel_name;
  EXPECT_EQ(op.flops, 2 * 12 * 25 * 4 * 9);
}

// Prepare must throw hone::Error naming the node.
void expect_node_error(const OpCall& call, const std::string& fragment) {
  try {
    test::prepare_op(call);
    ADD_FAILURE() << "no error for " << fragment;
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(test::kTestNodeName), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
  }
}

TEST(FusedConv, ErrorsNameTheNode) {
  const ConvCase c{1, 16, 16, 1, 6, 6, 3, 1, 1};
  const Tensor x = random_tensor({1, 16, 6, 6}, 1);
  const Tensor w = random_tensor({16, 16, 3, 3}, 2);
  const Tensor bias = random_tensor({16}, 3);
  const Tensor sum = random_tensor({1, 16, 6, 6}, 4);
  for (bool optimized : {false, true}) {
    OpCall base = fused_call(c, {true, true, "Relu", {}}, 8, 8, x, w, bias, sum);
    base.kernel_options.optimized = optimized;
    base.kernel_options.isa = best_isa();

    OpCall bad = base;
    bad.attrs["activation"] = Attribute{std::string("Swishy")};
    expect_node_error(bad, "Swishy");
    bad = base;
    bad.attrs["activation"] = Attribute{std::string("Clip")};
    expect_node_error(bad, "Clip");  // Clip needs [min, max]

    bad = base;
    bad.all_inputs_constant = false;
    bad.constant_inputs = {2};
    expect_node_error(bad, "W");

    bad = base;
    bad.inputs[3] = to_blocked(random_tensor({1, 16, 5, 6}, 5), 8, 0.0f);
    expect_node_error(bad, "Sum");
    bad = base;
    bad.inputs[3] = sum;  // plain sum for a blocked output
    expect_node_error(bad, "Sum");

    bad = base;
    bad.inputs[0] = to_blocked(x, 16, 0.0f);  // block 16 tensor, input_block 8
    expect_node_error(bad, "blocked X");
    bad = base;
    bad.attrs["input_block"] = Attribute{int64_t{12}};
    expect_node_error(bad, "input_block");
    bad = base;
    bad.attrs["group"] = Attribute{int64_t{3}};
    expect_node_error(bad, "group");
    bad = base;
    bad.inputs[2] = random_tensor({8}, 6);
    expect_node_error(bad, "B");
    bad = base;
    bad.inputs[1] = Tensor::from_vector<double>({16, 16, 1, 1}, std::vector<double>(256, 1.0));
    expect_node_error(bad, "");
  }
}

}  // namespace
}  // namespace hone
