#include "ops/resize/resize_fast.h"

#include <algorithm>

namespace hone {
namespace {

// Work items handed to the pool per thread (stealing evens out the rest).
constexpr int64_t kItemsPerThread = 8;

// True when every output coordinate of the axis reads its own input coordinate with weight 1.
bool is_identity(const ResizeAxisTaps& taps, int64_t in_len, int64_t out_len) {
  if (in_len != out_len) return false;
  for (int64_t o = 0; o < out_len; ++o) {
    const auto b = static_cast<size_t>(taps.begin[static_cast<size_t>(o)]);
    if (taps.outside[static_cast<size_t>(o)] ||
        taps.begin[static_cast<size_t>(o) + 1] != static_cast<int64_t>(b) + 1 ||
        taps.index[b] != o || taps.weight[b] != 1.0)
      return false;
  }
  return true;
}

}  // namespace

ResizeFast::Axis ResizeFast::axis_from(const ResizeAxisTaps& taps) {
  Axis a;
  const size_t outs = taps.outside.size();
  a.begin.push_back(0);
  for (size_t o = 0; o < outs; ++o) {
    if (!taps.outside[o]) {
      for (int64_t t = taps.begin[o]; t < taps.begin[o + 1]; ++t) {
        a.index.push_back(taps.index[static_cast<size_t>(t)]);
        a.weight.push_back(static_cast<float>(taps.weight[static_cast<size_t>(t)]));
      }
    }
    a.begin.push_back(static_cast<int64_t>(a.index.size()));
  }
  return a;
}

std::optional<ResizeFast> ResizeFast::make(const Shape& x_shape, const Shape& y_shape,
                                           const ResizeParams& params) {
  const size_t rank = x_shape.size();
  if (rank < 2 || y_shape.size() != rank || params.scales.size() != rank) return std::nullopt;
  for (size_t d = 0; d < rank; ++d)
    if (x_shape[d] <= 0 || y_shape[d] <= 0) return std::nullopt;
  ResizeFast r;
  r.planes_ = 1;
  for (size_t d = 0; d + 2 < rank; ++d) {
    const ResizeAxisTaps taps =
        resize_axis_taps(x_shape[d], y_shape[d], static_cast<int>(d), params);
    if (!is_identity(taps, x_shape[d], y_shape[d])) return std::nullopt;
    r.planes_ *= x_shape[d];
  }
  r.in_h_ = x_shape[rank - 2];
  r.in_w_ = x_shape[rank - 1];
  r.out_h_ = y_shape[rank - 2];
  r.out_w_ = y_shape[rank - 1];
  r.rows_ = axis_from(resize_axis_taps(r.in_h_, r.out_h_, static_cast<int>(rank - 2), params));
  r.cols_ = axis_from(resize_axis_taps(r.in_w_, r.out_w_, static_cast<int>(rank - 1), params));
  r.nearest_ = params.mode == ResizeMode::kNearest;
  r.extrapolation_ = static_cast<float>(params.extrapolation_value);
  return r;
}

void ResizeFast::run(const float* x, float* y, ThreadPool* pool) const {
  const int64_t threads = pool ? pool->threads() : 1;
  const int64_t chunks = std::max<int64_t>(
      1, std::min(out_h_, threads * kItemsPerThread / std::max<int64_t>(planes_, 1)));
  const int64_t items = planes_ * chunks;
  parallel_for(threads > 1 ? pool : nullptr, static_cast<size_t>(items), [&](size_t item) {
    // The vertically blended input row, reused by the thread from call to call.
    static thread_local std::vector<float> blended;
    if (blended.size() < static_cast<size_t>(in_w_)) blended.resize(static_cast<size_t>(in_w_));
    const int64_t plane = static_cast<int64_t>(item) / chunks;
    const int64_t chunk = static_cast<int64_t>(item) % chunks;
    const int64_t oy0 = out_h_ * chunk / chunks, oy1 = out_h_ * (chunk + 1) / chunks;
    const float* xp = x + plane * in_h_ * in_w_;
    for (int64_t oy = oy0; oy < oy1; ++oy) {
      float* out = y + (plane * out_h_ + oy) * out_w_;
      const int64_t t0 = rows_.begin[static_cast<size_t>(oy)];
      const int64_t t1 = rows_.begin[static_cast<size_t>(oy) + 1];
      if (t0 == t1) {  // outside the cropped region
        std::fill(out, out + out_w_, extrapolation_);
        continue;
      }
      const float* row = xp + rows_.index[static_cast<size_t>(t0)] * in_w_;
      if (t1 - t0 > 1 || rows_.weight[static_cast<size_t>(t0)] != 1.0f) {
        float* b = blended.data();
        const float w0 = rows_.weight[static_cast<size_t>(t0)];
        for (int64_t i = 0; i < in_w_; ++i) b[i] = w0 * row[i];
        for (int64_t t = t0 + 1; t < t1; ++t) {
          const float* r = xp + rows_.index[static_cast<size_t>(t)] * in_w_;
          const float w = rows_.weight[static_cast<size_t>(t)];
          for (int64_t i = 0; i < in_w_; ++i) b[i] += w * r[i];
        }
        row = b;
      }
      const int64_t* begin = cols_.begin.data();
      const int64_t* index = cols_.index.data();
      const float* weight = cols_.weight.data();
      if (nearest_) {
        // One tap of weight 1, or none: copy exactly.
        for (int64_t ox = 0; ox < out_w_; ++ox)
          out[ox] = begin[ox] == begin[ox + 1] ? extrapolation_ : row[index[begin[ox]]];
        continue;
      }
      for (int64_t ox = 0; ox < out_w_; ++ox) {
        if (begin[ox] == begin[ox + 1]) {
          out[ox] = extrapolation_;
          continue;
        }
        float acc = weight[begin[ox]] * row[index[begin[ox]]];
        for (int64_t t = begin[ox] + 1; t < begin[ox + 1]; ++t) acc += weight[t] * row[index[t]];
        out[ox] = acc;
      }
    }
  });
}

}  // namespace hone
