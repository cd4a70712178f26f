#include "ops/pool/pool_reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace hone {
namespace {

// Calls tap_fn(in_range, in_padded, row_major, col_major) for every tap of the window at output
// position `o`: whether the tap lies inside the input, whether it lies inside the padded input,
// and its row- and column-major spatial index (meaningful only when in_range). `tap` is scratch.
template <class TapFn>
void for_each_tap(const WindowGeometry& g, const std::vector<int64_t>& o, std::vector<int64_t>& tap,
                  TapFn&& tap_fn) {
  std::fill(tap.begin(), tap.end(), 0);
  do {
    int64_t row_major = 0, col_major = 0, col_stride = 1;
    bool in_range = true, in_padded = true;
    for (size_t d = 0; d < g.rank(); ++d) {
      const int64_t i = o[d] * g.strides[d] + tap[d] * g.dilations[d] - g.pads_begin[d];
      if (i < 0 || i >= g.in[d]) in_range = false;
      if (i < -g.pads_begin[d] || i >= g.in[d] + g.pads_end[d]) in_padded = false;
      row_major = row_major * g.in[d] + i;
      col_major += i * col_stride;
      col_stride *= g.in[d];
    }
    tap_fn(in_range, in_padded, row_major, col_major);
  } while (next_index(tap, g.kernel));
}

}  // namespace

template <class T>
void max_pool_reference(const PoolParams& p, const T* x, T* y, int64_t* indices,
                        bool column_major) {
  const WindowGeometry& g = p.window;
  const int64_t in_size = g.in_size(), out_size = g.out_size();
  std::vector<int64_t> o(g.rank()), tap(g.rank());
  for (int64_t plane = 0; plane < g.batch * p.channels; ++plane) {
    const T* xp = x + plane * in_size;
    std::fill(o.begin(), o.end(), 0);
    int64_t k = 0;
    do {
      T best = std::numeric_limits<T>::lowest();
      int64_t best_index = -1;
      for_each_tap(g, o, tap, [&](bool in_range, bool, int64_t row, int64_t col) {
        if (!in_range) return;
        const T v = xp[row];
        if (best_index < 0 || v > best ||
            (std::isnan(static_cast<double>(v)) && !std::isnan(static_cast<double>(best)))) {
          best = v;
          best_index = column_major ? col : row;
        }
      });
      y[plane * out_size + k] = best;
      if (indices)
        indices[plane * out_size + k] = plane * in_size + std::max<int64_t>(0, best_index);
      ++k;
    } while (next_index(o, g.out));
  }
}

template <class T>
void average_pool_reference(const PoolParams& p, bool count_include_pad, const T* x, T* y) {
  const WindowGeometry& g = p.window;
  const int64_t in_size = g.in_size(), out_size = g.out_size();
  std::vector<int64_t> o(g.rank()), tap(g.rank());
  for (int64_t plane = 0; plane < g.batch * p.channels; ++plane) {
    const T* xp = x + plane * in_size;
    std::fill(o.begin(), o.end(), 0);
    int64_t k = 0;
    do {
      T sum = 0;
      int64_t count = 0;
      for_each_tap(g, o, tap, [&](bool in_range, bool in_padded, int64_t row, int64_t) {
        if (in_range) sum += xp[row];
        if (count_include_pad ? in_padded : in_range) ++count;
      });
      y[plane * out_size + k] = count > 0 ? sum / static_cast<T>(count) : T(0);
      ++k;
    } while (next_index(o, g.out));
  }
}

template <class T>
void global_max_pool_reference(int64_t planes, int64_t spatial, const T* x, T* y) {
  for (int64_t i = 0; i < planes; ++i) {
    T best = std::numeric_limits<T>::lowest();
    for (int64_t j = 0; j < spatial; ++j) {
      const T v = x[i * spatial + j];
      if (v > best || std::isnan(static_cast<double>(v))) best = v;
      if (std::isnan(static_cast<double>(best))) break;
    }
    y[i] = best;
  }
}

template <class T>
void global_average_pool_reference(int64_t planes, int64_t spatial, const T* x, T* y) {
  for (int64_t i = 0; i < planes; ++i) {
    double sum = 0;  // double: planes can be large and the mean should not drift
    for (int64_t j = 0; j < spatial; ++j) sum += static_cast<double>(x[i * spatial + j]);
    y[i] = static_cast<T>(spatial > 0 ? sum / static_cast<double>(spatial) : 0.0);
  }
}

template <class T>
void lrn_reference(const LrnParams& p, const T* x, T* y) {
  const int64_t before = (p.size - 1) / 2, after = p.size - 1 - before;
  const double scale = static_cast<double>(p.alpha) / static_cast<double>(p.size);
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t c = 0; c < p.channels; ++c) {
      const int64_t lo = std::max<int64_t>(0, c - before);
      const int64_t hi = std::min(p.channels - 1, c + after);
      for (int64_t s = 0; s < p.spatial; ++s) {
        double sq = 0;
        for (int64_t k = lo; k <= hi; ++k) {
          const double v = static_cast<double>(x[(n * p.channels + k) * p.spatial + s]);
          sq += v * v;
        }
        const int64_t at = (n * p.channels + c) * p.spatial + s;
        const double denom =
            std::pow(static_cast<double>(p.bias) + scale * sq, static_cast<double>(p.beta));
        y[at] = static_cast<T>(static_cast<double>(x[at]) / denom);
      }
    }
  }
}

#define HONE_POOL_MAX(T)                                                                \
  template void max_pool_reference<T>(const PoolParams&, const T*, T*, int64_t*, bool); \
  template void global_max_pool_reference<T>(int64_t, int64_t, const T*, T*);
HONE_POOL_MAX(float)
HONE_POOL_MAX(double)
HONE_POOL_MAX(int8_t)
HONE_POOL_MAX(uint8_t)
#undef HONE_POOL_MAX

#define HONE_POOL_FLOAT(T)                                                        \
  template void average_pool_reference<T>(const PoolParams&, bool, const T*, T*); \
  template void global_average_pool_reference<T>(int64_t, int64_t, const T*, T*); \
  template void lrn_reference<T>(const LrnParams&, const T*, T*);
HONE_POOL_FLOAT(float)
HONE_POOL_FLOAT(double)
#undef HONE_POOL_FLOAT

}  // namespace hone
