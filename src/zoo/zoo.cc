// The zoo's table of models and the code that turns one into an ONNX file.
#include "zoo/zoo.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <limits>

#include "core/atomic_file.h"
#include "core/error.h"
#include "zoo/architectures.h"
#include "zoo/zoo_model.h"

namespace hone {

namespace {

constexpr int kMinOpset = 7;
constexpr int kMaxOpset = 17;  // the newest opset libonnx-dev 1.12 knows

struct ZooEntry {
  const char* name;
  const char* description;
  int64_t image_size;
  zoo::Val (*build)(zoo::OnnxBuilder&, const zoo::Val&);
};

const ZooEntry kZoo[] = {
    {"alexnet", "AlexNet: 5 conv + 3 fully connected layers, 61.1M params", 224,
     zoo::build_alexnet},
    {"googlenet", "GoogLeNet (Inception v1) with BatchNorm, no aux heads, 6.6M params", 224,
     zoo::build_googlenet},
    {"inception_v3", "Inception v3, 299x299 input, no aux head, 23.8M params", 299,
     zoo::build_inception_v3},
    {"resnet18", "ResNet-18: basic residual blocks, 11.7M params", 224, zoo::build_resnet18},
    {"resnet50", "ResNet-50 (v1.5): bottleneck residual blocks, 25.6M params", 224,
     zoo::build_resnet50},
    {"resnet101", "ResNet-101 (v1.5): bottleneck residual blocks, 44.5M params", 224,
     zoo::build_resnet101},
    {"densenet121", "DenseNet-121: densely connected BN-ReLU-Conv layers, 8.0M params", 224,
     zoo::build_densenet121},
    {"mobilenet_v2", "MobileNetV2: inverted residuals, depthwise convs, ReLU6, 3.5M params", 224,
     zoo::build_mobilenet_v2},
    {"squeezenet1_0", "SqueezeNet 1.0: Fire modules, conv classifier, 1.2M params", 224,
     zoo::build_squeezenet1_0},
    {"vgg16", "VGG-16: 13 conv + 3 fully connected layers, 138.4M params", 224, zoo::build_vgg16},
};

std::string valid_names() {
  std::string names;
  for (const auto& e : kZoo) names += std::string(names.empty() ? "" : ", ") + e.name;
  return names;
}

const ZooEntry& find_entry(const std::string& name) {
  for (const auto& e : kZoo)
    if (name == e.name) return e;
  throw Error("zoo: unknown model '" + name + "' (valid: " + valid_names() + ")");
}

// The oldest IR version that knows `opset`, but at least 4: IR 3 would require every
// initializer to be listed as a graph input too, which importers treat as overridable.
int64_t ir_version_for(int opset) {
  if (opset <= 9) return 4;
  if (opset == 10) return 5;
  if (opset == 11) return 6;
  if (opset <= 14) return 7;
  return 8;
}

void check_options(const ZooOptions& options) {
  if (options.opset < kMinOpset || options.opset > kMaxOpset) {
    throw Error("zoo: opset " + std::to_string(options.opset) + " is out of range (" +
                std::to_string(kMinOpset) + ".." + std::to_string(kMaxOpset) + ")");
  }
  if (options.batch < 1) {
    throw Error("zoo: batch must be at least 1 (got " + std::to_string(options.batch) + ")");
  }
}

}  // namespace

std::vector<ZooModelInfo> zoo_models() {
  std::vector<ZooModelInfo> models;
  for (const auto& e : kZoo)
    models.push_back({e.name, e.description, {1, 3, e.image_size, e.image_size}});
  return models;
}

onnx::ModelProto zoo_build_model(const std::string& name, const ZooOptions& options) {
  const ZooEntry& entry = find_entry(name);
  check_options(options);
  onnx::ModelProto model;
  model.set_ir_version(ir_version_for(options.opset));
  model.set_producer_name("hone zoo");
  model.set_producer_version("1");
  model.set_doc_string(std::string(entry.description) +
                       ". torchvision architecture, synthetic weights (seed " +
                       std::to_string(options.seed) + ").");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(options.opset);
  auto* graph = model.mutable_graph();
  graph->set_name(entry.name);
  zoo::OnnxBuilder builder(graph, options.opset, options.seed);
  zoo::Val data = builder.input("data", {options.batch, 3, entry.image_size, entry.image_size});
  zoo::Val logits = entry.build(builder, data);
  builder.output(logits, "logits");
  return model;
}

std::string zoo_serialize(const onnx::ModelProto& model) {
  size_t size = model.ByteSizeLong();
  if (size > static_cast<size_t>(std::numeric_limits<int>::max()))
    throw Error("zoo: model '" + model.graph().name() + "' exceeds protobuf's 2 GiB limit");
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    // Deterministic so the same seed always gives the same file.
    coded.SetSerializationDeterministic(true);
    if (!model.SerializeToCodedStream(&coded) || coded.HadError())
      throw Error("zoo: cannot serialize model '" + model.graph().name() + "'");
  }
  return bytes;
}

void zoo_make(const std::string& name, const std::string& path, const ZooOptions& options) {
  find_entry(name);
  check_options(options);
  // Fail before spending seconds and hundreds of MB on the weights.
  check_file_writable(path, "zoo output");
  write_file_atomically(path, zoo_serialize(zoo_build_model(name, options)));
}

}  // namespace hone
