// Softmax along the last (contiguous) axis with vector exp, rows split over threads.
#pragma once

#include <cstdint>

#include "core/cpu_features.h"
#include "core/thread_pool.h"

namespace hone {

// y[r, :] = softmax(x[r, :]) for each of `rows` rows of `len` floats; y may alias x.
// Max-subtracted like the reference; a NaN in a row makes the whole row NaN.
void softmax_last_axis_fast(Isa isa, const float* x, float* y, int64_t rows, int64_t len,
                            ThreadPool* pool);

namespace softmax_detail {
// One row each; the driver splits rows over threads.
namespace avx512 {
void softmax_row(const float* x, float* y, int64_t len);
}
namespace avx2 {
void softmax_row(const float* x, float* y, int64_t len);
}
}  // namespace softmax_detail

}  // namespace hone
