// fold-batchnorm: folds an inference BatchNormalization into the Conv or Gemm that feeds it
// (scaled weights, shifted bias). Why: every CNN exporter emits conv -> BN, and the fold
// removes a full pass over the activation. Assumes constant BN parameters and weights; the
// producer's output must have no other reader.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void fold_batchnorm(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
