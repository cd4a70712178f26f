// Registry entries for the activation family: elementwise activations, PRelu, Clip and the
// Softmax/LogSoftmax/Hardmax ops.
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

#include "ir/ops/elementwise_fast.h"
#include "ir/ops/families.h"
#include "ops/activation/activation_reference.h"
#include "ops/common/broadcast.h"
#include "ops/softmax/softmax_fast.h"
#include "ops/softmax/softmax_reference.h"

namespace hone {

namespace {

template <class T, class... Ts>
constexpr bool kIsOneOf = (std::is_same_v<T, Ts> || ...);

constexpr auto kFloatTypes = {DType::kFloat32, DType::kFloat64};
constexpr auto kSignedTypes = {DType::kFloat32, DType::kFloat64, DType::kInt8,
                               DType::kInt16,   DType::kInt32,   DType::kInt64};

// ---------------------------------------------------------------------------------------------
// Single-input activations.

// Per-element operation counts, for FLOP estimates (transcendentals count as one).
int64_t activation_cost(UnaryActivation kind) {
  switch (kind) {
    case UnaryActivation::kRelu:
    case UnaryActivation::kThresholdedRelu:
      return 1;
    case UnaryActivation::kLeakyRelu:
    case UnaryActivation::kShrink:
    case UnaryActivation::kTanh:
      return 2;
    case UnaryActivation::kElu:
    case UnaryActivation::kSoftplus:
    case UnaryActivation::kSoftsign:
    case UnaryActivation::kHardSigmoid:
      return 3;
    case UnaryActivation::kSelu:
    case UnaryActivation::kCelu:
    case UnaryActivation::kSigmoid:
    case UnaryActivation::kHardSwish:
      return 4;
    case UnaryActivation::kGelu:
      return 5;
  }
  return 1;
}

ActivationParams parse_activation(const OpContext& ctx, UnaryActivation kind) {
  ActivationParams p;
  p.kind = kind;
  switch (kind) {
    case UnaryActivation::kLeakyRelu:
      p.alpha = ctx.attr_float("alpha", 0.01f);
      break;
    case UnaryActivation::kElu:
    case UnaryActivation::kThresholdedRelu:
      p.alpha = ctx.attr_float("alpha", 1.0f);
      break;
    case UnaryActivation::kCelu:
      p.alpha = ctx.attr_float("alpha", 1.0f);
      if (p.alpha == 0) ctx.fail("attribute 'alpha' must be non-zero (it divides x)");
      break;
    case UnaryActivation::kSelu:
      p.alpha = ctx.attr_float("alpha", 1.67326319217681884765625f);
      p.gamma = ctx.attr_float("gamma", 1.05070102214813232421875f);
      break;
    case UnaryActivation::kHardSigmoid:
      p.alpha = ctx.attr_float("alpha", 0.2f);
      p.beta = ctx.attr_float("beta", 0.5f);
      break;
    case UnaryActivation::kShrink:
      p.lambd = ctx.attr_float("lambd", 0.5f);
      p.bias = ctx.attr_float("bias", 0.0f);
      break;
    case UnaryActivation::kGelu: {
      const std::string approximate = ctx.attr_string("approximate", "none");
      if (approximate != "none" && approximate != "tanh")
        ctx.fail("attribute 'approximate' must be \"none\" or \"tanh\", got \"" + approximate +
                 "\"");
      p.tanh_approximation = approximate == "tanh";
      break;
    }
    default:
      break;
  }
  return p;
}

// The fast kernel's step for the activations it vectorizes.
std::optional<EltStep> fast_activation_step(const ActivationParams& p) {
  switch (p.kind) {
    case UnaryActivation::kRelu:
      return EltStep{EltOp::kRelu, -1, 0.0f, 0.0f};
    case UnaryActivation::kLeakyRelu:
      return EltStep{EltOp::kLeakyRelu, -1, static_cast<float>(p.alpha), 0.0f};
    case UnaryActivation::kSigmoid:
      return EltStep{EltOp::kSigmoid, -1, 0.0f, 0.0f};
    case UnaryActivation::kTanh:
      return EltStep{EltOp::kTanh, -1, 0.0f, 0.0f};
    case UnaryActivation::kHardSigmoid:
      return EltStep{EltOp::kHardSigmoid, -1, static_cast<float>(p.alpha),
                     static_cast<float>(p.beta)};
    case UnaryActivation::kHardSwish:
      return EltStep{EltOp::kHardSwish, -1, 0.0f, 0.0f};
    default:
      return std::nullopt;
  }
}

template <UnaryActivation kKind>
PreparedOp prepare_unary(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  // ONNX defines integer forms only for Relu (opset 14) and Shrink.
  if constexpr (kKind == UnaryActivation::kRelu || kKind == UnaryActivation::kShrink)
    ctx.expect_dtype(0, kSignedTypes);
  else
    ctx.expect_dtype(0, kFloatTypes);
  const ActivationParams params = parse_activation(ctx, kKind);
  PreparedOp op;
  op.outputs = {ctx.input_type(0)};
  op.flops = activation_cost(kKind) * shape_numel(ctx.input_shape(0));
  dispatch_dtype(ctx.input_dtype(0), ctx.where(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (kIsOneOf<T, float, double, int8_t, int16_t, int32_t, int64_t>)
      op.run = [params](TensorsIn in, TensorsOut out) {
        unary_activation_reference(params, in[0]->data<T>(), out[0]->data<T>(), in[0]->numel());
      };
  });
  if (const auto step = fast_activation_step(params);
      step && ctx.kernel_options().optimized && ctx.input_dtype(0) == DType::kFloat32)
    bind_fast_unary(ctx, *step, op);
  return op;
}

// ---------------------------------------------------------------------------------------------
// PRelu: the slope broadcasts to X in one direction (opset 7+); opset 6 and earlier give a
// per-channel slope as a 1-D tensor of length C, which applies along axis 1.

PreparedOp prepare_prelu(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  ctx.expect_dtype(0, {DType::kFloat32, DType::kFloat64, DType::kInt32, DType::kInt64});
  if (ctx.input_dtype(1) != ctx.input_dtype(0))
    ctx.fail("slope has element type " + std::string(dtype_name(ctx.input_dtype(1))) + ", X has " +
             std::string(dtype_name(ctx.input_dtype(0))));
  const Shape& x_shape = ctx.input_shape(0);
  Shape slope_shape = ctx.input_shape(1);
  if (ctx.opset() < 7 && slope_shape.size() == 1 && x_shape.size() >= 2 &&
      slope_shape[0] == x_shape[1] && slope_shape[0] != 1) {
    slope_shape = Shape(x_shape.size() - 1, 1);
    slope_shape[0] = x_shape[1];
  }
  auto both = broadcast_shapes(x_shape, slope_shape);
  if (slope_shape.size() > x_shape.size() || !both || *both != x_shape)
    ctx.fail("slope of shape " + shape_to_string(ctx.input_shape(1)) +
             " does not broadcast to X of shape " + shape_to_string(x_shape));
  const std::vector<int64_t> strides = broadcast_strides(slope_shape, x_shape);
  PreparedOp op;
  op.outputs = {ctx.input_type(0)};
  op.flops = 2 * shape_numel(x_shape);
  dispatch_dtype(ctx.input_dtype(0), ctx.where(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (kIsOneOf<T, float, double, int32_t, int64_t>)
      op.run = [x_shape, strides](TensorsIn in, TensorsOut out) {
        prelu_reference(in[0]->data<T>(), x_shape, in[1]->data<T>(), strides, out[0]->data<T>());
      };
  });
  return op;
}

// ---------------------------------------------------------------------------------------------
// Clip: bounds are optional scalar inputs (opset 11+) or float attributes (opset < 11); an
// absent bound does not clip.

// `v` converted to T, saturating at T's range (attribute bounds are floats, X may be integer).
template <class T>
T saturate(double v) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    if (std::isnan(v)) return T(0);
    if (v <= static_cast<double>(std::numeric_limits<T>::lowest()))
      return std::numeric_limits<T>::lowest();
    if (v >= static_cast<double>(std::numeric_limits<T>::max()))
      return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  }
}

PreparedOp prepare_clip(const OpContext& ctx) {
  ctx.expect_inputs(1, 3);
  ctx.expect_dtype(0,
                   {DType::kFloat32, DType::kFloat64, DType::kInt8, DType::kUInt8, DType::kInt16,
                    DType::kUInt16, DType::kInt32, DType::kUInt32, DType::kInt64, DType::kUInt64});
  const DType dtype = ctx.input_dtype(0);
  for (size_t i = 1; i <= 2; ++i) {
    if (!ctx.has_input(i)) continue;
    const char* what = i == 1 ? "min" : "max";
    if (ctx.input_dtype(i) != dtype)
      ctx.fail(std::string(what) + " has element type " +
               std::string(dtype_name(ctx.input_dtype(i))) + ", input has " +
               std::string(dtype_name(dtype)));
    if (shape_numel(ctx.input_shape(i)) != 1)
      ctx.fail(std::string(what) + " must be a scalar, got shape " +
               shape_to_string(ctx.input_shape(i)));
  }
  const bool has_min_input = ctx.has_input(1), has_max_input = ctx.has_input(2);
  const double inf = std::numeric_limits<double>::infinity();
  const double attr_min = ctx.has_attr("min") ? ctx.attr_float("min", 0) : -inf;
  const double attr_max = ctx.has_attr("max") ? ctx.attr_float("max", 0) : inf;
  PreparedOp op;
  op.outputs = {ctx.input_type(0)};
  op.flops = 2 * shape_numel(ctx.input_shape(0));
  dispatch_dtype(dtype, ctx.where(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      const T lo_default = saturate<T>(attr_min), hi_default = saturate<T>(attr_max);
      op.run = [=](TensorsIn in, TensorsOut out) {
        T lo = has_min_input && in[1] ? in[1]->data<T>()[0] : lo_default;
        T hi = has_max_input && in[2] ? in[2]->data<T>()[0] : hi_default;
        clip_reference(in[0]->data<T>(), out[0]->data<T>(), in[0]->numel(), lo, hi);
      };
    }
  });
  // The fast kernel takes the bounds at prepare: absent or constant ones.
  const Tensor* min_value = has_min_input ? ctx.input_value(1) : nullptr;
  const Tensor* max_value = has_max_input ? ctx.input_value(2) : nullptr;
  if (ctx.kernel_options().optimized && dtype == DType::kFloat32 && (!has_min_input || min_value) &&
      (!has_max_input || max_value)) {
    const float lo = min_value ? min_value->data<float>()[0] : static_cast<float>(attr_min);
    const float hi = max_value ? max_value->data<float>()[0] : static_cast<float>(attr_max);
    bind_fast_unary(ctx, EltStep{EltOp::kClip, -1, lo, hi}, op);
  }
  return op;
}

// ---------------------------------------------------------------------------------------------
// Softmax, LogSoftmax, Hardmax. Opset 13 changed the meaning of `axis`: before, the input is
// flattened to 2-D [prod(dims[:axis]), prod(dims[axis:])] (default axis 1); from 13 on the op
// runs along the single dimension `axis` (default -1).

template <SoftmaxKind kKind>
PreparedOp prepare_softmax(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  ctx.expect_dtype(0, kFloatTypes);
  const Shape& shape = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(shape.size());
  const bool coerce_2d = ctx.opset() < 13;
  int64_t axis = ctx.attr_int("axis", coerce_2d ? 1 : -1);
  // The 2-D form allows axis == rank (every element its own row).
  const int64_t max_axis = coerce_2d ? rank : rank - 1;
  if (axis < -rank || axis > max_axis)
    ctx.fail("axis " + std::to_string(axis) + " is out of range for input of rank " +
             std::to_string(rank));
  if (axis < 0) axis += rank;
  int64_t outer = 1, axis_len = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t dim = shape[static_cast<size_t>(d)];
    if (d < axis)
      outer *= dim;
    else if (d == axis || coerce_2d)
      axis_len *= dim;
    else
      inner *= dim;
  }
  PreparedOp op;
  op.outputs = {ctx.input_type(0)};
  op.flops = (kKind == SoftmaxKind::kHardmax ? 1 : 4) * shape_numel(shape);
  dispatch_dtype(ctx.input_dtype(0), ctx.where(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>)
      op.run = [outer, axis_len, inner](TensorsIn in, TensorsOut out) {
        softmax_reference(kKind, in[0]->data<T>(), out[0]->data<T>(), outer, axis_len, inner);
      };
  });
  const KernelOptions& ko = ctx.kernel_options();
  if (kKind == SoftmaxKind::kSoftmax && ko.optimized && ctx.input_dtype(0) == DType::kFloat32 &&
      inner == 1) {
    const Isa isa = ko.isa;
    ThreadPool* pool = ko.pool;
    op.run = [outer, axis_len, isa, pool](TensorsIn in, TensorsOut out) {
      softmax_last_axis_fast(isa, in[0]->data<float>(), out[0]->data<float>(), outer, axis_len,
                             pool);
    };
    op.needs_zeroed_outputs = false;
    op.inplace_input = 0;
    op.kernel_name = "softmax_" + std::string(isa_name(isa));
  }
  return op;
}

}  // namespace

void register_activation_ops(OpRegistry& r) {
  r.add({"Relu", prepare_unary<UnaryActivation::kRelu>});
  r.add({"LeakyRelu", prepare_unary<UnaryActivation::kLeakyRelu>});
  r.add({"Elu", prepare_unary<UnaryActivation::kElu>});
  r.add({"Selu", prepare_unary<UnaryActivation::kSelu>});
  r.add({"Celu", prepare_unary<UnaryActivation::kCelu>});
  r.add({"Sigmoid", prepare_unary<UnaryActivation::kSigmoid>});
  r.add({"Tanh", prepare_unary<UnaryActivation::kTanh>});
  r.add({"HardSigmoid", prepare_unary<UnaryActivation::kHardSigmoid>});
  r.add({"HardSwish", prepare_unary<UnaryActivation::kHardSwish>});
  r.add({"Softplus", prepare_unary<UnaryActivation::kSoftplus>});
  r.add({"Softsign", prepare_unary<UnaryActivation::kSoftsign>});
  r.add({"ThresholdedRelu", prepare_unary<UnaryActivation::kThresholdedRelu>});
  r.add({"Shrink", prepare_unary<UnaryActivation::kShrink>});
  r.add({"Gelu", prepare_unary<UnaryActivation::kGelu>});
  r.add({"PRelu", prepare_prelu});
  r.add({"Clip", prepare_clip});
  r.add({"Softmax", prepare_softmax<SoftmaxKind::kSoftmax>});
  r.add({"LogSoftmax", prepare_softmax<SoftmaxKind::kLogSoftmax>});
  r.add({"Hardmax", prepare_softmax<SoftmaxKind::kHardmax>});
}

}  // namespace hone
