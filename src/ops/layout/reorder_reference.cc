#include "ops/layout/reorder_reference.h"

namespace hone {

void reorder_to_blocked_reference(const BlockedShape& s, const float* x, float* y) {
  const int64_t cb_count = channel_blocks(s.channels, s.block);
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t cb = 0; cb < cb_count; ++cb)
      for (int64_t p = 0; p < s.spatial; ++p)
        for (int64_t l = 0; l < s.block; ++l) {
          const int64_t c = cb * s.block + l;
          y[((n * cb_count + cb) * s.spatial + p) * s.block + l] =
              c < s.channels ? x[(n * s.channels + c) * s.spatial + p] : 0.0f;
        }
}

void reorder_from_blocked_reference(const BlockedShape& s, const float* x, float* y) {
  const int64_t cb_count = channel_blocks(s.channels, s.block);
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t c = 0; c < s.channels; ++c)
      for (int64_t p = 0; p < s.spatial; ++p)
        y[(n * s.channels + c) * s.spatial + p] =
            x[((n * cb_count + c / s.block) * s.spatial + p) * s.block + c % s.block];
}

}  // namespace hone
