#include "ops/layout/scale_shift_reference.h"

namespace hone {

void scale_shift_reference(const BlockedShape& s, const float* scale, const float* shift,
                           const Epilogue& epilogue, const float* x, float* y) {
  if (s.block == 0) {
    for (int64_t n = 0; n < s.batch; ++n)
      for (int64_t c = 0; c < s.channels; ++c)
        for (int64_t p = 0; p < s.spatial; ++p) {
          const int64_t i = (n * s.channels + c) * s.spatial + p;
          y[i] = apply_epilogue(x[i] * scale[c] + shift[c], epilogue);
        }
    return;
  }
  const int64_t cb_count = channel_blocks(s.channels, s.block);
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t cb = 0; cb < cb_count; ++cb)
      for (int64_t p = 0; p < s.spatial; ++p)
        for (int l = 0; l < s.block; ++l) {
          const int64_t c = cb * s.block + l;
          const int64_t i = ((n * cb_count + cb) * s.spatial + p) * s.block + l;
          y[i] = c < s.channels ? apply_epilogue(x[i] * scale[c] + shift[c], epilogue) : 0.0f;
        }
}

}  // namespace hone
