// torchvision.models.mobilenet_v2 (width 1.0): inverted residual blocks, ReLU6 as Clip(0, 6).
#include <string>

#include "zoo/architectures.h"

namespace hone::zoo {

namespace {

// torchvision's Conv2dNormActivation: conv (no bias) + BN + ReLU6, at <p>.0, .1, .2.
Val conv_bn_relu6(OnnxBuilder& b, const std::string& p, const Val& x, int64_t out_c, int64_t kernel,
                  int64_t stride, int64_t group) {
  int64_t pad = (kernel - 1) / 2;
  Val h = b.conv(p + ".0", x,
                 {.out_channels = out_c,
                  .kernel = {kernel, kernel},
                  .stride = {stride, stride},
                  .pad = {pad, pad},
                  .group = group,
                  .bias = false});
  h = b.batch_norm(p + ".1", h);
  return b.relu6(p + ".2", h);
}

Val inverted_residual(OnnxBuilder& b, const std::string& p, const Val& x, int64_t out_c,
                      int64_t stride, int64_t expand_ratio) {
  int64_t in_c = x.shape[1];
  int64_t hidden = in_c * expand_ratio;
  bool residual = stride == 1 && in_c == out_c;
  int index = 0;  // position in the block's `conv` Sequential
  Val h = x;
  if (expand_ratio != 1)
    h = conv_bn_relu6(b, p + ".conv." + std::to_string(index++), h, hidden, 1, 1, 1);
  h = conv_bn_relu6(b, p + ".conv." + std::to_string(index++), h, hidden, 3, stride, hidden);
  h = b.conv(p + ".conv." + std::to_string(index++), h, {.out_channels = out_c, .bias = false});
  h = b.batch_norm(p + ".conv." + std::to_string(index++), h,
                   residual ? kResidualBranchBn : BnInit{});
  return residual ? b.add(p + ".add", x, h) : h;
}

}  // namespace

Val build_mobilenet_v2(OnnxBuilder& b, const Val& x) {
  struct Stage {
    int64_t expand, channels, repeats, stride;
  };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int index = 0;  // position in `features`
  Val h = conv_bn_relu6(b, "features." + std::to_string(index++), x, 32, 3, 2, 1);
  for (const Stage& s : stages) {
    for (int64_t i = 0; i < s.repeats; ++i) {
      h = inverted_residual(b, "features." + std::to_string(index++), h, s.channels,
                            i == 0 ? s.stride : 1, s.expand);
    }
  }
  h = conv_bn_relu6(b, "features." + std::to_string(index++), h, 1280, 1, 1, 1);
  h = b.adaptive_avg_pool("avgpool", h, {1, 1});  // nn.functional.adaptive_avg_pool2d
  h = b.flatten("flatten", h);
  // classifier.0 is Dropout: omitted (eval mode).
  return b.linear("classifier.1", h, 1000, false);
}

}  // namespace hone::zoo
