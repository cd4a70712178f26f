// torchvision.models.densenet121: growth rate 32, blocks (6, 12, 24, 16), BN-ReLU-Conv layers.
#include <string>
#include <vector>

#include "zoo/architectures.h"

namespace hone::zoo {

namespace {

constexpr int64_t kGrowthRate = 32;
constexpr int64_t kBottleneckSize = 4;

// Like torchvision's _DenseLayer, each layer concatenates all the features before it (a
// Concat per layer, as torch exports it); a single input needs no Concat.
Val dense_layer(OnnxBuilder& b, const std::string& p, const std::vector<Val>& features) {
  Val h = features.size() == 1 ? features[0] : b.concat(p + ".concat", features);
  h = b.batch_norm(p + ".norm1", h);
  h = b.relu(p + ".relu1", h);
  h = b.conv(p + ".conv1", h, {.out_channels = kBottleneckSize * kGrowthRate, .bias = false});
  h = b.batch_norm(p + ".norm2", h);
  h = b.relu(p + ".relu2", h);
  return b.conv(p + ".conv2", h,
                {.out_channels = kGrowthRate, .kernel = {3, 3}, .pad = {1, 1}, .bias = false});
}

Val transition(OnnxBuilder& b, const std::string& p, const Val& x) {
  Val h = b.batch_norm(p + ".norm", x);
  h = b.relu(p + ".relu", h);
  h = b.conv(p + ".conv", h, {.out_channels = x.shape[1] / 2, .bias = false});
  return b.avg_pool(p + ".pool", h, {.kernel = {2, 2}, .stride = {2, 2}});
}

}  // namespace

Val build_densenet121(OnnxBuilder& b, const Val& x) {
  const int blocks[4] = {6, 12, 24, 16};
  Val h = b.conv(
      "features.conv0", x,
      {.out_channels = 64, .kernel = {7, 7}, .stride = {2, 2}, .pad = {3, 3}, .bias = false});
  h = b.batch_norm("features.norm0", h);
  h = b.relu("features.relu0", h);
  h = b.max_pool("features.pool0", h, {.kernel = {3, 3}, .stride = {2, 2}, .pad = {1, 1}});
  for (int i = 0; i < 4; ++i) {
    std::string block = "features.denseblock" + std::to_string(i + 1);
    std::vector<Val> features = {h};
    for (int layer = 0; layer < blocks[i]; ++layer) {
      features.push_back(
          dense_layer(b, block + ".denselayer" + std::to_string(layer + 1), features));
    }
    h = b.concat(block + ".concat", features);
    if (i < 3) h = transition(b, "features.transition" + std::to_string(i + 1), h);
  }
  h = b.batch_norm("features.norm5", h);
  h = b.relu("relu", h);  // F.relu in DenseNet.forward
  h = b.adaptive_avg_pool("avgpool", h, {1, 1});
  h = b.flatten("flatten", h);
  return b.linear("classifier", h, 1000, false);
}

}  // namespace hone::zoo
