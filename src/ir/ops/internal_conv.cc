// Registry entries of the internal "conv" ops (domain "hone"), see
// docs/decisions/004-internal-ops.md.
#include <string>
#include <vector>

#include "ir/ops/conv_optimized.h"
#include "ir/ops/conv_window.h"
#include "ir/ops/families.h"
#include "ops/conv/fused_conv_reference.h"

namespace hone {
namespace {

constexpr size_t kSumInput = 3;

int read_block(const OpContext& ctx, const char* name) {
  const int64_t b = ctx.attr_int(name, 0);
  if (b != 0 && b != 8 && b != 16)
    ctx.fail(std::string(name) + " must be 0, 8 or 16, got " + std::to_string(b));
  return static_cast<int>(b);
}

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// FusedConv: act(conv(X) + B + Sum) with X and Y plain or channel-blocked
// (docs/decisions/004-internal-ops.md).
PreparedOp prepare_fused_conv(const OpContext& ctx) {
  ctx.expect_inputs(2, 4);
  for (size_t i = 0; i < 4; ++i)
    if (ctx.has_input(i)) ctx.expect_dtype(i, {DType::kFloat32});
  const int input_block = read_block(ctx, "input_block");
  const int output_block = read_block(ctx, "output_block");
  if (input_block != 0 && output_block != 0 && input_block != output_block)
    ctx.fail("input_block " + std::to_string(input_block) + " and output_block " +
             std::to_string(output_block) + " differ");
  const std::string act_name = ctx.attr_string("activation", "");
  const std::vector<float> act_params = ctx.attr_floats("activation_params", {});
  const std::optional<Epilogue> epilogue = make_epilogue(act_name, act_params);
  if (!epilogue)
    ctx.fail("activation '" + act_name + "' with " + std::to_string(act_params.size()) +
             " activation_params is not supported (none, Relu, Clip [min,max], LeakyRelu "
             "[alpha], Sigmoid, HardSigmoid [alpha,beta], HardSwish, Tanh, Silu, Gelu)");

  const Shape& w = ctx.input_shape(1);
  if (w.size() < 3)
    ctx.fail("W must have rank >= 3 (O, I/group, kernel...), got " + shape_to_string(w));
  ConvParams p;
  p.group = ctx.attr_int("group", 1);
  if (p.group < 1) ctx.fail("group must be >= 1, got " + std::to_string(p.group));
  p.out_channels = w[0];
  p.in_channels = w[1] * p.group;
  if (p.out_channels % p.group != 0)
    ctx.fail("W's output channels (" + std::to_string(p.out_channels) +
             ") are not divisible by group " + std::to_string(p.group));

  // X's logical [N, C, spatial...] shape, checked against its (possibly blocked) layout.
  const Shape& x = ctx.input_shape(0);
  Shape logical;
  if (input_block == 0) {
    if (x.size() != w.size())
      ctx.fail("X " + shape_to_string(x) + " must have the rank of W " + shape_to_string(w));
    if (x[1] != p.in_channels)
      ctx.fail("X has " + std::to_string(x[1]) + " channels but W " + shape_to_string(w) +
               " with group " + std::to_string(p.group) + " expects " +
               std::to_string(p.in_channels));
    logical = x;
  } else {
    if (x.size() != 5 || x[4] != input_block)
      ctx.fail("blocked X must have shape [N, C/" + std::to_string(input_block) + ", H, W, " +
               std::to_string(input_block) + "], got " + shape_to_string(x));
    if (w.size() != 4) ctx.fail("blocked X needs a 2-D kernel, W is " + shape_to_string(w));
    if (x[1] != ceil_div(p.in_channels, input_block))
      ctx.fail("blocked X " + shape_to_string(x) + " holds " + std::to_string(x[1]) +
               " channel blocks but W " + shape_to_string(w) + " with group " +
               std::to_string(p.group) + " expects " + std::to_string(p.in_channels) + " channels");
    logical = {x[0], p.in_channels, x[2], x[3]};
  }
  if (output_block != 0 && w.size() != 4)
    ctx.fail("blocked output needs a 2-D kernel, W is " + shape_to_string(w));
  std::vector<int64_t> kernel(w.begin() + 2, w.end());
  if (ctx.has_attr("kernel_shape") && ctx.attr_ints("kernel_shape") != kernel)
    ctx.fail("kernel_shape " + shape_to_string(ctx.attr_ints("kernel_shape")) +
             " does not match W's spatial dims " + shape_to_string(kernel));
  p.window = forward_window(ctx, logical, kernel, {});
  if (ctx.has_input(2) && ctx.input_shape(2) != Shape{p.out_channels})
    ctx.fail("B " + shape_to_string(ctx.input_shape(2)) + " must have shape [" +
             std::to_string(p.out_channels) + "]");

  Shape y;
  if (output_block == 0) {
    y = {p.window.batch, p.out_channels};
    y.insert(y.end(), p.window.out.begin(), p.window.out.end());
  } else {
    y = {p.window.batch, ceil_div(p.out_channels, output_block), p.window.out[0], p.window.out[1],
         output_block};
  }
  const bool has_sum = ctx.has_input(kSumInput);
  if (has_sum && ctx.input_shape(kSumInput) != y)
    ctx.fail("Sum " + shape_to_string(ctx.input_shape(kSumInput)) +
             " must have the output's shape " + shape_to_string(y));

  const Tensor& weight = ctx.constant_input(1, "W");
  const Tensor* bias = ctx.has_input(2) ? &ctx.constant_input(2, "B") : nullptr;

  PreparedOp op;
  op.outputs = {{DType::kFloat32, y}};
  op.flops = 2 * p.window.batch * p.out_channels * p.window.out_size() * (p.in_channels / p.group) *
             p.window.kernel_size();
  op.needs_zeroed_outputs = false;
  if (has_sum) op.inplace_input = static_cast<int>(kSumInput);

  if (ctx.kernel_options().optimized && w.size() == 4) {
    OptimizedConvSpec spec;
    spec.params = p;
    spec.input_block = input_block;
    spec.output_block = output_block;
    spec.epilogue = *epilogue;
    spec.weight = weight.data<float>();
    spec.bias = bias ? bias->data<float>() : nullptr;
    spec.sum_input = has_sum ? static_cast<int>(kSumInput) : -1;
    bind_optimized_conv(ctx, spec, op);
    return op;
  }
  FusedConvReferenceParams rp;
  rp.conv = p;
  rp.input_block = input_block;
  rp.output_block = output_block;
  rp.epilogue = *epilogue;
  op.kernel_name = "fused_conv_reference";
  op.run = [rp, has_sum](TensorsIn in, TensorsOut out) {
    const float* b = in.size() > 2 && in[2] ? in[2]->data<float>() : nullptr;
    const float* s = has_sum ? in[kSumInput]->data<float>() : nullptr;
    fused_conv_reference(rp, in[0]->data<float>(), in[1]->data<float>(), b, s,
                         out[0]->data<float>());
  };
  return op;
}

}  // namespace

void register_internal_conv_ops(OpRegistry& r) {
  r.add({"FusedConv", prepare_fused_conv, "hone"});
}

}  // namespace hone
