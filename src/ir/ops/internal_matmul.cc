// Registry entry of the internal op FusedMatMul (domain "hone", float32): MatMul of
// transposed views with a scale, y = alpha * Transpose(A, perm_a) @ Transpose(B, perm_b),
// where the transposes are read in place, never materialized (fold-matmul-transpose makes
// it from attention's Slice -> Reshape -> Transpose -> Div -> MatMul chains). An empty perm
// means none. Optional shape_a / strides_a / offset_a / groups_a (and _b) read the input as a
// strided view before the permutation: the Slice and Reshape, also in place (an axis may span
// several strided sub-axes: groups_X). Optional perm_y writes Transpose(y, perm_y) instead of
// y, in place too.
#include <memory>

#include "ir/ops/families.h"
#include "ir/ops/matmul_views.h"
#include "ops/gemm/gemm_reference.h"
#include "ops/gemm/gemm_runtime_b.h"

namespace hone {
namespace {

PreparedOp prepare_fused_matmul(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  ctx.expect_dtype(0, {DType::kFloat32});
  ctx.expect_dtype(1, {DType::kFloat32});
  const OperandView a = operand_view(ctx, 0, "a"), b = operand_view(ctx, 1, "b");
  MatMulParams p;
  const Shape batch = product_params(ctx, a, b, p);
  p.alpha = ctx.attr_float("alpha", 1.0f);
  const Shape y = write_transposed(ctx, product_shape(batch, p), p);
  PreparedOp op;
  op.outputs = {{DType::kFloat32, y}};
  op.flops = 2 * shape_numel(batch) * p.m * p.n * p.k;
  const KernelOptions& ko = ctx.kernel_options();
  if (ko.optimized && p.m > 0 && p.n > 0 && p.k > 0 && gemm_runtime_b_takes(p)) {
    auto gemm = std::make_shared<GemmRuntimeB>(p, ko.isa, ko.pool ? ko.pool->threads() : 1);
    op.kernel_name = gemm->kernel_name();
    op.packed_bytes = gemm->scratch_bytes();
    op.needs_zeroed_outputs = false;
    ThreadPool* pool = ko.pool;
    op.run = [gemm, pool](TensorsIn in, TensorsOut out) {
      gemm->run(in[0]->data<float>(), in[1]->data<float>(), out[0]->data<float>(), pool);
    };
    return op;
  }
  op.run = [p](TensorsIn in, TensorsOut out) {
    matmul_reference<float>(p, in[0]->data<float>(), in[1]->data<float>(), out[0]->data<float>());
  };
  return op;
}

}  // namespace

void register_internal_matmul_ops(OpRegistry& r) {
  r.add({"FusedMatMul", prepare_fused_matmul, "hone"});
}

}  // namespace hone
