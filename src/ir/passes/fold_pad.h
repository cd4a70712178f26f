// fold-pad: a Pad by the constant 0 over the spatial axes only, read only by Conv or
// AveragePool, becomes those ops' own padding (AveragePool counting the padded zeros, as the
// Pad made it do).
// Why: torch.onnx writes avg_pool2d(padding=p) as Pad + AveragePool (Inception-v3's pool
// branches) and TensorFlow exports pad before strided convs. A separate Pad is a copy of the
// whole tensor on the generic kernel and keeps the pool out of the blocked layout.
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void fold_pad(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
