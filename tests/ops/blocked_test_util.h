// Helpers for tests of the channel-blocked (NCHW[b]c) ops: blocking written independently of
// the kernels, and the kernel variants (each ISA the CPU has, 1 and 2 threads) to run.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/tensor.h"
#include "core/thread_pool.h"
#include "ir/op_registry.h"

namespace hone::test {

// Plain [N, C, P] -> blocked [N, ceil(C/b), P, b] on raw vectors (P = spatial size);
// padding lanes get `fill`.
inline std::vector<float> block_vector(const std::vector<float>& plain, int64_t n, int64_t c,
                                       int64_t p, int64_t b, float fill) {
  const int64_t cb = (c + b - 1) / b;
  std::vector<float> out(static_cast<size_t>(n * cb * p * b), fill);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t s = 0; s < p; ++s)
        out[static_cast<size_t>(((i * cb + ch / b) * p + s) * b + ch % b)] =
            plain[static_cast<size_t>((i * c + ch) * p + s)];
  return out;
}

// The inverse of block_vector on the real channels.
inline std::vector<float> unblock_vector(const std::vector<float>& blocked, int64_t n, int64_t c,
                                         int64_t p, int64_t b) {
  const int64_t cb = (c + b - 1) / b;
  std::vector<float> out(static_cast<size_t>(n * c * p));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t s = 0; s < p; ++s)
        out[static_cast<size_t>((i * c + ch) * p + s)] =
            blocked[static_cast<size_t>(((i * cb + ch / b) * p + s) * b + ch % b)];
  return out;
}

// [N, C, H, W] -> [N, ceil(C/b), H, W, b]; padding lanes get `pad_value` (tests put garbage
// there to check that consumers ignore it).
inline Tensor block_nchw(const Tensor& x, int b, float pad_value = 0.0f) {
  const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), cb = (c + b - 1) / b;
  Tensor y(DType::kFloat32, {n, cb, h, w, b});
  const float* src = x.data<float>();
  float* dst = y.data<float>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < cb * b; ++ch)
      for (int64_t r = 0; r < h; ++r)
        for (int64_t q = 0; q < w; ++q)
          dst[(((i * cb + ch / b) * h + r) * w + q) * b + ch % b] =
              ch < c ? src[((i * c + ch) * h + r) * w + q] : pad_value;
  return y;
}

// Inverse of block_nchw on the first c channels.
inline Tensor unblock(const Tensor& y, int64_t c) {
  const int64_t n = y.dim(0), cb = y.dim(1), h = y.dim(2), w = y.dim(3), b = y.dim(4);
  Tensor x(DType::kFloat32, {n, c, h, w});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t r = 0; r < h; ++r)
        for (int64_t q = 0; q < w; ++q)
          x.data<float>()[((i * c + ch) * h + r) * w + q] =
              y.data<float>()[(((i * cb + ch / b) * h + r) * w + q) * b + ch % b];
  return x;
}

struct Variant {
  std::string name;
  KernelOptions options;
};

// Every optimized variant this CPU can run, single-threaded and on two threads.
inline std::vector<Variant> optimized_variants() {
  static ThreadPool two(2);
  std::vector<Variant> out;
  for (Isa isa : supported_isas()) {
    out.push_back({std::string(isa_name(isa)) + "/1t", {true, isa, nullptr}});
    out.push_back({std::string(isa_name(isa)) + "/2t", {true, isa, &two}});
  }
  return out;
}

// max |a - b| / max(1, max |b|): the error relative to the output's scale.
inline double relative_error(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return 1e30;
  double worst = 0, scale = 1;
  const float* p = a.data<float>();
  const float* q = b.data<float>();
  for (int64_t i = 0; i < b.numel(); ++i) scale = std::max(scale, std::fabs(double(q[i])));
  for (int64_t i = 0; i < b.numel(); ++i) {
    const double d = std::fabs(double(p[i]) - double(q[i]));
    if (!(d <= worst)) worst = d;  // NaN sticks
  }
  return worst / scale;
}

inline bool all_finite(const Tensor& t) {
  for (int64_t i = 0; i < t.numel(); ++i)
    if (!std::isfinite(t.data<float>()[i])) return false;
  return true;
}

}  // namespace hone::test
