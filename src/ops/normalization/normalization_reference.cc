#include "ops/normalization/normalization_reference.h"

#include <cmath>

namespace hone {
namespace {

struct Moments {
  double mean = 0, var = 0;
};

// Two-pass mean and population variance (more accurate than the one-pass sum of squares).
template <class T>
Moments moments(const T* x, int64_t n) {
  Moments m;
  if (n == 0) return m;
  for (int64_t i = 0; i < n; ++i) m.mean += static_cast<double>(x[i]);
  m.mean /= static_cast<double>(n);
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(x[i]) - m.mean;
    m.var += d * d;
  }
  m.var /= static_cast<double>(n);
  return m;
}

}  // namespace

template <class T>
void batch_norm_reference(int64_t batch, int64_t channels, int64_t spatial, const T* x,
                          const double* scale, const double* bias, const double* mean,
                          const double* var, double epsilon, T* y) {
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      const double a = scale[c] / std::sqrt(var[c] + epsilon);
      const double b = bias[c] - mean[c] * a;
      const int64_t base = (n * channels + c) * spatial;
      for (int64_t i = 0; i < spatial; ++i)
        y[base + i] = static_cast<T>(static_cast<double>(x[base + i]) * a + b);
    }
  }
}

template <class T>
void instance_norm_reference(int64_t batch, int64_t channels, int64_t spatial, const T* x,
                             const T* scale, const T* bias, double epsilon, T* y) {
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t base = (n * channels + c) * spatial;
      const Moments m = moments(x + base, spatial);
      const double a = static_cast<double>(scale[c]) / std::sqrt(m.var + epsilon);
      const double b = static_cast<double>(bias[c]);
      for (int64_t i = 0; i < spatial; ++i)
        y[base + i] = static_cast<T>((static_cast<double>(x[base + i]) - m.mean) * a + b);
    }
  }
}

template <class T, class U>
void layer_norm_reference(int64_t outer, int64_t inner, const T* x, const T* scale, const T* bias,
                          double epsilon, T* y, U* mean, U* inv_std_dev) {
  for (int64_t r = 0; r < outer; ++r) {
    const T* xr = x + r * inner;
    T* yr = y + r * inner;
    const Moments m = moments(xr, inner);
    const double inv = 1.0 / std::sqrt(m.var + epsilon);
    for (int64_t i = 0; i < inner; ++i) {
      double v = (static_cast<double>(xr[i]) - m.mean) * inv * static_cast<double>(scale[i]);
      if (bias) v += static_cast<double>(bias[i]);
      yr[i] = static_cast<T>(v);
    }
    if (mean) mean[r] = static_cast<U>(m.mean);
    if (inv_std_dev) inv_std_dev[r] = static_cast<U>(inv);
  }
}

#define HONE_NORM(T)                                                                              \
  template void batch_norm_reference<T>(int64_t, int64_t, int64_t, const T*, const double*,       \
                                        const double*, const double*, const double*, double, T*); \
  template void instance_norm_reference<T>(int64_t, int64_t, int64_t, const T*, const T*,         \
                                           const T*, double, T*);                                 \
  template void layer_norm_reference<T, float>(int64_t, int64_t, const T*, const T*, const T*,    \
                                               double, T*, float*, float*);                       \
  template void layer_norm_reference<T, double>(int64_t, int64_t, const T*, const T*, const T*,   \
                                                double, T*, double*, double*);
HONE_NORM(float)
HONE_NORM(double)
#undef HONE_NORM

}  // namespace hone
