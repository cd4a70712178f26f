#include "ops/pool/pool_nchw.h"

#include <algorithm>
#include <cmath>

namespace hone {
namespace {

constexpr float kLowest = -3.40282347e+38f;  // what the reference yields for an empty max

}  // namespace

WindowTaps window_taps(const WindowGeometry& g, size_t d, bool count_include_pad) {
  const int64_t out = g.out[d], in = g.in[d], k = g.kernel[d], dil = g.dilations[d];
  WindowTaps t;
  t.lo.assign(static_cast<size_t>(out), 0);
  t.hi.assign(static_cast<size_t>(out), 0);
  t.scale.assign(static_cast<size_t>(out), 0.0f);
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * g.strides[d] - g.pads_begin[d];
    int64_t first = k, last = -1, padded = 0;
    for (int64_t tap = 0; tap < k; ++tap) {
      const int64_t i = start + tap * dil;
      if (i >= 0 && i < in) {
        first = std::min(first, tap);
        last = tap;
      }
      // Taps that ceil_mode pushes past the end pads never count.
      if (i >= -g.pads_begin[d] && i < in + g.pads_end[d]) ++padded;
    }
    t.lo[o] = first;
    t.hi[o] = std::max(first, last + 1);
    const int64_t count = count_include_pad ? padded : t.hi[o] - t.lo[o];
    t.scale[o] = count > 0 ? 1.0f / static_cast<float>(count) : 0.0f;
  }
  return t;
}

bool PoolNchw::supports(const WindowGeometry& g) {
  if (g.rank() != 2) return false;
  const int64_t len = (g.out[1] - 1) * g.strides[1] + g.extent(1);
  return len <= kMaxRow && g.pads_begin[1] + g.in[1] <= kMaxRow;
}

PoolNchw::PoolNchw(bool is_max, const PoolParams& p, bool count_include_pad)
    : is_max_(is_max), p_(p) {
  rows_ = window_taps(p.window, 0, count_include_pad);
  cols_ = window_taps(p.window, 1, count_include_pad);
  const WindowGeometry& g = p.window;
  row_len_ = std::max((g.out[1] - 1) * g.strides[1] + g.extent(1), g.pads_begin[1] + g.in[1]);
}

void PoolNchw::run(const float* x, float* y, ThreadPool* pool) const {
  const WindowGeometry& g = p_.window;
  const int64_t ih = g.in[0], iw = g.in[1], oh = g.out[0], ow = g.out[1];
  const int64_t sh = g.strides[0], sw = g.strides[1], dh = g.dilations[0], dw = g.dilations[1];
  const int64_t pad_top = g.pads_begin[0], pad_left = g.pads_begin[1];
  const int64_t kw = g.kernel[1];
  const float fill = is_max_ ? kLowest : 0.0f;
  const bool is_max = is_max_;
  parallel_for(pool, static_cast<size_t>(g.batch * p_.channels * oh), [&](size_t item) {
    const int64_t r = static_cast<int64_t>(item) % oh, plane = static_cast<int64_t>(item) / oh;
    const float* xp = x + plane * ih * iw;
    float* yr = y + (plane * oh + r) * ow;
    // Vertical pass: reduce the window's valid input rows into buf[pad_left ..), with the
    // padding columns holding the neutral value so the horizontal pass needs no bounds.
    float buf[kMaxRow];
    std::fill(buf, buf + row_len_, fill);
    float* b = buf + pad_left;
    const int64_t k0 = rows_.lo[r], k1 = rows_.hi[r];
    if (k0 < k1) {
      const float* src = xp + (r * sh - pad_top + k0 * dh) * iw;
      std::copy(src, src + iw, b);
      for (int64_t k = k0 + 1; k < k1; ++k) {
        src += dh * iw;
        if (is_max)
          for (int64_t i = 0; i < iw; ++i) b[i] = std::max(b[i], src[i]);
        else
          for (int64_t i = 0; i < iw; ++i) b[i] += src[i];
      }
    }
    // Horizontal pass over the kernel's columns, padding included (neutral values).
    if (is_max) {
      for (int64_t o = 0; o < ow; ++o) {
        const float* q = buf + o * sw;
        float m = q[0];
        for (int64_t k = 1; k < kw; ++k) m = std::max(m, q[k * dw]);
        yr[o] = m;
      }
    } else {
      const float rs = rows_.scale[r];
      for (int64_t o = 0; o < ow; ++o) {
        const float* q = buf + o * sw;
        float s = 0.0f;
        for (int64_t k = 0; k < kw; ++k) s += q[k * dw];
        yr[o] = s * (rs * cols_.scale[o]);
      }
    }
  });
}

namespace {

// Max or mean of each of planes [p0, p1); eight partial results per plane are independent
// chains the compiler keeps in one vector register.
template <bool kMax>
void global_planes(int64_t p0, int64_t p1, int64_t spatial, const float* x, float* y) {
  for (int64_t plane = p0; plane < p1; ++plane) {
    const float* p = x + plane * spatial;
    float acc[8];
    std::fill(acc, acc + 8, kMax ? kLowest : 0.0f);
    int64_t i = 0;
    for (; i + 8 <= spatial; i += 8)
      for (int l = 0; l < 8; ++l) acc[l] = kMax ? std::max(acc[l], p[i + l]) : acc[l] + p[i + l];
    for (int l = 0; i < spatial; ++i, ++l) acc[l] = kMax ? std::max(acc[l], p[i]) : acc[l] + p[i];
    float r = acc[0];
    for (int l = 1; l < 8; ++l) r = kMax ? std::max(r, acc[l]) : r + acc[l];
    y[plane] = kMax ? r : (spatial > 0 ? r / static_cast<float>(spatial) : 0.0f);
  }
}

}  // namespace

void global_pool_nchw(bool is_max, int64_t planes, int64_t spatial, const float* x, float* y,
                      ThreadPool* pool) {
  // Planes are small (7x7 at a network's end): hand them out in groups of ~4K floats.
  const int64_t group = std::max<int64_t>(1, 4096 / std::max<int64_t>(1, spatial));
  const int64_t items = (planes + group - 1) / group;
  parallel_for(pool, static_cast<size_t>(items), [&](size_t item) {
    const int64_t p0 = static_cast<int64_t>(item) * group, p1 = std::min(planes, p0 + group);
    if (is_max)
      global_planes<true>(p0, p1, spatial, x, y);
    else
      global_planes<false>(p0, p1, spatial, x, y);
  });
}

void lrn_nchw(const LrnParams& p, const float* x, float* y, ThreadPool* pool) {
  constexpr int64_t kChunk = 256;  // pixels per work item, a few KiB per channel row
  const int64_t chunks = (p.spatial + kChunk - 1) / kChunk;
  const int64_t before = (p.size - 1) / 2, after = p.size - 1 - before;
  const float scale = p.alpha / static_cast<float>(p.size);
  parallel_for(pool, static_cast<size_t>(p.batch * chunks), [&](size_t item) {
    const int64_t n = static_cast<int64_t>(item) / chunks;
    const int64_t s0 = static_cast<int64_t>(item) % chunks * kChunk;
    const int64_t len = std::min(kChunk, p.spatial - s0);
    const float* xn = x + n * p.channels * p.spatial + s0;
    float* yn = y + n * p.channels * p.spatial + s0;
    float sq[kChunk];
    for (int64_t c = 0; c < p.channels; ++c) {
      const int64_t lo = std::max<int64_t>(0, c - before), hi = std::min(p.channels - 1, c + after);
      std::fill(sq, sq + len, 0.0f);
      for (int64_t k = lo; k <= hi; ++k) {
        const float* xk = xn + k * p.spatial;
        for (int64_t i = 0; i < len; ++i) sq[i] += xk[i] * xk[i];
      }
      const float* xc = xn + c * p.spatial;
      float* yc = yn + c * p.spatial;
      for (int64_t i = 0; i < len; ++i) yc[i] = xc[i] * std::pow(p.bias + scale * sq[i], -p.beta);
    }
  });
}

}  // namespace hone
