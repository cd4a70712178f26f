// Conversion of ONNX TensorProto messages (typed fields, raw_data, external data) to
// hone Tensors, and reading the serialized TensorProto files of ONNX's test data sets.
#pragma once

#include <string>

#include "core/tensor.h"

namespace onnx {
class TensorProto;
}

namespace hone {

// `base_dir` is where external data files are looked up; `where` prefixes error messages.
Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir,
                         const std::string& where);
// Reads one serialized TensorProto (input_0.pb, output_0.pb, ...). Sets *name to its name.
Tensor read_tensor_pb_file(const std::string& path, std::string* name = nullptr);

}  // namespace hone
