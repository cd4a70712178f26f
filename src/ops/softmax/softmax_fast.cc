#include "ops/softmax/softmax_fast.h"

#include <algorithm>
#include <cmath>

namespace hone {
namespace {

void portable_row(const float* x, float* y, int64_t len) {
  float max = x[0];
  bool nan = false;
  for (int64_t i = 0; i < len; ++i) {
    nan = nan || std::isnan(x[i]);
    max = x[i] > max ? x[i] : max;
  }
  if (nan) max = NAN;
  float sum = 0.0f;
  for (int64_t i = 0; i < len; ++i) {
    y[i] = std::exp(x[i] - max);
    sum += y[i];
  }
  const float scale = 1.0f / sum;
  for (int64_t i = 0; i < len; ++i) y[i] *= scale;
}

// Rows per task: about this many floats, so short rows do not pay a call each.
constexpr int64_t kTaskFloats = 4096;
constexpr int64_t kParallelMin = int64_t{1} << 14;

}  // namespace

void softmax_last_axis_fast(Isa isa, const float* x, float* y, int64_t rows, int64_t len,
                            ThreadPool* pool) {
  if (rows <= 0 || len <= 0) return;
  void (*row_fn)(const float*, float*, int64_t) = portable_row;
  if (isa == Isa::kAvx512) row_fn = softmax_detail::avx512::softmax_row;
  if (isa == Isa::kAvx2) row_fn = softmax_detail::avx2::softmax_row;
  const int64_t per_task = std::max<int64_t>(1, kTaskFloats / len);
  const int64_t tasks = (rows + per_task - 1) / per_task;
  parallel_for(rows * len >= kParallelMin ? pool : nullptr, static_cast<size_t>(tasks),
               [&](size_t t) {
                 const int64_t r0 = static_cast<int64_t>(t) * per_task;
                 const int64_t r1 = std::min(rows, r0 + per_task);
                 for (int64_t r = r0; r < r1; ++r) row_fn(x + r * len, y + r * len, len);
               });
}

}  // namespace hone
