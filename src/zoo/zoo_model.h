// The zoo in memory: builds a model's ONNX ModelProto without writing it (zoo_make writes
// it; tests and tools inspect it directly).
#pragma once

#include <string>

#include "onnx/onnx_pb.h"
#include "zoo/zoo.h"

namespace hone {

// Throws hone::Error for an unknown name (listing the valid ones), an opset outside 7..17 or
// a batch < 1.
onnx::ModelProto zoo_build_model(const std::string& name, const ZooOptions& options);

// The model's bytes, serialized deterministically (same model -> same bytes).
std::string zoo_serialize(const onnx::ModelProto& model);

}  // namespace hone
