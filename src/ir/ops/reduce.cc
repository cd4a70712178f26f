// Registry entries for the reduction family: ReduceSum/Mean/Max/Min/Prod/L1/L2/LogSum/
// LogSumExp/SumSquare and ArgMax/ArgMin.
#include <algorithm>
#include <type_traits>

#include "ir/ops/families.h"
#include "ops/reduce/reduce_reference.h"

namespace hone {

namespace {

template <class T, class... Ts>
constexpr bool kIsOneOf = (std::is_same_v<T, Ts> || ...);

// The axes to reduce: the optional second input (ReduceSum from opset 13, every Reduce* from
// opset 18) or the `axes` attribute (the older form, accepted for every op at any opset).
std::vector<int64_t> read_axes(const OpContext& ctx) {
  if (ctx.has_input(1)) {
    if (ctx.has_attr("axes")) ctx.fail("axes given both as attribute and as input");
    const Tensor& axes = ctx.constant_input(1, "axes");
    if (axes.dtype() != DType::kInt64 && axes.dtype() != DType::kInt32)
      ctx.fail("axes input must be int64, got " + std::string(dtype_name(axes.dtype())));
    if (axes.rank() > 1)
      ctx.fail("axes input must be 1-D, got shape " + shape_to_string(axes.shape()));
    return axes.to_vector<int64_t>();
  }
  return ctx.attr_ints("axes", {});
}

// Marks the dimensions `axes` names, after checking range and duplicates.
std::vector<bool> axes_to_mask(const OpContext& ctx, const std::vector<int64_t>& axes,
                               int64_t rank) {
  std::vector<bool> mask(static_cast<size_t>(rank), false);
  for (int64_t a : axes) {
    if (a < -rank || a >= rank)
      ctx.fail("axis " + std::to_string(a) + " is out of range for input of rank " +
               std::to_string(rank));
    size_t d = static_cast<size_t>(a < 0 ? a + rank : a);
    if (mask[d]) ctx.fail("axis " + std::to_string(a) + " is listed twice in axes");
    mask[d] = true;
  }
  return mask;
}

int64_t reduce_cost(ReduceKind kind) {
  switch (kind) {
    case ReduceKind::kL2:
    case ReduceKind::kSumSquare:
      return 2;
    case ReduceKind::kLogSumExp:
      return 3;
    default:
      return 1;
  }
}

template <ReduceKind kKind>
PreparedOp prepare_reduce(const OpContext& ctx) {
  ctx.expect_inputs(1, 2);
  ctx.expect_dtype(0, {DType::kFloat32, DType::kFloat64, DType::kInt32, DType::kInt64,
                       DType::kUInt32, DType::kUInt64});
  const Shape& shape = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(shape.size());
  const bool keepdims = ctx.attr_int("keepdims", 1) != 0;
  const bool noop_with_empty_axes = ctx.attr_int("noop_with_empty_axes", 0) != 0;
  const std::vector<int64_t> axes = read_axes(ctx);
  std::vector<bool> mask = axes_to_mask(ctx, axes, rank);
  // No axes means every axis, unless noop_with_empty_axes asks for no reduction at all.
  if (axes.empty() && !noop_with_empty_axes) std::fill(mask.begin(), mask.end(), true);
  Shape out_shape;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (!mask[d])
      out_shape.push_back(shape[d]);
    else if (keepdims)
      out_shape.push_back(1);
  }
  PreparedOp op;
  op.outputs = {{ctx.input_dtype(0), out_shape}};
  op.flops = reduce_cost(kKind) * shape_numel(shape);
  dispatch_dtype(ctx.input_dtype(0), ctx.where(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (kIsOneOf<T, float, double, int32_t, int64_t, uint32_t, uint64_t>)
      op.run = [shape, mask](TensorsIn in, TensorsOut out) {
        reduce_reference(kKind, in[0]->data<T>(), shape, mask, out[0]->data<T>());
      };
  });
  return op;
}

template <bool kFindMax>
PreparedOp prepare_arg_reduce(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  ctx.expect_dtype(0,
                   {DType::kFloat32, DType::kFloat64, DType::kInt8, DType::kUInt8, DType::kInt16,
                    DType::kUInt16, DType::kInt32, DType::kUInt32, DType::kInt64, DType::kUInt64});
  const Shape& shape = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(shape.size());
  int64_t axis = ctx.attr_int("axis", 0);
  if (axis < -rank || axis >= rank)
    ctx.fail("axis " + std::to_string(axis) + " is out of range for input of rank " +
             std::to_string(rank));
  if (axis < 0) axis += rank;
  const bool keepdims = ctx.attr_int("keepdims", 1) != 0;
  const bool select_last_index = ctx.attr_int("select_last_index", 0) != 0;
  const int64_t axis_len = shape[static_cast<size_t>(axis)];
  if (axis_len == 0) ctx.fail("cannot take the index of an extremum along an empty axis");
  int64_t outer = 1, inner = 1;
  Shape out_shape;
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t dim = shape[static_cast<size_t>(d)];
    if (d < axis) outer *= dim;
    if (d > axis) inner *= dim;
    if (d != axis)
      out_shape.push_back(dim);
    else if (keepdims)
      out_shape.push_back(1);
  }
  PreparedOp op;
  op.outputs = {{DType::kInt64, out_shape}};
  op.flops = shape_numel(shape);
  dispatch_dtype(ctx.input_dtype(0), ctx.where(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>)
      op.run = [=](TensorsIn in, TensorsOut out) {
        arg_reduce_reference(kFindMax, select_last_index, in[0]->data<T>(), outer, axis_len, inner,
                             out[0]->data<int64_t>());
      };
  });
  return op;
}

}  // namespace

void register_reduce_ops(OpRegistry& r) {
  r.add({"ReduceSum", prepare_reduce<ReduceKind::kSum>});
  r.add({"ReduceMean", prepare_reduce<ReduceKind::kMean>});
  r.add({"ReduceMax", prepare_reduce<ReduceKind::kMax>});
  r.add({"ReduceMin", prepare_reduce<ReduceKind::kMin>});
  r.add({"ReduceProd", prepare_reduce<ReduceKind::kProd>});
  r.add({"ReduceL1", prepare_reduce<ReduceKind::kL1>});
  r.add({"ReduceL2", prepare_reduce<ReduceKind::kL2>});
  r.add({"ReduceLogSum", prepare_reduce<ReduceKind::kLogSum>});
  r.add({"ReduceLogSumExp", prepare_reduce<ReduceKind::kLogSumExp>});
  r.add({"ReduceSumSquare", prepare_reduce<ReduceKind::kSumSquare>});
  r.add({"ArgMax", prepare_arg_reduce<true>});
  r.add({"ArgMin", prepare_arg_reduce<false>});
}

}  // namespace hone
