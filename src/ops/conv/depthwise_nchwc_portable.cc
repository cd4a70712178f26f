// Portable variant of the depthwise row kernel: 8-lane float arrays in plain C++ that the
// compiler vectorizes for the baseline ISA; correct on any CPU.
#include <cmath>

#include "ops/conv/depthwise_nchwc_kernels.h"

namespace hone {
namespace {

constexpr int64_t kLanes = 8;
struct V {
  float v[kLanes];
};
inline V load(const float* p) {
  V r;
  for (int64_t i = 0; i < kLanes; ++i) r.v[i] = p[i];
  return r;
}
inline void store(float* p, V a) {
  for (int64_t i = 0; i < kLanes; ++i) p[i] = a.v[i];
}
inline V splat(float f) {
  V r;
  for (int64_t i = 0; i < kLanes; ++i) r.v[i] = f;
  return r;
}
template <class Fn>
inline V map2(V a, V b, Fn fn) {
  V r;
  for (int64_t i = 0; i < kLanes; ++i) r.v[i] = fn(a.v[i], b.v[i]);
  return r;
}
inline V fmadd(V a, V b, V c) {
  V r;
  for (int64_t i = 0; i < kLanes; ++i) r.v[i] = a.v[i] * b.v[i] + c.v[i];
  return r;
}
inline V add(V a, V b) {
  return map2(a, b, [](float x, float y) { return x + y; });
}
inline V mul(V a, V b) {
  return map2(a, b, [](float x, float y) { return x * y; });
}
inline V vdiv(V a, V b) {
  return map2(a, b, [](float x, float y) { return x / y; });
}
inline V vmax(V a, V b) {
  return map2(a, b, [](float x, float y) { return x > y ? x : y; });
}
inline V vmin(V a, V b) {
  return map2(a, b, [](float x, float y) { return x < y ? x : y; });
}
inline V vexp(V a) {
  return map2(a, a, [](float x, float) { return std::exp(x); });
}
inline V vtanh(V a) {
  return map2(a, a, [](float x, float) { return std::tanh(x); });
}
inline V vgelu(V a) {
  return map2(a, a, [](float x, float) { return apply_epilogue(x, {Activation::kGelu}); });
}
inline void keep_in_register(V&) {}

#include "ops/conv/depthwise_nchwc_body.inc"

}  // namespace

void depthwise_rows_portable(const DepthwiseRowArgs& a, int64_t oh_begin, int64_t oh_end) {
  rows_dispatch(a, oh_begin, oh_end);
}

}  // namespace hone
