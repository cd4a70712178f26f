// Optimized LayerNormalization over float32 rows: y = (x - mean) / sqrt(var + eps) * scale +
// bias per row of `inner` values, rows split over the threads. Two passes over a row (the
// mean, then the squared deviations) in float with several vector accumulators; per-ISA row
// loops (AVX-512, AVX2) and a portable one. Matches layer_norm_reference within float
// rounding.
#pragma once

#include <cstdint>

#include "core/cpu_features.h"
#include "core/thread_pool.h"

namespace hone {

struct LayerNormShape {
  int64_t outer = 1;  // rows
  int64_t inner = 1;  // values normalized together
  float epsilon = 1e-5f;
};

// scale and bias (nullable) hold `inner` values; mean and inv_std_dev (nullable) get one
// value per row. y may alias x.
void layer_norm_fast(const LayerNormShape& s, const float* x, const float* scale, const float* bias,
                     float* y, float* mean, float* inv_std_dev, Isa isa, ThreadPool* pool);

namespace layer_norm_detail {
// One row: returns {mean, 1 / sqrt(var + eps)} after writing y.
struct RowStats {
  float mean, inv_std_dev;
};
namespace avx512 {
RowStats row(const float* x, const float* scale, const float* bias, int64_t n, float epsilon,
             float* y);
}
namespace avx2 {
RowStats row(const float* x, const float* scale, const float* bias, int64_t n, float epsilon,
             float* y);
}
}  // namespace layer_norm_detail

}  // namespace hone
