// Driver of the packed GEMM: B packing, A block packing, the loop nest over cache blocks and
// register tiles, thread split, config JSON and the default heuristic. The portable register
// tile lives here; the AVX-512/AVX2 ones in their ISA files.
#include "ops/gemm/gemm_packed.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.h"
#include "core/tensor.h"
#include "ops/gemm/gemm_microkernel.h"
#include "ops/shape/transpose_tile.h"

namespace hone {
namespace {

using gemm_detail::TileArgs;
using TileFn = void (*)(const TileArgs&);

constexpr int kPortableNr = 8, kPortableMaxMr = 8;
// Upper bound of the blocking knobs (a sanity limit for configs read from files).
constexpr int kMaxBlock = 1 << 20;

template <int MR>
void portable_tile(const TileArgs& t) {
  float acc[MR][kPortableNr] = {};
  for (int64_t kk = 0; kk < t.k; ++kk) {
    const float* bk = t.b + kk * kPortableNr;
    for (int r = 0; r < MR; ++r) {
      const float av = t.a[kk * t.a_stride + r * t.a_row_stride];
      for (int j = 0; j < kPortableNr; ++j) acc[r][j] += av * bk[j];
    }
  }
  for (int r = 0; r < t.rows; ++r) {
    float* yr = t.y + r * t.ldy;
    for (int j = 0; j < t.cols; ++j) {
      float x = acc[r][j];
      if (t.accumulate) x += yr[j];
      if (t.last) {
        if (t.bias) x += t.bias[j];
        if (t.epilogue) x = apply_epilogue(x, *t.epilogue);
      }
      yr[j] = x;
    }
  }
}

constexpr TileFn kPortableTiles[kPortableMaxMr] = {
    portable_tile<1>, portable_tile<2>, portable_tile<3>, portable_tile<4>,
    portable_tile<5>, portable_tile<6>, portable_tile<7>, portable_tile<8>};
void portable_tile_any(const TileArgs& t) {
  kPortableTiles[t.rows - 1](t);
}

// The AVX-512 tile widths: each one's kernel and the most rows its registers hold.
struct Avx512Width {
  int nr;
  TileFn tile;
  int max_mr;
};
constexpr Avx512Width kAvx512Widths[] = {
    {16, gemm_detail::avx512::gemm_tile_nr16, gemm_detail::avx512::kMaxMrNr16},
    {32, gemm_detail::avx512::gemm_tile_nr32, gemm_detail::avx512::kMaxMrNr32},
    {48, gemm_detail::avx512::gemm_tile_nr48, gemm_detail::avx512::kMaxMrNr48},
    {64, gemm_detail::avx512::gemm_tile_nr64, gemm_detail::avx512::kMaxMrNr64},
};
const Avx512Width* avx512_width(int nr) {
  for (const Avx512Width& w : kAvx512Widths)
    if (w.nr == nr) return &w;
  return nullptr;
}

// Only called for configs whose nr the isa has (static_problem checked).
TileFn tile_function(Isa isa, int nr) {
  switch (isa) {
    case Isa::kAvx512:
      return avx512_width(nr)->tile;
    case Isa::kAvx2:
      return nr == 8 ? gemm_detail::avx2::gemm_tile_nr8 : gemm_detail::avx2::gemm_tile_nr16;
    case Isa::kPortable:
      break;
  }
  return portable_tile_any;
}

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// The row tiles of a block of `rows` rows: ceil(rows / mr) tiles of near-equal height, so that
// 197 rows run as 12- to 14-row tiles rather than full ones and a 1-row tile that streams a B
// micro-panel for two FMAs per step.
struct RowTiles {
  int64_t count, base, extra;  // the first `extra` tiles have base + 1 rows, the others base
  RowTiles(int64_t rows, int64_t mr)
      : count(ceil_div(rows, mr)), base(rows / count), extra(rows % count) {}
  int64_t first_row(int64_t tile) const { return tile * base + std::min(tile, extra); }
  int64_t rows(int64_t tile) const { return base + (tile < extra ? 1 : 0); }
};

// The packed panels, written completely by the constructor. A large buffer starts on a 2 MiB
// boundary with transparent huge pages requested for its whole 2 MiB pages: a classifier's
// B is hundreds of MB, and a fault per 4 KiB page costs several times the packing itself.
// (The same as the ONNX importer's initializer tensors.)
Tensor packed_buffer(int64_t floats) {
  constexpr size_t kHugePage = size_t{2} << 20;
  const size_t bytes = static_cast<size_t>(floats) * sizeof(float);
  if (bytes < 2 * kHugePage) return Tensor(DType::kFloat32, {floats});
  const size_t reserved = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, reserved);
  if (!p) throw Error("out of memory allocating " + std::to_string(bytes) + " bytes");
  // Advice only: where it is refused the pages are small, which costs time, not correctness.
  ::madvise(p, bytes / kHugePage * kHugePage, MADV_HUGEPAGE);
  return Tensor::view(DType::kFloat32, {floats},
                      std::shared_ptr<void>(p, [](void* q) { std::free(q); }), p);
}

}  // namespace

int gemm_packed_max_mr(Isa isa, int nr) {
  switch (isa) {
    case Isa::kAvx512: {
      const Avx512Width* w = avx512_width(nr);
      return w ? w->max_mr : 0;
    }
    case Isa::kAvx2:
      return nr == 8 ? gemm_detail::avx2::kMaxMrNr8
                     : (nr == 16 ? gemm_detail::avx2::kMaxMrNr16 : 0);
    case Isa::kPortable:
      return nr == kPortableNr ? kPortableMaxMr : 0;
  }
  return 0;
}

nlohmann::json gemm_packed_config_to_json(const GemmPackedConfig& c) {
  return {{"isa", std::string(isa_name(c.isa))},
          {"mr", c.mr},
          {"nr", c.nr},
          {"mc", c.mc},
          {"kc", c.kc},
          {"nc", c.nc},
          {"pack_a", c.pack_a},
          {"prefetch_b", c.prefetch_b},
          {"gemv_streams", c.gemv_streams}};
}

namespace {

bool tile_reads_a_in_place(Isa isa) {
  return isa != Isa::kAvx512;
}

// Empty when the knobs are consistent with each other (whatever the CPU), else why not.
std::string static_problem(const GemmPackedConfig& c) {
  const int max_mr = gemm_packed_max_mr(c.isa, c.nr);
  if (max_mr == 0)
    return "nr " + std::to_string(c.nr) + " is not a tile width of the " +
           std::string(isa_name(c.isa)) + " kernel";
  if (c.mr < 1 || c.mr > max_mr)
    return "mr " + std::to_string(c.mr) + " is outside [1, " + std::to_string(max_mr) + "] for " +
           std::string(isa_name(c.isa)) + " nr " + std::to_string(c.nr);
  if (c.mc < c.mr || c.mc > kMaxBlock || c.mc % c.mr != 0)
    return "mc " + std::to_string(c.mc) + " must be a multiple of mr " + std::to_string(c.mr);
  if (c.nc < c.nr || c.nc > kMaxBlock || c.nc % c.nr != 0)
    return "nc " + std::to_string(c.nc) + " must be a multiple of nr " + std::to_string(c.nr);
  if (c.kc < 1 || c.kc > kMaxBlock) return "kc " + std::to_string(c.kc) + " is out of range";
  if (!c.pack_a && !tile_reads_a_in_place(c.isa))
    return "pack_a false: the " + std::string(isa_name(c.isa)) + " tiles read packed A only";
  if (c.gemv_streams < 1 || c.gemv_streams > kMaxGemvStreams)
    return "gemv_streams " + std::to_string(c.gemv_streams) + " is outside [1, " +
           std::to_string(kMaxGemvStreams) + "]";
  if (c.gemv_streams > 1 && (c.mr != 1 || c.isa == Isa::kPortable))
    return "gemv_streams above 1 needs mr 1 and a vector (avx2, avx512) kernel";
  return "";
}

int json_int(const nlohmann::json& json, const char* field) {
  auto it = json.find(field);
  if (it == json.end()) throw Error(std::string("gemm config: missing field '") + field + "'");
  if (!it->is_number_integer())
    throw Error(std::string("gemm config: field '") + field + "' must be an integer");
  const int64_t v = it->get<int64_t>();
  if (v < 1 || v > kMaxBlock)
    throw Error(std::string("gemm config: field '") + field + "' = " + std::to_string(v) +
                " is out of range");
  return static_cast<int>(v);
}

}  // namespace

GemmPackedConfig gemm_packed_config_from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw Error("gemm config: expected a JSON object");
  auto isa = json.find("isa");
  if (isa == json.end()) throw Error("gemm config: missing field 'isa'");
  if (!isa->is_string()) throw Error("gemm config: field 'isa' must be a string");
  GemmPackedConfig c;
  try {
    c.isa = parse_isa(isa->get<std::string>());
  } catch (const Error& e) {
    throw Error(std::string("gemm config: field 'isa': ") + e.what());
  }
  c.mr = json_int(json, "mr");
  c.nr = json_int(json, "nr");
  c.mc = json_int(json, "mc");
  c.kc = json_int(json, "kc");
  c.nc = json_int(json, "nc");
  // Optional: configs written before these knobs existed packed A and prefetched B.
  for (auto [field, knob] : {std::pair{"pack_a", &c.pack_a}, {"prefetch_b", &c.prefetch_b}}) {
    auto it = json.find(field);
    if (it == json.end()) continue;
    if (!it->is_boolean())
      throw Error(std::string("gemm config: field '") + field + "' must be true or false");
    *knob = it->get<bool>();
  }
  if (json.contains("gemv_streams")) c.gemv_streams = json_int(json, "gemv_streams");
  if (std::string problem = static_problem(c); !problem.empty())
    throw Error("gemm config: " + problem);
  return c;
}

std::string gemm_packed_config_problem(const GemmPackedConfig& config) {
  if (!isa_supported(config.isa))
    return "this CPU cannot run the " + std::string(isa_name(config.isa)) + " kernel";
  return static_problem(config);
}

namespace {

// dst[c * dst_stride + r] = src[r * src_stride + c] for a rows x cols block: 8 x 8 register
// transposes on CPUs with AVX2 (every vector config's isa implies it), else element by element.
// Packing a transposed B or a row-major A: ViT's attention packs a 197x197 A and a 64x197 B
// per head and run, and element by element that took as long as the products.
void transpose_block(Isa isa, const float* src, int64_t src_stride, float* dst, int64_t dst_stride,
                     int64_t rows, int64_t cols) {
  if (isa != Isa::kPortable) {
    transpose_detail::transpose_tile_u32_avx2(reinterpret_cast<const uint32_t*>(src), src_stride,
                                              reinterpret_cast<uint32_t*>(dst), dst_stride, rows,
                                              cols);
    return;
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) dst[c * dst_stride + r] = src[r * src_stride + c];
}

}  // namespace

GemmPackedConfig default_gemm_packed_config(int64_t m, int64_t n, int64_t k, Isa isa, int threads) {
  GemmPackedConfig c;
  c.isa = isa;
  int big_mr = 4;
  switch (isa) {
    case Isa::kAvx512:
      c.nr = n <= 16 ? 16 : 32;
      big_mr = 14;  // 28 accumulators for nr 32: 130 -> 150 GFLOP/s on 197x3072x768, 1 thread
      // Many rows and wide outputs: 8 x 48 tiles (8 broadcasts and 3 loads per 24 FMAs, not 14
      // and 2 per 28), unless 48-column panels pad the columns more than 32-column ones. Ice
      // Lake, 2 threads, paired in one process (weights in L3): 788x3072x768 (ViT at batch 4)
      // 0.91-0.96 of the time, 197x2304x768 0.92, 128x768x3072 0.87-0.89, 128x3072x768 0.93,
      // 3136x384x96 0.93, 3136x96x384 1.00; weights from memory (eight layers) 197x3072x768
      // 0.93, 197x768x3072 0.92. 6 x 64 tiles measured alike on big products and 1.1-1.6x
      // the time on attention's per-head ones (197x64x197), which keep 32 columns (n < 96).
      if (m > gemm_detail::avx512::kMaxMrNr32 && n >= 96 &&
          ceil_div(n, 48) * 48 <= ceil_div(n, 32) * 32) {
        c.nr = 48;
        big_mr = gemm_detail::avx512::kMaxMrNr48;
      }
      break;
    case Isa::kAvx2:
      c.nr = n <= 8 ? 8 : 16;
      big_mr = c.nr == 8 ? 12 : 6;
      break;
    case Isa::kPortable:
      c.nr = kPortableNr;
      big_mr = 4;
      break;
  }
  const int max_mr = gemm_packed_max_mr(isa, c.nr);
  // A short A (batch-1/small-batch dense layers) fits one register tile: B is streamed once
  // with the accumulators kept over the whole depth.
  const bool one_tile = m <= max_mr;
  c.mr = one_tile ? static_cast<int>(std::max<int64_t>(m, 1)) : big_mr;
  // Row blocks of at most about 120 rows, as equal as whole row tiles make them: 128 rows as
  // 120 + 8 left the 8-row block's tasks nearly empty and the threads unbalanced (Zen 5,
  // 128x768x3072, 2 threads, paired: two blocks of 64 took 0.82 of the time).
  const int64_t mc_cap = c.mr * std::max(1, 120 / c.mr);
  const int64_t m_blocks = ceil_div(std::max<int64_t>(m, 1), mc_cap);
  c.mc = static_cast<int>(ceil_div(ceil_div(std::max<int64_t>(m, 1), m_blocks), c.mr) * c.mr);
  // Packing A cost 5-20% of the AVX2 GEMM's time (ConvNeXt's 3136x96x384 75 -> 92 GFLOP/s
  // without it, one thread); reading six rows in place streams them from L2 just as well.
  c.pack_a = !tile_reads_a_in_place(isa);
  // With A packed, depth passes as deep as half of L2 holds an A block (mc x kc) and a B
  // micro-panel (kc x nr), in equal passes: every pass reloads and stores the accumulators and
  // repacks A. Zen 5 (1 MB L2), 2 threads, paired against B micro-panels sized for L1 (kc 128 with
  // nr 48): 197x3072x768 0.91, 197x2304x768 0.94, 128x3072x768 0.90, 197x768x3072 (kc 768) 0.96,
  // 128x768x3072 0.92; 197x768x768 within 1%. Tiles that read A in place (AVX2, portable) repack
  // nothing per pass and load more of B per FMA: they keep B micro-panels sized for L1 (the encoder
  // with kc 768 on AVX2: 1.05 of the time).
  const int64_t l1_kc = std::max<int64_t>(64, 24 * 1024 / (4 * c.nr));
  const int64_t l2_kc = c.pack_a ? cache_sizes().l2 / 2 / (4 * (c.mc + c.nr)) : 0;
  const int64_t kc_cap = std::max(l1_kc, l2_kc);
  const int64_t k_passes = ceil_div(std::max<int64_t>(k, 1), kc_cap);
  c.kc = static_cast<int>(one_tile ? std::clamp<int64_t>(k, 1, 4096)
                                   : ceil_div(std::max<int64_t>(k, 1), k_passes));
  const int64_t panels = ceil_div(std::max<int64_t>(n, 1), c.nr);
  // Enough column tasks for the threads to balance (4 per thread), each at most 256 or 512
  // columns (below).
  const int64_t target_tasks = threads > 1 ? 4 * threads : 1;
  const int64_t n_blocks = std::max<int64_t>(1, ceil_div(target_tasks, m_blocks));
  // A B of a megabyte or more comes from memory on every call (a transformer's weights): its
  // tasks take 256 columns, not 512. ViT-B/16's MLP 197x3072x768 (eight layers' distinct
  // weights in a row, 2 threads, Ice Lake, 200 paired passes in one process): 0.93 of the
  // time with 256, 0.92-0.95 with 64-192, 0.98 with 384; QKV 197x2304x768 0.99; with B in
  // cache (ConvNeXt's 3136x384x96) 256 lost 5%, so small Bs keep 512. GEMVs keep it too.
  const bool b_from_memory = !one_tile && k * n * static_cast<int64_t>(sizeof(float)) >= (1 << 20);
  const int64_t cap = std::max<int64_t>(1, (b_from_memory ? 256 : 512) / c.nr);
  const int64_t per_task = std::clamp<int64_t>(ceil_div(panels, n_blocks), 1, cap);
  c.nc = static_cast<int>(per_task * c.nr);
  // One row tile per panel: let the hardware prefetcher stream B (AlexNet's fc6, 2 threads,
  // Ice Lake: 7.4 -> 11.0 GFLOP/s, 15 -> 22 GB/s).
  c.prefetch_b = !one_tile;
  // A GEMV reads four B panels at once (AlexNet's fc6 1x4096x9216, 2 threads, Ice Lake,
  // paired: one panel at a time 1.16-1.19x the time with the AVX-512 tile, 1.25-1.28x with
  // the AVX2 one).
  if (isa != Isa::kPortable && c.mr == 1) c.gemv_streams = kMaxGemvStreams;
  return c;
}

// Where the tasks of run() pack their blocks of A: one buffer per task that can run at once
// (the pool's threads), claimed with a flag. Sized by run() on the calling thread before the
// tasks start, so a run allocates only when it needs more than every earlier one.
class ABlockBuffers {
 public:
  void reserve(int slots, int64_t floats) {
    if (slots <= slots_ && floats <= floats_) return;
    slots_ = std::max(slots, slots_);
    floats_ = std::max(floats, floats_);
    data_.assign(static_cast<size_t>(slots_ * floats_), 0.0f);
    busy_ = std::make_unique<std::atomic<bool>[]>(static_cast<size_t>(slots_));
  }
  // A free buffer's index, or -1 when more tasks run at once than reserved (not expected).
  int claim() {
    for (int i = 0; i < slots_; ++i)
      if (!busy_[i].exchange(true, std::memory_order_acquire)) return i;
    return -1;
  }
  void release(int i) { busy_[i].store(false, std::memory_order_release); }
  float* data(int i) { return data_.data() + static_cast<int64_t>(i) * floats_; }
  int64_t bytes() const { return static_cast<int64_t>(data_.size() * sizeof(float)); }

 private:
  int slots_ = 0;
  int64_t floats_ = 0;
  std::vector<float> data_;
  std::unique_ptr<std::atomic<bool>[]> busy_;
};

struct GemmPacked::Impl {
  GemmPackedConfig config;
  int64_t n = 0, k = 0;
  Tensor packed;  // ceil(n / nr) panels of [k][nr], 64-byte aligned
  Tensor bias;    // n floats, or empty
  Epilogue epilogue;
  TileFn tile = nullptr;
  mutable ABlockBuffers a_blocks;
};

GemmPacked::GemmPacked(int64_t n, int64_t k, const float* b, bool trans_b, float alpha,
                       const GemmPackedConfig& config, const float* bias, Epilogue epilogue)
    : impl_(std::make_unique<Impl>()) {
  if (std::string problem = gemm_packed_config_problem(config); !problem.empty())
    throw Error("gemm config: " + problem);
  Impl& s = *impl_;
  s.config = config;
  s.n = n;
  s.k = k;
  s.epilogue = epilogue;
  s.tile = tile_function(config.isa, config.nr);
  s.packed = packed_buffer(std::max<int64_t>(1, ceil_div(n, config.nr) * k * config.nr));
  repack(b, trans_b, alpha);
  if (bias) {
    s.bias = Tensor(DType::kFloat32, {n});
    std::memcpy(s.bias.data<float>(), bias, static_cast<size_t>(n) * sizeof(float));
  }
}

void GemmPacked::repack(const float* b, bool trans_b, float alpha, int64_t ldb) {
  Impl& s = *impl_;
  const int64_t n = s.n, k = s.k;
  if (ldb == 0) ldb = trans_b ? k : n;
  const int64_t nr = s.config.nr;
  const int64_t panels = ceil_div(n, nr);
  float* dst = s.packed.data<float>();
  for (int64_t p = 0; p < panels; ++p) {
    const int64_t j0 = p * nr, cols = std::min(nr, n - j0);
    float* panel = dst + p * k * nr;
    if (trans_b) {
      // B is [n, k]: the panel is the transpose of its rows j0.. j0 + cols.
      transpose_block(s.config.isa, b + j0 * ldb, ldb, panel, nr, cols, k);
      for (int64_t kk = 0; kk < k; ++kk) {
        float* out = panel + kk * nr;
        if (alpha != 1.0f)
          for (int64_t j = 0; j < cols; ++j) out[j] *= alpha;
        for (int64_t j = cols; j < nr; ++j) out[j] = 0.0f;
      }
    } else {
      for (int64_t kk = 0; kk < k; ++kk) {
        const float* row = b + kk * ldb + j0;
        float* out = panel + kk * nr;
        for (int64_t j = 0; j < cols; ++j) out[j] = alpha * row[j];
        for (int64_t j = cols; j < nr; ++j) out[j] = 0.0f;
      }
    }
  }
}

GemmPacked::~GemmPacked() = default;
GemmPacked::GemmPacked(GemmPacked&&) noexcept = default;
GemmPacked& GemmPacked::operator=(GemmPacked&&) noexcept = default;

int64_t GemmPacked::n() const {
  return impl_->n;
}
int64_t GemmPacked::k() const {
  return impl_->k;
}
int64_t GemmPacked::packed_bytes() const {
  return static_cast<int64_t>(impl_->packed.nbytes() + impl_->bias.nbytes());
}
const GemmPackedConfig& GemmPacked::config() const {
  return impl_->config;
}

std::string GemmPacked::kernel_name() const {
  const GemmPackedConfig& c = impl_->config;
  std::string name = "gemm_f32_";
  name += isa_name(c.isa);
  name += '_';
  name += std::to_string(c.mr);
  name += 'x';
  name += std::to_string(c.nr);
  if (c.gemv_streams > 1) {
    name += ", ";
    name += std::to_string(c.gemv_streams);
    name += " panels at once";
  }
  return name;
}

void GemmPacked::run(int64_t m, const float* a, int64_t lda, bool trans_a, const float* c,
                     int64_t c_row_stride, int64_t c_col_stride, float beta, float* y,
                     ThreadPool* pool, int64_t ldy) const {
  const Impl& s = *impl_;
  const int64_t n = s.n, k = s.k;
  if (ldy == 0) ldy = n;
  if (m <= 0 || n <= 0) return;
  const GemmPackedConfig& cfg = s.config;
  const int64_t mr = cfg.mr, nr = cfg.nr, mc = cfg.mc, nc = cfg.nc, kc = cfg.kc;
  const float* own_bias = s.bias.empty() ? nullptr : s.bias.data<float>();
  // A per-column C with beta 1 is a bias the tile adds in registers; any other C is added
  // after the product, followed by the activation, while the block is still in cache.
  const bool c_as_bias = c && !own_bias && c_row_stride == 0 && c_col_stride == 1 && beta == 1.0f;
  const float* bias = c_as_bias ? c : own_bias;
  const bool c_after = c && !c_as_bias;
  const Epilogue none;
  const Epilogue* tile_epilogue = c_after ? &none : &s.epilogue;
  const int64_t m_blocks = ceil_div(m, mc), n_blocks = ceil_div(n, nc);
  const int64_t panel_floats = k * nr;
  const float* packed = s.packed.data<float>();

  const int64_t a_floats =
      ceil_div(std::min(mc, m), mr) * mr * std::min(kc, std::max<int64_t>(k, 1));
  const bool threaded = pool && pool->threads() > 1 && m_blocks * n_blocks > 1;
  // A row-major A is read where it lies when the config does not pack it.
  const bool in_place = !cfg.pack_a && !trans_a;
  // Rows [i0, i0 + mb) x depth [p0, p0 + kb) of A as mr-row panels, k-major, at ap.
  // Row tile `tile` of a block (RowTiles) is packed at ap + tile * mr * kb.
  auto pack_a = [&](float* ap, int64_t i0, int64_t mb, int64_t p0, int64_t kb) {
    const RowTiles tiles(mb, mr);
    for (int64_t tile = 0; tile < tiles.count; ++tile) {
      const int64_t rows = tiles.rows(tile), first = i0 + tiles.first_row(tile);
      float* dst = ap + tile * mr * kb;
      if (!trans_a) {
        transpose_block(cfg.isa, a + first * lda + p0, lda, dst, mr, rows, kb);
        continue;
      }
      for (int64_t kk = 0; kk < kb; ++kk)
        std::copy_n(a + (p0 + kk) * lda + first, rows, dst + kk * mr);
    }
  };
  // With several column blocks every task of a row block would pack the same rows of A again
  // (ViT's 197x3072 MLP input 4 times, 6 on one thread): A is packed once, all of it, into the
  // calling thread's scratch (grown to the largest A it has seen, then reused). One thread
  // packing per task spent 10% of a ViT MLP GEMM's time there (Ice Lake).
  const bool shared_a = !in_place && n_blocks > 1;
  const int64_t mc_pad = ceil_div(std::min(mc, m), mr) * mr;
  float* shared = nullptr;
  if (shared_a) {
    static thread_local std::vector<float> scratch;
    const auto floats = static_cast<size_t>(m_blocks * mc_pad * k);
    if (scratch.size() < floats) scratch.resize(floats);
    shared = scratch.data();
    const int64_t chunks = ceil_div(k, kc);
    parallel_for(pool, static_cast<size_t>(m_blocks * chunks), [&](size_t item) {
      const int64_t ib = static_cast<int64_t>(item) / chunks;
      const int64_t p0 = static_cast<int64_t>(item) % chunks * kc;
      const int64_t i0 = ib * mc;
      pack_a(shared + ib * mc_pad * k + p0 * mc_pad, i0, std::min(mc, m - i0), p0,
             std::min(kc, k - p0));
    });
  } else if (!in_place) {
    s.a_blocks.reserve(threaded ? pool->threads() : 1, a_floats);
  }

  auto task = [&](size_t index) {
    const int64_t ib = static_cast<int64_t>(index) / n_blocks;
    const int64_t jb = static_cast<int64_t>(index) % n_blocks;
    const int64_t i0 = ib * mc, mb = std::min(mc, m - i0);
    const int64_t j0 = jb * nc, nb = std::min(nc, n - j0);
    const bool own_block = !shared_a && !in_place;
    const int slot = own_block ? s.a_blocks.claim() : -1;
    std::vector<float> spare;  // only when more tasks run at once than the pool has threads
    if (slot < 0 && own_block) spare.resize(static_cast<size_t>(a_floats));
    float* own = slot < 0 ? spare.data() : s.a_blocks.data(slot);
    int64_t p0 = 0;
    do {
      const int64_t kb = std::min(kc, k - p0);
      // Row tile `tile` of this block reads A at ap + tile * a_tile_step (packed) or from its
      // first row (in place).
      const float* ap = own;
      const int64_t a_tile_step = mr * kb;
      if (in_place) {
        ap = a + i0 * lda + p0;
      } else if (shared_a) {
        ap = shared + ib * mc_pad * k + p0 * mc_pad;
      } else {
        pack_a(own, i0, mb, p0, kb);
      }
      const bool last = p0 + kb >= k;
      const RowTiles row_tiles(mb, mr);
      const int64_t step = nr * cfg.gemv_streams;  // gemv_streams > 1 only with mr 1
      for (int64_t jp = j0; jp < j0 + nb; jp += step) {
        const int panels =
            static_cast<int>(std::min<int64_t>(cfg.gemv_streams, ceil_div(j0 + nb - jp, nr)));
        // The B micro-panel after this one (the next panel, or the next pass's first one):
        // a network's weights come from memory, so each row tile requests its share of those
        // lines into L2 while the FMAs run, instead of the next panel's first tile stalling.
        const float* b_next = nullptr;
        int64_t next_lines = 0;
        if (cfg.prefetch_b && jp + step < j0 + nb) {
          b_next = packed + (jp / nr + panels) * panel_floats + p0 * nr;
          next_lines = kb * nr * 4 / 64;
        } else if (cfg.prefetch_b && !last) {
          b_next = packed + (j0 / nr) * panel_floats + (p0 + kb) * nr;
          next_lines = std::min(kc, k - p0 - kb) * nr * 4 / 64;
        }
        const int64_t lines_per_tile = ceil_div(next_lines, row_tiles.count);
        TileArgs t;
        t.k = kb;
        t.a_stride = in_place ? 1 : mr;
        t.a_row_stride = in_place ? lda : 1;
        t.b = packed + (jp / nr) * panel_floats + p0 * nr;
        t.ldy = ldy;
        t.cols = static_cast<int>(std::min<int64_t>(nr * panels, n - jp));
        t.panels = panels;
        t.panel_stride = panel_floats;
        t.accumulate = p0 > 0;
        t.last = last;
        t.bias = bias ? bias + jp : nullptr;
        t.epilogue = tile_epilogue;
        for (int64_t tile = 0; tile < row_tiles.count; ++tile) {
          const int64_t first = row_tiles.first_row(tile);
          t.a = in_place ? ap + first * lda : ap + tile * a_tile_step;
          t.y = y + (i0 + first) * ldy + jp;
          t.rows = static_cast<int>(row_tiles.rows(tile));
          for (int64_t l = 0; l < lines_per_tile && next_lines > 0; ++l, --next_lines) {
            __builtin_prefetch(b_next, 0, 2);
            b_next += 16;
          }
          s.tile(t);
        }
      }
      p0 += kb;
    } while (p0 < k);
    if (slot >= 0) s.a_blocks.release(slot);
    if (c_after) {
      for (int64_t i = i0; i < i0 + mb; ++i) {
        float* yr = y + i * ldy;
        for (int64_t j = j0; j < j0 + nb; ++j)
          yr[j] = apply_epilogue(yr[j] + beta * c[i * c_row_stride + j * c_col_stride], s.epilogue);
      }
    }
  };
  parallel_for(pool, static_cast<size_t>(m_blocks * n_blocks), task);
}

}  // namespace hone
