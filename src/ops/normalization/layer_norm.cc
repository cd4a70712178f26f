#include "ops/normalization/layer_norm.h"

#include <algorithm>
#include <cmath>

namespace hone {

namespace {

using layer_norm_detail::RowStats;

RowStats portable_row(const float* x, const float* scale, const float* bias, int64_t n,
                      float epsilon, float* y) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) sum += x[i];
  const float mean = sum / static_cast<float>(n);
  float squares = 0.0f;
  for (int64_t i = 0; i < n; ++i) squares += (x[i] - mean) * (x[i] - mean);
  const float inv = 1.0f / std::sqrt(squares / static_cast<float>(n) + epsilon);
  for (int64_t i = 0; i < n; ++i) {
    const float v = (x[i] - mean) * inv * scale[i];
    y[i] = bias ? v + bias[i] : v;
  }
  return {mean, inv};
}

// Rows handed to one thread task at least (a row of 768 values is ~1 us).
constexpr int64_t kMinValuesPerTask = 4096;

}  // namespace

void layer_norm_fast(const LayerNormShape& s, const float* x, const float* scale, const float* bias,
                     float* y, float* mean, float* inv_std_dev, Isa isa, ThreadPool* pool) {
  if (s.outer <= 0 || s.inner <= 0) return;
  const int64_t rows_per_task = std::max<int64_t>(1, kMinValuesPerTask / s.inner);
  const int64_t tasks = (s.outer + rows_per_task - 1) / rows_per_task;
  parallel_for(tasks > 1 ? pool : nullptr, static_cast<size_t>(tasks), [&](size_t t) {
    const int64_t r0 = static_cast<int64_t>(t) * rows_per_task;
    const int64_t r1 = std::min(s.outer, r0 + rows_per_task);
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = x + r * s.inner;
      float* yr = y + r * s.inner;
      RowStats st{};
      switch (isa) {
        case Isa::kAvx512:
          st = layer_norm_detail::avx512::row(xr, scale, bias, s.inner, s.epsilon, yr);
          break;
        case Isa::kAvx2:
          st = layer_norm_detail::avx2::row(xr, scale, bias, s.inner, s.epsilon, yr);
          break;
        case Isa::kPortable:
          st = portable_row(xr, scale, bias, s.inner, s.epsilon, yr);
          break;
      }
      if (mean) mean[r] = st.mean;
      if (inv_std_dev) inv_std_dev[r] = st.inv_std_dev;
    }
  });
}

}  // namespace hone
