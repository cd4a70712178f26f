// Registry entries for ops that cut and join tensors: Slice, Concat, Split, Pad, Tile.
#include <algorithm>
#include <cstring>
#include <limits>

#include "ir/ops/shape_args.h"
#include "ops/shape/concat_split_reference.h"
#include "ops/shape/gather_reference.h"
#include "ops/shape/pad_reference.h"
#include "ops/shape/strided_copy.h"
#include "ops/shape/strided_copy_parallel.h"
#include "ops/shape/strided_view.h"

namespace hone {

void register_shape_slice_ops(OpRegistry& r);

namespace {

using namespace shape_args;

PreparedOp prepare_slice(const OpContext& ctx) {
  std::vector<int64_t> starts, ends, axes, steps;
  if (ctx.opset() >= 10 || ctx.has_input(1)) {
    ctx.expect_inputs(3, 5);
    starts = constant_ints(ctx, 1, "starts");
    ends = constant_ints(ctx, 2, "ends");
    if (ctx.has_input(3)) axes = constant_ints(ctx, 3, "axes");
    if (ctx.has_input(4)) steps = constant_ints(ctx, 4, "steps");
  } else {  // opset 1-9: attributes
    ctx.expect_inputs(1, 1);
    starts = ctx.attr_ints("starts");
    ends = ctx.attr_ints("ends");
    axes = ctx.attr_ints("axes", {});
  }
  expect_storable(ctx, 0);
  const Shape& in = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  if (ends.size() != starts.size())
    ctx.fail("starts and ends have different lengths (" + std::to_string(starts.size()) + " and " +
             std::to_string(ends.size()) + ")");
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size())
    ctx.fail("starts, ends, axes and steps must have the same length");
  axes = normalize_axes(ctx, axes, rank);

  for (size_t i = 0; i < axes.size(); ++i)
    if (steps[i] == 0) ctx.fail("step of axis " + std::to_string(axes[i]) + " is 0");
  const StridedView view = slice_view(in, starts, ends, axes, steps);
  const Shape& out = view.shape;
  const std::vector<int64_t>& strides = view.strides;
  const int64_t offset = view.offset;
  PreparedOp op;
  op.outputs = {{ctx.input_dtype(0), out}};
  // Optimized, the rows are split over the threads.
  ThreadPool* pool = ctx.kernel_options().optimized ? ctx.kernel_options().pool : nullptr;
  op.run = [offset, strides, out, pool](TensorsIn in, TensorsOut y) {
    strided_copy_parallel(in[0]->raw(), offset, strides, y[0]->raw(), out,
                          dtype_size(in[0]->dtype()), pool);
  };
  return op;
}

PreparedOp prepare_concat(const OpContext& ctx) {
  if (ctx.num_inputs() == 0) ctx.fail("expects at least 1 input");
  ctx.expect_inputs(ctx.num_inputs(), ctx.num_inputs());
  expect_storable(ctx, 0);
  const Shape& first = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(first.size());
  if (rank == 0) ctx.fail("cannot concatenate scalars");
  const int64_t axis = normalize_axis(ctx, ctx.attr_int("axis", ctx.opset() < 4 ? 1 : 0), rank);
  if (ctx.opset() >= 4 && !ctx.has_attr("axis")) ctx.fail("required attribute 'axis' is missing");
  Shape out = first;
  out[static_cast<size_t>(axis)] = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Shape& s = ctx.input_shape(i);
    if (ctx.input_dtype(i) != ctx.input_dtype(0))
      ctx.fail("input " + std::to_string(i) + " has element type " +
               std::string(dtype_name(ctx.input_dtype(i))) + ", input 0 has " +
               std::string(dtype_name(ctx.input_dtype(0))));
    bool ok = s.size() == first.size();
    for (size_t d = 0; ok && d < s.size(); ++d)
      ok = d == static_cast<size_t>(axis) || s[d] == first[d];
    if (!ok)
      ctx.fail("input " + std::to_string(i) + " has shape " + shape_to_string(s) +
               ", incompatible with input 0's " + shape_to_string(first) + " along axis " +
               std::to_string(axis));
    out[static_cast<size_t>(axis)] += s[static_cast<size_t>(axis)];
  }
  PreparedOp op;
  op.outputs = {{ctx.input_dtype(0), out}};
  op.run = [axis](TensorsIn in, TensorsOut y) {
    std::vector<const void*> srcs;
    std::vector<Shape> shapes;
    for (const Tensor* t : in) {
      srcs.push_back(t->raw());
      shapes.push_back(t->shape());
    }
    concat_reference(srcs, shapes, axis, y[0]->raw(), dtype_size(y[0]->dtype()));
  };
  return op;
}

PreparedOp prepare_split(const OpContext& ctx) {
  ctx.expect_inputs(1, 2);
  expect_storable(ctx, 0);
  const Shape& in = ctx.input_shape(0);
  const int64_t axis =
      normalize_axis(ctx, ctx.attr_int("axis", 0), static_cast<int64_t>(in.size()));
  const int64_t dim = in[static_cast<size_t>(axis)];
  const int64_t n = static_cast<int64_t>(ctx.num_outputs());
  if (n == 0) ctx.fail("has no outputs");
  std::vector<int64_t> sizes;
  if (ctx.has_input(1))
    sizes = constant_ints(ctx, 1, "split");
  else if (ctx.has_attr("split"))
    sizes = ctx.attr_ints("split");
  if (!sizes.empty()) {
    if (static_cast<int64_t>(sizes.size()) != n)
      ctx.fail("split lists " + std::to_string(sizes.size()) + " sizes for " + std::to_string(n) +
               " outputs");
    int64_t sum = 0;
    for (int64_t s : sizes) {
      if (s < 0) ctx.fail("split " + shape_to_string(sizes) + " has a negative size");
      sum += s;
    }
    if (sum != dim)
      ctx.fail("split " + shape_to_string(sizes) + " sums to " + std::to_string(sum) +
               ", the axis has size " + std::to_string(dim));
  } else if (ctx.has_attr("num_outputs")) {
    // Opset 18: chunks of ceil(dim / n), the last one smaller.
    const int64_t chunk = (dim + n - 1) / n;
    for (int64_t i = 0; i < n; ++i) sizes.push_back(std::clamp<int64_t>(dim - i * chunk, 0, chunk));
  } else {
    if (dim % n != 0)
      ctx.fail("axis of size " + std::to_string(dim) + " cannot be split equally into " +
               std::to_string(n) + " outputs");
    sizes.assign(static_cast<size_t>(n), dim / n);
  }
  PreparedOp op;
  for (int64_t s : sizes) {
    Shape o = in;
    o[static_cast<size_t>(axis)] = s;
    op.outputs.push_back({ctx.input_dtype(0), o});
  }
  op.run = [axis, sizes](TensorsIn in, TensorsOut y) {
    std::vector<void*> dsts;
    for (Tensor* t : y) dsts.push_back(t->raw());
    split_reference(in[0]->raw(), in[0]->shape(), axis, sizes, dsts, dtype_size(in[0]->dtype()));
  };
  return op;
}

PreparedOp prepare_pad(const OpContext& ctx) {
  expect_storable(ctx, 0);
  const Shape& in = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  const DType dtype = ctx.input_dtype(0);
  std::vector<int64_t> pads;
  bool value_from_input = false;
  double attr_value = 0;
  if (ctx.opset() >= 11 || ctx.has_input(1)) {
    ctx.expect_inputs(2, 4);
    pads = constant_ints(ctx, 1, "pads");
    if (ctx.has_input(2)) {
      if (ctx.input_dtype(2) != dtype)
        ctx.fail("constant_value has element type " + std::string(dtype_name(ctx.input_dtype(2))) +
                 ", the data has " + std::string(dtype_name(dtype)));
      if (shape_numel(ctx.input_shape(2)) != 1) ctx.fail("constant_value must hold one element");
      value_from_input = true;
    }
    if (ctx.has_input(3)) {  // opset 18 axes: pads then list only those axes
      std::vector<int64_t> axes = normalize_axes(ctx, constant_ints(ctx, 3, "axes"), rank);
      if (pads.size() != 2 * axes.size())
        ctx.fail("pads has " + std::to_string(pads.size()) + " values for " +
                 std::to_string(axes.size()) + " axes");
      std::vector<int64_t> full(static_cast<size_t>(2 * rank), 0);
      for (size_t i = 0; i < axes.size(); ++i) {
        full[static_cast<size_t>(axes[i])] = pads[i];
        full[static_cast<size_t>(axes[i] + rank)] = pads[i + axes.size()];
      }
      pads = full;
    }
  } else {  // opset < 11: attributes (opset 1 called them paddings)
    ctx.expect_inputs(1, 1);
    pads = ctx.has_attr("pads") ? ctx.attr_ints("pads") : ctx.attr_ints("paddings");
    attr_value = ctx.attr_float("value", 0.0f);
  }
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    ctx.fail("pads has " + std::to_string(pads.size()) + " values for an input of rank " +
             std::to_string(rank) + " (needs " + std::to_string(2 * rank) + ")");
  const std::string mode_name = ctx.attr_string("mode", "constant");
  PadMode mode;
  if (mode_name == "constant")
    mode = PadMode::kConstant;
  else if (mode_name == "reflect")
    mode = PadMode::kReflect;
  else if (mode_name == "edge")
    mode = PadMode::kEdge;
  else if (mode_name == "wrap")
    throw UnsupportedError(ctx.where() + ": pad mode 'wrap' is not supported");
  else
    ctx.fail("unknown pad mode '" + mode_name + "'");
  Shape out(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    out[i] = in[i] + pads[i] + pads[i + in.size()];
    if (out[i] < 0)
      ctx.fail("pads " + shape_to_string(pads) + " crop more than the input " +
               shape_to_string(in) + " holds");
    if (mode != PadMode::kConstant && in[i] == 0 && out[i] > 0)
      ctx.fail("cannot pad an empty axis in " + mode_name + " mode");
  }
  // The constant as raw bytes of the data's type (attribute form; the input form is read
  // when running, so it may be computed).
  std::vector<unsigned char> value(dtype_size(dtype), 0);
  if (!value_from_input && attr_value != 0)
    dispatch_dtype(dtype, ctx.where(), [&](auto tag) {
      using T = decltype(tag);
      T v = static_cast<T>(attr_value);
      std::memcpy(value.data(), &v, sizeof(T));
    });
  PreparedOp op;
  op.outputs = {{dtype, out}};
  op.run = [pads, mode, value, value_from_input](TensorsIn in, TensorsOut y) {
    const void* v = value_from_input ? in[2]->raw() : value.data();
    pad_reference(in[0]->raw(), in[0]->shape(), pads, mode, v, y[0]->raw(),
                  dtype_size(in[0]->dtype()));
  };
  return op;
}

PreparedOp prepare_tile(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  expect_storable(ctx, 0);
  const Shape& in = ctx.input_shape(0);
  std::vector<int64_t> repeats = constant_ints(ctx, 1, "repeats");
  if (repeats.size() != in.size())
    ctx.fail("repeats has " + std::to_string(repeats.size()) + " values for an input of rank " +
             std::to_string(in.size()));
  Shape out(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (repeats[i] < 0) ctx.fail("repeats " + shape_to_string(repeats) + " has a negative value");
    out[i] = in[i] * repeats[i];
  }
  shape_numel(out);  // rejects overflow with a clear error
  PreparedOp op;
  op.outputs = {{ctx.input_dtype(0), out}};
  op.run = [repeats](TensorsIn in, TensorsOut y) {
    tile_reference(in[0]->raw(), in[0]->shape(), repeats, y[0]->raw(), dtype_size(in[0]->dtype()));
  };
  return op;
}

}  // namespace

void register_shape_slice_ops(OpRegistry& r) {
  r.add({"Slice", prepare_slice});
  r.add({"Concat", prepare_concat});
  r.add({"Split", prepare_split});
  r.add({"Pad", prepare_pad});
  r.add({"Tile", prepare_tile});
}

}  // namespace hone
