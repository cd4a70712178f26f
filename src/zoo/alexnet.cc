// torchvision.models.alexnet: five convs, three max pools, three fully connected layers.
#include "zoo/architectures.h"

namespace hone::zoo {

Val build_alexnet(OnnxBuilder& b, const Val& x) {
  const PoolSpec pool{.kernel = {3, 3}, .stride = {2, 2}};
  Val h = b.conv("features.0", x,
                 {.out_channels = 64, .kernel = {11, 11}, .stride = {4, 4}, .pad = {2, 2}});
  h = b.relu("features.1", h);
  h = b.max_pool("features.2", h, pool);
  h = b.conv("features.3", h, {.out_channels = 192, .kernel = {5, 5}, .pad = {2, 2}});
  h = b.relu("features.4", h);
  h = b.max_pool("features.5", h, pool);
  h = b.conv("features.6", h, {.out_channels = 384, .kernel = {3, 3}, .pad = {1, 1}});
  h = b.relu("features.7", h);
  h = b.conv("features.8", h, {.out_channels = 256, .kernel = {3, 3}, .pad = {1, 1}});
  h = b.relu("features.9", h);
  h = b.conv("features.10", h, {.out_channels = 256, .kernel = {3, 3}, .pad = {1, 1}});
  h = b.relu("features.11", h);
  h = b.max_pool("features.12", h, pool);
  // AdaptiveAvgPool2d((6, 6)) on a 6x6 map: torch exports a 1x1 AveragePool.
  h = b.adaptive_avg_pool("avgpool", h, {6, 6});
  h = b.flatten("flatten", h);
  // classifier.0 and .3 are Dropout: identity in eval mode, omitted.
  h = b.linear("classifier.1", h, 4096, true);
  h = b.relu("classifier.2", h);
  h = b.linear("classifier.4", h, 4096, true);
  h = b.relu("classifier.5", h);
  return b.linear("classifier.6", h, 1000, false);
}

}  // namespace hone::zoo
