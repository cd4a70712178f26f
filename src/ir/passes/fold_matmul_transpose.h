// fold-matmul-transpose: a MatMul whose B is computed at run time (attention's Q·Kᵀ and
// weights·V), together with a Transpose feeding either operand and a Div or Mul of either by a
// scalar constant, becomes one hone FusedMatMul that reads the untransposed tensors in place
// and applies the scale as alpha. Why: torch.onnx writes multi-head attention as Transposes of
// [tokens, heads, dim] slices into [heads, tokens, dim] and a scaled query; each Transpose
// copied the tensor (ViT-B/16: 36 copies per inference). float32, operands of rank >= 2; a
// Transpose folds only when the source's innermost axis stays one of the matrix axes (the
// packed kernel then reads the operand as a plain or transposed matrix); intermediates must
// be single-use.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void fold_matmul_transpose(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
