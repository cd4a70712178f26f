// Registry entries for shape-only and copy ops: Reshape, Flatten, Squeeze, Unsqueeze,
// Transpose, Expand, Identity, Dropout, Shape, Size, Constant, ConstantOfShape. The slicing,
// indexing and generator ops live in shape_slice.cc, shape_index.cc and shape_generate.cc.
#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "ir/ops/families.h"
#include "ir/ops/shape_args.h"
#include "ops/common/broadcast.h"
#include "ops/shape/strided_copy.h"
#include "ops/shape/strided_copy_parallel.h"
#include "ops/shape/transpose_fast.h"

namespace hone {

void register_shape_slice_ops(OpRegistry& r);     // shape_slice.cc
void register_shape_index_ops(OpRegistry& r);     // shape_index.cc
void register_shape_generate_ops(OpRegistry& r);  // shape_generate.cc

namespace {

using namespace shape_args;

// A prepared op whose single output has `type` and the bytes of input 0. The output may take
// over the input's buffer (the planner decides): then the bytes are already in place and
// nothing is copied (ViT-B/16's 61 reshapes copied 1 ms per inference).
PreparedOp copy_input_as(const ValueType& type) {
  PreparedOp op;
  op.outputs = {type};
  op.inplace_input = 0;
  op.needs_zeroed_outputs = false;
  op.run = [](TensorsIn in, TensorsOut out) {
    if (in[0]->raw() != out[0]->raw()) copy_bytes(*in[0], *out[0]);
  };
  return op;
}

PreparedOp prepare_reshape(const OpContext& ctx) {
  ctx.expect_inputs(1, 2);
  expect_storable(ctx, 0);
  std::vector<int64_t> target;
  if (ctx.has_input(1))
    target = constant_ints(ctx, 1, "shape");
  else
    target = ctx.attr_ints("shape");  // opset < 5
  const bool allow_zero = ctx.attr_int("allowzero", 0) != 0;
  const Shape& in = ctx.input_shape(0);
  Shape out(target.size());
  int64_t infer_at = -1;
  int64_t known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == -1) {
      if (infer_at >= 0) ctx.fail("shape " + shape_to_string(target) + " has more than one -1");
      infer_at = static_cast<int64_t>(i);
      continue;
    }
    if (d < -1) ctx.fail("shape " + shape_to_string(target) + " has a negative dimension");
    if (d == 0 && !allow_zero) {
      if (i >= in.size())
        ctx.fail("shape " + shape_to_string(target) + " copies dim " + std::to_string(i) +
                 " (0) but the input " + shape_to_string(in) + " has rank " +
                 std::to_string(in.size()));
      d = in[i];
    }
    out[i] = d;
    known *= d;
  }
  const int64_t numel = shape_numel(in);
  if (infer_at >= 0) {
    if (known == 0 || numel % known != 0)
      ctx.fail("cannot infer the -1 in shape " + shape_to_string(target) + " for input " +
               shape_to_string(in));
    out[static_cast<size_t>(infer_at)] = numel / known;
  } else if (known != numel) {
    ctx.fail("cannot reshape " + shape_to_string(in) + " (" + std::to_string(numel) +
             " elements) to " + shape_to_string(out));
  }
  return copy_input_as({ctx.input_dtype(0), out});
}

PreparedOp prepare_flatten(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  expect_storable(ctx, 0);
  const Shape& in = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  int64_t axis = ctx.attr_int("axis", 1);
  if (axis < -rank || axis > rank)
    ctx.fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  if (axis < 0) axis += rank;
  int64_t rows = 1, cols = 1;
  for (int64_t i = 0; i < rank; ++i) (i < axis ? rows : cols) *= in[static_cast<size_t>(i)];
  return copy_input_as({ctx.input_dtype(0), {rows, cols}});
}

// Axes of Squeeze/Unsqueeze: input 1 (opset 13+) or the attribute of older opsets.
std::vector<int64_t> squeeze_axes(const OpContext& ctx, bool* given) {
  *given = true;
  if (ctx.has_input(1)) return constant_ints(ctx, 1, "axes");
  if (ctx.has_attr("axes")) return ctx.attr_ints("axes");
  *given = false;
  return {};
}

PreparedOp prepare_squeeze(const OpContext& ctx) {
  ctx.expect_inputs(1, 2);
  expect_storable(ctx, 0);
  const Shape& in = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  bool given = false;
  std::vector<int64_t> axes = normalize_axes(ctx, squeeze_axes(ctx, &given), rank);
  std::vector<bool> drop(in.size(), false);
  if (!given) {
    for (size_t i = 0; i < in.size(); ++i) drop[i] = in[i] == 1;
  } else {
    for (int64_t a : axes) {
      if (in[static_cast<size_t>(a)] != 1)
        ctx.fail("cannot squeeze axis " + std::to_string(a) + " of shape " + shape_to_string(in) +
                 ": its size is not 1");
      drop[static_cast<size_t>(a)] = true;
    }
  }
  Shape out;
  for (size_t i = 0; i < in.size(); ++i)
    if (!drop[i]) out.push_back(in[i]);
  return copy_input_as({ctx.input_dtype(0), out});
}

PreparedOp prepare_unsqueeze(const OpContext& ctx) {
  ctx.expect_inputs(1, 2);
  expect_storable(ctx, 0);
  const Shape& in = ctx.input_shape(0);
  bool given = false;
  std::vector<int64_t> raw = squeeze_axes(ctx, &given);
  if (!given) ctx.fail("axes are required");
  const int64_t out_rank = static_cast<int64_t>(in.size() + raw.size());
  std::vector<int64_t> axes = normalize_axes(ctx, raw, out_rank);
  std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
  for (int64_t a : axes) inserted[static_cast<size_t>(a)] = true;
  Shape out;
  size_t next = 0;
  for (size_t i = 0; i < inserted.size(); ++i) out.push_back(inserted[i] ? 1 : in[next++]);
  return copy_input_as({ctx.input_dtype(0), out});
}

PreparedOp prepare_identity(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  expect_storable(ctx, 0);
  return copy_input_as(ctx.input_type(0));
}

PreparedOp prepare_dropout(const OpContext& ctx) {
  ctx.expect_inputs(1, 3);
  expect_storable(ctx, 0);
  if (ctx.has_input(1)) ctx.expect_dtype(1, {DType::kFloat32, DType::kFloat64, DType::kFloat16});
  if (ctx.has_input(2)) {
    ctx.expect_dtype(2, {DType::kBool});
    const Tensor& training = ctx.constant_input(2, "training_mode");
    if (training.numel() != 1) ctx.fail("training_mode must be a scalar");
    if (training.data<bool>()[0]) {
      // Training mode drops at random, except with ratio 0 where it is the identity.
      double ratio = 0.5;
      if (ctx.has_input(1)) {
        const Tensor& r = ctx.constant_input(1, "ratio");
        if (r.numel() != 1) ctx.fail("ratio must be a scalar");
        if (r.dtype() != DType::kFloat16) ratio = r.to_vector<double>()[0];
      }
      if (ratio != 0)
        throw UnsupportedError(ctx.where() +
                               ": training_mode=true with a nonzero ratio is not "
                               "supported (hone runs inference only)");
    }
  }
  PreparedOp op;
  op.outputs = {ctx.input_type(0)};
  if (ctx.num_outputs() > 1) {
    // The mask is bool from opset 10 on; before that it had the data's type.
    DType mask = ctx.opset() >= 10 ? DType::kBool : ctx.input_dtype(0);
    if (mask != DType::kBool) dispatch_dtype(mask, ctx.where(), [](auto) {});
    op.outputs.push_back({mask, ctx.input_shape(0)});
  }
  op.run = [](TensorsIn in, TensorsOut out) {
    copy_bytes(*in[0], *out[0]);
    if (out.size() > 1 && out[1]) {
      Tensor& mask = *out[1];
      // In inference mode nothing is dropped: the mask is all ones / true.
      dispatch_dtype(mask.dtype(), "Dropout mask", [&](auto tag) {
        using T = decltype(tag);
        T* m = mask.data<T>();
        for (int64_t i = 0; i < mask.numel(); ++i) m[i] = static_cast<T>(1);
      });
    }
  };
  return op;
}

PreparedOp prepare_shape(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  const Shape& in = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  // Opset 15 start/end: clamped like Slice, never an error.
  auto clamp = [&](int64_t v) {
    if (v < 0) v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  const int64_t start = clamp(ctx.attr_int("start", 0));
  const int64_t end = clamp(ctx.attr_int("end", rank));
  std::vector<int64_t> dims;
  for (int64_t i = start; i < end; ++i) dims.push_back(in[static_cast<size_t>(i)]);
  PreparedOp op;
  op.outputs = {{DType::kInt64, {static_cast<int64_t>(dims.size())}}};
  op.run = [dims](TensorsIn, TensorsOut out) {
    int64_t* y = out[0]->data<int64_t>();
    for (size_t i = 0; i < dims.size(); ++i) y[i] = dims[i];
  };
  return op;
}

PreparedOp prepare_size(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  const int64_t n = shape_numel(ctx.input_shape(0));
  PreparedOp op;
  op.outputs = {{DType::kInt64, {}}};
  op.run = [n](TensorsIn, TensorsOut out) { out[0]->data<int64_t>()[0] = n; };
  return op;
}

// A prepared op with no inputs whose output is `value`.
PreparedOp constant_op(Tensor value) {
  PreparedOp op;
  op.outputs = {{value.dtype(), value.shape()}};
  op.run = [value](TensorsIn, TensorsOut out) { copy_bytes(value, *out[0]); };
  return op;
}

PreparedOp prepare_constant(const OpContext& ctx) {
  ctx.expect_inputs(0, 0);
  for (const char* name : {"sparse_value", "value_string", "value_strings"})
    if (ctx.has_attr(name))
      throw UnsupportedError(ctx.where() + ": attribute '" + name + "' is not supported");
  if (const Tensor* t = ctx.attr_tensor("value")) {
    if (!dtype_is_storable(t->dtype()))
      throw UnsupportedError(ctx.where() + ": constant of element type " +
                             std::string(dtype_name(t->dtype())) + " is not supported");
    return constant_op(*t);
  }
  if (ctx.has_attr("value_float"))
    return constant_op(Tensor::scalar(ctx.attr_float("value_float", 0)));
  if (ctx.has_attr("value_int")) return constant_op(Tensor::scalar(ctx.attr_int("value_int", 0)));
  if (ctx.has_attr("value_floats")) {
    std::vector<float> v = ctx.attr_floats("value_floats", {});
    return constant_op(Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v));
  }
  if (ctx.has_attr("value_ints")) {
    std::vector<int64_t> v = ctx.attr_ints("value_ints", {});
    return constant_op(Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v));
  }
  ctx.fail("has none of the attributes value, value_float(s), value_int(s)");
}

PreparedOp prepare_constant_of_shape(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  std::vector<int64_t> dims = constant_ints(ctx, 0, "shape");
  if (ctx.input_shape(0).size() != 1) ctx.fail("the shape input must be 1-D");
  for (int64_t d : dims)
    if (d < 0) ctx.fail("shape " + shape_to_string(dims) + " has a negative dimension");
  Tensor value = Tensor::scalar(0.0f);
  if (const Tensor* t = ctx.attr_tensor("value")) {
    if (t->numel() != 1) ctx.fail("attribute 'value' must hold exactly one element");
    if (!dtype_is_storable(t->dtype()))
      throw UnsupportedError(ctx.where() + ": value of element type " +
                             std::string(dtype_name(t->dtype())) + " is not supported");
    value = *t;
  }
  PreparedOp op;
  op.outputs = {{value.dtype(), dims}};
  op.run = [value](TensorsIn, TensorsOut out) {
    const size_t elem = dtype_size(value.dtype());
    auto* y = static_cast<char*>(out[0]->raw());
    for (int64_t i = 0; i < out[0]->numel(); ++i)
      std::memcpy(y + static_cast<size_t>(i) * elem, value.raw(), elem);
  };
  return op;
}

// Whether the permutation keeps the order of the axes longer than 1 (it moves only unit axes,
// as in [197, 1, 768] -> [1, 197, 768]): then every element stays where it is.
bool keeps_memory_order(const Shape& in, const std::vector<int64_t>& perm) {
  int64_t last = -1;
  for (int64_t axis : perm) {
    if (in[static_cast<size_t>(axis)] == 1) continue;
    if (axis < last) return false;
    last = axis;
  }
  return true;
}

PreparedOp prepare_transpose(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  expect_storable(ctx, 0);
  const Shape& in = ctx.input_shape(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  std::vector<int64_t> perm(in.size());
  for (int64_t i = 0; i < rank; ++i) perm[static_cast<size_t>(i)] = rank - 1 - i;
  if (ctx.has_attr("perm")) {
    perm = ctx.attr_ints("perm");
    if (static_cast<int64_t>(perm.size()) != rank)
      ctx.fail("perm " + shape_to_string(perm) + " has " + std::to_string(perm.size()) +
               " entries for an input of rank " + std::to_string(rank));
    perm = normalize_axes(ctx, perm, rank, "perm");
  }
  Shape out(in.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = in[static_cast<size_t>(perm[i])];
  // Optimized, a transpose that moves no data is a reshape, run in place where the memory
  // plan allows (ViT's [197, 1, 768] <-> [1, 197, 768]: two copies per encoder layer).
  if (ctx.kernel_options().optimized && keeps_memory_order(in, perm))
    return copy_input_as({ctx.input_dtype(0), out});
  PreparedOp op;
  op.outputs = {{ctx.input_dtype(0), out}};
  if (ctx.kernel_options().optimized) {
    ThreadPool* pool = ctx.kernel_options().pool;
    auto plan = std::make_shared<const TransposeFast>(in, perm, dtype_size(ctx.input_dtype(0)),
                                                      ctx.kernel_options().isa);
    op.run = [plan, pool](TensorsIn x, TensorsOut y) { plan->run(x[0]->raw(), y[0]->raw(), pool); };
    return op;
  }
  op.run = [perm](TensorsIn in, TensorsOut out) {
    transpose_reference(in[0]->raw(), in[0]->shape(), perm, out[0]->raw(),
                        dtype_size(in[0]->dtype()));
  };
  return op;
}

PreparedOp prepare_expand(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  expect_storable(ctx, 0);
  std::vector<int64_t> target = constant_ints(ctx, 1, "shape");
  for (int64_t d : target)
    if (d < 0) ctx.fail("shape " + shape_to_string(target) + " has a negative dimension");
  const Shape& in = ctx.input_shape(0);
  std::optional<Shape> out = broadcast_shapes(in, target);
  if (!out) ctx.fail("cannot broadcast " + shape_to_string(in) + " to " + shape_to_string(target));
  PreparedOp op;
  op.outputs = {{ctx.input_dtype(0), *out}};
  // Optimized, the rows are split over the threads.
  ThreadPool* pool = ctx.kernel_options().optimized ? ctx.kernel_options().pool : nullptr;
  op.run = [strides = broadcast_strides(in, *out), shape = *out, pool](TensorsIn x, TensorsOut y) {
    strided_copy_parallel(x[0]->raw(), 0, strides, y[0]->raw(), shape, dtype_size(x[0]->dtype()),
                          pool);
  };
  return op;
}

}  // namespace

void register_shape_ops(OpRegistry& r) {
  r.add({"Reshape", prepare_reshape});
  r.add({"Flatten", prepare_flatten});
  r.add({"Squeeze", prepare_squeeze});
  r.add({"Unsqueeze", prepare_unsqueeze});
  r.add({"Identity", prepare_identity});
  r.add({"Dropout", prepare_dropout});
  r.add({"Shape", prepare_shape});
  r.add({"Size", prepare_size});
  r.add({"Constant", prepare_constant});
  r.add({"ConstantOfShape", prepare_constant_of_shape});
  r.add({"Transpose", prepare_transpose});
  r.add({"Expand", prepare_expand});
  register_shape_slice_ops(r);
  register_shape_index_ops(r);
  register_shape_generate_ops(r);
}

}  // namespace hone
