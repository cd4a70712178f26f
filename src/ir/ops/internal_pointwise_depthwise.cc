// Registry entry of the internal FusedPointwiseDepthwise op (domain "hone"): a blocked 1x1
// FusedConv and the blocked depthwise FusedConv reading its output, as one node
// (fuse-pointwise-depthwise, docs/decisions/008-fuse-pointwise-depthwise.md).
//   inputs:  X [N, C/b, H, W, b], W_pw [M, C, 1, 1], B_pw [M]?, W_dw [M, 1, KH, KW], B_dw [M]?,
//            Sum (the output's shape)?
//   attrs:   block; pw_activation, pw_activation_params (the expansion's epilogue);
//            kernel_shape, strides, pads, dilations, activation, activation_params (the
//            depthwise conv's, as on FusedConv).
//   output:  Y [N, M/b, OH, OW, b] = act(dw(pw_act(pw(X) + B_pw)) + B_dw + Sum)
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "ir/ops/conv_optimized.h"
#include "ir/ops/conv_window.h"
#include "ir/ops/families.h"
#include "ops/conv/fused_conv_reference.h"
#include "ops/conv/pointwise_depthwise_nchwc.h"

namespace hone {
namespace {

constexpr size_t kX = 0, kPwWeight = 1, kPwBias = 2, kDwWeight = 3, kDwBias = 4, kSum = 5;

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

Epilogue read_epilogue(const OpContext& ctx, const char* name, const char* params) {
  const std::string act = ctx.attr_string(name, "");
  const std::vector<float> p = ctx.attr_floats(params, {});
  const std::optional<Epilogue> e = make_epilogue(act, p);
  if (!e)
    ctx.fail(std::string(name) + " '" + act + "' with " + std::to_string(p.size()) + " " + params +
             " is not supported");
  return *e;
}

const float* optional_data(TensorsIn in, size_t i) {
  return i < in.size() && in[i] ? in[i]->data<float>() : nullptr;
}

PreparedOp prepare_fused_pointwise_depthwise(const OpContext& ctx) {
  ctx.expect_inputs(4, 6);
  for (size_t i = 0; i < 6; ++i)
    if (ctx.has_input(i)) ctx.expect_dtype(i, {DType::kFloat32});
  const int64_t b = ctx.attr_int("block", 0);
  if (b != 8 && b != 16) ctx.fail("block must be 8 or 16, got " + std::to_string(b));
  const Epilogue pw_act = read_epilogue(ctx, "pw_activation", "pw_activation_params");
  const Epilogue dw_act = read_epilogue(ctx, "activation", "activation_params");

  const Shape& x = ctx.input_shape(kX);
  const Shape& wp = ctx.input_shape(kPwWeight);
  const Shape& wd = ctx.input_shape(kDwWeight);
  if (x.size() != 5 || x[4] != b)
    ctx.fail("X must have shape [N, C/" + std::to_string(b) + ", H, W, " + std::to_string(b) +
             "], got " + shape_to_string(x));
  if (wp.size() != 4 || wp[2] != 1 || wp[3] != 1)
    ctx.fail("W_pw must have shape [M, C, 1, 1], got " + shape_to_string(wp));
  const int64_t c = wp[1], m = wp[0];
  if (x[1] != ceil_div(c, b))
    ctx.fail("X " + shape_to_string(x) + " holds " + std::to_string(x[1]) +
             " channel blocks but W_pw " + shape_to_string(wp) + " reads " + std::to_string(c) +
             " channels");
  if (wd.size() != 4 || wd[0] != m || wd[1] != 1)
    ctx.fail("W_dw must have shape [" + std::to_string(m) + ", 1, KH, KW], got " +
             shape_to_string(wd));
  if (ctx.has_input(kPwBias) && ctx.input_shape(kPwBias) != Shape{m})
    ctx.fail("B_pw " + shape_to_string(ctx.input_shape(kPwBias)) + " must have shape [" +
             std::to_string(m) + "]");
  if (ctx.has_input(kDwBias) && ctx.input_shape(kDwBias) != Shape{m})
    ctx.fail("B_dw " + shape_to_string(ctx.input_shape(kDwBias)) + " must have shape [" +
             std::to_string(m) + "]");

  // The pointwise conv: 1x1, stride 1, no pads, by construction.
  ConvParams pp;
  pp.in_channels = c;
  pp.out_channels = m;
  pp.window.batch = x[0];
  pp.window.in = pp.window.out = {x[2], x[3]};
  pp.window.kernel = {1, 1};
  pp.window.strides = pp.window.dilations = {1, 1};
  pp.window.pads_begin = pp.window.pads_end = {0, 0};
  ConvParams dp;
  dp.in_channels = dp.out_channels = dp.group = m;
  const std::vector<int64_t> kernel(wd.begin() + 2, wd.end());
  if (ctx.has_attr("kernel_shape") && ctx.attr_ints("kernel_shape") != kernel)
    ctx.fail("kernel_shape " + shape_to_string(ctx.attr_ints("kernel_shape")) +
             " does not match W_dw's spatial dims " + shape_to_string(kernel));
  dp.window = forward_window(ctx, {x[0], m, x[2], x[3]}, kernel, {});
  const Shape y = {x[0], ceil_div(m, b), dp.window.out[0], dp.window.out[1], b};
  const bool has_sum = ctx.has_input(kSum);
  if (has_sum && ctx.input_shape(kSum) != y)
    ctx.fail("Sum " + shape_to_string(ctx.input_shape(kSum)) + " must have the output's shape " +
             shape_to_string(y));

  const float* pw_w = ctx.constant_input(kPwWeight, "W_pw").data<float>();
  const float* pw_b =
      ctx.has_input(kPwBias) ? ctx.constant_input(kPwBias, "B_pw").data<float>() : nullptr;
  const float* dw_w = ctx.constant_input(kDwWeight, "W_dw").data<float>();
  const float* dw_b =
      ctx.has_input(kDwBias) ? ctx.constant_input(kDwBias, "B_dw").data<float>() : nullptr;

  PreparedOp op;
  op.outputs = {{DType::kFloat32, y}};
  op.flops = 2 * x[0] * m * x[2] * x[3] * c +
             2 * x[0] * m * dp.window.out_size() * dp.window.kernel_size();
  op.needs_zeroed_outputs = false;
  if (has_sum) op.inplace_input = static_cast<int>(kSum);

  if (ctx.kernel_options().optimized) {
    const KernelOptions& options = ctx.kernel_options();
    ThreadPool* pool = options.pool;
    const int threads = pool ? pool->threads() : 1;
    const ConvGeometry pg = conv_geometry_of(pp), dg = conv_geometry_of(dp);
    std::shared_ptr<PointwiseDepthwiseNchwc> kernel_ptr;
    try {
      const PointwiseDepthwiseNchwcConfig config = default_pointwise_depthwise_nchwc_config(
          pg, dg, options.isa, static_cast<int>(b), threads);
      kernel_ptr = std::make_shared<PointwiseDepthwiseNchwc>(pg, dg, config, pw_w, pw_b, pw_act,
                                                             dw_w, dw_b, dw_act);
    } catch (const Error& e) {
      ctx.fail(e.what());
    }
    op.packed_bytes = kernel_ptr->packed_bytes();
    op.packed_inputs = {static_cast<int>(kPwWeight), static_cast<int>(kPwBias),
                        static_cast<int>(kDwWeight), static_cast<int>(kDwBias)};
    op.kernel_name = kernel_ptr->name();
    op.run = [kernel_ptr, pool, has_sum](TensorsIn in, TensorsOut out) {
      kernel_ptr->run(in[kX]->data<float>(), has_sum ? in[kSum]->data<float>() : nullptr,
                      out[0]->data<float>(), pool);
    };
    return op;
  }

  // The reference: the two FusedConv oracles through a blocked intermediate.
  FusedConvReferenceParams rp, rd;
  rp.conv = pp;
  rp.input_block = rp.output_block = static_cast<int>(b);
  rp.epilogue = pw_act;
  rd.conv = dp;
  rd.input_block = rd.output_block = static_cast<int>(b);
  rd.epilogue = dw_act;
  const int64_t mid_floats = x[0] * ceil_div(m, b) * x[2] * x[3] * b;
  op.kernel_name = "fused_pointwise_depthwise_reference";
  op.run = [rp, rd, has_sum, mid_floats](TensorsIn in, TensorsOut out) {
    std::vector<float> mid(static_cast<size_t>(mid_floats));
    fused_conv_reference(rp, in[kX]->data<float>(), in[kPwWeight]->data<float>(),
                         optional_data(in, kPwBias), nullptr, mid.data());
    fused_conv_reference(rd, mid.data(), in[kDwWeight]->data<float>(), optional_data(in, kDwBias),
                         has_sum ? in[kSum]->data<float>() : nullptr, out[0]->data<float>());
  };
  return op;
}

}  // namespace

void register_internal_pointwise_depthwise_ops(OpRegistry& r) {
  r.add({"FusedPointwiseDepthwise", prepare_fused_pointwise_depthwise, "hone"});
}

}  // namespace hone
