// Registry entries for MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool and LRN.
#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>

#include "ir/ops/conv_window.h"
#include "ir/ops/families.h"
#include "ops/pool/pool_nchw.h"
#include "ops/pool/pool_reference.h"

namespace hone {
namespace {

// kernel_shape (required for windowed pooling) and the rest of the window attributes.
PoolParams read_pool_window(const OpContext& ctx, bool dilations) {
  const Shape& x = ctx.input_shape(0);
  if (x.size() < 3) ctx.fail("X must have rank >= 3 (N, C, spatial...), got " + shape_to_string(x));
  PoolParams p;
  p.channels = x[1];
  WindowOptions options;
  options.dilations = dilations;
  int64_t ceil_mode = ctx.attr_int("ceil_mode", 0);
  if (ceil_mode != 0 && ceil_mode != 1)
    ctx.fail("ceil_mode must be 0 or 1, got " + std::to_string(ceil_mode));
  options.ceil_mode = ceil_mode == 1;
  p.window = forward_window(ctx, x, ctx.attr_ints("kernel_shape"), options);
  return p;
}

Shape pooled_shape(const Shape& x, const WindowGeometry& g) {
  Shape y{x[0], x[1]};
  y.insert(y.end(), g.out.begin(), g.out.end());
  return y;
}

PreparedOp prepare_max_pool(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  ctx.expect_dtype(0, {DType::kFloat32, DType::kFloat64, DType::kInt8, DType::kUInt8});
  if (ctx.num_outputs() > 2) ctx.fail("has at most 2 outputs (Y, Indices)");
  PoolParams p = read_pool_window(ctx, true);
  int64_t storage_order = ctx.attr_int("storage_order", 0);
  if (storage_order != 0 && storage_order != 1)
    ctx.fail("storage_order must be 0 or 1, got " + std::to_string(storage_order));
  const DType dtype = ctx.input_dtype(0);
  Shape y = pooled_shape(ctx.input_shape(0), p.window);
  PreparedOp op;
  op.outputs = {{dtype, y}, {DType::kInt64, y}};
  op.flops = shape_numel(y) * p.window.kernel_size();
  const bool column_major = storage_order == 1;
  const KernelOptions& k = ctx.kernel_options();
  // The fast kernel computes no Indices; nodes that declare a second output keep the reference.
  if (k.optimized && dtype == DType::kFloat32 && ctx.num_outputs() == 1 &&
      PoolNchw::supports(p.window)) {
    auto kernel = std::make_shared<PoolNchw>(true, p, false);
    op.needs_zeroed_outputs = false;
    op.kernel_name = kernel->kernel_name();
    op.run = [kernel, pool = k.pool](TensorsIn in, TensorsOut out) {
      kernel->run(in[0]->data<float>(), out[0]->data<float>(), pool);
    };
    return op;
  }
  op.run = [p, dtype, column_major](TensorsIn in, TensorsOut out) {
    int64_t* indices = out.size() > 1 && out[1] ? out[1]->data<int64_t>() : nullptr;
    dispatch_dtype(dtype, "MaxPool", [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                    std::is_same_v<T, int8_t> || std::is_same_v<T, uint8_t>)
        max_pool_reference<T>(p, in[0]->data<T>(), out[0]->data<T>(), indices, column_major);
    });
  };
  return op;
}

PreparedOp prepare_average_pool(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  ctx.expect_dtype(0, {DType::kFloat32, DType::kFloat64});
  // AveragePool gained dilations in opset 19.
  PoolParams p = read_pool_window(ctx, ctx.opset() >= 19);
  int64_t include_pad = ctx.attr_int("count_include_pad", 0);
  if (include_pad != 0 && include_pad != 1)
    ctx.fail("count_include_pad must be 0 or 1, got " + std::to_string(include_pad));
  const DType dtype = ctx.input_dtype(0);
  Shape y = pooled_shape(ctx.input_shape(0), p.window);
  PreparedOp op;
  op.outputs = {{dtype, y}};
  op.flops = shape_numel(y) * p.window.kernel_size();
  const bool count_include_pad = include_pad == 1;
  const KernelOptions& k = ctx.kernel_options();
  if (k.optimized && dtype == DType::kFloat32 && PoolNchw::supports(p.window)) {
    auto kernel = std::make_shared<PoolNchw>(false, p, count_include_pad);
    op.needs_zeroed_outputs = false;
    op.kernel_name = kernel->kernel_name();
    op.run = [kernel, pool = k.pool](TensorsIn in, TensorsOut out) {
      kernel->run(in[0]->data<float>(), out[0]->data<float>(), pool);
    };
    return op;
  }
  op.run = [p, dtype, count_include_pad](TensorsIn in, TensorsOut out) {
    if (dtype == DType::kFloat64)
      average_pool_reference<double>(p, count_include_pad, in[0]->data<double>(),
                                     out[0]->data<double>());
    else
      average_pool_reference<float>(p, count_include_pad, in[0]->data<float>(),
                                    out[0]->data<float>());
  };
  return op;
}

template <bool kMax>
PreparedOp prepare_global_pool(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  ctx.expect_dtype(0, {DType::kFloat32, DType::kFloat64});
  const Shape& x = ctx.input_shape(0);
  if (x.size() < 2) ctx.fail("X must have rank >= 2 (N, C, spatial...), got " + shape_to_string(x));
  Shape y(x.size(), 1);
  y[0] = x[0];
  y[1] = x[1];
  const int64_t planes = x[0] * x[1];
  const int64_t spatial = shape_numel(x) / std::max<int64_t>(1, planes);
  const DType dtype = ctx.input_dtype(0);
  PreparedOp op;
  op.outputs = {{dtype, y}};
  op.flops = shape_numel(x);
  const KernelOptions& k = ctx.kernel_options();
  if (k.optimized && dtype == DType::kFloat32) {
    op.needs_zeroed_outputs = false;
    op.kernel_name = kMax ? "global_max_pool_nchw_fast" : "global_avg_pool_nchw_fast";
    op.run = [planes, spatial, pool = k.pool](TensorsIn in, TensorsOut out) {
      global_pool_nchw(kMax, planes, spatial, in[0]->data<float>(), out[0]->data<float>(), pool);
    };
    return op;
  }
  op.run = [planes, spatial, dtype](TensorsIn in, TensorsOut out) {
    auto go = [&](auto tag) {
      using T = decltype(tag);
      if constexpr (kMax)
        global_max_pool_reference<T>(planes, spatial, in[0]->data<T>(), out[0]->data<T>());
      else
        global_average_pool_reference<T>(planes, spatial, in[0]->data<T>(), out[0]->data<T>());
    };
    if (dtype == DType::kFloat64)
      go(double{});
    else
      go(float{});
  };
  return op;
}

PreparedOp prepare_lrn(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  ctx.expect_dtype(0, {DType::kFloat32, DType::kFloat64});
  const Shape& x = ctx.input_shape(0);
  if (x.size() < 2) ctx.fail("X must have rank >= 2 (N, C, ...), got " + shape_to_string(x));
  LrnParams p;
  p.size = ctx.attr_int("size");
  if (p.size < 1) ctx.fail("size must be >= 1, got " + std::to_string(p.size));
  p.alpha = ctx.attr_float("alpha", 1e-4f);
  p.beta = ctx.attr_float("beta", 0.75f);
  p.bias = ctx.attr_float("bias", 1.0f);
  p.batch = x[0];
  p.channels = x[1];
  p.spatial = shape_numel(x) / std::max<int64_t>(1, x[0] * x[1]);
  const DType dtype = ctx.input_dtype(0);
  PreparedOp op;
  op.outputs = {{dtype, x}};
  op.flops = shape_numel(x) * (2 * p.size + 4);
  const KernelOptions& k = ctx.kernel_options();
  if (k.optimized && dtype == DType::kFloat32) {
    op.needs_zeroed_outputs = false;
    op.kernel_name = "lrn_nchw_fast";
    op.run = [p, pool = k.pool](TensorsIn in, TensorsOut out) {
      lrn_nchw(p, in[0]->data<float>(), out[0]->data<float>(), pool);
    };
    return op;
  }
  op.run = [p, dtype](TensorsIn in, TensorsOut out) {
    if (dtype == DType::kFloat64)
      lrn_reference<double>(p, in[0]->data<double>(), out[0]->data<double>());
    else
      lrn_reference<float>(p, in[0]->data<float>(), out[0]->data<float>());
  };
  return op;
}

}  // namespace

void register_pool_ops(OpRegistry& r) {
  r.add({"MaxPool", prepare_max_pool});
  r.add({"AveragePool", prepare_average_pool});
  r.add({"GlobalMaxPool", prepare_global_pool<true>});
  r.add({"GlobalAveragePool", prepare_global_pool<false>});
  r.add({"LRN", prepare_lrn});
}

}  // namespace hone
