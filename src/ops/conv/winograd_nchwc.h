// Winograd F(4x4, 3x3) and F(2x2, 3x3) convolution (3x3, stride 1, dilation 1, group 1) on
// channel-blocked tensors (NCHW[b]c): 4x / 2.25x fewer multiplies than the direct kernel,
// transformed weights (36 / 16 floats per filter) packed once, fused epilogue (bias, residual sum,
// activation). Variants: AVX-512, AVX2+FMA, portable.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/common/epilogue.h"
#include "ops/conv/conv_nchwc.h"

namespace hone {

// The knobs of the kernel: what the default heuristic picks and the tuner searches.
struct WinogradNchwcConfig {
  Isa isa = Isa::kPortable;
  int block = 16;           // channel block b of the blocked input and output (8 or 16)
  int tile = 4;             // output tile edge m of F(m x m, 3x3): 4 or 2
  int tiles_per_item = 16;  // m x m output tiles per work item (their transforms share scratch)
  int gemm_tiles = 8;       // tiles in one register tile of the (m + 2)^2 small GEMMs
  int oc_tile = 2;          // output-channel blocks in one register tile
  int oc_chunk = 0;         // output-channel blocks per work item; 0 = all
  // 1: each GEMM pass over a register tile's weights prefetches (into L2) a share of the next
  // tile's, for weights that stream from memory (small images, many channels).
  int w_prefetch = 0;
  bool operator==(const WinogradNchwcConfig&) const = default;
};

nlohmann::json winograd_nchwc_config_to_json(const WinogradNchwcConfig& config);
// Throws hone::Error naming the field on a missing or out-of-range knob.
WinogradNchwcConfig winograd_nchwc_config_from_json(const nlohmann::json& json);
// Empty when the config can run the geometry on this CPU, else why not (the geometry must be
// a 3x3, stride 1, dilation 1 convolution).
std::string winograd_nchwc_config_problem(const ConvGeometry& geometry,
                                          const WinogradNchwcConfig& config);
// A good config for any geometry the kernel takes.
WinogradNchwcConfig default_winograd_nchwc_config(const ConvGeometry& geometry, Isa isa, int block);

class WinogradNchwc {
 public:
  // Transforms and packs the OIHW weights (U = G g G^T) and the bias (nullable). Input and
  // output are blocked with config.block ([N, ceil(C/b), H, W, b]); plain layouts are not
  // taken (the direct kernel handles them). Throws hone::Error when
  // winograd_nchwc_config_problem is not empty.
  WinogradNchwc(const ConvGeometry& geometry, const WinogradNchwcConfig& config,
                const float* weight_oihw, const float* bias, Epilogue epilogue);
  ~WinogradNchwc();
  WinogradNchwc(WinogradNchwc&&) noexcept;
  WinogradNchwc& operator=(WinogradNchwc&&) noexcept;

  // y = act(conv(x) + bias + sum); sum (nullable) has y's layout and may alias y. Scratch is
  // per thread (thread_local), grown on a thread's first run of the largest layer only.
  void run(const float* x, const float* sum, float* y, ThreadPool* pool) const;
  // Transformed weights and bias.
  int64_t packed_bytes() const;
  // Scratch floats one thread needs for one work item.
  int64_t scratch_floats() const;
  const WinogradNchwcConfig& config() const;
  // "winograd_f4x4_nchw16c avx512 t16 g8x2", "winograd_f2x2_nchw16c ..." and the like.
  std::string name() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hone
