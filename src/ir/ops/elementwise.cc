// Registry entries of the elementwise ops: binary arithmetic and comparisons, the variadic
// Sum/Mean/Max/Min, Where, the unary math ops, IsNaN/IsInf and Cast/CastLike.
// float16/bfloat16 tensors are computed in float32 (widened on the way in, rounded to
// nearest even on the way out), as ONNX Runtime does for ops without 16-bit kernels.
#include <cctype>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ir/ops/elementwise_fast.h"
#include "ir/ops/families.h"
#include "ops/common/broadcast.h"
#include "ops/elementwise/binary_reference.h"
#include "ops/elementwise/cast_reference.h"
#include "ops/elementwise/elementwise_functions.h"
#include "ops/elementwise/unary_reference.h"
#include "ops/elementwise/where_reference.h"

namespace hone {

namespace {

using RunFn = std::function<void(TensorsIn, TensorsOut)>;

bool is_16bit_float(DType t) {
  return t == DType::kFloat16 || t == DType::kBFloat16;
}

// The type a kernel computes in.
DType compute_dtype(DType t) {
  return is_16bit_float(t) ? DType::kFloat32 : t;
}

// True when the C++ element type of dtype t (after widening 16-bit floats) satisfies Pred.
template <class Pred>
bool dtype_satisfies(DType t, Pred pred) {
  DType c = compute_dtype(t);
  if (!dtype_is_storable(c)) return false;
  return dispatch_dtype(c, "", [&](auto tag) -> bool { return pred(tag); });
}

template <class Fn>
bool fn_accepts(DType t) {
  return dtype_satisfies(t, [](auto tag) { return Fn::template kAccepts<decltype(tag)>; });
}

[[noreturn]] void fail_dtype(const OpContext& ctx, size_t input) {
  throw UnsupportedError(ctx.where() + ": input " + std::to_string(input) + " has element type " +
                         std::string(dtype_name(ctx.input_dtype(input))) + ", which " +
                         ctx.node().op_type + " does not support");
}

// Every input in [0, count) must be present and share input 0's dtype.
void expect_same_dtypes(const OpContext& ctx, size_t count) {
  for (size_t i = 1; i < count; ++i)
    if (ctx.input_dtype(i) != ctx.input_dtype(0))
      ctx.fail("input " + std::to_string(i) + " has element type " +
               std::string(dtype_name(ctx.input_dtype(i))) + " but input 0 has " +
               std::string(dtype_name(ctx.input_dtype(0))) + "; they must match");
}

// The NumPy broadcast of the shapes of inputs [first, first + count).
Shape broadcast_inputs(const OpContext& ctx, size_t first, size_t count) {
  std::vector<Shape> shapes;
  for (size_t i = first; i < first + count; ++i) shapes.push_back(ctx.input_shape(i));
  if (auto out = broadcast_shapes(shapes)) return *out;
  std::string list;
  for (size_t i = 0; i < shapes.size(); ++i)
    list += (i ? (i + 1 == shapes.size() ? " and " : ", ") : "") + shape_to_string(shapes[i]);
  ctx.fail("input shapes " + list + " cannot be broadcast together");
}

// Shapes the binary kernels read their inputs as. Opsets < 7 spelled broadcasting with
// attributes: with broadcast=1 and `axis`, B's dims line up with A's starting at `axis`
// (B = [3,4] against A = [2,3,4,5] at axis 1 reads as [3,4,1]); that is NumPy broadcasting
// once B gets trailing 1s.
struct BinaryShapes {
  Shape a, b, out;
};
BinaryShapes binary_shapes(const OpContext& ctx) {
  BinaryShapes s{ctx.input_shape(0), ctx.input_shape(1), {}};
  if (ctx.opset() < 7 && ctx.attr_int("broadcast", 0) != 0 && ctx.has_attr("axis")) {
    const auto rank_a = static_cast<int64_t>(s.a.size());
    const auto rank_b = static_cast<int64_t>(s.b.size());
    int64_t axis = ctx.attr_int("axis");
    if (axis < 0) axis += rank_a;
    if (axis < 0 || axis + rank_b > rank_a)
      ctx.fail("attribute 'axis' = " + std::to_string(ctx.attr_int("axis")) + " cannot align " +
               shape_to_string(s.b) + " with " + shape_to_string(s.a));
    s.b.insert(s.b.end(), static_cast<size_t>(rank_a - axis - rank_b), 1);
  }
  if (auto out = broadcast_shapes(s.a, s.b)) {
    s.out = *out;
    return s;
  }
  ctx.fail("input shapes " + shape_to_string(ctx.input_shape(0)) + " and " +
           shape_to_string(ctx.input_shape(1)) + " cannot be broadcast together");
}

Tensor widen_to_float(const Tensor& t) {
  Tensor wide(DType::kFloat32, t.shape());
  cast_reference(t.dtype(), t.raw(), DType::kFloat32, wide.raw(), t.numel());
  return wide;
}

// Wraps a kernel prepared for float32 so it runs on float16/bfloat16 tensors: such inputs
// are widened to float32 and such outputs computed in float32, then rounded back.
RunFn compute_16bit_in_float(RunFn inner) {
  return [inner](TensorsIn in, TensorsOut out) {
    std::vector<Tensor> wide_in(in.size()), wide_out(out.size());
    std::vector<const Tensor*> in_ptrs(in.begin(), in.end());
    std::vector<Tensor*> out_ptrs(out.begin(), out.end());
    for (size_t i = 0; i < in.size(); ++i)
      if (in[i] && is_16bit_float(in[i]->dtype())) {
        wide_in[i] = widen_to_float(*in[i]);
        in_ptrs[i] = &wide_in[i];
      }
    for (size_t i = 0; i < out.size(); ++i)
      if (is_16bit_float(out[i]->dtype())) {
        wide_out[i] = Tensor(DType::kFloat32, out[i]->shape());
        out_ptrs[i] = &wide_out[i];
      }
    inner(in_ptrs, out_ptrs);
    for (size_t i = 0; i < out.size(); ++i)
      if (is_16bit_float(out[i]->dtype()))
        cast_reference(DType::kFloat32, wide_out[i].raw(), out[i]->dtype(), out[i]->raw(),
                       out[i]->numel());
  };
}

RunFn maybe_16bit(DType t, RunFn run) {
  return is_16bit_float(t) ? compute_16bit_in_float(std::move(run)) : run;
}

// ---- binary ops whose inputs share one type ----

// The fast kernel's step for the arithmetic ops it vectorizes (float32 only).
template <class Fn>
std::optional<EltOp> fast_binary_op() {
  if constexpr (std::is_same_v<Fn, AddFn>) return EltOp::kAdd;
  if constexpr (std::is_same_v<Fn, SubFn>) return EltOp::kSub;
  if constexpr (std::is_same_v<Fn, MulFn>) return EltOp::kMul;
  if constexpr (std::is_same_v<Fn, DivFn>) return EltOp::kDiv;
  return std::nullopt;
}

template <class Fn>
PreparedOp prepare_binary(const OpContext& ctx, Fn fn) {
  ctx.expect_inputs(2, 2);
  expect_same_dtypes(ctx, 2);
  const DType t = ctx.input_dtype(0);
  if (!fn_accepts<Fn>(t)) fail_dtype(ctx, 0);
  PreparedOp op;
  const BinaryShapes shapes = binary_shapes(ctx);
  op.flops = shape_numel(shapes.out);
  RunFn run = dispatch_dtype(compute_dtype(t), ctx.where(), [&](auto tag) -> RunFn {
    using T = decltype(tag);
    if constexpr (Fn::template kAccepts<T>) {
      using R = decltype(fn(T{}, T{}));
      // Comparisons produce bool; everything else keeps the input type (16-bit included).
      op.outputs = {{std::is_same_v<R, T> ? t : dtype_of<R>(), shapes.out}};
      return [fn, shapes](TensorsIn in, TensorsOut out) {
        binary_reference(in[0]->data<T>(), shapes.a, in[1]->data<T>(), shapes.b, out[0]->data<R>(),
                         shapes.out, fn);
      };
    } else {
      return {};
    }
  });
  op.run = maybe_16bit(t, std::move(run));
  if (const auto fast = fast_binary_op<Fn>();
      fast && ctx.kernel_options().optimized && t == DType::kFloat32) {
    if (!bind_fast_binary(ctx, *fast, shapes.a, shapes.b, shapes.out, op))
      bind_broadcast_binary(ctx, *fast, shapes.a, shapes.b, shapes.out, op);
  }
  return op;
}

template <class Fn>
PreparedOp prepare_simple_binary(const OpContext& ctx) {
  return prepare_binary(ctx, Fn{});
}

PreparedOp prepare_mod(const OpContext& ctx) {
  const int64_t fmod = ctx.attr_int("fmod", 0);
  if (fmod != 0 && fmod != 1)
    ctx.fail("attribute 'fmod' must be 0 or 1, got " + std::to_string(fmod));
  if (ctx.has_input(0) && dtype_is_float(ctx.input_dtype(0)) && fmod != 1)
    ctx.fail("attribute 'fmod' must be 1 for floating-point inputs (element type " +
             std::string(dtype_name(ctx.input_dtype(0))) + ")");
  ModFn fn;
  fn.fmod = fmod == 1;
  return prepare_binary(ctx, fn);
}

PreparedOp prepare_bitshift(const OpContext& ctx) {
  if (!ctx.has_attr("direction")) ctx.fail("required attribute 'direction' is missing");
  const std::string direction = ctx.attr_string("direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    ctx.fail("attribute 'direction' must be \"LEFT\" or \"RIGHT\", got \"" + direction + "\"");
  BitShiftFn fn;
  fn.left = direction == "LEFT";
  return prepare_binary(ctx, fn);
}

// Pow: base and exponent types may differ; the output has the base's type.
PreparedOp prepare_pow(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  const DType base = ctx.input_dtype(0);
  const DType exponent = ctx.input_dtype(1);
  if (!dtype_satisfies(base, [](auto tag) { return PowFn::kAcceptsBase<decltype(tag)>; }))
    fail_dtype(ctx, 0);
  if (!dtype_satisfies(exponent, [](auto tag) { return PowFn::kAcceptsExponent<decltype(tag)>; }))
    fail_dtype(ctx, 1);
  PreparedOp op;
  const BinaryShapes shapes = binary_shapes(ctx);
  op.outputs = {{base, shapes.out}};
  op.flops = shape_numel(shapes.out);
  // A float32 base of the output's shape to a float32 power (a scalar, per-channel or the same
  // shape): the vector kernel (SLEEF's powf, within 1 ulp of the reference's double pow).
  // Torch's LayerNorm before opset 17 squares with Pow(x, 2), which the broadcasting reference
  // ran at 13 ns an element (Swin-T: 50 ms).
  if (ctx.kernel_options().optimized && base == DType::kFloat32 && exponent == DType::kFloat32 &&
      shapes.a == shapes.out &&
      bind_fast_binary(ctx, EltOp::kPow, shapes.a, shapes.b, shapes.out, op))
    return op;
  RunFn run = dispatch_dtype(compute_dtype(base), ctx.where(), [&](auto base_tag) -> RunFn {
    using T = decltype(base_tag);
    if constexpr (PowFn::kAcceptsBase<T>) {
      return dispatch_dtype(compute_dtype(exponent), ctx.where(), [&](auto exp_tag) -> RunFn {
        using E = decltype(exp_tag);
        if constexpr (PowFn::kAcceptsExponent<E>) {
          return [shapes](TensorsIn in, TensorsOut out) {
            binary_reference(in[0]->data<T>(), shapes.a, in[1]->data<E>(), shapes.b,
                             out[0]->data<T>(), shapes.out, PowFn{});
          };
        } else {
          return {};
        }
      });
    } else {
      return {};
    }
  });
  op.run = is_16bit_float(base) || is_16bit_float(exponent) ? compute_16bit_in_float(run) : run;
  return op;
}

// ---- variadic ops: Sum, Mean, Max, Min ----

template <class Fn, bool kMean>
PreparedOp prepare_variadic(const OpContext& ctx) {
  ctx.expect_inputs(1, std::numeric_limits<size_t>::max());
  const size_t n = ctx.num_inputs();
  for (size_t i = 0; i < n; ++i) ctx.input_type(i);  // none may be absent
  expect_same_dtypes(ctx, n);
  const DType t = ctx.input_dtype(0);
  if (!fn_accepts<Fn>(t) || (kMean && !dtype_is_float(t))) fail_dtype(ctx, 0);
  PreparedOp op;
  const Shape out_shape = broadcast_inputs(ctx, 0, n);
  op.outputs = {{t, out_shape}};
  op.flops = shape_numel(out_shape) * static_cast<int64_t>(kMean ? n : n - 1);
  RunFn run = dispatch_dtype(compute_dtype(t), ctx.where(), [&](auto tag) -> RunFn {
    using T = decltype(tag);
    if constexpr (Fn::template kAccepts<T>) {
      return [](TensorsIn in, TensorsOut out) {
        T* y = out[0]->data<T>();
        const Shape& shape = out[0]->shape();
        broadcast_copy_reference(in[0]->data<T>(), in[0]->shape(), y, shape);
        for (size_t k = 1; k < in.size(); ++k)
          binary_reference(y, shape, in[k]->data<T>(), in[k]->shape(), y, shape, Fn{});
        if constexpr (kMean && kIsFloat<T>) {
          const T count = static_cast<T>(in.size());
          for (int64_t i = 0; i < out[0]->numel(); ++i) y[i] /= count;
        }
      };
    } else {
      return {};
    }
  });
  op.run = maybe_16bit(t, std::move(run));
  return op;
}

// ---- Where ----

PreparedOp prepare_where(const OpContext& ctx) {
  ctx.expect_inputs(3, 3);
  ctx.expect_dtype(0, {DType::kBool});
  if (ctx.input_dtype(2) != ctx.input_dtype(1))
    ctx.fail("inputs 1 and 2 have different element types " +
             std::string(dtype_name(ctx.input_dtype(1))) + " and " +
             std::string(dtype_name(ctx.input_dtype(2))));
  if (!dtype_is_storable(ctx.input_dtype(1))) fail_dtype(ctx, 1);
  PreparedOp op;
  op.outputs = {{ctx.input_dtype(1), broadcast_inputs(ctx, 0, 3)}};
  op.flops = 0;  // selection moves data, it does no arithmetic
  op.run = [](TensorsIn in, TensorsOut out) {
    where_reference(in[0]->data<bool>(), in[0]->shape(), in[1]->raw(), in[1]->shape(), in[2]->raw(),
                    in[2]->shape(), out[0]->raw(), out[0]->shape(), dtype_size(out[0]->dtype()));
  };
  return op;
}

// ---- unary ops ----

bool unary_accepts(UnaryOp u, DType t) {
  return dtype_satisfies(t, [u](auto tag) {
    using T = decltype(tag);
    switch (unary_domain(u)) {
      case UnaryDomain::kFloat:
        return kIsFloat<T>;
      case UnaryDomain::kNumber:
        return kIsNumber<T>;
      case UnaryDomain::kSigned:
        return kIsNumber<T> && std::is_signed_v<T>;
      case UnaryDomain::kBool:
        return std::is_same_v<T, bool>;
    }
    return false;
  });
}

template <UnaryOp kOp>
PreparedOp prepare_unary(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  const DType t = ctx.input_dtype(0);
  if (!unary_accepts(kOp, t)) fail_dtype(ctx, 0);
  PreparedOp op;
  op.outputs = {ctx.input_type(0)};
  op.flops = shape_numel(ctx.input_shape(0));
  RunFn run = dispatch_dtype(compute_dtype(t), ctx.where(), [](auto tag) -> RunFn {
    using T = decltype(tag);
    return [](TensorsIn in, TensorsOut out) {
      unary_reference(kOp, in[0]->data<T>(), out[0]->data<T>(), in[0]->numel());
    };
  });
  op.run = maybe_16bit(t, std::move(run));
  return op;
}

// IsNaN (kIsInf false) and IsInf.
template <bool kIsInf>
PreparedOp prepare_is_special(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  const DType t = ctx.input_dtype(0);
  if (!dtype_is_float(t)) fail_dtype(ctx, 0);
  const bool positive = ctx.attr_int("detect_positive", 1) != 0;
  const bool negative = ctx.attr_int("detect_negative", 1) != 0;
  PreparedOp op;
  op.outputs = {{DType::kBool, ctx.input_shape(0)}};
  op.flops = shape_numel(ctx.input_shape(0));
  RunFn run = dispatch_dtype(compute_dtype(t), ctx.where(), [&](auto tag) -> RunFn {
    using T = decltype(tag);
    if constexpr (kIsFloat<T>) {
      return [positive, negative](TensorsIn in, TensorsOut out) {
        if constexpr (kIsInf)
          isinf_reference(in[0]->data<T>(), out[0]->data<bool>(), in[0]->numel(), positive,
                          negative);
        else
          isnan_reference(in[0]->data<T>(), out[0]->data<bool>(), in[0]->numel());
      };
    } else {
      return {};
    }
  });
  op.run = maybe_16bit(t, std::move(run));
  return op;
}

// ---- Cast, CastLike ----

PreparedOp prepare_cast_to(const OpContext& ctx, DType to) {
  const DType from = ctx.input_dtype(0);
  if (from == DType::kString || to == DType::kString)
    throw UnsupportedError(ctx.where() + ": casts from or to string are not supported");
  if (!cast_supported(from, to))
    ctx.fail("cannot cast " + std::string(dtype_name(from)) + " to " + std::string(dtype_name(to)));
  PreparedOp op;
  op.outputs = {{to, ctx.input_shape(0)}};
  op.flops = 0;  // a conversion per element, no arithmetic
  op.run = [from, to](TensorsIn in, TensorsOut out) {
    cast_reference(from, in[0]->raw(), to, out[0]->raw(), in[0]->numel());
  };
  return op;
}

// Opset 1-5 Cast names the target type as a string ("FLOAT", "INT64", ...): TensorProto's
// DataType names, whose numbers DType shares.
DType dtype_from_onnx_name(std::string name) {
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const std::pair<const char*, DType> kNames[] = {
      {"FLOAT", DType::kFloat32},   {"UINT8", DType::kUInt8},       {"INT8", DType::kInt8},
      {"UINT16", DType::kUInt16},   {"INT16", DType::kInt16},       {"INT32", DType::kInt32},
      {"INT64", DType::kInt64},     {"STRING", DType::kString},     {"BOOL", DType::kBool},
      {"FLOAT16", DType::kFloat16}, {"DOUBLE", DType::kFloat64},    {"UINT32", DType::kUInt32},
      {"UINT64", DType::kUInt64},   {"BFLOAT16", DType::kBFloat16},
  };
  for (const auto& [n, t] : kNames)
    if (name == n) return t;
  return DType::kUndefined;
}

PreparedOp prepare_cast(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  auto to_attr = ctx.node().attrs.find("to");
  if (to_attr != ctx.node().attrs.end() &&
      std::holds_alternative<std::string>(to_attr->second.value)) {
    const std::string name = ctx.attr_string("to", "");
    const DType to = dtype_from_onnx_name(name);
    if (to == DType::kUndefined)
      ctx.fail("attribute 'to' = \"" + name + "\" is not an element type hone knows");
    return prepare_cast_to(ctx, to);
  }
  const int64_t to = ctx.attr_int("to");
  const auto to_type = static_cast<DType>(to);
  if (to < 0 || to > std::numeric_limits<int>::max() ||
      (to_type != DType::kString && !dtype_is_storable(to_type)))
    ctx.fail("attribute 'to' = " + std::to_string(to) + " is not an element type hone knows");
  return prepare_cast_to(ctx, to_type);
}

PreparedOp prepare_cast_like(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  return prepare_cast_to(ctx, ctx.input_dtype(1));
}

}  // namespace

void register_elementwise_ops(OpRegistry& r) {
  r.add({"Add", prepare_simple_binary<AddFn>});
  r.add({"Sub", prepare_simple_binary<SubFn>});
  r.add({"Mul", prepare_simple_binary<MulFn>});
  r.add({"Div", prepare_simple_binary<DivFn>});
  r.add({"Mod", prepare_mod});
  r.add({"Pow", prepare_pow});
  r.add({"BitShift", prepare_bitshift});
  r.add({"And", prepare_simple_binary<AndFn>});
  r.add({"Or", prepare_simple_binary<OrFn>});
  r.add({"Xor", prepare_simple_binary<XorFn>});
  r.add({"Equal", prepare_simple_binary<EqualFn>});
  r.add({"Less", prepare_simple_binary<LessFn>});
  r.add({"LessOrEqual", prepare_simple_binary<LessOrEqualFn>});
  r.add({"Greater", prepare_simple_binary<GreaterFn>});
  r.add({"GreaterOrEqual", prepare_simple_binary<GreaterOrEqualFn>});

  r.add({"Sum", prepare_variadic<AddFn, false>});
  r.add({"Mean", prepare_variadic<AddFn, true>});
  r.add({"Max", prepare_variadic<MaxFn, false>});
  r.add({"Min", prepare_variadic<MinFn, false>});

  r.add({"Where", prepare_where});

  r.add({"Not", prepare_unary<UnaryOp::kNot>});
  r.add({"Abs", prepare_unary<UnaryOp::kAbs>});
  r.add({"Neg", prepare_unary<UnaryOp::kNeg>});
  r.add({"Sign", prepare_unary<UnaryOp::kSign>});
  r.add({"Sqrt", prepare_unary<UnaryOp::kSqrt>});
  r.add({"Exp", prepare_unary<UnaryOp::kExp>});
  r.add({"Log", prepare_unary<UnaryOp::kLog>});
  r.add({"Reciprocal", prepare_unary<UnaryOp::kReciprocal>});
  r.add({"Erf", prepare_unary<UnaryOp::kErf>});
  r.add({"Floor", prepare_unary<UnaryOp::kFloor>});
  r.add({"Ceil", prepare_unary<UnaryOp::kCeil>});
  r.add({"Round", prepare_unary<UnaryOp::kRound>});
  r.add({"Sin", prepare_unary<UnaryOp::kSin>});
  r.add({"Cos", prepare_unary<UnaryOp::kCos>});
  r.add({"Tan", prepare_unary<UnaryOp::kTan>});
  r.add({"Asin", prepare_unary<UnaryOp::kAsin>});
  r.add({"Acos", prepare_unary<UnaryOp::kAcos>});
  r.add({"Atan", prepare_unary<UnaryOp::kAtan>});
  r.add({"Sinh", prepare_unary<UnaryOp::kSinh>});
  r.add({"Cosh", prepare_unary<UnaryOp::kCosh>});
  r.add({"Asinh", prepare_unary<UnaryOp::kAsinh>});
  r.add({"Acosh", prepare_unary<UnaryOp::kAcosh>});
  r.add({"Atanh", prepare_unary<UnaryOp::kAtanh>});
  r.add({"IsNaN", prepare_is_special<false>});
  r.add({"IsInf", prepare_is_special<true>});

  r.add({"Cast", prepare_cast});
  r.add({"CastLike", prepare_cast_like});
}

}  // namespace hone
