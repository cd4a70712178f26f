// Float32 GEMM with the constant operand B packed once into column panels, cache blocking
// (mc x kc x nc), an mr x nr register tile and a fused epilogue (bias, activation).
// Variants: AVX-512 (nr 16/32), AVX2+FMA (nr 8/16) and portable C++ (nr 8), chosen by the
// config's isa. M == 1 (batch-1 classifier layers) is the same loop nest with a one-row tile
// that streams the packed panels, split over the threads by columns.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/common/epilogue.h"

namespace hone {

// The knobs of the kernel: what the default heuristic picks and the tuner searches.
struct GemmPackedConfig {
  Isa isa = Isa::kPortable;
  int mr = 4;    // rows of the register tile (1..gemm_packed_max_mr(isa, nr))
  int nr = 8;    // columns of the register tile = width of a packed B panel
  int mc = 64;   // rows of A packed per block (L2 blocking), multiple of mr
  int kc = 256;  // depth of one pass (the B micro-panel kc x nr stays in L1)
  int nc = 256;  // columns one thread task covers, multiple of nr
  // Copy A's blocks into mr-row panels first. Off, the tile reads a row-major A in place
  // (a transposed A is always packed); the AVX-512 tiles read packed panels only.
  bool pack_a = true;
  // Each row tile requests its share of the next B micro-panel into L2 while it runs. Helps
  // when many row tiles share a panel; with one row tile (a GEMV) the whole next panel is
  // requested at once, which on Intel stalls the stream (22 -> 15 GB/s on AlexNet's fc6).
  bool prefetch_b = true;
  // A one-row A (a batch-1 dense layer, mr 1): the tile walks this many B panels at once,
  // each its own sequential stream from memory. More streams keep more requests in flight
  // than the hardware prefetcher does on one (Ice Lake, 2 threads: 20 -> 24 GB/s read).
  // 1..kMaxGemvStreams; above 1 needs mr 1 and the vector (AVX2, AVX-512) tiles.
  int gemv_streams = 1;
  bool operator==(const GemmPackedConfig&) const = default;
};

inline constexpr int kMaxGemvStreams = 4;

// Largest mr the variant's registers hold for this nr; 0 when nr is not a width it has.
int gemm_packed_max_mr(Isa isa, int nr);

nlohmann::json gemm_packed_config_to_json(const GemmPackedConfig& config);
// Throws hone::Error naming the field on a missing, mistyped or out-of-range knob.
GemmPackedConfig gemm_packed_config_from_json(const nlohmann::json& json);
// Empty when the config can run on this CPU, else why not.
std::string gemm_packed_config_problem(const GemmPackedConfig& config);
// A good config for y[m, n] = a[m, k] b[k, n] on `threads` threads (the tuner's start).
GemmPackedConfig default_gemm_packed_config(int64_t m, int64_t n, int64_t k, Isa isa, int threads);

class GemmPacked {
 public:
  // Packs b ([k, n] row-major, or [n, k] when trans_b) times alpha for the config's nr.
  // bias (nullable, n floats) is added to every row before the epilogue's activation.
  // Throws hone::Error when gemm_packed_config_problem is not empty.
  GemmPacked(int64_t n, int64_t k, const float* b, bool trans_b, float alpha,
             const GemmPackedConfig& config, const float* bias, Epilogue epilogue);
  ~GemmPacked();
  GemmPacked(GemmPacked&&) noexcept;
  GemmPacked& operator=(GemmPacked&&) noexcept;

  // Packs new values of B (same n, k, layout and alpha rules as the constructor) into the
  // existing panels: for a B computed at run time (attention's batched MatMuls). ldb: the
  // elements between B's stored rows (of [k, n], or [n, k] when trans_b); 0 means dense (n or
  // k). Does not allocate; must not overlap a run() of the same object.
  void repack(const float* b, bool trans_b, float alpha, int64_t ldb = 0);

  // y[m, n] = act(a @ (alpha * B) + bias + beta * c). a is [m, k] with row stride lda (or
  // [k, m] with row stride lda when trans_a); c (nullable) is read as c[i * c_row_stride +
  // j * c_col_stride] and replaces nothing: bias and c both add. y is [m, n] (rows ldy apart)
  // and is written completely (no zeroing needed). Allocates only when m or the pool's
  // thread count exceeds every earlier call's (the object keeps its A-block buffers), so
  // calls on one object must not overlap. ldy: floats from one row of y to the next (0: n).
  void run(int64_t m, const float* a, int64_t lda, bool trans_a, const float* c,
           int64_t c_row_stride, int64_t c_col_stride, float beta, float* y, ThreadPool* pool,
           int64_t ldy = 0) const;

  int64_t n() const;
  int64_t k() const;
  int64_t packed_bytes() const;
  const GemmPackedConfig& config() const;
  // "gemm_f32_avx512_12x32": op, ISA and register tile (", 4 panels at once" for a GEMV
  // reading several B panels together).
  std::string kernel_name() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hone
