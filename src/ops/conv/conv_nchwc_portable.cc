// Portable register-tile kernel of the blocked convolution: plain loops over fixed-size lane
// arrays that any compiler can vectorize; correct on every CPU.
#include "ops/conv/conv_nchwc_kernel.h"

namespace hone::conv_nchwc::portable {
namespace {

template <int B>
void tile(const Tile& t) {
  float acc[kMaxOwTile][kMaxOcTile][B] = {};
  const int n_ow = t.n_ow, n_oc = t.n_oc;
  const float* xg = t.x;
  const float* wg = t.w;
  const int64_t w_lane = t.w_lane ? t.w_lane : B;
  for (int64_t g = 0; g < t.groups; ++g, xg += t.x_group, wg += t.w_group) {
    const int64_t lanes = g + 1 == t.groups ? t.last_lanes : t.lanes;
    for (int64_t kh = 0; kh < t.kh; ++kh) {
      for (int64_t kw = 0; kw < t.kw; ++kw) {
        const float* xk = xg + kh * t.x_kh + kw * t.x_kw;
        const float* wk = wg + kh * t.w_kh + kw * t.w_kw;
        const int p_lo = t.pixel_lo ? t.pixel_lo[kw] : 0;
        const int p_hi = t.pixel_hi ? t.pixel_hi[kw] : n_ow;
        for (int64_t l = 0; l < lanes; ++l) {
          for (int p = p_lo; p < p_hi; ++p) {
            const float xv = xk[p * t.x_pixel + l * t.x_lane];
            for (int o = 0; o < n_oc; ++o) {
              const float* w = wk + o * t.w_ocb + l * w_lane;
              for (int i = 0; i < B; ++i) acc[p][o][i] += xv * w[i];
            }
          }
        }
      }
    }
  }
  for (int p = 0; p < n_ow; ++p) {
    for (int o = 0; o < n_oc; ++o) {
      const int64_t at = o * t.y_ocb + p * B;
      for (int i = 0; i < B; ++i) {
        float v = acc[p][o][i];
        if (t.accumulate) {
          v += t.y[at + i];
        } else {
          if (t.bias) v += t.bias[o * B + i];
          if (t.sum) v += t.sum[at + i];
        }
        t.y[at + i] = apply_epilogue(v, t.act);
      }
    }
  }
}

}  // namespace

TileFn tile_kernel(int block, int /*n_ow*/, int /*n_oc*/) {
  return block == 8 ? &tile<8> : &tile<16>;
}

}  // namespace hone::conv_nchwc::portable
