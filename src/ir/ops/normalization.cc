// Registry entries for BatchNormalization (inference), InstanceNormalization and
// LayerNormalization.
#include <algorithm>
#include <string>
#include <vector>

#include "ir/ops/families.h"
#include "ops/common/broadcast.h"
#include "ops/normalization/layer_norm.h"
#include "ops/normalization/normalization_reference.h"

namespace hone {
namespace {

void check_param_shape(const OpContext& ctx, size_t i, const char* name, const Shape& expected) {
  if (ctx.input_shape(i) != expected)
    ctx.fail(std::string(name) + " " + shape_to_string(ctx.input_shape(i)) + " must have shape " +
             shape_to_string(expected));
}

// Runs `fn(T{})` with T float or double (the only dtypes prepare admits here).
template <class F>
void float_or_double(DType t, F&& fn) {
  if (t == DType::kFloat64)
    fn(double{});
  else
    fn(float{});
}

PreparedOp prepare_batch_norm(const OpContext& ctx) {
  ctx.expect_inputs(5, 5);
  for (size_t i = 0; i < 5; ++i) ctx.expect_dtype(i, {DType::kFloat32, DType::kFloat64});
  if (ctx.attr_int("training_mode", 0) != 0)
    throw UnsupportedError(ctx.where() +
                           ": training_mode=1 is not supported (hone runs inference only)");
  if (ctx.num_outputs() > 1)
    throw UnsupportedError(ctx.where() + ": declares " + std::to_string(ctx.num_outputs()) +
                           " outputs; the training outputs (running/saved mean and variance) "
                           "are not supported, only Y");
  const Shape& x = ctx.input_shape(0);
  if (x.size() < 2) ctx.fail("X must have rank >= 2 (N, C, ...), got " + shape_to_string(x));
  // Opsets before 9 allow spatial=0: one parameter per element of X[1:] instead of per channel.
  const bool per_element = ctx.opset() < 9 && ctx.attr_int("spatial", 1) == 0;
  const int64_t batch = x[0];
  const int64_t channels = per_element ? shape_numel(x) / std::max<int64_t>(1, batch) : x[1];
  const int64_t spatial = shape_numel(x) / std::max<int64_t>(1, batch * channels);
  const Shape param = per_element ? Shape(x.begin() + 1, x.end()) : Shape{x[1]};
  const char* names[] = {"scale", "B", "mean", "var"};
  for (size_t i = 1; i < 5; ++i) {
    // Per-element parameters may also come flattened.
    if (per_element && ctx.input_shape(i) == Shape{channels}) continue;
    check_param_shape(ctx, i, names[i - 1], param);
  }
  const double epsilon = ctx.attr_float("epsilon", 1e-5f);
  const DType dtype = ctx.input_dtype(0);
  PreparedOp op;
  op.outputs = {{dtype, x}};
  op.flops = 2 * shape_numel(x);
  op.run = [=](TensorsIn in, TensorsOut out) {
    std::vector<double> scale = in[1]->to_vector<double>(), bias = in[2]->to_vector<double>(),
                        mean = in[3]->to_vector<double>(), var = in[4]->to_vector<double>();
    float_or_double(dtype, [&](auto tag) {
      using T = decltype(tag);
      batch_norm_reference<T>(batch, channels, spatial, in[0]->data<T>(), scale.data(), bias.data(),
                              mean.data(), var.data(), epsilon, out[0]->data<T>());
    });
  };
  return op;
}

PreparedOp prepare_instance_norm(const OpContext& ctx) {
  ctx.expect_inputs(3, 3);
  ctx.expect_dtype(0, {DType::kFloat32, DType::kFloat64});
  const DType dtype = ctx.input_dtype(0);
  for (size_t i = 1; i < 3; ++i)
    if (ctx.input_dtype(i) != dtype) ctx.fail("scale and B must have X's element type");
  const Shape& x = ctx.input_shape(0);
  if (x.size() < 2) ctx.fail("X must have rank >= 2 (N, C, ...), got " + shape_to_string(x));
  check_param_shape(ctx, 1, "scale", {x[1]});
  check_param_shape(ctx, 2, "B", {x[1]});
  const int64_t batch = x[0], channels = x[1];
  const int64_t spatial = shape_numel(x) / std::max<int64_t>(1, batch * channels);
  const double epsilon = ctx.attr_float("epsilon", 1e-5f);
  PreparedOp op;
  op.outputs = {{dtype, x}};
  op.flops = 6 * shape_numel(x);
  op.run = [=](TensorsIn in, TensorsOut out) {
    float_or_double(dtype, [&](auto tag) {
      using T = decltype(tag);
      instance_norm_reference<T>(batch, channels, spatial, in[0]->data<T>(), in[1]->data<T>(),
                                 in[2]->data<T>(), epsilon, out[0]->data<T>());
    });
  };
  return op;
}

// The values of `t` (shape broadcastable to `to`) repeated out to shape `to`, row-major.
template <class T>
std::vector<T> expand(const Tensor& t, const Shape& to) {
  std::vector<int64_t> strides = broadcast_strides(t.shape(), to);
  std::vector<T> out(static_cast<size_t>(shape_numel(to)));
  std::vector<int64_t> index(to.size(), 0);
  const T* src = t.data<T>();
  for (T& v : out) {
    int64_t offset = 0;
    for (size_t d = 0; d < to.size(); ++d) offset += index[d] * strides[d];
    v = src[offset];
    for (size_t d = to.size(); d-- > 0;) {
      if (++index[d] < to[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

PreparedOp prepare_layer_norm(const OpContext& ctx) {
  ctx.expect_inputs(2, 3);
  ctx.expect_dtype(0, {DType::kFloat32, DType::kFloat64});
  const DType dtype = ctx.input_dtype(0);
  for (size_t i = 1; i < 3; ++i)
    if (ctx.has_input(i) && ctx.input_dtype(i) != dtype)
      ctx.fail("Scale and B must have X's element type");
  if (ctx.num_outputs() > 3) ctx.fail("has at most 3 outputs (Y, Mean, InvStdDev)");
  const Shape& x = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(x.size());
  int64_t axis = ctx.attr_int("axis", -1);
  if (axis < -rank || axis >= rank)
    ctx.fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  if (axis < 0) axis += rank;
  const Shape normalized(x.begin() + axis, x.end());
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.has_input(i)) continue;
    const Shape& s = ctx.input_shape(i);
    auto b = broadcast_shapes(s, normalized);
    if (!b || *b != normalized)
      ctx.fail(std::string(i == 1 ? "Scale " : "B ") + shape_to_string(s) +
               " does not broadcast to the normalized shape " + shape_to_string(normalized));
  }
  const int64_t stash = ctx.attr_int("stash_type", 1);
  const DType stat_dtype = stash == 11 ? DType::kFloat64 : DType::kFloat32;
  const int64_t inner = shape_numel(normalized);
  const int64_t outer = shape_numel(x) / std::max<int64_t>(1, inner);
  Shape stat_shape(x.begin(), x.begin() + axis);
  stat_shape.resize(x.size(), 1);
  const double epsilon = ctx.attr_float("epsilon", 1e-5f);
  PreparedOp op;
  op.outputs = {{dtype, x}, {stat_dtype, stat_shape}, {stat_dtype, stat_shape}};
  op.flops = 8 * shape_numel(x);
  const KernelOptions& ko = ctx.kernel_options();
  const Tensor* scale_value = ctx.input_value(1);
  const Tensor* bias_value = ctx.has_input(2) ? ctx.input_value(2) : nullptr;
  if (ko.optimized && dtype == DType::kFloat32 && stat_dtype == DType::kFloat32 && scale_value &&
      (!ctx.has_input(2) || bias_value)) {
    // Constant Scale and B (as exporters write them), expanded once here.
    auto params = std::make_shared<std::vector<float>>(expand<float>(*scale_value, normalized));
    if (bias_value) {
      const std::vector<float> b = expand<float>(*bias_value, normalized);
      params->insert(params->end(), b.begin(), b.end());
    }
    const LayerNormShape shape{outer, inner, static_cast<float>(epsilon)};
    const bool has_bias = bias_value != nullptr;
    op.needs_zeroed_outputs = false;
    op.inplace_input = 0;
    op.kernel_name = "layer_norm_" + std::string(isa_name(ko.isa));
    op.run = [params, shape, has_bias, isa = ko.isa, pool = ko.pool](TensorsIn in,
                                                                     TensorsOut out) {
      float* mean = out.size() > 1 && out[1] ? out[1]->data<float>() : nullptr;
      float* inv_std = out.size() > 2 && out[2] ? out[2]->data<float>() : nullptr;
      layer_norm_fast(shape, in[0]->data<float>(), params->data(),
                      has_bias ? params->data() + shape.inner : nullptr, out[0]->data<float>(),
                      mean, inv_std, isa, pool);
    };
    return op;
  }
  op.run = [=](TensorsIn in, TensorsOut out) {
    float_or_double(dtype, [&](auto tag) {
      using T = decltype(tag);
      std::vector<T> scale = expand<T>(*in[1], normalized);
      std::vector<T> bias =
          in.size() > 2 && in[2] ? expand<T>(*in[2], normalized) : std::vector<T>{};
      float_or_double(stat_dtype, [&](auto stat_tag) {
        using U = decltype(stat_tag);
        U* mean = out.size() > 1 && out[1] ? out[1]->data<U>() : nullptr;
        U* inv_std = out.size() > 2 && out[2] ? out[2]->data<U>() : nullptr;
        layer_norm_reference<T, U>(outer, inner, in[0]->data<T>(), scale.data(),
                                   bias.empty() ? nullptr : bias.data(), epsilon, out[0]->data<T>(),
                                   mean, inv_std);
      });
    });
  };
  return op;
}

}  // namespace

void register_normalization_ops(OpRegistry& r) {
  r.add({"BatchNormalization", prepare_batch_norm});
  r.add({"InstanceNormalization", prepare_instance_norm});
  r.add({"LayerNormalization", prepare_layer_norm});
}

}  // namespace hone
