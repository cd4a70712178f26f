// Registry entry of the internal op FusedAttention (domain "hone", float32): y =
// softmax(alpha * Q · Kᵀ) · V over the last axis, per batch matrix (a head of an image).
// fuse-attention makes it from a FusedMatMul -> Softmax -> FusedMatMul chain. Inputs q, k, v are
// read through the same view attributes FusedMatMul reads (ir/ops/matmul_views.h) with suffixes _q,
// _k (Kᵀ as the second operand: perm_k transposes it) and _v; perm_y writes the output transposed
// in place. The scores never leave the kernel.
#include <memory>
#include <vector>

#include "ir/ops/families.h"
#include "ir/ops/matmul_views.h"
#include "ops/attention/fused_attention.h"
#include "ops/gemm/gemm_reference.h"
#include "ops/softmax/softmax_reference.h"

namespace hone {
namespace {

PreparedOp prepare_fused_attention(const OpContext& ctx) {
  ctx.expect_inputs(3, 3);
  for (size_t i = 0; i < 3; ++i) ctx.expect_dtype(i, {DType::kFloat32});
  const OperandView q = operand_view(ctx, 0, "q"), k = operand_view(ctx, 1, "k"),
                    v = operand_view(ctx, 2, "v");
  MatMulParams sp;
  const Shape batch = product_params(ctx, q, k, sp);
  sp.alpha = ctx.attr_float("alpha", 1.0f);
  const Shape scores_shape = product_shape(batch, sp);
  MatMulParams vp;
  const Shape values_batch = product_params(ctx, dense_view(scores_shape), v, vp);
  if (values_batch != batch)
    ctx.fail("v viewed as " + shape_to_string(v.shape) + " broadcasts the scores' batch " +
             shape_to_string(batch) + " to " + shape_to_string(values_batch));
  const Shape y = write_transposed(ctx, product_shape(batch, vp), vp);
  PreparedOp op;
  op.outputs = {{DType::kFloat32, y}};
  const int64_t heads = shape_numel(batch);
  op.flops = 2 * heads * sp.m * sp.n * (sp.k + vp.n);
  const KernelOptions& ko = ctx.kernel_options();
  if (ko.optimized && fused_attention_takes(sp, vp)) {
    auto kernel =
        std::make_shared<FusedAttention>(sp, vp, ko.isa, ko.pool ? ko.pool->threads() : 1);
    op.kernel_name = kernel->kernel_name();
    op.packed_bytes = kernel->scratch_bytes();
    op.needs_zeroed_outputs = false;
    ThreadPool* pool = ko.pool;
    op.run = [kernel, pool](TensorsIn in, TensorsOut out) {
      kernel->run(in[0]->data<float>(), in[1]->data<float>(), in[2]->data<float>(),
                  out[0]->data<float>(), pool);
    };
    return op;
  }
  // Reference: the scores of every head in one buffer, kept with the op.
  auto scores =
      std::make_shared<std::vector<float>>(static_cast<size_t>(shape_numel(scores_shape)));
  op.packed_bytes = static_cast<int64_t>(scores->size() * sizeof(float));
  op.run = [sp, vp, scores, heads](TensorsIn in, TensorsOut out) {
    float* s = scores->data();
    std::fill(scores->begin(), scores->end(), 0.0f);
    matmul_reference<float>(sp, in[0]->data<float>(), in[1]->data<float>(), s);
    softmax_reference<float>(SoftmaxKind::kSoftmax, s, s, heads * sp.m, sp.n, 1);
    matmul_reference<float>(vp, s, in[2]->data<float>(), out[0]->data<float>());
  };
  return op;
}

}  // namespace

void register_internal_attention_ops(OpRegistry& r) {
  r.add({"FusedAttention", prepare_fused_attention, "hone"});
}

}  // namespace hone
