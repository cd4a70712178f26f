// Second stage of the ONNX frontend: a loaded ModelProto -> hone's Graph (values, constants,
// inputs with their final shapes, nodes with attributes), without shape inference.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "frontend/onnx/onnx_importer.h"
#include "ir/graph.h"

namespace hone {

// `opset` is the default-domain opset the model's nodes are written in. Errors name the node
// or value; the caller prefixes the file.
Graph build_graph(const onnx::ModelProto& model, int opset, const ImportOptions& options,
                  const std::string& base_dir);
// The same, emptying each initializer of `model` once its value is copied: the weights are
// held once, not twice, for the caller that reads nothing of the proto afterwards.
Graph build_graph_consuming(onnx::ModelProto& model, int opset, const ImportOptions& options,
                            const std::string& base_dir);

// Throws one UnsupportedError listing every op type the registry lacks, with one node each:
// "unsupported ops: Foo (node 'foo_1'), Bar (node 'b')".
void check_ops_supported(const Graph& graph);

}  // namespace hone
