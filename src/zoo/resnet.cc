// torchvision.models.resnet18 / 50 / 101: BasicBlock and Bottleneck (v1.5: stride on the 3x3).
#include <string>
#include <vector>

#include "zoo/architectures.h"

namespace hone::zoo {

namespace {

Val downsample(OnnxBuilder& b, const std::string& p, const Val& x, int64_t out_c, int64_t stride) {
  Val h = b.conv(p + ".downsample.0", x,
                 {.out_channels = out_c, .stride = {stride, stride}, .bias = false});
  return b.batch_norm(p + ".downsample.1", h);
}

Val basic_block(OnnxBuilder& b, const std::string& p, const Val& x, int64_t planes,
                int64_t stride) {
  Val h = b.conv(p + ".conv1", x,
                 {.out_channels = planes,
                  .kernel = {3, 3},
                  .stride = {stride, stride},
                  .pad = {1, 1},
                  .bias = false});
  h = b.batch_norm(p + ".bn1", h);
  h = b.relu(p + ".relu", h);
  h = b.conv(p + ".conv2", h,
             {.out_channels = planes, .kernel = {3, 3}, .pad = {1, 1}, .bias = false});
  h = b.batch_norm(p + ".bn2", h, kResidualBranchBn);
  Val identity = x;
  if (stride != 1 || x.shape[1] != planes) identity = downsample(b, p, x, planes, stride);
  h = b.add(p + ".add", h, identity);
  return b.relu(p + ".relu", h);  // the block's one ReLU module, applied twice
}

Val bottleneck(OnnxBuilder& b, const std::string& p, const Val& x, int64_t planes, int64_t stride) {
  constexpr int64_t kExpansion = 4;
  Val h = b.conv(p + ".conv1", x, {.out_channels = planes, .bias = false});
  h = b.batch_norm(p + ".bn1", h);
  h = b.relu(p + ".relu", h);
  h = b.conv(p + ".conv2", h,
             {.out_channels = planes,
              .kernel = {3, 3},
              .stride = {stride, stride},
              .pad = {1, 1},
              .bias = false});
  h = b.batch_norm(p + ".bn2", h);
  h = b.relu(p + ".relu", h);
  h = b.conv(p + ".conv3", h, {.out_channels = planes * kExpansion, .bias = false});
  h = b.batch_norm(p + ".bn3", h, kResidualBranchBn);
  Val identity = x;
  if (stride != 1 || x.shape[1] != planes * kExpansion)
    identity = downsample(b, p, x, planes * kExpansion, stride);
  h = b.add(p + ".add", h, identity);
  return b.relu(p + ".relu", h);
}

Val resnet(OnnxBuilder& b, const Val& x, bool use_bottleneck, const std::vector<int>& layers) {
  Val h = b.conv(
      "conv1", x,
      {.out_channels = 64, .kernel = {7, 7}, .stride = {2, 2}, .pad = {3, 3}, .bias = false});
  h = b.batch_norm("bn1", h);
  h = b.relu("relu", h);
  h = b.max_pool("maxpool", h, {.kernel = {3, 3}, .stride = {2, 2}, .pad = {1, 1}});
  const int64_t planes[4] = {64, 128, 256, 512};
  for (size_t layer = 0; layer < layers.size(); ++layer) {
    for (int block = 0; block < layers[layer]; ++block) {
      std::string p = "layer" + std::to_string(layer + 1) + "." + std::to_string(block);
      int64_t stride = (layer > 0 && block == 0) ? 2 : 1;
      h = use_bottleneck ? bottleneck(b, p, h, planes[layer], stride)
                         : basic_block(b, p, h, planes[layer], stride);
    }
  }
  h = b.adaptive_avg_pool("avgpool", h, {1, 1});
  h = b.flatten("flatten", h);
  return b.linear("fc", h, 1000, false);
}

}  // namespace

Val build_resnet18(OnnxBuilder& b, const Val& x) {
  return resnet(b, x, false, {2, 2, 2, 2});
}
Val build_resnet50(OnnxBuilder& b, const Val& x) {
  return resnet(b, x, true, {3, 4, 6, 3});
}
Val build_resnet101(OnnxBuilder& b, const Val& x) {
  return resnet(b, x, true, {3, 4, 23, 3});
}

}  // namespace hone::zoo
