// Optimized conversions between plain NCHW and channel-blocked NCHW[b]c (the model's edges):
// 8x8 register transposes with AVX2 (also used on AVX-512 CPUs), portable C++ otherwise.
#pragma once

#include <string>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/layout/blocked_shape.h"

namespace hone {

// Same results as reorder_to_blocked_reference / reorder_from_blocked_reference.
void reorder_to_blocked(const BlockedShape& s, const float* x, float* y, Isa isa, ThreadPool* pool);
void reorder_from_blocked(const BlockedShape& s, const float* x, float* y, Isa isa,
                          ThreadPool* pool);
// "reorder_to_nchw16c_avx2" and the like: what the given isa actually runs.
std::string reorder_kernel_name(bool to_blocked, int block, Isa isa);

namespace avx2 {
// One tile: batch n, channel block cb, pixels [p0, p1). Only with an AVX2 CPU.
void reorder_to_blocked_tile(const BlockedShape& s, const float* x, float* y, int64_t n, int64_t cb,
                             int64_t p0, int64_t p1);
void reorder_from_blocked_tile(const BlockedShape& s, const float* x, float* y, int64_t n,
                               int64_t cb, int64_t p0, int64_t p1);
}  // namespace avx2

}  // namespace hone
