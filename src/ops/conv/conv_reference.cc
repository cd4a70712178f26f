#include "ops/conv/conv_reference.h"

#include <algorithm>
#include <vector>

namespace hone {
namespace {

int64_t floor_div(int64_t a, int64_t b) {  // b > 0
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// Conv and ConvTranspose both pair a position `a` of the small-stride side with the position
// b = a * stride + tap * dilation - pad_begin of the other side (conv: a = output, b = input;
// transpose: a = input, b = output). A Row is one line of the last spatial dim for one kernel
// tap: a = a_offset + j and b = b_offset + j * stride_last are the in-range pairs for j in
// [lo, hi).
struct Row {
  int64_t a_offset, b_offset, lo, hi;
};

// The rows of every kernel tap (row-major over the kernel). They depend only on the geometry,
// so the kernels compute them once and reuse them for every channel pair.
std::vector<std::vector<Row>> tap_rows(const WindowGeometry& g, const std::vector<int64_t>& a_dims,
                                       const std::vector<int64_t>& b_dims) {
  const size_t rank = g.rank();
  const size_t last = rank - 1;
  const std::vector<int64_t> outer_dims(a_dims.begin(), a_dims.begin() + static_cast<long>(last));
  std::vector<std::vector<Row>> rows;
  std::vector<int64_t> tap(rank, 0), off(rank);
  do {
    std::vector<Row>& tap_list = rows.emplace_back();
    for (size_t d = 0; d < rank; ++d) off[d] = tap[d] * g.dilations[d] - g.pads_begin[d];
    // j in [lo, hi) keeps 0 <= j * stride + off < b_dims[last].
    const int64_t s = g.strides[last];
    const int64_t lo = std::max<int64_t>(0, floor_div(-off[last] + s - 1, s));
    const int64_t hi = std::min(a_dims[last], floor_div(b_dims[last] - 1 - off[last], s) + 1);
    if (lo >= hi) continue;
    std::vector<int64_t> outer(last, 0);
    do {
      int64_t a_offset = 0, b_offset = 0;
      bool inside = true;
      for (size_t d = 0; d < last && inside; ++d) {
        const int64_t b = outer[d] * g.strides[d] + off[d];
        inside = b >= 0 && b < b_dims[d];
        a_offset = a_offset * a_dims[d] + outer[d];
        b_offset = b_offset * b_dims[d] + b;
      }
      if (inside)
        tap_list.push_back({a_offset * a_dims[last], b_offset * b_dims[last] + off[last], lo, hi});
    } while (next_index(outer, outer_dims));
  } while (next_index(tap, g.kernel));
  return rows;
}

template <class T>
void fill_bias(T* y, int64_t n, const T* bias, int64_t channel) {
  std::fill(y, y + n, bias ? bias[channel] : T(0));
}

}  // namespace

template <class T>
void conv_reference(const ConvParams& p, const T* x, const T* w, const T* bias, T* y) {
  const WindowGeometry& g = p.window;
  const int64_t cin_g = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  const int64_t in_size = g.in_size(), out_size = g.out_size(), k_size = g.kernel_size();
  const int64_t s_last = g.strides[g.rank() - 1];
  const std::vector<std::vector<Row>> rows = tap_rows(g, g.out, g.in);
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t co = 0; co < p.out_channels; ++co) {
      T* yc = y + (n * p.out_channels + co) * out_size;
      fill_bias(yc, out_size, bias, co);
      const int64_t grp = co / cout_g;
      for (int64_t ic = 0; ic < cin_g; ++ic) {
        const T* xc = x + (n * p.in_channels + grp * cin_g + ic) * in_size;
        const T* wc = w + (co * cin_g + ic) * k_size;
        for (int64_t t = 0; t < k_size; ++t) {
          const T wv = wc[t];
          for (const Row& r : rows[static_cast<size_t>(t)]) {
            T* yr = yc + r.a_offset;
            const T* xr = xc + r.b_offset;
            if (s_last == 1)  // the common case, kept separate so the compiler vectorizes it
              for (int64_t j = r.lo; j < r.hi; ++j) yr[j] += wv * xr[j];
            else
              for (int64_t j = r.lo; j < r.hi; ++j) yr[j] += wv * xr[j * s_last];
          }
        }
      }
    }
  }
}

template <class T>
void conv_transpose_reference(const ConvParams& p, const T* x, const T* w, const T* bias, T* y) {
  const WindowGeometry& g = p.window;
  const int64_t cin_g = p.in_channels / p.group, cout_g = p.out_channels / p.group;
  const int64_t in_size = g.in_size(), out_size = g.out_size(), k_size = g.kernel_size();
  const int64_t s_last = g.strides[g.rank() - 1];
  const std::vector<std::vector<Row>> rows = tap_rows(g, g.in, g.out);
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t co = 0; co < p.out_channels; ++co)
      fill_bias(y + (n * p.out_channels + co) * out_size, out_size, bias, co);
    for (int64_t ci = 0; ci < p.in_channels; ++ci) {
      const T* xc = x + (n * p.in_channels + ci) * in_size;
      const int64_t grp = ci / cin_g;
      for (int64_t oc = 0; oc < cout_g; ++oc) {
        T* yc = y + (n * p.out_channels + grp * cout_g + oc) * out_size;
        const T* wc = w + (ci * cout_g + oc) * k_size;
        for (int64_t t = 0; t < k_size; ++t) {
          const T wv = wc[t];
          for (const Row& r : rows[static_cast<size_t>(t)])
            for (int64_t j = r.lo; j < r.hi; ++j)
              yc[r.b_offset + j * s_last] += wv * xc[r.a_offset + j];
        }
      }
    }
  }
}

template void conv_reference<float>(const ConvParams&, const float*, const float*, const float*,
                                    float*);
template void conv_reference<double>(const ConvParams&, const double*, const double*, const double*,
                                     double*);
template void conv_transpose_reference<float>(const ConvParams&, const float*, const float*,
                                              const float*, float*);
template void conv_transpose_reference<double>(const ConvParams&, const double*, const double*,
                                               const double*, double*);

}  // namespace hone
