// Portable Winograd transforms: the shared templates over one float per "vector"; correct on
// every CPU (the compiler may vectorize the lane loops).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ops/conv/conv_nchwc_kernel.h"
#include "ops/conv/winograd_nchwc_kernel.h"

namespace hone::winograd_nchwc::portable {
namespace {

struct Ops1 {
  using V = float;
  static constexpr int kWidth = 1;
  static void prefetch(const float*) {}
  static V zero() { return 0.0f; }
  static V set1(float x) { return x; }
  static V load(const float* p) { return *p; }
  static void store(float* p, V v) { *p = v; }
  static V fma(V a, V b, V c) { return a * b + c; }
  static V add(V a, V b) { return a + b; }
  static V sub(V a, V b) { return a - b; }
  static V mul(V a, V b) { return a * b; }
  static V div(V a, V b) { return a / b; }
  static V max(V a, V b) { return std::max(a, b); }
  static V min(V a, V b) { return std::min(a, b); }
  static V select_ge0(V x, V a, V b) { return x >= 0.0f ? a : b; }
  static V exp(V x) { return std::exp(x); }
  static V tanh(V x) { return std::tanh(x); }
  static V gelu(V x) { return apply_epilogue(x, {Activation::kGelu}); }
};

#include "ops/common/vector_activate.inl"
#include "ops/conv/winograd_nchwc_transform.inl"

}  // namespace

Transforms transforms(int block, int tile) {
  return block == 8 ? transforms_for<Ops1, 8>(tile) : transforms_for<Ops1, 16>(tile);
}

}  // namespace hone::winograd_nchwc::portable
