// fuse-layer-norm: rewrites LayerNorm as exporters write it before ONNX had the op (torch.onnx
// below opset 17, Keras converters):
//   mean = ReduceMean(x, trailing axes); d = x - mean; var = ReduceMean(d^2 or d*d);
//   y = d / Sqrt(var + eps) [* gamma] [+ beta]
// into one LayerNormalization. Why: nine elementwise and reduction steps over the activation
// become one two-pass kernel (Swin-T, BERT-style encoders exported at opset 11-16).
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void fuse_layer_norm(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
