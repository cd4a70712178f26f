// torchvision.models.googlenet (aux heads off, transform_input off): BasicConv2d stem and nine
// Inception modules. Like torchvision, the "5x5" branch uses a 3x3 kernel.
#include <string>

#include "zoo/architectures.h"
#include "zoo/basic_conv.h"

namespace hone::zoo {

namespace {

const PoolSpec kCeilPool{.kernel = {3, 3}, .stride = {2, 2}, .ceil_mode = true};

Val inception(OnnxBuilder& b, const std::string& p, const Val& x, int64_t ch1x1, int64_t ch3x3red,
              int64_t ch3x3, int64_t ch5x5red, int64_t ch5x5, int64_t pool_proj) {
  Val b1 = basic_conv(b, p + ".branch1", x, ch1x1, {1, 1});
  Val b2 = basic_conv(b, p + ".branch2.0", x, ch3x3red, {1, 1});
  b2 = basic_conv(b, p + ".branch2.1", b2, ch3x3, {3, 3}, {1, 1}, {1, 1});
  Val b3 = basic_conv(b, p + ".branch3.0", x, ch5x5red, {1, 1});
  b3 = basic_conv(b, p + ".branch3.1", b3, ch5x5, {3, 3}, {1, 1}, {1, 1});
  Val b4 = b.max_pool(p + ".branch4.0", x,
                      {.kernel = {3, 3}, .stride = {1, 1}, .pad = {1, 1}, .ceil_mode = true});
  b4 = basic_conv(b, p + ".branch4.1", b4, pool_proj, {1, 1});
  return b.concat(p + ".concat", {b1, b2, b3, b4});
}

}  // namespace

Val build_googlenet(OnnxBuilder& b, const Val& x) {
  Val h = basic_conv(b, "conv1", x, 64, {7, 7}, {2, 2}, {3, 3});
  h = b.max_pool("maxpool1", h, kCeilPool);
  h = basic_conv(b, "conv2", h, 64, {1, 1});
  h = basic_conv(b, "conv3", h, 192, {3, 3}, {1, 1}, {1, 1});
  h = b.max_pool("maxpool2", h, kCeilPool);
  h = inception(b, "inception3a", h, 64, 96, 128, 16, 32, 32);
  h = inception(b, "inception3b", h, 128, 128, 192, 32, 96, 64);
  h = b.max_pool("maxpool3", h, kCeilPool);
  h = inception(b, "inception4a", h, 192, 96, 208, 16, 48, 64);
  h = inception(b, "inception4b", h, 160, 112, 224, 24, 64, 64);
  h = inception(b, "inception4c", h, 128, 128, 256, 24, 64, 64);
  h = inception(b, "inception4d", h, 112, 144, 288, 32, 64, 64);
  h = inception(b, "inception4e", h, 256, 160, 320, 32, 128, 128);
  h = b.max_pool("maxpool4", h, {.kernel = {2, 2}, .stride = {2, 2}, .ceil_mode = true});
  h = inception(b, "inception5a", h, 256, 160, 320, 32, 128, 128);
  h = inception(b, "inception5b", h, 384, 192, 384, 48, 128, 128);
  h = b.adaptive_avg_pool("avgpool", h, {1, 1});
  h = b.flatten("flatten", h);
  // dropout: omitted (eval mode).
  return b.linear("fc", h, 1000, false);
}

}  // namespace hone::zoo
