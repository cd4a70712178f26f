// fuse-gemm: rewrites Gemm, or MatMul of a 2-D input by a constant 2-D matrix, [+ Add of a
// constant bias] [+ activation] into one hone FusedGemm. Why: the classifier heads of CNNs
// and every MLP layer are gemm + bias + activation; fused, the bias and activation are free
// and the weights are packed once. Assumes constant B (and C); intermediates single-use.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void fuse_gemm(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
