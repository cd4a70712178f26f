// Registry entries of the internal "layout" ops (domain "hone"), see
// docs/decisions/004-internal-ops.md: ReorderToBlocked, ReorderFromBlocked, MaxPoolBlocked,
// AveragePoolBlocked, GlobalAveragePoolBlocked, GlobalMaxPoolBlocked, ConcatBlocked, ScaleShift,
// ChannelGather.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/ops/conv_window.h"
#include "ir/ops/families.h"
#include "ops/layout/channel_gather.h"
#include "ops/layout/concat_blocked.h"
#include "ops/layout/reorder.h"
#include "ops/layout/reorder_reference.h"
#include "ops/layout/scale_shift.h"
#include "ops/layout/scale_shift_reference.h"
#include "ops/pool/pool_nchwc.h"
#include "ops/pool/pool_nchwc_reference.h"

namespace hone {
namespace {

// The `block` attribute: 8 or 16 (or 0 where plain NCHW is allowed).
int read_block(const OpContext& ctx, bool allow_plain) {
  const int64_t b = ctx.attr_int("block");
  if (b == 8 || b == 16 || (allow_plain && b == 0)) return static_cast<int>(b);
  ctx.fail("block must be 8 or 16" + std::string(allow_plain ? " (or 0 for NCHW)" : "") + ", got " +
           std::to_string(b));
}

// Input i must be a float32 blocked tensor [N, Cb, H, W, b].
const Shape& expect_blocked(const OpContext& ctx, size_t i, int block) {
  ctx.expect_dtype(i, {DType::kFloat32});
  const Shape& x = ctx.input_shape(i);
  if (x.size() != 5 || x[4] != block)
    ctx.fail("input " + std::to_string(i) + " must be blocked [N, Cb, H, W, " +
             std::to_string(block) + "], got " + shape_to_string(x));
  return x;
}

PreparedOp prepare_reorder_to_blocked(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  ctx.expect_dtype(0, {DType::kFloat32});
  const int block = read_block(ctx, false);
  const Shape& x = ctx.input_shape(0);
  if (x.size() != 4) ctx.fail("X must be [N, C, H, W], got " + shape_to_string(x));
  const BlockedShape s{x[0], x[1], x[2] * x[3], block};
  PreparedOp op;
  op.outputs = {{DType::kFloat32, {x[0], channel_blocks(x[1], block), x[2], x[3], block}}};
  const KernelOptions k = ctx.kernel_options();
  if (k.optimized) {
    op.needs_zeroed_outputs = false;
    op.kernel_name = reorder_kernel_name(true, block, k.isa);
    op.run = [s, k](TensorsIn in, TensorsOut out) {
      reorder_to_blocked(s, in[0]->data<float>(), out[0]->data<float>(), k.isa, k.pool);
    };
  } else {
    op.kernel_name = "reorder_to_nchw" + std::to_string(block) + "c_reference";
    op.run = [s](TensorsIn in, TensorsOut out) {
      reorder_to_blocked_reference(s, in[0]->data<float>(), out[0]->data<float>());
    };
  }
  return op;
}

PreparedOp prepare_reorder_from_blocked(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  const int block = read_block(ctx, false);
  const Shape& x = expect_blocked(ctx, 0, block);
  const int64_t c = ctx.attr_int("channels");
  if (c < 1 || channel_blocks(c, block) != x[1])
    ctx.fail("channels " + std::to_string(c) + " does not fit " + std::to_string(x[1]) +
             " blocks of " + std::to_string(block));
  const BlockedShape s{x[0], c, x[2] * x[3], block};
  PreparedOp op;
  op.outputs = {{DType::kFloat32, {x[0], c, x[2], x[3]}}};
  const KernelOptions k = ctx.kernel_options();
  if (k.optimized) {
    op.needs_zeroed_outputs = false;
    op.kernel_name = reorder_kernel_name(false, block, k.isa);
    op.run = [s, k](TensorsIn in, TensorsOut out) {
      reorder_from_blocked(s, in[0]->data<float>(), out[0]->data<float>(), k.isa, k.pool);
    };
  } else {
    op.kernel_name = "reorder_from_nchw" + std::to_string(block) + "c_reference";
    op.run = [s](TensorsIn in, TensorsOut out) {
      reorder_from_blocked_reference(s, in[0]->data<float>(), out[0]->data<float>());
    };
  }
  return op;
}

template <PoolKind kKind>
PreparedOp prepare_pool_blocked(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  if (ctx.num_outputs() != 1) ctx.fail("has exactly one output (no Indices in blocked layout)");
  const int block = read_block(ctx, false);
  const Shape& x = expect_blocked(ctx, 0, block);
  int64_t ceil_mode = ctx.attr_int("ceil_mode", 0);
  if (ceil_mode != 0 && ceil_mode != 1)
    ctx.fail("ceil_mode must be 0 or 1, got " + std::to_string(ceil_mode));
  int64_t include_pad = ctx.attr_int("count_include_pad", 0);
  if (include_pad != 0 && include_pad != 1)
    ctx.fail("count_include_pad must be 0 or 1, got " + std::to_string(include_pad));
  WindowOptions options;
  options.ceil_mode = ceil_mode == 1;
  PoolParams p;
  p.channels = x[1] * block;  // every lane is pooled, padding lanes too
  p.window =
      forward_window(ctx, {x[0], p.channels, x[2], x[3]}, ctx.attr_ints("kernel_shape"), options);
  const Shape y{x[0], x[1], p.window.out[0], p.window.out[1], block};
  PreparedOp op;
  op.outputs = {{DType::kFloat32, y}};
  op.flops = shape_numel(y) * p.window.kernel_size();
  const KernelOptions k = ctx.kernel_options();
  const bool count_include_pad = include_pad == 1;
  if (k.optimized) {
    auto kernel = std::make_shared<PoolNchwc>(kKind, p, block, count_include_pad, k.isa);
    op.needs_zeroed_outputs = false;
    op.kernel_name = kernel->kernel_name();
    op.run = [kernel, pool = k.pool](TensorsIn in, TensorsOut out) {
      kernel->run(in[0]->data<float>(), out[0]->data<float>(), pool);
    };
  } else {
    op.kernel_name = std::string(kKind == PoolKind::kMax ? "max" : "avg") + "_pool_nchw" +
                     std::to_string(block) + "c_reference";
    op.run = [p, block, count_include_pad](TensorsIn in, TensorsOut out) {
      if (kKind == PoolKind::kMax)
        max_pool_nchwc_reference(p, block, in[0]->data<float>(), out[0]->data<float>());
      else
        average_pool_nchwc_reference(p, block, count_include_pad, in[0]->data<float>(),
                                     out[0]->data<float>());
    };
  }
  return op;
}

template <PoolKind kKind>
PreparedOp prepare_global_pool_blocked(const OpContext& ctx) {
  ctx.expect_inputs(1, 1);
  const int block = read_block(ctx, false);
  const Shape& x = expect_blocked(ctx, 0, block);
  const int64_t n = x[0], cb = x[1], spatial = x[2] * x[3];
  PreparedOp op;
  op.outputs = {{DType::kFloat32, {n, cb, 1, 1, block}}};
  op.flops = shape_numel(x);
  const KernelOptions k = ctx.kernel_options();
  if (k.optimized) {
    op.needs_zeroed_outputs = false;
    op.kernel_name = global_pool_nchwc_kernel_name(kKind, block, k.isa);
    op.run = [n, cb, spatial, block, k](TensorsIn in, TensorsOut out) {
      global_pool_nchwc(kKind, n, cb, spatial, block, in[0]->data<float>(), out[0]->data<float>(),
                        k.isa, k.pool);
    };
  } else {
    op.kernel_name = std::string(kKind == PoolKind::kMax ? "global_max" : "global_avg") +
                     "_pool_nchw" + std::to_string(block) + "c_reference";
    op.run = [n, cb, spatial, block](TensorsIn in, TensorsOut out) {
      if (kKind == PoolKind::kMax)
        global_max_pool_nchwc_reference(n, cb, spatial, block, in[0]->data<float>(),
                                        out[0]->data<float>());
      else
        global_average_pool_nchwc_reference(n, cb, spatial, block, in[0]->data<float>(),
                                            out[0]->data<float>());
    };
  }
  return op;
}

// Binds a kernel with run(const float* const* xs, float* y, ThreadPool*) over all the node's
// inputs (ConcatBlocked, ChannelGather).
template <class Kernel>
void bind_multi_input_kernel(std::shared_ptr<Kernel> kernel, size_t inputs, ThreadPool* pool,
                             PreparedOp& op) {
  op.needs_zeroed_outputs = false;
  op.kernel_name = kernel->kernel_name();
  // The input pointers of a run, allocated here so that running allocates nothing.
  auto xs = std::make_shared<std::vector<const float*>>(inputs);
  op.run = [kernel, xs, pool](TensorsIn in, TensorsOut out) {
    for (size_t i = 0; i < in.size(); ++i) (*xs)[i] = in[i]->data<float>();
    kernel->run(xs->data(), out[0]->data<float>(), pool);
  };
}

PreparedOp prepare_concat_blocked(const OpContext& ctx) {
  if (ctx.num_inputs() < 1) ctx.fail("needs at least one input");
  const int block = read_block(ctx, false);
  const std::vector<int64_t> channels = ctx.attr_ints("channels");
  if (channels.size() != ctx.num_inputs())
    ctx.fail("channels has " + std::to_string(channels.size()) + " entries for " +
             std::to_string(ctx.num_inputs()) + " inputs");
  const Shape& first = expect_blocked(ctx, 0, block);
  ConcatBlockedShape s{first[0], first[2] * first[3], block, channels};
  int64_t total = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Shape& x = expect_blocked(ctx, i, block);
    if (x[0] != first[0] || x[2] != first[2] || x[3] != first[3])
      ctx.fail("input " + std::to_string(i) + " " + shape_to_string(x) + " differs from input 0 " +
               shape_to_string(first) + " outside the channels");
    if (channels[i] < 1 || channel_blocks(channels[i], block) != x[1])
      ctx.fail("channels[" + std::to_string(i) + "] = " + std::to_string(channels[i]) +
               " does not fit " + std::to_string(x[1]) + " blocks of " + std::to_string(block));
    total += channels[i];
  }
  PreparedOp op;
  op.outputs = {
      {DType::kFloat32, {first[0], channel_blocks(total, block), first[2], first[3], block}}};
  const KernelOptions k = ctx.kernel_options();
  if (k.optimized) {
    bind_multi_input_kernel(std::make_shared<ConcatBlocked>(s), ctx.num_inputs(), k.pool, op);
  } else {
    op.kernel_name = "concat_nchw" + std::to_string(block) + "c_reference";
    op.run = [s](TensorsIn in, TensorsOut out) {
      std::vector<const float*> xs;
      for (const Tensor* t : in) xs.push_back(t->data<float>());
      concat_blocked_reference(s, xs, out[0]->data<float>());
    };
  }
  return op;
}

// ChannelGather: inputs [N, C_i, H, W] (block 0) or [N, ceil(C_i/b), H, W, b]; output
// channel j is channel source_channels[j] of input source_inputs[j].
PreparedOp prepare_channel_gather(const OpContext& ctx) {
  if (ctx.num_inputs() < 1) ctx.fail("needs at least one input");
  const int block = read_block(ctx, true);
  const std::vector<int64_t> inputs = ctx.attr_ints("source_inputs");
  const std::vector<int64_t> sources = ctx.attr_ints("source_channels");
  if (inputs.empty() || inputs.size() != sources.size())
    ctx.fail("source_inputs and source_channels must have the same, non-zero length (got " +
             std::to_string(inputs.size()) + " and " + std::to_string(sources.size()) + ")");
  std::vector<int64_t> channels;
  if (block != 0) {
    channels = ctx.attr_ints("channels");
    if (channels.size() != ctx.num_inputs())
      ctx.fail("channels has " + std::to_string(channels.size()) + " entries for " +
               std::to_string(ctx.num_inputs()) + " inputs");
  }
  Shape first;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Shape& x = block == 0 ? ctx.input_shape(i) : expect_blocked(ctx, i, block);
    ctx.expect_dtype(i, {DType::kFloat32});
    if (block == 0) {
      if (x.size() != 4)
        ctx.fail("input " + std::to_string(i) + " must be [N, C, H, W], got " + shape_to_string(x));
      channels.push_back(x[1]);
    } else if (channels[i] < 1 || channel_blocks(channels[i], block) != x[1]) {
      ctx.fail("channels[" + std::to_string(i) + "] = " + std::to_string(channels[i]) +
               " does not fit " + std::to_string(x[1]) + " blocks of " + std::to_string(block));
    }
    if (i == 0) first = x;
    if (x[0] != first[0] || x[2] != first[2] || x[3] != first[3])
      ctx.fail("input " + std::to_string(i) + " " + shape_to_string(x) + " differs from input 0 " +
               shape_to_string(first) + " outside the channels");
  }
  ChannelGatherShape s{first[0], first[2] * first[3], block, channels, {}, sources};
  for (size_t j = 0; j < inputs.size(); ++j) {
    const int64_t i = inputs[j];
    if (i < 0 || i >= static_cast<int64_t>(ctx.num_inputs()))
      ctx.fail("source_inputs[" + std::to_string(j) + "] = " + std::to_string(i) +
               " is not an input index");
    if (sources[j] < 0 || sources[j] >= channels[static_cast<size_t>(i)])
      ctx.fail("source_channels[" + std::to_string(j) + "] = " + std::to_string(sources[j]) +
               " is outside input " + std::to_string(i) + "'s " +
               std::to_string(channels[static_cast<size_t>(i)]) + " channels");
    s.source_inputs.push_back(static_cast<int>(i));
  }
  const auto cout = static_cast<int64_t>(inputs.size());
  PreparedOp op;
  op.outputs = {{DType::kFloat32, block == 0 ? Shape{first[0], cout, first[2], first[3]}
                                             : Shape{first[0], channel_blocks(cout, block),
                                                     first[2], first[3], block}}};
  const KernelOptions k = ctx.kernel_options();
  if (k.optimized) {
    bind_multi_input_kernel(std::make_shared<ChannelGather>(s, k.isa), ctx.num_inputs(), k.pool,
                            op);
  } else {
    op.kernel_name = "channel_gather_reference";
    op.run = [s](TensorsIn in, TensorsOut out) {
      std::vector<const float*> xs;
      for (const Tensor* t : in) xs.push_back(t->data<float>());
      channel_gather_reference(s, xs, out[0]->data<float>());
    };
  }
  return op;
}

PreparedOp prepare_scale_shift(const OpContext& ctx) {
  ctx.expect_inputs(3, 3);
  ctx.expect_dtype(0, {DType::kFloat32});
  const int block = read_block(ctx, true);
  const Shape& x = block == 0 ? ctx.input_shape(0) : expect_blocked(ctx, 0, block);
  if (block == 0 && x.size() < 2)
    ctx.fail("X must have rank >= 2 (N, C, ...), got " + shape_to_string(x));
  const Tensor& scale = ctx.constant_input(1, "scale");
  const Tensor& shift = ctx.constant_input(2, "shift");
  const int64_t c = block == 0 ? x[1] : scale.numel();
  for (const Tensor* t : {&scale, &shift}) {
    if (t->dtype() != DType::kFloat32 || t->shape() != Shape{c})
      ctx.fail("scale and shift must be float32 [" + std::to_string(c) + "], got " +
               std::string(dtype_name(t->dtype())) + " " + shape_to_string(t->shape()));
  }
  if (block != 0 && (c < 1 || channel_blocks(c, block) != x[1]))
    ctx.fail("scale has " + std::to_string(c) + " channels, which does not fit " +
             std::to_string(x[1]) + " blocks of " + std::to_string(block));
  const std::string act = ctx.attr_string("activation", "");
  const std::optional<Epilogue> epilogue =
      make_epilogue(act, ctx.attr_floats("activation_params", {}));
  if (!epilogue) ctx.fail("unknown activation '" + act + "' or wrong activation_params");
  const int64_t numel = shape_numel(x);
  BlockedShape s{x[0], c, 1, block};
  s.spatial = block == 0 ? numel / std::max<int64_t>(1, x[0] * c) : x[2] * x[3];
  PreparedOp op;
  op.outputs = {{DType::kFloat32, x}};
  op.flops = 2 * numel;
  op.inplace_input = 0;
  const KernelOptions k = ctx.kernel_options();
  if (k.optimized) {
    auto kernel =
        std::make_shared<ScaleShift>(s, scale.data<float>(), shift.data<float>(), *epilogue, k.isa);
    op.needs_zeroed_outputs = false;
    op.packed_bytes = kernel->packed_bytes();
    op.kernel_name = kernel->kernel_name();
    op.run = [kernel, pool = k.pool](TensorsIn in, TensorsOut out) {
      kernel->run(in[0]->data<float>(), out[0]->data<float>(), pool);
    };
  } else {
    const std::vector<float> sv = scale.to_vector<float>(), tv = shift.to_vector<float>();
    op.kernel_name = "scale_shift_reference";
    op.run = [s, sv, tv, e = *epilogue](TensorsIn in, TensorsOut out) {
      scale_shift_reference(s, sv.data(), tv.data(), e, in[0]->data<float>(),
                            out[0]->data<float>());
    };
  }
  return op;
}

}  // namespace

void register_internal_layout_ops(OpRegistry& r) {
  r.add({"ReorderToBlocked", prepare_reorder_to_blocked, "hone"});
  r.add({"ReorderFromBlocked", prepare_reorder_from_blocked, "hone"});
  r.add({"MaxPoolBlocked", prepare_pool_blocked<PoolKind::kMax>, "hone"});
  r.add({"AveragePoolBlocked", prepare_pool_blocked<PoolKind::kAverage>, "hone"});
  r.add({"GlobalMaxPoolBlocked", prepare_global_pool_blocked<PoolKind::kMax>, "hone"});
  r.add({"GlobalAveragePoolBlocked", prepare_global_pool_blocked<PoolKind::kAverage>, "hone"});
  r.add({"ConcatBlocked", prepare_concat_blocked, "hone"});
  r.add({"ChannelGather", prepare_channel_gather, "hone"});
  r.add({"ScaleShift", prepare_scale_shift, "hone"});
}

}  // namespace hone
