// First stage of the ONNX frontend: bytes -> a checked ModelProto in one opset form
// (parse, inline external data, sort nodes, run onnx::checker, apply input-shape overrides,
// convert old opsets to 13 with ONNX's version converter where it works).
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <string>
#include <string_view>

#include "core/tensor.h"

namespace hone {

// The opsets hone reads. Older models go through ONNX's version converter.
constexpr int kMinOpset = 7;
constexpr int kMaxOpset = 17;
// The opset whose input forms hone's op entries expect (see docs/decisions/002).
constexpr int kCanonicalOpset = 13;

struct LoadedModel {
  onnx::ModelProto model;
  int original_opset = 0;
  int opset = 0;                 // the opset the nodes are written in now
  bool converted = false;        // true when ONNX's version converter rewrote the model
  std::string conversion_error;  // why the converter was not used, when it failed
};

// Parses and checks `bytes`; errors name `source`. `input_shapes` overrides graph input shapes.
LoadedModel load_model(std::string_view bytes, const std::string& source,
                       const std::string& base_dir,
                       const std::map<std::string, Shape>& input_shapes);

// The default-domain opset a model imports; throws naming `source` when there is none.
int default_opset(const onnx::ModelProto& model, const std::string& source);

// Orders graph.node topologically (stable: a sorted graph keeps its order). Throws naming the
// node when an input is undefined or the nodes form a cycle.
void sort_nodes_topologically(onnx::GraphProto& graph, const std::string& source);

}  // namespace hone
