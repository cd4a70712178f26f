// The model zoo: writes, offline, ONNX files with the layer structure of well-known CNNs
// (alexnet, googlenet, inception_v3, resnet18/50/101, densenet121, mobilenet_v2,
// squeezenet1_0, vgg16) and deterministic random weights. Synthetic weights, real structure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hone {

struct ZooModelInfo {
  std::string name;                  // "resnet50"
  std::string description;           // one line, for `hone zoo list`
  std::vector<int64_t> input_shape;  // at batch 1, e.g. {1,3,224,224}
};

struct ZooOptions {
  int64_t batch = 1;
  uint64_t seed = 0;
  int opset = 13;  // default-domain opset to write (7..17)
};

std::vector<ZooModelInfo> zoo_models();
// Writes the model atomically to `path`. Throws hone::Error for an unknown name, an opset
// out of range, a bad batch or an unwritable path.
void zoo_make(const std::string& name, const std::string& path, const ZooOptions& options);

}  // namespace hone
