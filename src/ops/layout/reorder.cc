#include "ops/layout/reorder.h"

namespace hone {
namespace {

// Pixels per work item: enough to amortize the dispatch, small enough that a batch-1 input
// with a single channel block (the RGB image) still splits over the threads.
constexpr int64_t kPixelChunk = 1024;

void to_blocked_tile_portable(const BlockedShape& s, const float* x, float* y, int64_t n,
                              int64_t cb, int64_t p0, int64_t p1) {
  const int64_t cb_count = channel_blocks(s.channels, s.block);
  float* out = y + (n * cb_count + cb) * s.spatial * s.block;
  for (int l = 0; l < s.block; ++l) {
    const int64_t c = cb * s.block + l;
    if (c >= s.channels) {
      for (int64_t p = p0; p < p1; ++p) out[p * s.block + l] = 0.0f;
      continue;
    }
    const float* row = x + (n * s.channels + c) * s.spatial;
    for (int64_t p = p0; p < p1; ++p) out[p * s.block + l] = row[p];
  }
}

void from_blocked_tile_portable(const BlockedShape& s, const float* x, float* y, int64_t n,
                                int64_t cb, int64_t p0, int64_t p1) {
  const int64_t cb_count = channel_blocks(s.channels, s.block);
  const float* in = x + (n * cb_count + cb) * s.spatial * s.block;
  for (int l = 0; l < s.block; ++l) {
    const int64_t c = cb * s.block + l;
    if (c >= s.channels) break;
    float* row = y + (n * s.channels + c) * s.spatial;
    for (int64_t p = p0; p < p1; ++p) row[p] = in[p * s.block + l];
  }
}

using TileFn = void (*)(const BlockedShape&, const float*, float*, int64_t, int64_t, int64_t,
                        int64_t);

void run_tiles(const BlockedShape& s, const float* x, float* y, TileFn tile, ThreadPool* pool) {
  const int64_t cb_count = channel_blocks(s.channels, s.block);
  const int64_t chunks = (s.spatial + kPixelChunk - 1) / kPixelChunk;
  const int64_t items = s.batch * cb_count * chunks;
  parallel_for(pool, static_cast<size_t>(items), [&](size_t item) {
    const int64_t i = static_cast<int64_t>(item);
    const int64_t chunk = i % chunks, cb = i / chunks % cb_count, n = i / chunks / cb_count;
    const int64_t p0 = chunk * kPixelChunk;
    const int64_t p1 = p0 + kPixelChunk < s.spatial ? p0 + kPixelChunk : s.spatial;
    tile(s, x, y, n, cb, p0, p1);
  });
}

bool use_avx2(Isa isa) {
  return isa == Isa::kAvx2 || isa == Isa::kAvx512;
}

}  // namespace

void reorder_to_blocked(const BlockedShape& s, const float* x, float* y, Isa isa,
                        ThreadPool* pool) {
  run_tiles(s, x, y, use_avx2(isa) ? &avx2::reorder_to_blocked_tile : &to_blocked_tile_portable,
            pool);
}

void reorder_from_blocked(const BlockedShape& s, const float* x, float* y, Isa isa,
                          ThreadPool* pool) {
  run_tiles(s, x, y, use_avx2(isa) ? &avx2::reorder_from_blocked_tile : &from_blocked_tile_portable,
            pool);
}

std::string reorder_kernel_name(bool to_blocked, int block, Isa isa) {
  return std::string(to_blocked ? "reorder_to_nchw" : "reorder_from_nchw") + std::to_string(block) +
         "c_" + (use_avx2(isa) ? "avx2" : "portable");
}

}  // namespace hone
