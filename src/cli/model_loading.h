// Loading a model for a subcommand: parses --input-shapes, imports the ONNX file and checks
// every --input-shapes name is a real (non-constant) graph input.
#pragma once

#include <string>

#include "ir/graph.h"

namespace hone {

// `input_shapes` is the raw --input-shapes text; `given` says whether the flag was used (an
// empty value is then an error, not "no overrides").
Graph load_model(const std::string& path, const std::string& input_shapes, bool given);

}  // namespace hone
