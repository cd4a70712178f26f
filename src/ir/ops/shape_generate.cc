// Registry entries for ops that generate or rearrange values: Range, OneHot, EyeLike, Trilu,
// CumSum, TopK, DepthToSpace, SpaceToDepth, ReverseSequence.
#include <cmath>
#include <cstring>

#include "ir/ops/shape_args.h"
#include "ops/shape/sequence_reference.h"
#include "ops/shape/strided_copy.h"

namespace hone {

void register_shape_generate_ops(OpRegistry& r);

namespace {

using namespace shape_args;

// Sizes of the dims before, at and after `axis`.
struct AxisSplit {
  int64_t outer = 1, len = 1, inner = 1;
};
AxisSplit split_at(const Shape& s, int64_t axis) {
  AxisSplit a;
  for (size_t i = 0; i < s.size(); ++i) {
    const int64_t ai = static_cast<int64_t>(i);
    (ai < axis ? a.outer : ai == axis ? a.len : a.inner) *= s[i];
  }
  return a;
}

const Tensor& scalar_input(const OpContext& ctx, size_t i, const char* what) {
  const Tensor& t = ctx.constant_input(i, what);
  if (t.numel() != 1) ctx.fail(std::string(what) + " must hold exactly one value");
  return t;
}

PreparedOp prepare_range(const OpContext& ctx) {
  ctx.expect_inputs(3, 3);
  const DType dtype = ctx.input_dtype(0);
  ctx.expect_dtype(0,
                   {DType::kFloat32, DType::kFloat64, DType::kInt16, DType::kInt32, DType::kInt64});
  for (size_t i = 1; i < 3; ++i)
    if (ctx.input_dtype(i) != dtype) ctx.fail("start, limit and delta must have the same type");
  const double start = scalar_input(ctx, 0, "start").to_vector<double>()[0];
  const double limit = scalar_input(ctx, 1, "limit").to_vector<double>()[0];
  const double delta = scalar_input(ctx, 2, "delta").to_vector<double>()[0];
  if (delta == 0) ctx.fail("delta is 0");
  const double count = std::ceil((limit - start) / delta);
  if (!std::isfinite(count) || count > 1e10) ctx.fail("the range is too long");
  const int64_t n = std::max<int64_t>(static_cast<int64_t>(count), 0);
  PreparedOp op;
  op.outputs = {{dtype, {n}}};
  op.run = [n](TensorsIn in, TensorsOut y) {
    dispatch_dtype(in[0]->dtype(), "Range", [&](auto tag) {
      using T = decltype(tag);
      range_reference<T>(in[0]->data<T>()[0], in[2]->data<T>()[0], y[0]->data<T>(), n);
    });
  };
  return op;
}

PreparedOp prepare_one_hot(const OpContext& ctx) {
  ctx.expect_inputs(3, 3);
  dispatch_dtype(ctx.input_dtype(0), ctx.where(), [](auto) {});
  const double depth_value = scalar_input(ctx, 1, "depth").to_vector<double>()[0];
  const int64_t depth = static_cast<int64_t>(depth_value);
  if (depth < 1) ctx.fail("depth must be at least 1");
  expect_storable(ctx, 2);
  if (shape_numel(ctx.input_shape(2)) != 2) ctx.fail("values must hold [off_value, on_value]");
  const Shape& idx = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(idx.size());
  int64_t axis = ctx.attr_int("axis", -1);
  if (axis < -rank - 1 || axis > rank)
    ctx.fail("axis " + std::to_string(axis) + " is out of range for output rank " +
             std::to_string(rank + 1));
  if (axis < 0) axis += rank + 1;
  Shape out = idx;
  out.insert(out.begin() + axis, depth);
  AxisSplit s = split_at(out, axis);
  PreparedOp op;
  op.outputs = {{ctx.input_dtype(2), out}};
  op.run = [s](TensorsIn in, TensorsOut y) {
    std::vector<int64_t> indices = in[0]->to_vector<int64_t>();
    const size_t elem = dtype_size(in[2]->dtype());
    const char* values = static_cast<const char*>(in[2]->raw());
    one_hot_reference(indices, s.outer, s.len, s.inner, values, values + elem, y[0]->raw(), elem);
  };
  return op;
}

PreparedOp prepare_eye_like(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  const Shape& in = ctx.input_shape(0);
  if (in.size() != 2) ctx.fail("input must be 2-D, got " + shape_to_string(in));
  const DType dtype =
      static_cast<DType>(ctx.attr_int("dtype", static_cast<int64_t>(ctx.input_dtype(0))));
  dispatch_dtype(dtype, ctx.where(), [](auto) {});
  const int64_t k = ctx.attr_int("k", 0);
  PreparedOp op;
  op.outputs = {{dtype, in}};
  op.run = [k](TensorsIn, TensorsOut y) {
    dispatch_dtype(y[0]->dtype(), "EyeLike", [&](auto tag) {
      using T = decltype(tag);
      eye_like_reference<T>(y[0]->data<T>(), y[0]->dim(0), y[0]->dim(1), k);
    });
  };
  return op;
}

PreparedOp prepare_trilu(const OpContext& ctx) {
  ctx.expect_inputs(1, 2);
  expect_storable(ctx, 0);
  const Shape& in = ctx.input_shape(0);
  if (in.size() < 2) ctx.fail("input must have rank >= 2, got " + shape_to_string(in));
  if (ctx.has_input(1)) {
    ctx.expect_dtype(1, {DType::kInt64});
    if (shape_numel(ctx.input_shape(1)) != 1) ctx.fail("k must hold exactly one value");
  }
  const bool upper = ctx.attr_int("upper", 1) != 0;
  const int64_t rows = in[in.size() - 2], cols = in.back();
  const int64_t batch = shape_numel(in) / std::max<int64_t>(rows * cols, 1);
  PreparedOp op;
  op.outputs = {ctx.input_type(0)};
  // k does not change the output shape, so it may be computed at run time.
  op.run = [upper, rows, cols, batch](TensorsIn in, TensorsOut y) {
    const int64_t k = in.size() > 1 && in[1] ? in[1]->data<int64_t>()[0] : 0;
    if (rows * cols == 0) return;
    trilu_reference(in[0]->raw(), y[0]->raw(), batch, rows, cols, k, upper,
                    dtype_size(in[0]->dtype()));
  };
  return op;
}

PreparedOp prepare_cumsum(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  ctx.expect_dtype(0, {DType::kFloat32, DType::kFloat64, DType::kInt32, DType::kInt64,
                       DType::kUInt32, DType::kUInt64});
  const Shape& in = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  if (rank == 0) ctx.fail("input must have rank >= 1");
  const int64_t axis = normalize_axis(ctx, constant_ints(ctx, 1, "axis").at(0), rank);
  const bool exclusive = ctx.attr_int("exclusive", 0) != 0;
  const bool reverse = ctx.attr_int("reverse", 0) != 0;
  const AxisSplit s = split_at(in, axis);
  PreparedOp op;
  op.outputs = {ctx.input_type(0)};
  op.flops = shape_numel(in);
  op.run = [s, exclusive, reverse](TensorsIn in, TensorsOut y) {
    dispatch_dtype(in[0]->dtype(), "CumSum", [&](auto tag) {
      using T = decltype(tag);
      cumsum_reference<T>(in[0]->data<T>(), y[0]->data<T>(), s.outer, s.len, s.inner, exclusive,
                          reverse);
    });
  };
  return op;
}

PreparedOp prepare_topk(const OpContext& ctx) {
  int64_t k;
  if (ctx.opset() >= 10 || ctx.has_input(1)) {
    ctx.expect_inputs(2, 2);
    ctx.expect_dtype(1, {DType::kInt64});
    k = constant_ints(ctx, 1, "k").at(0);
  } else {
    ctx.expect_inputs(1, 1);
    k = ctx.attr_int("k");
  }
  const DType dtype = ctx.input_dtype(0);
  if (dtype == DType::kBool) ctx.fail("TopK does not accept bool input");
  dispatch_dtype(dtype, ctx.where(), [](auto) {});
  const Shape& in = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  if (rank == 0) ctx.fail("input must have rank >= 1");
  const int64_t axis = normalize_axis(ctx, ctx.attr_int("axis", -1), rank);
  const AxisSplit s = split_at(in, axis);
  if (k < 0 || k > s.len)
    ctx.fail("k = " + std::to_string(k) + " is outside [0, " + std::to_string(s.len) + "]");
  const bool largest = ctx.attr_int("largest", 1) != 0;
  Shape out = in;
  out[static_cast<size_t>(axis)] = k;
  PreparedOp op;
  op.outputs = {{dtype, out}, {DType::kInt64, out}};
  op.run = [s, k, largest](TensorsIn in, TensorsOut y) {
    dispatch_dtype(in[0]->dtype(), "TopK", [&](auto tag) {
      using T = decltype(tag);
      if constexpr (!std::is_same_v<T, bool>) {
        std::vector<int64_t> scratch;
        int64_t* indices = nullptr;
        if (y.size() > 1 && y[1]) {
          indices = y[1]->data<int64_t>();
        } else {
          scratch.resize(static_cast<size_t>(s.outer * k * s.inner));
          indices = scratch.data();
        }
        topk_reference<T>(in[0]->data<T>(), y[0]->data<T>(), indices, s.outer, s.len, s.inner, k,
                          largest);
      }
    });
  };
  return op;
}

// DepthToSpace / SpaceToDepth are a reshape to 6-D, a transpose, and a reshape back.
PreparedOp block_rearrange(const OpContext& ctx, Shape six_d, std::vector<int64_t> perm,
                           Shape out) {
  PreparedOp op;
  op.outputs = {{ctx.input_dtype(0), out}};
  op.run = [six_d, perm](TensorsIn in, TensorsOut y) {
    transpose_reference(in[0]->raw(), six_d, perm, y[0]->raw(), dtype_size(in[0]->dtype()));
  };
  return op;
}

PreparedOp prepare_depth_to_space(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  expect_storable(ctx, 0);
  const Shape& in = ctx.input_shape(0);
  if (in.size() != 4) ctx.fail("input must be 4-D NCHW, got " + shape_to_string(in));
  const int64_t b = ctx.attr_int("blocksize");
  if (b < 1) ctx.fail("blocksize must be positive");
  const int64_t n = in[0], c = in[1], h = in[2], w = in[3];
  if (c % (b * b) != 0)
    ctx.fail("channels (" + std::to_string(c) + ") are not divisible by blocksize^2");
  const std::string mode = ctx.attr_string("mode", "DCR");
  const Shape out = {n, c / (b * b), h * b, w * b};
  if (mode == "DCR")
    return block_rearrange(ctx, {n, b, b, c / (b * b), h, w}, {0, 3, 4, 1, 5, 2}, out);
  if (mode == "CRD")
    return block_rearrange(ctx, {n, c / (b * b), b, b, h, w}, {0, 1, 4, 2, 5, 3}, out);
  ctx.fail("unknown mode '" + mode + "' (expected DCR or CRD)");
}

PreparedOp prepare_space_to_depth(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  expect_storable(ctx, 0);
  const Shape& in = ctx.input_shape(0);
  if (in.size() != 4) ctx.fail("input must be 4-D NCHW, got " + shape_to_string(in));
  const int64_t b = ctx.attr_int("blocksize");
  if (b < 1) ctx.fail("blocksize must be positive");
  const int64_t n = in[0], c = in[1], h = in[2], w = in[3];
  if (h % b != 0 || w % b != 0)
    ctx.fail("height and width " + shape_to_string({h, w}) + " are not divisible by blocksize");
  return block_rearrange(ctx, {n, c, h / b, b, w / b, b}, {0, 3, 5, 1, 2, 4},
                         {n, c * b * b, h / b, w / b});
}

PreparedOp prepare_reverse_sequence(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  expect_storable(ctx, 0);
  ctx.expect_dtype(1, {DType::kInt64});
  const Shape& in = ctx.input_shape(0);
  if (in.size() < 2) ctx.fail("input must have rank >= 2");
  const int64_t time_axis = ctx.attr_int("time_axis", 0);
  const int64_t batch_axis = ctx.attr_int("batch_axis", 1);
  if (!((time_axis == 0 && batch_axis == 1) || (time_axis == 1 && batch_axis == 0)))
    ctx.fail("time_axis and batch_axis must be 0 and 1 (in either order)");
  if (ctx.input_shape(1) != Shape{in[static_cast<size_t>(batch_axis)]})
    ctx.fail("sequence_lens must have shape [" +
             std::to_string(in[static_cast<size_t>(batch_axis)]) + "]");
  PreparedOp op;
  op.outputs = {ctx.input_type(0)};
  op.run = [time_axis, batch_axis](TensorsIn in, TensorsOut y) {
    reverse_sequence_reference(
        in[0]->raw(), in[0]->shape(), time_axis, batch_axis,
        std::span(in[1]->data<int64_t>(), static_cast<size_t>(in[1]->numel())), y[0]->raw(),
        dtype_size(in[0]->dtype()));
  };
  return op;
}

}  // namespace

void register_shape_generate_ops(OpRegistry& r) {
  r.add({"Range", prepare_range});
  r.add({"OneHot", prepare_one_hot});
  r.add({"EyeLike", prepare_eye_like});
  r.add({"Trilu", prepare_trilu});
  r.add({"CumSum", prepare_cumsum});
  r.add({"TopK", prepare_topk});
  r.add({"DepthToSpace", prepare_depth_to_space});
  r.add({"SpaceToDepth", prepare_space_to_depth});
  r.add({"ReverseSequence", prepare_reverse_sequence});
}

}  // namespace hone
