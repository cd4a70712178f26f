// strided_copy (strided_copy.h) for the optimized executor: the output's rows split over the
// pool's threads. Slice and Expand of large activations (ViT-B/16's three 605 KB query, key
// and value slices per encoder layer) were one-thread copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "core/thread_pool.h"

namespace hone {

// The same result as strided_copy; pool may be null (then one thread). Copies under 64 KB
// stay on the calling thread.
void strided_copy_parallel(const void* src, int64_t src_offset,
                           const std::vector<int64_t>& src_strides, void* dst,
                           const Shape& out_shape, size_t elem_size, ThreadPool* pool);

}  // namespace hone
