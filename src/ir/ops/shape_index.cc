// Registry entries for index-driven ops: Gather, GatherElements, GatherND, ScatterElements
// (and its deprecated alias Scatter), ScatterND, Compress, NonZero.
#include <algorithm>

#include "ir/ops/shape_args.h"
#include "ops/shape/gather_reference.h"
#include "ops/shape/scatter_reference.h"

namespace hone {

void register_shape_index_ops(OpRegistry& r);

namespace {

using namespace shape_args;

// Rejects constant indices outside [-dim, dim) at prepare time; runtime indices are handled
// by the kernels (zeros / skipped updates), since running must not throw.
void check_constant_indices(const OpContext& ctx, size_t input, int64_t dim) {
  const Tensor* t = ctx.input_value(input);
  if (!t) return;
  for (int64_t v : index_values(*t))
    if (wrap_index(v, dim) < 0)
      ctx.fail("index " + std::to_string(v) + " is out of range for an axis of size " +
               std::to_string(dim));
}

PreparedOp prepare_gather(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  expect_storable(ctx, 0);
  ctx.expect_dtype(1, {DType::kInt64, DType::kInt32});
  const Shape& in = ctx.input_shape(0);
  const Shape& idx = ctx.input_shape(1);
  const int64_t axis =
      normalize_axis(ctx, ctx.attr_int("axis", 0), static_cast<int64_t>(in.size()));
  check_constant_indices(ctx, 1, in[static_cast<size_t>(axis)]);
  Shape out(in.begin(), in.begin() + axis);
  out.insert(out.end(), idx.begin(), idx.end());
  out.insert(out.end(), in.begin() + axis + 1, in.end());
  PreparedOp op;
  op.outputs = {{ctx.input_dtype(0), out}};
  op.run = [axis](TensorsIn in, TensorsOut y) {
    std::vector<int64_t> indices = index_values(*in[1]);
    gather_reference(in[0]->raw(), in[0]->shape(), axis, indices, y[0]->raw(),
                     dtype_size(in[0]->dtype()));
  };
  return op;
}

PreparedOp prepare_gather_elements(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  expect_storable(ctx, 0);
  ctx.expect_dtype(1, {DType::kInt64, DType::kInt32});
  const Shape& in = ctx.input_shape(0);
  const Shape& idx = ctx.input_shape(1);
  const int64_t rank = static_cast<int64_t>(in.size());
  if (rank == 0 || idx.size() != in.size())
    ctx.fail("indices " + shape_to_string(idx) + " must have the rank of the data " +
             shape_to_string(in) + " (at least 1)");
  const int64_t axis = normalize_axis(ctx, ctx.attr_int("axis", 0), rank);
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis && idx[static_cast<size_t>(i)] > in[static_cast<size_t>(i)])
      ctx.fail("indices " + shape_to_string(idx) + " exceed the data " + shape_to_string(in) +
               " along axis " + std::to_string(i));
  check_constant_indices(ctx, 1, in[static_cast<size_t>(axis)]);
  PreparedOp op;
  op.outputs = {{ctx.input_dtype(0), idx}};
  op.run = [axis](TensorsIn in, TensorsOut y) {
    std::vector<int64_t> indices = index_values(*in[1]);
    gather_elements_reference(in[0]->raw(), in[0]->shape(), axis, indices, in[1]->shape(),
                              y[0]->raw(), dtype_size(in[0]->dtype()));
  };
  return op;
}

// Checks the k-tuples of a constant GatherND/ScatterND index tensor against the data dims.
void check_constant_tuples(const OpContext& ctx, const Shape& data, size_t first_dim, size_t k) {
  const Tensor* t = ctx.input_value(1);
  if (!t || k == 0) return;
  std::vector<int64_t> v = index_values(*t);
  for (size_t e = 0; e < v.size(); ++e)
    if (wrap_index(v[e], data[first_dim + e % k]) < 0)
      ctx.fail("index " + std::to_string(v[e]) + " is out of range for an axis of size " +
               std::to_string(data[first_dim + e % k]));
}

PreparedOp prepare_gather_nd(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  expect_storable(ctx, 0);
  ctx.expect_dtype(1, {DType::kInt64});
  const Shape& in = ctx.input_shape(0);
  const Shape& idx = ctx.input_shape(1);
  const int64_t b = ctx.attr_int("batch_dims", 0);
  if (idx.empty()) ctx.fail("indices must have rank >= 1");
  if (b < 0 || b >= static_cast<int64_t>(std::min(in.size(), idx.size())))
    ctx.fail("batch_dims " + std::to_string(b) + " is out of range");
  for (int64_t i = 0; i < b; ++i)
    if (in[static_cast<size_t>(i)] != idx[static_cast<size_t>(i)])
      ctx.fail("batch dims of data " + shape_to_string(in) + " and indices " +
               shape_to_string(idx) + " differ");
  const int64_t k = idx.back();
  if (k < 1 || b + k > static_cast<int64_t>(in.size()))
    ctx.fail("indices' last dim " + std::to_string(k) + " does not fit data " +
             shape_to_string(in) + " with batch_dims " + std::to_string(b));
  check_constant_tuples(ctx, in, static_cast<size_t>(b), static_cast<size_t>(k));
  Shape out(idx.begin(), idx.end() - 1);
  out.insert(out.end(), in.begin() + b + k, in.end());
  PreparedOp op;
  op.outputs = {{ctx.input_dtype(0), out}};
  op.run = [b](TensorsIn in, TensorsOut y) {
    gather_nd_reference(in[0]->raw(), in[0]->shape(), b,
                        std::span(in[1]->data<int64_t>(), static_cast<size_t>(in[1]->numel())),
                        in[1]->shape(), y[0]->raw(), dtype_size(in[0]->dtype()));
  };
  return op;
}

ScatterReduction parse_reduction(const OpContext& ctx) {
  const std::string r = ctx.attr_string("reduction", "none");
  if (r == "none") return ScatterReduction::kNone;
  if (r == "add") return ScatterReduction::kAdd;
  if (r == "mul") return ScatterReduction::kMul;
  if (r == "max") return ScatterReduction::kMax;
  if (r == "min") return ScatterReduction::kMin;
  ctx.fail("unknown reduction '" + r + "'");
}

void check_scatter_types(const OpContext& ctx) {
  ctx.expect_inputs(3, 3);
  ctx.expect_dtype(1, {DType::kInt64, DType::kInt32});
  if (ctx.input_dtype(2) != ctx.input_dtype(0))
    ctx.fail("updates have element type " + std::string(dtype_name(ctx.input_dtype(2))) +
             ", the data has " + std::string(dtype_name(ctx.input_dtype(0))));
  dispatch_dtype(ctx.input_dtype(0), ctx.where(), [](auto) {});
}

PreparedOp prepare_scatter_elements(const OpContext& ctx) {
  check_scatter_types(ctx);
  const Shape& in = ctx.input_shape(0);
  const Shape& idx = ctx.input_shape(1);
  const int64_t rank = static_cast<int64_t>(in.size());
  if (rank == 0 || idx.size() != in.size())
    ctx.fail("indices " + shape_to_string(idx) + " must have the rank of the data " +
             shape_to_string(in) + " (at least 1)");
  if (ctx.input_shape(2) != idx)
    ctx.fail("updates " + shape_to_string(ctx.input_shape(2)) + " must have the shape of indices " +
             shape_to_string(idx));
  const int64_t axis = normalize_axis(ctx, ctx.attr_int("axis", 0), rank);
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis && idx[static_cast<size_t>(i)] > in[static_cast<size_t>(i)])
      ctx.fail("indices " + shape_to_string(idx) + " exceed the data " + shape_to_string(in) +
               " along axis " + std::to_string(i));
  check_constant_indices(ctx, 1, in[static_cast<size_t>(axis)]);
  const ScatterReduction reduction = parse_reduction(ctx);
  PreparedOp op;
  op.outputs = {ctx.input_type(0)};
  op.run = [axis, reduction](TensorsIn in, TensorsOut y) {
    copy_bytes(*in[0], *y[0]);
    std::vector<int64_t> indices = index_values(*in[1]);
    dispatch_dtype(in[0]->dtype(), "ScatterElements", [&](auto tag) {
      using T = decltype(tag);
      scatter_elements_reference<T>(y[0]->data<T>(), y[0]->shape(), axis, indices, in[1]->shape(),
                                    in[2]->data<T>(), reduction);
    });
  };
  return op;
}

PreparedOp prepare_scatter_nd(const OpContext& ctx) {
  check_scatter_types(ctx);
  ctx.expect_dtype(1, {DType::kInt64});
  const Shape& in = ctx.input_shape(0);
  const Shape& idx = ctx.input_shape(1);
  if (idx.empty()) ctx.fail("indices must have rank >= 1");
  const int64_t k = idx.back();
  if (k < 0 || k > static_cast<int64_t>(in.size()))
    ctx.fail("indices' last dim " + std::to_string(k) + " exceeds the data's rank " +
             std::to_string(in.size()));
  Shape expected(idx.begin(), idx.end() - 1);
  expected.insert(expected.end(), in.begin() + k, in.end());
  if (ctx.input_shape(2) != expected)
    ctx.fail("updates have shape " + shape_to_string(ctx.input_shape(2)) + ", expected " +
             shape_to_string(expected));
  check_constant_tuples(ctx, in, 0, static_cast<size_t>(k));
  const ScatterReduction reduction = parse_reduction(ctx);
  PreparedOp op;
  op.outputs = {ctx.input_type(0)};
  op.run = [reduction](TensorsIn in, TensorsOut y) {
    copy_bytes(*in[0], *y[0]);
    dispatch_dtype(in[0]->dtype(), "ScatterND", [&](auto tag) {
      using T = decltype(tag);
      scatter_nd_reference<T>(
          y[0]->data<T>(), y[0]->shape(),
          std::span(in[1]->data<int64_t>(), static_cast<size_t>(in[1]->numel())), in[1]->shape(),
          in[2]->data<T>(), reduction);
    });
  };
  return op;
}

PreparedOp prepare_compress(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  expect_storable(ctx, 0);
  ctx.expect_dtype(1, {DType::kBool});
  const Tensor& cond = ctx.constant_input(1, "condition");
  if (cond.rank() != 1) ctx.fail("condition must be 1-D");
  Shape in = ctx.input_shape(0);
  int64_t axis = 0;
  const bool flatten = !ctx.has_attr("axis");
  if (flatten)
    in = {shape_numel(in)};
  else
    axis = normalize_axis(ctx, ctx.attr_int("axis"), static_cast<int64_t>(in.size()));
  const int64_t dim = in[static_cast<size_t>(axis)];
  if (cond.numel() > dim)
    ctx.fail("condition has " + std::to_string(cond.numel()) + " entries for an axis of size " +
             std::to_string(dim));
  // Compress is a Gather with the positions where the condition holds.
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < cond.numel(); ++i)
    if (cond.data<bool>()[i]) keep.push_back(i);
  Shape out = in;
  out[static_cast<size_t>(axis)] = static_cast<int64_t>(keep.size());
  PreparedOp op;
  op.outputs = {{ctx.input_dtype(0), out}};
  op.run = [keep, in, axis](TensorsIn x, TensorsOut y) {
    gather_reference(x[0]->raw(), in, axis, keep, y[0]->raw(), dtype_size(x[0]->dtype()));
  };
  return op;
}

// Multi-indices (one row per dim) of the nonzero elements, in row-major order.
std::vector<std::vector<int64_t>> nonzero_positions(const Tensor& x) {
  std::vector<std::vector<int64_t>> rows(static_cast<size_t>(x.rank()));
  const std::vector<int64_t> strides = dense_strides(x.shape());
  dispatch_dtype(x.dtype(), "NonZero", [&](auto tag) {
    using T = decltype(tag);
    const T* p = x.data<T>();
    for (int64_t e = 0; e < x.numel(); ++e) {
      if (p[e] == T{}) continue;
      for (size_t d = 0; d < rows.size(); ++d) rows[d].push_back(e / strides[d] % x.shape()[d]);
    }
  });
  return rows;
}

PreparedOp prepare_nonzero(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  dispatch_dtype(ctx.input_dtype(0), ctx.where(), [](auto) {});
  // The output length is the number of nonzeros, so the input must be known now.
  const Tensor& x = ctx.constant_input(0, "input of NonZero");
  const std::vector<std::vector<int64_t>> rows = nonzero_positions(x);
  const int64_t count = x.rank() == 0 ? (x.to_vector<double>()[0] != 0 ? 1 : 0)
                                      : static_cast<int64_t>(rows[0].size());
  PreparedOp op;
  op.outputs = {{DType::kInt64, {x.rank(), count}}};
  op.run = [](TensorsIn in, TensorsOut y) {
    const std::vector<std::vector<int64_t>> rows = nonzero_positions(*in[0]);
    int64_t* out = y[0]->data<int64_t>();
    const int64_t cols = y[0]->dim(1);
    // Guard against an input that differs from the constant seen at prepare time.
    for (size_t d = 0; d < rows.size(); ++d)
      for (int64_t c = 0; c < cols && c < static_cast<int64_t>(rows[d].size()); ++c)
        out[static_cast<int64_t>(d) * cols + c] = rows[d][static_cast<size_t>(c)];
  };
  return op;
}

}  // namespace

void register_shape_index_ops(OpRegistry& r) {
  r.add({"Gather", prepare_gather});
  r.add({"GatherElements", prepare_gather_elements});
  r.add({"GatherND", prepare_gather_nd});
  r.add({"ScatterElements", prepare_scatter_elements});
  r.add({"Scatter", prepare_scatter_elements});
  r.add({"ScatterND", prepare_scatter_nd});
  r.add({"Compress", prepare_compress});
  r.add({"NonZero", prepare_nonzero});
}

}  // namespace hone
