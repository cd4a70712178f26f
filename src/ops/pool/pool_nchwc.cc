#include "ops/pool/pool_nchwc.h"

#include <algorithm>
#include <utility>

#include "core/error.h"
#include "ops/pool/pool_nchw.h"

namespace hone {
namespace portable {
namespace {

// Portable lanes: plain arrays the compiler may vectorize with the baseline ISA.
template <int kB>
struct LanesN {
  struct T {
    float v[kB];
  };
  static constexpr int64_t kLanes = kB;
  static T load(const float* p) {
    T t;
    for (int l = 0; l < kB; ++l) t.v[l] = p[l];
    return t;
  }
  static void store(float* p, const T& t) {
    for (int l = 0; l < kB; ++l) p[l] = t.v[l];
  }
  static T set1(float x) {
    T t;
    for (int l = 0; l < kB; ++l) t.v[l] = x;
    return t;
  }
  static T max(const T& a, const T& b) {
    T t;
    for (int l = 0; l < kB; ++l) t.v[l] = a.v[l] < b.v[l] ? b.v[l] : a.v[l];
    return t;
  }
  static T add(const T& a, const T& b) {
    T t;
    for (int l = 0; l < kB; ++l) t.v[l] = a.v[l] + b.v[l];
    return t;
  }
  static T mul(const T& a, const T& b) {
    T t;
    for (int l = 0; l < kB; ++l) t.v[l] = a.v[l] * b.v[l];
    return t;
  }
};
using Lanes16 = LanesN<16>;
using Lanes8 = LanesN<8>;

#include "ops/pool/pool_nchwc_body.inc"

}  // namespace

#include "ops/pool/pool_nchwc_exports.inc"

}  // namespace portable

namespace {

using RowsFn = void (*)(const PoolNchwcArgs&, const float*, float*, int64_t, int64_t);

RowsFn rows_kernel(PoolKind kind, Isa isa) {
  const bool m = kind == PoolKind::kMax;
  switch (isa) {
    case Isa::kAvx512:
      return m ? &avx512::max_pool_nchwc_rows : &avx512::average_pool_nchwc_rows;
    case Isa::kAvx2:
      return m ? &avx2::max_pool_nchwc_rows : &avx2::average_pool_nchwc_rows;
    case Isa::kPortable:
      break;
  }
  return m ? &portable::max_pool_nchwc_rows : &portable::average_pool_nchwc_rows;
}

RowsFn global_kernel(PoolKind kind, Isa isa) {
  const bool m = kind == PoolKind::kMax;
  switch (isa) {
    case Isa::kAvx512:
      return m ? &avx512::global_max_pool_nchwc_planes : &avx512::global_average_pool_nchwc_planes;
    case Isa::kAvx2:
      return m ? &avx2::global_max_pool_nchwc_planes : &avx2::global_average_pool_nchwc_planes;
    case Isa::kPortable:
      break;
  }
  return m ? &portable::global_max_pool_nchwc_planes : &portable::global_average_pool_nchwc_planes;
}

std::string layout_isa(int block, Isa isa) {
  return "nchw" + std::to_string(block) + "c_" + std::string(isa_name(isa));
}

}  // namespace

PoolNchwc::PoolNchwc(PoolKind kind, const PoolParams& p, int block, bool count_include_pad, Isa isa)
    : kind_(kind), isa_(isa) {
  const WindowGeometry& g = p.window;
  if (g.rank() != 2) throw Error("PoolNchwc: the blocked pools are 2-D only");
  WindowTaps rows = window_taps(g, 0, count_include_pad),
             cols = window_taps(g, 1, count_include_pad);
  row_lo_ = std::move(rows.lo);
  row_hi_ = std::move(rows.hi);
  row_scale_ = std::move(rows.scale);
  col_lo_ = std::move(cols.lo);
  col_hi_ = std::move(cols.hi);
  col_scale_ = std::move(cols.scale);
  PoolNchwcArgs& a = args_;
  a.batch = g.batch;
  a.block = block;
  a.channel_blocks = p.channels / block;
  a.in_h = g.in[0];
  a.in_w = g.in[1];
  a.out_h = g.out[0];
  a.out_w = g.out[1];
  a.stride_h = g.strides[0];
  a.stride_w = g.strides[1];
  a.dil_h = g.dilations[0];
  a.dil_w = g.dilations[1];
  a.pad_top = g.pads_begin[0];
  a.pad_left = g.pads_begin[1];
  a.row_lo = row_lo_.data();
  a.row_hi = row_hi_.data();
  a.col_lo = col_lo_.data();
  a.col_hi = col_hi_.data();
  a.row_scale = row_scale_.data();
  a.col_scale = col_scale_.data();
}

void PoolNchwc::run(const float* x, float* y, ThreadPool* pool) const {
  const RowsFn fn = rows_kernel(kind_, isa_);
  const int64_t planes = args_.batch * args_.channel_blocks, out_h = args_.out_h;
  // Output row outermost: a thread's share is a band of rows over every channel, the band the
  // same thread's share of the producing conv wrote (conv_nchwc numbers its rows so).
  parallel_for(pool, static_cast<size_t>(planes * out_h), [&](size_t item) {
    const int64_t i = static_cast<int64_t>(item);
    const int64_t r = i % planes * out_h + i / planes;
    fn(args_, x, y, r, r + 1);
  });
}

std::string PoolNchwc::kernel_name() const {
  return std::string(kind_ == PoolKind::kMax ? "max_pool_" : "avg_pool_") +
         layout_isa(static_cast<int>(args_.block), isa_);
}

void global_pool_nchwc(PoolKind kind, int64_t batch, int64_t channel_blocks, int64_t spatial,
                       int block, const float* x, float* y, Isa isa, ThreadPool* pool) {
  PoolNchwcArgs a;
  a.batch = batch;
  a.channel_blocks = channel_blocks;
  a.block = block;
  a.in_h = 1;
  a.in_w = spatial;
  const RowsFn fn = global_kernel(kind, isa);
  parallel_for(pool, static_cast<size_t>(batch * channel_blocks), [&](size_t i) {
    fn(a, x, y, static_cast<int64_t>(i), static_cast<int64_t>(i) + 1);
  });
}

std::string global_pool_nchwc_kernel_name(PoolKind kind, int block, Isa isa) {
  return std::string(kind == PoolKind::kMax ? "global_max_pool_" : "global_avg_pool_") +
         layout_isa(block, isa);
}

}  // namespace hone
