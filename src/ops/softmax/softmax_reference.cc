#include "ops/softmax/softmax_reference.h"

#include <cmath>
#include <limits>

namespace hone {

namespace {

template <class T>
void hardmax_slice(const T* x, T* y, int64_t axis_len, int64_t inner) {
  int64_t best = 0;
  for (int64_t k = 1; k < axis_len; ++k)
    if (x[k * inner] > x[best * inner]) best = k;
  for (int64_t k = 0; k < axis_len; ++k) y[k * inner] = k == best ? T(1) : T(0);
}

template <class T>
void softmax_slice(bool log, const T* x, T* y, int64_t axis_len, int64_t inner) {
  double max = -std::numeric_limits<double>::infinity();
  bool has_nan = false;
  for (int64_t k = 0; k < axis_len; ++k) {
    double v = static_cast<double>(x[k * inner]);
    has_nan = has_nan || std::isnan(v);
    if (v > max) max = v;
  }
  if (has_nan) {
    for (int64_t k = 0; k < axis_len; ++k) y[k * inner] = std::numeric_limits<T>::quiet_NaN();
    return;
  }
  double sum = 0;
  for (int64_t k = 0; k < axis_len; ++k) sum += std::exp(static_cast<double>(x[k * inner]) - max);
  const double log_sum = std::log(sum);
  for (int64_t k = 0; k < axis_len; ++k) {
    double shifted = static_cast<double>(x[k * inner]) - max;
    y[k * inner] = static_cast<T>(log ? shifted - log_sum : std::exp(shifted) / sum);
  }
}

}  // namespace

template <class T>
void softmax_reference(SoftmaxKind kind, const T* x, T* y, int64_t outer, int64_t axis_len,
                       int64_t inner) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * axis_len * inner + i;
      if (kind == SoftmaxKind::kHardmax)
        hardmax_slice(x + base, y + base, axis_len, inner);
      else
        softmax_slice(kind == SoftmaxKind::kLogSoftmax, x + base, y + base, axis_len, inner);
    }
  }
}

template void softmax_reference<float>(SoftmaxKind, const float*, float*, int64_t, int64_t,
                                       int64_t);
template void softmax_reference<double>(SoftmaxKind, const double*, double*, int64_t, int64_t,
                                        int64_t);

}  // namespace hone
