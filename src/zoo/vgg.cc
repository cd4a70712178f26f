// torchvision.models.vgg16 (configuration "D", no batch norm).
#include <string>
#include <vector>

#include "zoo/architectures.h"

namespace hone::zoo {

namespace {

constexpr int64_t kMaxPool = 0;  // marks a max pool in the configuration list

Val vgg(OnnxBuilder& b, const Val& x, const std::vector<int64_t>& config) {
  Val h = x;
  int index = 0;  // position in torchvision's `features` Sequential
  for (int64_t c : config) {
    if (c == kMaxPool) {
      h = b.max_pool("features." + std::to_string(index++), h,
                     {.kernel = {2, 2}, .stride = {2, 2}});
      continue;
    }
    h = b.conv("features." + std::to_string(index++), h,
               {.out_channels = c, .kernel = {3, 3}, .pad = {1, 1}});
    h = b.relu("features." + std::to_string(index++), h);
  }
  h = b.adaptive_avg_pool("avgpool", h, {7, 7});
  h = b.flatten("flatten", h);
  // classifier.2 and .5 are Dropout: omitted (eval mode).
  h = b.linear("classifier.0", h, 4096, true);
  h = b.relu("classifier.1", h);
  h = b.linear("classifier.3", h, 4096, true);
  h = b.relu("classifier.4", h);
  return b.linear("classifier.6", h, 1000, false);
}

}  // namespace

Val build_vgg16(OnnxBuilder& b, const Val& x) {
  const int64_t M = kMaxPool;
  return vgg(b, x, {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M});
}

}  // namespace hone::zoo
