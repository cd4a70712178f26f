// hone-peak's STREAM-like loops, in baseline code: they are bound by memory, not by the
// instruction set, so one version serves every CPU.
#include "peak/peak.h"

namespace hone::peak {

void stream_copy(float* dst, const float* src, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) dst[i] = src[i];
}

void stream_triad(float* a, const float* b, const float* c, float scalar, size_t begin,
                  size_t end) {
  for (size_t i = begin; i < end; ++i) a[i] = b[i] + scalar * c[i];
}

}  // namespace hone::peak
