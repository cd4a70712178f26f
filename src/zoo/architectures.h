// The zoo's architectures: each function appends one torchvision network (eval mode) to the
// builder, from the image input `x` to the [batch, 1000] logits it returns.
#pragma once

#include "zoo/onnx_builder.h"

namespace hone::zoo {

Val build_alexnet(OnnxBuilder& b, const Val& x);
Val build_vgg16(OnnxBuilder& b, const Val& x);
Val build_resnet18(OnnxBuilder& b, const Val& x);
Val build_resnet50(OnnxBuilder& b, const Val& x);
Val build_resnet101(OnnxBuilder& b, const Val& x);
Val build_densenet121(OnnxBuilder& b, const Val& x);
Val build_mobilenet_v2(OnnxBuilder& b, const Val& x);
Val build_squeezenet1_0(OnnxBuilder& b, const Val& x);
Val build_googlenet(OnnxBuilder& b, const Val& x);
Val build_inception_v3(OnnxBuilder& b, const Val& x);

}  // namespace hone::zoo
