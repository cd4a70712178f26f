#include "ir/ops/matmul_views.h"

#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "ops/common/broadcast.h"
#include "ops/shape/strided_copy.h"

namespace hone {
namespace {

// The operand before its permutation: the stored input itself, or the strided view of it
// that attributes shape_X / strides_X / offset_X / groups_X describe (X names the operand;
// fold-matmul-transpose writes them for a Slice + Reshape read in place): shape_X and
// strides_X list sub-axes, groups_X how many of them make each axis (absent: one each).
OperandView stored_view(const OpContext& ctx, size_t input, const std::string& x) {
  const Shape& stored = ctx.input_shape(input);
  OperandView v;
  if (!ctx.has_attr("shape_" + x)) return dense_view(stored);
  const std::vector<int64_t> dims = ctx.attr_ints("shape_" + x),
                             strides = ctx.attr_ints("strides_" + x, {});
  const std::vector<int64_t> groups =
      ctx.attr_ints("groups_" + x, std::vector<int64_t>(dims.size(), 1));
  v.offset = ctx.attr_int("offset_" + x, 0);
  if (strides.size() != dims.size())
    ctx.fail("strides_" + x + " " + shape_to_string(strides) + " does not fit shape_" + x + " " +
             shape_to_string(dims));
  size_t at = 0;
  for (int64_t g : groups) {
    if (g < 1 || at + static_cast<size_t>(g) > dims.size())
      ctx.fail("groups_" + x + " " + shape_to_string(groups) + " does not fit shape_" + x + " " +
               shape_to_string(dims));
    OperandView::Subs subs;
    int64_t size = 1;
    for (int64_t k = 0; k < g; ++k, ++at) {
      subs.push_back({dims[at], strides[at]});
      size *= dims[at];
    }
    v.shape.push_back(size);
    v.subs.push_back(std::move(subs));
  }
  if (at != dims.size())
    ctx.fail("groups_" + x + " " + shape_to_string(groups) + " does not fit shape_" + x + " " +
             shape_to_string(dims));
  // Every element of the view must lie inside the input.
  int64_t last = v.offset;
  bool empty = false;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0 || strides[i] < 0)
      ctx.fail("shape_" + x + " and strides_" + x + " must not be negative");
    empty = empty || dims[i] == 0;
    if (dims[i] > 0) last += (dims[i] - 1) * strides[i];
  }
  if (!empty && (v.offset < 0 || last >= shape_numel(stored)))
    ctx.fail("the view shape_" + x + " " + shape_to_string(dims) + ", strides_" + x + " " +
             shape_to_string(strides) + ", offset_" + x + " " + std::to_string(v.offset) +
             " reads outside input " + std::to_string(input) + " " + shape_to_string(stored));
  return v;
}

// The element stride of a matrix axis (one sub-axis, operand_view checked).
int64_t matrix_stride(const OperandView& v, size_t from_end) {
  return v.subs[v.subs.size() - from_end].front().second;
}

// Element offsets of each batch matrix of `v` read with the broadcast batch dims `out`
// (row-major; v's batch axes right-aligned against out, size 1 broadcasting).
std::vector<int64_t> batch_offsets(const OperandView& v, const Shape& out) {
  const size_t batch = v.shape.size() - 2, skip = out.size() - batch;
  std::vector<int64_t> offsets, index(out.size(), 0);
  for (int64_t n = 0; n < shape_numel(out); ++n) {
    int64_t offset = v.offset;
    for (size_t d = 0; d < batch; ++d) {
      if (v.shape[d] == 1) continue;
      int64_t i = index[skip + d];
      for (auto sub = v.subs[d].rbegin(); sub != v.subs[d].rend(); ++sub) {
        offset += i % sub->first * sub->second;
        i /= sub->first;
      }
    }
    offsets.push_back(offset);
    for (size_t d = out.size(); d-- > 0;) {
      if (++index[d] < out[d]) break;
      index[d] = 0;
    }
  }
  return offsets;
}

}  // namespace

OperandView operand_view(const OpContext& ctx, size_t input, const std::string& x) {
  const OperandView stored = stored_view(ctx, input, x);
  const auto rank = static_cast<int64_t>(stored.shape.size());
  if (rank < 2)
    ctx.fail("input " + std::to_string(input) + " has rank " + std::to_string(rank) +
             "; a matrix product needs rank >= 2");
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
  OperandView v;
  v.offset = stored.offset;
  for (int64_t p : perm) {
    v.shape.push_back(stored.shape[static_cast<size_t>(p)]);
    v.subs.push_back(stored.subs[static_cast<size_t>(p)]);
  }
  for (size_t axis = v.subs.size() - 2; axis < v.subs.size(); ++axis)
    if (v.subs[axis].size() != 1)
      ctx.fail("the matrix axes of input " + std::to_string(input) +
               "'s view must each be one strided axis (groups_" + x + ")");
  return v;
}

OperandView dense_view(const Shape& shape) {
  const std::vector<int64_t> dense = dense_strides(shape);
  OperandView v;
  v.shape = shape;
  for (size_t i = 0; i < shape.size(); ++i) v.subs.push_back({{shape[i], dense[i]}});
  return v;
}

Shape product_params(const OpContext& ctx, const OperandView& a, const OperandView& b,
                     MatMulParams& p) {
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
  p.a_row_stride = matrix_stride(a, 2);
  p.a_col_stride = matrix_stride(a, 1);
  p.b_row_stride = matrix_stride(b, 2);
  p.b_col_stride = matrix_stride(b, 1);
  return *batch;
}

Shape product_shape(const Shape& batch, const MatMulParams& p) {
  Shape shape = batch;
  shape.push_back(p.m);
  shape.push_back(p.n);
  return shape;
}

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

}  // namespace hone
