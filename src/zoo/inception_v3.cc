// torchvision.models.inception_v3 at 299x299 (aux head off, as in eval; transform_input off).
#include <string>

#include "zoo/architectures.h"
#include "zoo/basic_conv.h"

namespace hone::zoo {

namespace {

// F.avg_pool2d(kernel 3, stride 1, padding 1) counts the padding (count_include_pad=True).
Val pool_branch(OnnxBuilder& b, const std::string& p, const Val& x, int64_t out_c) {
  Val h =
      b.avg_pool(p + ".avg_pool", x,
                 {.kernel = {3, 3}, .stride = {1, 1}, .pad = {1, 1}, .count_include_pad = true});
  return basic_conv(b, p + ".branch_pool", h, out_c, {1, 1});
}

Val max_pool_3x3_s2(OnnxBuilder& b, const std::string& name, const Val& x) {
  return b.max_pool(name, x, {.kernel = {3, 3}, .stride = {2, 2}});
}

Val inception_a(OnnxBuilder& b, const std::string& p, const Val& x, int64_t pool_features) {
  Val b1 = basic_conv(b, p + ".branch1x1", x, 64, {1, 1});
  Val b5 = basic_conv(b, p + ".branch5x5_1", x, 48, {1, 1});
  b5 = basic_conv(b, p + ".branch5x5_2", b5, 64, {5, 5}, {1, 1}, {2, 2});
  Val b3 = basic_conv(b, p + ".branch3x3dbl_1", x, 64, {1, 1});
  b3 = basic_conv(b, p + ".branch3x3dbl_2", b3, 96, {3, 3}, {1, 1}, {1, 1});
  b3 = basic_conv(b, p + ".branch3x3dbl_3", b3, 96, {3, 3}, {1, 1}, {1, 1});
  Val bp = pool_branch(b, p, x, pool_features);
  return b.concat(p + ".concat", {b1, b5, b3, bp});
}

Val inception_b(OnnxBuilder& b, const std::string& p, const Val& x) {
  Val b3 = basic_conv(b, p + ".branch3x3", x, 384, {3, 3}, {2, 2});
  Val bd = basic_conv(b, p + ".branch3x3dbl_1", x, 64, {1, 1});
  bd = basic_conv(b, p + ".branch3x3dbl_2", bd, 96, {3, 3}, {1, 1}, {1, 1});
  bd = basic_conv(b, p + ".branch3x3dbl_3", bd, 96, {3, 3}, {2, 2});
  Val bp = max_pool_3x3_s2(b, p + ".max_pool", x);
  return b.concat(p + ".concat", {b3, bd, bp});
}

Val inception_c(OnnxBuilder& b, const std::string& p, const Val& x, int64_t c7) {
  const Pair k17{1, 7}, p17{0, 3}, k71{7, 1}, p71{3, 0}, s1{1, 1};
  Val b1 = basic_conv(b, p + ".branch1x1", x, 192, {1, 1});
  Val b7 = basic_conv(b, p + ".branch7x7_1", x, c7, {1, 1});
  b7 = basic_conv(b, p + ".branch7x7_2", b7, c7, k17, s1, p17);
  b7 = basic_conv(b, p + ".branch7x7_3", b7, 192, k71, s1, p71);
  Val bd = basic_conv(b, p + ".branch7x7dbl_1", x, c7, {1, 1});
  bd = basic_conv(b, p + ".branch7x7dbl_2", bd, c7, k71, s1, p71);
  bd = basic_conv(b, p + ".branch7x7dbl_3", bd, c7, k17, s1, p17);
  bd = basic_conv(b, p + ".branch7x7dbl_4", bd, c7, k71, s1, p71);
  bd = basic_conv(b, p + ".branch7x7dbl_5", bd, 192, k17, s1, p17);
  Val bp = pool_branch(b, p, x, 192);
  return b.concat(p + ".concat", {b1, b7, bd, bp});
}

Val inception_d(OnnxBuilder& b, const std::string& p, const Val& x) {
  Val b3 = basic_conv(b, p + ".branch3x3_1", x, 192, {1, 1});
  b3 = basic_conv(b, p + ".branch3x3_2", b3, 320, {3, 3}, {2, 2});
  Val b7 = basic_conv(b, p + ".branch7x7x3_1", x, 192, {1, 1});
  b7 = basic_conv(b, p + ".branch7x7x3_2", b7, 192, {1, 7}, {1, 1}, {0, 3});
  b7 = basic_conv(b, p + ".branch7x7x3_3", b7, 192, {7, 1}, {1, 1}, {3, 0});
  b7 = basic_conv(b, p + ".branch7x7x3_4", b7, 192, {3, 3}, {2, 2});
  Val bp = max_pool_3x3_s2(b, p + ".max_pool", x);
  return b.concat(p + ".concat", {b3, b7, bp});
}

Val inception_e(OnnxBuilder& b, const std::string& p, const Val& x) {
  const Pair k13{1, 3}, p13{0, 1}, k31{3, 1}, p31{1, 0}, s1{1, 1};
  Val b1 = basic_conv(b, p + ".branch1x1", x, 320, {1, 1});
  Val b3 = basic_conv(b, p + ".branch3x3_1", x, 384, {1, 1});
  Val b3a = basic_conv(b, p + ".branch3x3_2a", b3, 384, k13, s1, p13);
  Val b3b = basic_conv(b, p + ".branch3x3_2b", b3, 384, k31, s1, p31);
  b3 = b.concat(p + ".concat_3x3", {b3a, b3b});
  Val bd = basic_conv(b, p + ".branch3x3dbl_1", x, 448, {1, 1});
  bd = basic_conv(b, p + ".branch3x3dbl_2", bd, 384, {3, 3}, s1, {1, 1});
  Val bda = basic_conv(b, p + ".branch3x3dbl_3a", bd, 384, k13, s1, p13);
  Val bdb = basic_conv(b, p + ".branch3x3dbl_3b", bd, 384, k31, s1, p31);
  bd = b.concat(p + ".concat_3x3dbl", {bda, bdb});
  Val bp = pool_branch(b, p, x, 192);
  return b.concat(p + ".concat", {b1, b3, bd, bp});
}

}  // namespace

Val build_inception_v3(OnnxBuilder& b, const Val& x) {
  Val h = basic_conv(b, "Conv2d_1a_3x3", x, 32, {3, 3}, {2, 2});
  h = basic_conv(b, "Conv2d_2a_3x3", h, 32, {3, 3});
  h = basic_conv(b, "Conv2d_2b_3x3", h, 64, {3, 3}, {1, 1}, {1, 1});
  h = max_pool_3x3_s2(b, "maxpool1", h);
  h = basic_conv(b, "Conv2d_3b_1x1", h, 80, {1, 1});
  h = basic_conv(b, "Conv2d_4a_3x3", h, 192, {3, 3});
  h = max_pool_3x3_s2(b, "maxpool2", h);
  h = inception_a(b, "Mixed_5b", h, 32);
  h = inception_a(b, "Mixed_5c", h, 64);
  h = inception_a(b, "Mixed_5d", h, 64);
  h = inception_b(b, "Mixed_6a", h);
  h = inception_c(b, "Mixed_6b", h, 128);
  h = inception_c(b, "Mixed_6c", h, 160);
  h = inception_c(b, "Mixed_6d", h, 160);
  h = inception_c(b, "Mixed_6e", h, 192);
  // AuxLogits runs only in training mode: absent.
  h = inception_d(b, "Mixed_7a", h);
  h = inception_e(b, "Mixed_7b", h);
  h = inception_e(b, "Mixed_7c", h);
  h = b.adaptive_avg_pool("avgpool", h, {1, 1});
  h = b.flatten("flatten", h);
  // dropout: omitted (eval mode).
  return b.linear("fc", h, 1000, false);
}

}  // namespace hone::zoo
