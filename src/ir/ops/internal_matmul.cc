// Registry entry of the internal op FusedMatMul (domain "hone", float32): MatMul of
// transposed views with a scale, y = alpha * Transpose(A, perm_a) @ Transpose(B, perm_b),
// where the transposes are read in place, never materialized (fold-matmul-transpose makes
// it from attention's Transpose -> Div -> MatMul chains). An empty perm means none.
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "ir/ops/families.h"
#include "ops/common/broadcast.h"
#include "ops/gemm/gemm_reference.h"
#include "ops/gemm/gemm_runtime_b.h"
#include "ops/shape/strided_copy.h"

namespace hone {
namespace {

// An operand as the product sees it: the permuted shape and, per axis, the element stride
// of the stored (dense) input.
struct View {
  Shape shape;
  std::vector<int64_t> strides;
};

View view_of(const OpContext& ctx, size_t input, const char* attr) {
  const Shape& stored = ctx.input_shape(input);
  const auto rank = static_cast<int64_t>(stored.size());
  if (rank < 2)
    ctx.fail("input " + std::to_string(input) + " has rank " + std::to_string(rank) +
             "; FusedMatMul needs matrices (rank >= 2)");
  std::vector<int64_t> perm = ctx.attr_ints(attr, {});
  if (perm.empty()) {
    perm.resize(stored.size());
    std::iota(perm.begin(), perm.end(), 0);
  }
  std::vector<bool> seen(stored.size(), false);
  if (static_cast<int64_t>(perm.size()) != rank)
    ctx.fail(std::string(attr) + " " + shape_to_string(perm) + " does not fit input " +
             std::to_string(input) + " of rank " + std::to_string(rank));
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[static_cast<size_t>(p)])
      ctx.fail(std::string(attr) + " " + shape_to_string(perm) + " is not a permutation");
    seen[static_cast<size_t>(p)] = true;
  }
  const std::vector<int64_t> dense = dense_strides(stored);
  View v;
  for (int64_t p : perm) {
    v.shape.push_back(stored[static_cast<size_t>(p)]);
    v.strides.push_back(dense[static_cast<size_t>(p)]);
  }
  return v;
}

// Element offsets of each batch matrix of `v` read with the broadcast batch dims `out`.
std::vector<int64_t> batch_offsets(const View& v, const Shape& out) {
  const auto batch = static_cast<std::ptrdiff_t>(v.shape.size() - 2);
  return matmul_batch_offsets({v.shape.begin(), v.shape.begin() + batch},
                              {v.strides.begin(), v.strides.begin() + batch}, out);
}

PreparedOp prepare_fused_matmul(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  ctx.expect_dtype(0, {DType::kFloat32});
  ctx.expect_dtype(1, {DType::kFloat32});
  const View a = view_of(ctx, 0, "perm_a"), b = view_of(ctx, 1, "perm_b");
  MatMulParams p;
  p.m = a.shape[a.shape.size() - 2];
  p.k = a.shape.back();
  p.n = b.shape.back();
  if (b.shape[b.shape.size() - 2] != p.k)
    ctx.fail("inner dimensions differ: A viewed as " + shape_to_string(a.shape) + ", B as " +
             shape_to_string(b.shape));
  const Shape a_batch(a.shape.begin(), a.shape.end() - 2);
  const Shape b_batch(b.shape.begin(), b.shape.end() - 2);
  const std::optional<Shape> batch = broadcast_shapes(a_batch, b_batch);
  if (!batch)
    ctx.fail("batch dimensions of A viewed as " + shape_to_string(a.shape) + " and B as " +
             shape_to_string(b.shape) + " do not broadcast");
  p.a_offsets = batch_offsets(a, *batch);
  p.b_offsets = batch_offsets(b, *batch);
  p.a_row_stride = a.strides[a.strides.size() - 2];
  p.a_col_stride = a.strides.back();
  p.b_row_stride = b.strides[b.strides.size() - 2];
  p.b_col_stride = b.strides.back();
  p.alpha = ctx.attr_float("alpha", 1.0f);
  Shape y = *batch;
  y.push_back(p.m);
  y.push_back(p.n);
  PreparedOp op;
  op.outputs = {{DType::kFloat32, y}};
  op.flops = 2 * shape_numel(*batch) * p.m * p.n * p.k;
  const KernelOptions& ko = ctx.kernel_options();
  if (ko.optimized && p.m > 0 && p.n > 0 && p.k > 0 && gemm_runtime_b_takes(p)) {
    auto gemm = std::make_shared<GemmRuntimeB>(p, ko.isa, ko.pool ? ko.pool->threads() : 1);
    op.kernel_name = gemm->kernel_name();
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
