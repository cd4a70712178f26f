// The interface between the fused-elementwise driver and its per-ISA chunk loops.
#pragma once

#include <cstdint>

#include "ops/elementwise/fused_elementwise.h"

namespace hone::eltwise_detail {

// One step over one chunk: the operand is a vector (vec, n floats), a repeating vector
// (vec, `period` floats: element i reads vec[i % period]; period is kEltMaxLanes, a power of
// two and a multiple of every vector width) or a single value.
struct ChunkStep {
  EltOp op = EltOp::kRelu;
  float alpha = 0.0f, beta = 0.0f;
  const float* vec = nullptr;
  float scalar = 0.0f;
  int64_t period = 0;
};

// y[0, n) = steps(x0[0, n)): the first step reads x0, later ones y (which may alias x0).
namespace avx512 {
void run_chunk(const float* x0, float* y, int64_t n, const ChunkStep* steps, int count);
}
namespace avx2 {
void run_chunk(const float* x0, float* y, int64_t n, const ChunkStep* steps, int count);
}

}  // namespace hone::eltwise_detail
