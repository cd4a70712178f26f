#include "ops/pool/pool_nchwc_reference.h"

#include <vector>

#include "ops/layout/reorder_reference.h"

namespace hone {
namespace {

// Every lane is a channel here (C = Cb * b), so un-blocking and re-blocking are exact.
template <class PoolFn>
void via_nchw(int64_t batch, int64_t channels, int64_t in_spatial, int64_t out_spatial, int block,
              const float* x, float* y, PoolFn&& pool) {
  std::vector<float> plain_in(static_cast<size_t>(batch * channels * in_spatial));
  std::vector<float> plain_out(static_cast<size_t>(batch * channels * out_spatial));
  reorder_from_blocked_reference({batch, channels, in_spatial, block}, x, plain_in.data());
  pool(plain_in.data(), plain_out.data());
  reorder_to_blocked_reference({batch, channels, out_spatial, block}, plain_out.data(), y);
}

}  // namespace

void max_pool_nchwc_reference(const PoolParams& p, int block, const float* x, float* y) {
  via_nchw(
      p.window.batch, p.channels, p.window.in_size(), p.window.out_size(), block, x, y,
      [&](const float* in, float* out) { max_pool_reference<float>(p, in, out, nullptr, false); });
}

void average_pool_nchwc_reference(const PoolParams& p, int block, bool count_include_pad,
                                  const float* x, float* y) {
  via_nchw(p.window.batch, p.channels, p.window.in_size(), p.window.out_size(), block, x, y,
           [&](const float* in, float* out) {
             average_pool_reference<float>(p, count_include_pad, in, out);
           });
}

void global_max_pool_nchwc_reference(int64_t batch, int64_t channel_blocks, int64_t spatial,
                                     int block, const float* x, float* y) {
  const int64_t channels = channel_blocks * block;
  via_nchw(batch, channels, spatial, 1, block, x, y, [&](const float* in, float* out) {
    global_max_pool_reference<float>(batch * channels, spatial, in, out);
  });
}

void global_average_pool_nchwc_reference(int64_t batch, int64_t channel_blocks, int64_t spatial,
                                         int block, const float* x, float* y) {
  const int64_t channels = channel_blocks * block;
  via_nchw(batch, channels, spatial, 1, block, x, y, [&](const float* in, float* out) {
    global_average_pool_reference<float>(batch * channels, spatial, in, out);
  });
}

}  // namespace hone
