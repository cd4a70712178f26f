// torchvision.models.squeezenet1_0: Fire modules; the classifier is a 1x1 conv + global pool.
#include <string>

#include "zoo/architectures.h"

namespace hone::zoo {

namespace {

Val fire(OnnxBuilder& b, const std::string& p, const Val& x, int64_t squeeze, int64_t expand1x1,
         int64_t expand3x3) {
  Val s = b.conv(p + ".squeeze", x, {.out_channels = squeeze});
  s = b.relu(p + ".squeeze_activation", s);
  Val e1 = b.conv(p + ".expand1x1", s, {.out_channels = expand1x1});
  e1 = b.relu(p + ".expand1x1_activation", e1);
  Val e3 =
      b.conv(p + ".expand3x3", s, {.out_channels = expand3x3, .kernel = {3, 3}, .pad = {1, 1}});
  e3 = b.relu(p + ".expand3x3_activation", e3);
  return b.concat(p + ".concat", {e1, e3});
}

}  // namespace

Val build_squeezenet1_0(OnnxBuilder& b, const Val& x) {
  const PoolSpec pool{.kernel = {3, 3}, .stride = {2, 2}, .ceil_mode = true};
  Val h = b.conv("features.0", x, {.out_channels = 96, .kernel = {7, 7}, .stride = {2, 2}});
  h = b.relu("features.1", h);
  h = b.max_pool("features.2", h, pool);
  h = fire(b, "features.3", h, 16, 64, 64);
  h = fire(b, "features.4", h, 16, 64, 64);
  h = fire(b, "features.5", h, 32, 128, 128);
  h = b.max_pool("features.6", h, pool);
  h = fire(b, "features.7", h, 32, 128, 128);
  h = fire(b, "features.8", h, 48, 192, 192);
  h = fire(b, "features.9", h, 48, 192, 192);
  h = fire(b, "features.10", h, 64, 256, 256);
  h = b.max_pool("features.11", h, pool);
  h = fire(b, "features.12", h, 64, 256, 256);
  // classifier.0 is Dropout: omitted (eval mode).
  h = b.conv("classifier.1", h, {.out_channels = 1000});
  h = b.relu("classifier.2", h);
  h = b.adaptive_avg_pool("classifier.3", h, {1, 1});
  return b.flatten("flatten", h);
}

}  // namespace hone::zoo
