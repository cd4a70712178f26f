// batchnorm-to-scaleshift: turns each BatchNormalization that fold-batchnorm could not fold
// (DenseNet's pre-activation BN, a BN after a pool or a concat) into a hone ScaleShift with
// precomputed per-channel scale and shift, plus the activation after it. Why: one
// multiply-add per element instead of BN's four parameters, and the activation rides along.
// Assumes constant BN parameters and a 4-D float input.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void batchnorm_to_scaleshift(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
