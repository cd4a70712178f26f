// Operand views of the internal matmul ops (FusedMatMul, FusedAttention): the attributes
// fold-matmul-transpose writes (perm_X, and shape_X / strides_X / offset_X / groups_X for a
// Slice + Reshape read in place; X names the operand) turned into MatMulParams, so the
// transposes and slices are read in place, never materialized.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "ir/op_registry.h"
#include "ops/gemm/gemm_reference.h"

namespace hone {

// An operand as the product sees it: the permuted shape, per axis its strided sub-axes in the
// stored input ((size, stride) pairs, outermost first; one unless the view merges axes that
// are not contiguous), and the offset of its first element.
struct OperandView {
  using Subs = std::vector<std::pair<int64_t, int64_t>>;
  Shape shape;
  std::vector<Subs> subs;
  int64_t offset = 0;
};

// Input `input` read through the view attributes with suffix x ("a", "b", "q", ...); fails
// naming the attribute when they do not fit the input.
OperandView operand_view(const OpContext& ctx, size_t input, const std::string& x);

// A dense, unpermuted operand of `shape` (a product computed by the op itself).
OperandView dense_view(const Shape& shape);

// p's m, n, k, operand offsets and strides for A · B of the two views (rank >= 2 each, batch
// dims broadcast); returns the broadcast batch shape. Fails when the inner dimensions differ or
// the batch dims do not broadcast. alpha and the output fields are left as they were.
Shape product_params(const OpContext& ctx, const OperandView& a, const OperandView& b,
                     MatMulParams& p);

// The shape of the products of p: [batch..., m, n].
Shape product_shape(const Shape& batch, const MatMulParams& p);

// The output shape: the product's ([batch..., m, n]), or its Transpose by attribute perm_y,
// which the product is then written into in place (p's output offsets and row stride).
// perm_y keeps the last axis.
Shape write_transposed(const OpContext& ctx, const Shape& product, MatMulParams& p);

}  // namespace hone
