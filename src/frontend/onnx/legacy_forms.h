// Brings the input forms of older opsets to the canonical opset-13 form that hone's op
// entries expect (see docs/decisions/002-opset-normalization.md). Two kinds of rewrites:
// on the ModelProto around ONNX's version converter, and on hone's Graph for models the
// converter could not move (then the Graph keeps the model's opset for op semantics).
#pragma once

#include <onnx/onnx_pb.h>

#include "ir/graph.h"

namespace hone {

// Opset < 13 Softmax/LogSoftmax/Hardmax with an axis other than the last one coerce their
// input to 2-D; rewrites them as Flatten -> op(axis 1) -> Reshape(Shape(x)), which means the
// same in every opset, so the converter never has to guess shapes for them. Nodes whose axis
// is the last one of an input of known rank (graph.value_info, inputs, initializers) are left
// as they are. Returns true when it rewrote a node.
bool rewrite_legacy_softmax(onnx::GraphProto& graph, int opset);

// Opset < 7 PRelu broadcasts a 1-D slope over the channel axis (PyTorch's per-channel
// PReLU); opset 7 broadcasts numpy-style from the right, and the converter changes nothing.
// Gives such slopes (initializers) the shape [C, 1, ..., 1] for inputs of known rank >= 3.
void fix_legacy_prelu(onnx::ModelProto& model, int opset);

// ONNX's converter turns Upsample and Resize-10 into Resize-11+ without saying how to map
// coordinates, which changes results; sets the asymmetric/floor (ceil when downsampling)
// behaviour of the old ops on every Resize node that has no explicit modes.
void fix_converted_resize(onnx::GraphProto& graph);

// Attribute forms -> constant inputs (Slice, Squeeze, Unsqueeze, Split, ReduceSum, Pad, Clip,
// Dropout) and BatchNormalization's legacy attributes. Idempotent; leaves nodes already in
// the canonical form unchanged. Upsample and Resize-10 stay as they are: their registry
// entries read them by ctx.opset().
void normalize_legacy_forms(Graph& graph);

}  // namespace hone
