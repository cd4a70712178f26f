// Registry entry of the internal op FusedMatMul (domain "hone", float32): MatMul of
// transposed views with a scale, y = alpha * Transpose(A, perm_a) @ Transpose(B, perm_b),
// where the transposes are read in place, never materialized (fold-matmul-transpose makes
// it from attention's Slice -> Reshape -> Transpose -> Div -> MatMul chains). An empty perm
// means none. Optional shape_a / strides_a / offset_a (and _b) read the input as a strided
// view of that shape before the permutation: the Slice and Reshape, also in place. Optional
// perm_y writes Transpose(y, perm_y) instead of y, in place too.
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
// into the stored input, and the offset of its first element.
struct View {
  Shape shape;
  std::vector<int64_t> strides;
  int64_t offset = 0;
};

// The operand before its permutation: the stored input itself, or the strided view of it
// that attributes shape_X / strides_X / offset_X describe (X = a or b; fold-matmul-transpose
// writes them for a Slice + Reshape read in place).
View stored_view(const OpContext& ctx, size_t input, const std::string& x) {
  const Shape& stored = ctx.input_shape(input);
  if (!ctx.has_attr("shape_" + x)) return {stored, dense_strides(stored), 0};
  View v{ctx.attr_ints("shape_" + x), ctx.attr_ints("strides_" + x, {}),
         ctx.attr_int("offset_" + x, 0)};
  if (v.strides.size() != v.shape.size())
    ctx.fail("strides_" + x + " " + shape_to_string(v.strides) + " does not fit shape_" + x + " " +
             shape_to_string(v.shape));
  // Every element of the view must lie inside the input.
  int64_t last = v.offset;
  bool empty = false;
  for (size_t i = 0; i < v.shape.size(); ++i) {
    if (v.shape[i] < 0 || v.strides[i] < 0)
      ctx.fail("shape_" + x + " and strides_" + x + " must not be negative");
    empty = empty || v.shape[i] == 0;
    if (v.shape[i] > 0) last += (v.shape[i] - 1) * v.strides[i];
  }
  if (!empty && (v.offset < 0 || last >= shape_numel(stored)))
    ctx.fail("the view shape_" + x + " " + shape_to_string(v.shape) + ", strides_" + x + " " +
             shape_to_string(v.strides) + ", offset_" + x + " " + std::to_string(v.offset) +
             " reads outside input " + std::to_string(input) + " " + shape_to_string(stored));
  return v;
}

View view_of(const OpContext& ctx, size_t input, const std::string& x) {
  const View stored = stored_view(ctx, input, x);
  const auto rank = static_cast<int64_t>(stored.shape.size());
  if (rank < 2)
    ctx.fail("input " + std::to_string(input) + " has rank " + std::to_string(rank) +
             "; FusedMatMul needs matrices (rank >= 2)");
  const std::string attr = "perm_" + x;
  std::vector<int64_t> perm = ctx.attr_ints(attr, {});
  if (perm.empty()) {
    perm.resize(stored.shape.size());
    std::iota(perm.begin(), perm.end(), 0);
  }
  std::vector<bool> seen(stored.shape.size(), false);
  if (static_cast<int64_t>(perm.size()) != rank)
    ctx.fail(attr + " " + shape_to_string(perm) + " does not fit input " + std::to_string(input) +
             " of rank " + std::to_string(rank));
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[static_cast<size_t>(p)])
      ctx.fail(attr + " " + shape_to_string(perm) + " is not a permutation");
    seen[static_cast<size_t>(p)] = true;
  }
  View v;
  v.offset = stored.offset;
  for (int64_t p : perm) {
    v.shape.push_back(stored.shape[static_cast<size_t>(p)]);
    v.strides.push_back(stored.strides[static_cast<size_t>(p)]);
  }
  return v;
}

// Element offsets of each batch matrix of `v` read with the broadcast batch dims `out`.
std::vector<int64_t> batch_offsets(const View& v, const Shape& out) {
  const auto batch = static_cast<std::ptrdiff_t>(v.shape.size() - 2);
  std::vector<int64_t> offsets =
      matmul_batch_offsets({v.shape.begin(), v.shape.begin() + batch},
                           {v.strides.begin(), v.strides.begin() + batch}, out);
  for (int64_t& o : offsets) o += v.offset;
  return offsets;
}

// The output shape: the product's, or its Transpose by perm_y, which the product is then
// written into in place (p's output offsets and row stride). perm_y keeps the last axis.
Shape write_transposed(const OpContext& ctx, const Shape& product, MatMulParams& p) {
  const std::vector<int64_t> perm = ctx.attr_ints("perm_y", {});
  if (perm.empty()) return product;
  const auto rank = static_cast<int64_t>(product.size());
  std::vector<bool> seen(product.size(), false);
  bool ok = static_cast<int64_t>(perm.size()) == rank;
  for (size_t i = 0; ok && i < perm.size(); ++i) {
    ok = perm[i] >= 0 && perm[i] < rank && !seen[static_cast<size_t>(perm[i])];
    if (ok) seen[static_cast<size_t>(perm[i])] = true;
  }
  if (!ok)
    ctx.fail("perm_y " + shape_to_string(perm) + " is not a permutation of the product's " +
             std::to_string(rank) + " axes");
  if (perm.back() != rank - 1)
    ctx.fail("perm_y " + shape_to_string(perm) + " must keep the product's last axis last");
  Shape y;
  for (int64_t a : perm) y.push_back(product[static_cast<size_t>(a)]);
  // The product's axis perm[j] steps like output axis j.
  const std::vector<int64_t> dense = dense_strides(y);
  std::vector<int64_t> strides(product.size());
  for (size_t j = 0; j < perm.size(); ++j) strides[static_cast<size_t>(perm[j])] = dense[j];
  const Shape batch(product.begin(), product.end() - 2);
  p.y_offsets = matmul_batch_offsets(batch, {strides.begin(), strides.end() - 2}, batch);
  p.y_row_stride = strides[strides.size() - 2];
  return y;
}

PreparedOp prepare_fused_matmul(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  ctx.expect_dtype(0, {DType::kFloat32});
  ctx.expect_dtype(1, {DType::kFloat32});
  const View a = view_of(ctx, 0, "a"), b = view_of(ctx, 1, "b");
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
  Shape product = *batch;
  product.push_back(p.m);
  product.push_back(p.n);
  const Shape y = write_transposed(ctx, product, p);
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
