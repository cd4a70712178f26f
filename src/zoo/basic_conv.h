// torchvision's BasicConv2d (GoogLeNet, Inception v3): conv without bias, BN (eps 0.001), ReLU.
#pragma once

#include <string>

#include "zoo/onnx_builder.h"

namespace hone::zoo {

inline Val basic_conv(OnnxBuilder& b, const std::string& p, const Val& x, int64_t out_c,
                      Pair kernel, Pair stride = {1, 1}, Pair pad = {0, 0}) {
  Val h = b.conv(
      p + ".conv", x,
      {.out_channels = out_c, .kernel = kernel, .stride = stride, .pad = pad, .bias = false});
  h = b.batch_norm(p + ".bn", h, {.epsilon = 0.001f});
  return b.relu(p + ".relu", h);  // F.relu in BasicConv2d.forward
}

}  // namespace hone::zoo
