// First stage of the ONNX frontend: bytes -> a checked ModelProto (parse, inline external
// data, sort nodes, run onnx::checker, apply input-shape overrides), and the move of old
// opsets to opset 13 with ONNX's version converter and hone's fix-ups around it.
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
// The same for the file at `path`, read in blocks: its bytes are never held whole next to
// the parsed model (a model's size is nearly all weights). Errors name `path`.
LoadedModel load_model_file(const std::string& path, const std::string& base_dir,
                            const std::map<std::string, Shape>& input_shapes);

// Converts a model below kCanonicalOpset to it in place. Returns false, with the reason in
// conversion_error, when ONNX's converter fails or drops an initializer's bytes (the model may then
// be partly rewritten).
// libonnx's shape inference, which the conversion runs, crashes on some malformed models:
// call it only on models that passed hone's own validation, or that nothing else can read.
bool convert_to_canonical(LoadedModel& loaded);

// The default-domain opset a model imports; throws naming `source` when there is none.
int default_opset(const onnx::ModelProto& model, const std::string& source);

// Orders graph.node topologically (stable: a sorted graph keeps its order). Throws naming the
// node when an input is undefined or the nodes form a cycle.
void sort_nodes_topologically(onnx::GraphProto& graph, const std::string& source);

}  // namespace hone
