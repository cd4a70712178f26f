// ONNX frontend: reads a model file (or bytes), checks it, brings it to one internal opset
// form, applies input-shape overrides, infers every shape (folding what is constant) and
// returns hone's Graph. Every failure is a hone::Error naming the file and node.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/tensor.h"
#include "ir/graph.h"

namespace hone {

struct ImportOptions {
  // Graph input name -> shape that replaces the declared (possibly symbolic) one.
  std::map<std::string, Shape> input_shapes;
  // Graph inputs frozen to these values (they become constants). The conformance runner
  // uses it for inputs that decide output shapes (Reshape's shape, Tile's repeats, ...).
  std::map<std::string, Tensor> bind_inputs;
};

Graph import_onnx_file(const std::string& path, const ImportOptions& options = {});
// `source` names the model in error messages; `base_dir` resolves external data files.
Graph import_onnx_bytes(std::string_view bytes, const std::string& source,
                        const std::string& base_dir, const ImportOptions& options = {});

}  // namespace hone
