// Which dense kernel the optimized FusedConv binds for a 3x3 layer (ir/ops/conv_optimized.cc,
// decision 007): Winograd F(4x4, 3x3) on 28x28+ images, F(2x2, 3x3) on 14x14 ones with 256+
// channels, direct elsewhere (wider on AVX2); HONE_CONV_ALGO=direct|winograd overrides.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "core/cpu_features.h"
#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::attrs;
using test::OpCall;
using test::random_tensor;

// The kernel a blocked (NCHW16c in and out) 3x3 stride-1 FusedConv binds.
std::string kernel_of(int64_t channels_in, int64_t channels_out, int64_t size) {
  OpCall call;
  call.op_type = "FusedConv";
  call.domain = "hone";
  call.attrs = attrs({{"kernel_shape", std::vector<int64_t>{3, 3}},
                      {"strides", std::vector<int64_t>{1, 1}},
                      {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                      {"group", int64_t{1}},
                      {"input_block", int64_t{16}},
                      {"output_block", int64_t{16}},
                      {"activation", std::string("Relu")},
                      {"activation_params", std::vector<float>{}}});
  call.inputs = {random_tensor({1, channels_in / 16, size, size, 16}, 1),
                 random_tensor({channels_out, channels_in, 3, 3}, 2),
                 random_tensor({channels_out}, 3)};
  call.kernel_options = {true, best_isa(), nullptr};
  return test::prepare_op(call).kernel_name;
}

// Sets an environment variable for one scope.
class ScopedAlgo {
 public:
  explicit ScopedAlgo(const char* value) { setenv("HONE_CONV_ALGO", value, 1); }
  ~ScopedAlgo() { unsetenv("HONE_CONV_ALGO"); }
  ScopedAlgo(const ScopedAlgo&) = delete;
  ScopedAlgo& operator=(const ScopedAlgo&) = delete;
};

bool has(const std::string& name, const char* part) {
  return name.find(part) != std::string::npos;
}

TEST(ConvAlgorithm, AutoPicksTheMeasuredFasterKernel) {
  ScopedAlgo algo("auto");
  if (best_isa() == Isa::kAvx2) {
    // AVX2's direct kernel is slower: Winograd from 7x7 up with 32+ input channels, except
    // few output channels below 28x28.
    EXPECT_PRED2(has, kernel_of(128, 128, 28), "winograd_f4x4");
    EXPECT_PRED2(has, kernel_of(128, 32, 28), "winograd_f4x4");
    EXPECT_PRED2(has, kernel_of(128, 256, 14), "winograd_f2x2");
    EXPECT_PRED2(has, kernel_of(512, 512, 7), "winograd_f2x2");
    EXPECT_PRED2(has, kernel_of(128, 32, 14), "conv_nchw");
    EXPECT_PRED2(has, kernel_of(16, 64, 28), "conv_nchw");
    EXPECT_PRED2(has, kernel_of(256, 256, 6), "conv_nchw");
    return;
  }
  EXPECT_PRED2(has, kernel_of(128, 128, 28), "winograd_f4x4");
  EXPECT_PRED2(has, kernel_of(256, 256, 14), "winograd_f2x2");
  EXPECT_PRED2(has, kernel_of(128, 256, 14), "conv_nchw");  // 112-160 input channels
  EXPECT_PRED2(has, kernel_of(512, 512, 7), "conv_nchw");   // 7x7: F(2,3) does not pay
  // F(2,3) from 13x13 to 27x27 with few (32-64) or many (192+) input channels.
  EXPECT_PRED2(has, kernel_of(48, 192, 27), "winograd_f2x2");
  EXPECT_PRED2(has, kernel_of(256, 256, 13), "winograd_f2x2");
  EXPECT_PRED2(has, kernel_of(64, 64, 27), "conv_nchw");  // under 128 output channels
}

TEST(ConvAlgorithm, OverrideForcesEitherKernel) {
  {
    ScopedAlgo algo("winograd");  // the default config's tile: 2 below 28x28
    EXPECT_PRED2(has, kernel_of(512, 512, 7), "winograd_f2x2");
    EXPECT_PRED2(has, kernel_of(64, 64, 28), "winograd_f4x4");
  }
  ScopedAlgo algo("direct");
  EXPECT_PRED2(has, kernel_of(256, 256, 14), "conv_nchw");
}

}  // namespace
}  // namespace hone
