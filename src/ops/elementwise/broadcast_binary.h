// Float32 Add/Sub/Mul/Div whose operands broadcast in ways the fused elementwise kernel does not
// take (neither a scalar nor per-channel: Swin's attention mask [64, 1, 49, 49] over
// [1, 64, 3, 49, 49], BERT's [B, 1, 1, S] mask over [B, H, S, S]). The axes are merged where
// both operands move together, leaving rows of a contiguous (or repeated) innermost run that
// the compiler vectorizes; rows are split over the threads. The reference walks an index
// odometer per element.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/tensor.h"
#include "core/thread_pool.h"

namespace hone {

enum class BroadcastOp { kAdd, kSub, kMul, kDiv };

struct BroadcastBinaryPlan {
  Shape rows;                                 // the merged outer axes
  std::vector<int64_t> a_strides, b_strides;  // per outer axis, in elements (0: broadcast)
  int64_t inner = 1;                          // the innermost run's length
  int64_t a_inner = 1, b_inner = 1;           // 1: contiguous, 0: one value repeated
};

// nullopt when the innermost run would be shorter than 8 (the reference is as good then) or
// the shapes do not broadcast to out.
std::optional<BroadcastBinaryPlan> plan_broadcast_binary(const Shape& a, const Shape& b,
                                                         const Shape& out);

void broadcast_binary(const BroadcastBinaryPlan& plan, BroadcastOp op, const float* a,
                      const float* b, float* y, ThreadPool* pool);

}  // namespace hone
