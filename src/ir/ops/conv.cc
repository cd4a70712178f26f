// Registry entries for Conv and ConvTranspose (N-d, groups, dilations, auto_pad).
#include <algorithm>
#include <string>

#include "ir/ops/conv_optimized.h"
#include "ir/ops/conv_window.h"
#include "ir/ops/families.h"
#include "ops/conv/conv_reference.h"

namespace hone {
namespace {

// Inputs X, W, optional B: same float dtype, W of X's rank, B of shape [bias_channels].
void check_conv_inputs(const OpContext& ctx) {
  ctx.expect_inputs(2, 3);
  ctx.expect_dtype(0, {DType::kFloat32, DType::kFloat64});
  for (size_t i = 1; i < 3; ++i)
    if (ctx.has_input(i) && ctx.input_dtype(i) != ctx.input_dtype(0))
      ctx.fail("input " + std::to_string(i) + " has element type " +
               std::string(dtype_name(ctx.input_dtype(i))) + ", X has " +
               std::string(dtype_name(ctx.input_dtype(0))));
  const Shape& x = ctx.input_shape(0);
  const Shape& w = ctx.input_shape(1);
  if (x.size() < 3) ctx.fail("X must have rank >= 3 (N, C, spatial...), got " + shape_to_string(x));
  if (w.size() != x.size())
    ctx.fail("W " + shape_to_string(w) + " must have the rank of X " + shape_to_string(x));
}

// The kernel's spatial dims from W, checked against the optional kernel_shape attribute.
std::vector<int64_t> kernel_from_weights(const OpContext& ctx) {
  const Shape& w = ctx.input_shape(1);
  std::vector<int64_t> kernel(w.begin() + 2, w.end());
  if (ctx.has_attr("kernel_shape") && ctx.attr_ints("kernel_shape") != kernel)
    ctx.fail("kernel_shape " + shape_to_string(ctx.attr_ints("kernel_shape")) +
             " does not match W's spatial dims " + shape_to_string(kernel));
  return kernel;
}

void check_bias(const OpContext& ctx, int64_t channels) {
  if (!ctx.has_input(2)) return;
  if (ctx.input_shape(2) != Shape{channels})
    ctx.fail("B " + shape_to_string(ctx.input_shape(2)) + " must have shape [" +
             std::to_string(channels) + "]");
}

PreparedOp finish(const OpContext& ctx, const ConvParams& p, bool transpose) {
  PreparedOp op;
  Shape y{p.window.batch, p.out_channels};
  y.insert(y.end(), p.window.out.begin(), p.window.out.end());
  op.outputs = {{ctx.input_dtype(0), y}};
  // Both directions pair every (small-side position, input channel of the group, tap) once.
  const int64_t small_side = transpose ? p.window.in_size() : p.window.out_size();
  const int64_t small_channels = transpose ? p.in_channels : p.out_channels;
  const int64_t other_per_group = (transpose ? p.out_channels : p.in_channels) / p.group;
  op.flops =
      2 * p.window.batch * small_channels * small_side * other_per_group * p.window.kernel_size();
  const bool is_double = ctx.input_dtype(0) == DType::kFloat64;
  op.run = [p, transpose, is_double](TensorsIn in, TensorsOut out) {
    auto go = [&](auto tag) {
      using T = decltype(tag);
      const T* bias = in.size() > 2 && in[2] ? in[2]->data<T>() : nullptr;
      if (transpose)
        conv_transpose_reference<T>(p, in[0]->data<T>(), in[1]->data<T>(), bias, out[0]->data<T>());
      else
        conv_reference<T>(p, in[0]->data<T>(), in[1]->data<T>(), bias, out[0]->data<T>());
    };
    if (is_double)
      go(double{});
    else
      go(float{});
  };
  return op;
}

PreparedOp prepare_conv(const OpContext& ctx) {
  check_conv_inputs(ctx);
  const Shape& x = ctx.input_shape(0);
  const Shape& w = ctx.input_shape(1);
  ConvParams p;
  p.group = ctx.attr_int("group", 1);
  if (p.group < 1) ctx.fail("group must be >= 1, got " + std::to_string(p.group));
  p.in_channels = x[1];
  p.out_channels = w[0];
  if (w[1] * p.group != p.in_channels)
    ctx.fail("X has " + std::to_string(p.in_channels) + " channels but W " + shape_to_string(w) +
             " with group " + std::to_string(p.group) + " expects " +
             std::to_string(w[1] * p.group));
  if (p.out_channels % p.group != 0)
    ctx.fail("W's output channels (" + std::to_string(p.out_channels) +
             ") are not divisible by group " + std::to_string(p.group));
  check_bias(ctx, p.out_channels);
  p.window = forward_window(ctx, x, kernel_from_weights(ctx), {});
  PreparedOp op = finish(ctx, p, false);
  // The optimized kernels pack W (and B) at prepare, so they need them constant.
  const Tensor* weight = ctx.input_value(1);
  const Tensor* bias = ctx.has_input(2) ? ctx.input_value(2) : nullptr;
  if (ctx.kernel_options().optimized && ctx.input_dtype(0) == DType::kFloat32 && x.size() == 4 &&
      weight && (bias || !ctx.has_input(2))) {
    OptimizedConvSpec spec;
    spec.params = p;
    spec.weight = weight->data<float>();
    spec.bias = bias ? bias->data<float>() : nullptr;
    bind_optimized_conv(ctx, spec, op);
  }
  return op;
}

// ConvTranspose's output size along one dim: the natural size is
// stride * (in - 1) + output_padding + extent; pads trim it; output_shape or SAME fix it and
// derive the pads instead.
PreparedOp prepare_conv_transpose(const OpContext& ctx) {
  check_conv_inputs(ctx);
  const Shape& x = ctx.input_shape(0);
  const Shape& w = ctx.input_shape(1);
  ConvParams p;
  p.group = ctx.attr_int("group", 1);
  if (p.group < 1) ctx.fail("group must be >= 1, got " + std::to_string(p.group));
  p.in_channels = x[1];
  if (w[0] != p.in_channels)
    ctx.fail("X has " + std::to_string(p.in_channels) + " channels but W " + shape_to_string(w) +
             " expects " + std::to_string(w[0]));
  if (p.in_channels % p.group != 0)
    ctx.fail("X's channels (" + std::to_string(p.in_channels) + ") are not divisible by group " +
             std::to_string(p.group));
  p.out_channels = w[1] * p.group;
  check_bias(ctx, p.out_channels);

  WindowGeometry& g = p.window;
  g.batch = x[0];
  g.in.assign(x.begin() + 2, x.end());
  const size_t rank = g.in.size();
  g.kernel = kernel_from_weights(ctx);
  for (int64_t k : g.kernel)
    if (k < 1) ctx.fail("kernel dims must be >= 1, got " + shape_to_string(g.kernel));
  g.strides = read_spatial_ints(ctx, "strides", rank, 1, 1);
  g.dilations = read_spatial_ints(ctx, "dilations", rank, 1, 1);
  std::vector<int64_t> output_padding = read_spatial_ints(ctx, "output_padding", rank, 0, 0);
  AutoPad auto_pad = read_auto_pad(ctx);
  read_pads(ctx, rank, g.pads_begin, g.pads_end);
  std::vector<int64_t> output_shape = ctx.attr_ints("output_shape", {});
  if (output_shape.size() == rank + 2)
    output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
  if (!output_shape.empty() && output_shape.size() != rank)
    ctx.fail("output_shape has " + std::to_string(output_shape.size()) + " entries, expected " +
             std::to_string(rank));
  g.out.resize(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t natural = g.strides[i] * (g.in[i] - 1) + output_padding[i] + g.extent(i);
    const bool same = auto_pad == AutoPad::kSameUpper || auto_pad == AutoPad::kSameLower;
    if (!output_shape.empty() || same) {
      const int64_t target = !output_shape.empty() ? output_shape[i] : g.in[i] * g.strides[i];
      if (target < 1) ctx.fail("output_shape entries must be >= 1, got " + std::to_string(target));
      // Output positions beyond the natural size are never written (they hold the bias).
      const int64_t total = std::max<int64_t>(0, natural - target);
      const int64_t small = total / 2;
      g.pads_begin[i] = auto_pad == AutoPad::kSameUpper ? small : total - small;
      g.pads_end[i] = total - g.pads_begin[i];
      g.out[i] = target;
      continue;
    }
    if (auto_pad == AutoPad::kValid) g.pads_begin[i] = g.pads_end[i] = 0;
    g.out[i] = natural - g.pads_begin[i] - g.pads_end[i];
    if (g.out[i] < 1)
      ctx.fail("pads " + std::to_string(g.pads_begin[i]) + "+" + std::to_string(g.pads_end[i]) +
               " leave no output along spatial dim " + std::to_string(i) + " (natural size " +
               std::to_string(natural) + ")");
  }
  return finish(ctx, p, true);
}

}  // namespace

void register_conv_ops(OpRegistry& r) {
  r.add({"Conv", prepare_conv});
  r.add({"ConvTranspose", prepare_conv_transpose});
}

}  // namespace hone
