#include "ops/shape/transpose_fast.h"

#include <algorithm>
#include <cstring>

#include "ops/shape/strided_copy.h"
#include "ops/shape/transpose_tile.h"

namespace hone {
namespace {

// Square tiles of this many elements a side: 32 x 32 floats is 4 KB each way, so a tile's
// source lines and destination lines stay in L1 while it is copied.
constexpr int64_t kTile = 32;
// Work items handed to the pool per thread (stealing evens out the rest).
constexpr int64_t kItemsPerThread = 8;

template <class W>
void transpose_tile(const W* src, int64_t src_stride, W* dst, int64_t dst_stride, int64_t rows,
                    int64_t cols) {
  // src is rows x cols (rows apart by src_stride), dst is cols x rows.
  for (int64_t r = 0; r < rows; ++r) {
    const W* s = src + r * src_stride;
    for (int64_t c = 0; c < cols; ++c) dst[c * dst_stride + r] = s[c];
  }
}

}  // namespace

ReducedTranspose reduce_transpose(const Shape& x_shape, const std::vector<int64_t>& perm) {
  // Drop size-1 axes (renumbering the rest), then merge output neighbours perm[i], perm[i] + 1.
  std::vector<int64_t> new_index(x_shape.size(), -1);
  Shape kept;
  for (size_t a = 0; a < x_shape.size(); ++a) {
    if (x_shape[a] == 1) continue;
    new_index[a] = static_cast<int64_t>(kept.size());
    kept.push_back(x_shape[a]);
  }
  std::vector<int64_t> p;
  for (int64_t a : perm)
    if (new_index[static_cast<size_t>(a)] >= 0) p.push_back(new_index[static_cast<size_t>(a)]);
  // Groups of output axes that are consecutive input axes in order.
  std::vector<std::vector<int64_t>> groups;
  for (int64_t a : p) {
    if (!groups.empty() && groups.back().back() + 1 == a)
      groups.back().push_back(a);
    else
      groups.push_back({a});
  }
  // Each group becomes one axis; number the groups by their first input axis.
  std::vector<size_t> order(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) order[g] = g;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return groups[a].front() < groups[b].front(); });
  ReducedTranspose r;
  r.shape.resize(groups.size());
  r.perm.resize(groups.size());
  for (size_t rank_in = 0; rank_in < order.size(); ++rank_in) {
    const std::vector<int64_t>& g = groups[order[rank_in]];
    int64_t size = 1;
    for (int64_t a : g) size *= kept[static_cast<size_t>(a)];
    r.shape[rank_in] = size;
    r.perm[order[rank_in]] = static_cast<int64_t>(rank_in);
  }
  return r;
}

TransposeFast::TransposeFast(const Shape& x_shape, const std::vector<int64_t>& perm,
                             size_t elem_size, Isa isa)
    : x_shape_(x_shape), perm_(perm), elem_size_(elem_size), numel_(shape_numel(x_shape)) {
  avx2_tiles_ = elem_size == 4 && isa != Isa::kPortable && isa_supported(Isa::kAvx2);
  if (elem_size != 1 && elem_size != 2 && elem_size != 4 && elem_size != 8) {
    mode_ = Mode::kReference;
    return;
  }
  const ReducedTranspose t = reduce_transpose(x_shape, perm);
  const size_t rank = t.shape.size();
  if (rank <= 1) {  // nothing moves
    mode_ = Mode::kCopy;
    return;
  }
  const std::vector<int64_t> in_strides = dense_strides(t.shape);
  Shape out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = t.shape[static_cast<size_t>(t.perm[i])];
  const std::vector<int64_t> out_strides = dense_strides(out_shape);
  const size_t last = rank - 1;
  // Rows: the innermost axis stays innermost (contiguous on both sides). Tiles: the input's
  // innermost axis is output axis j < last; square tiles between it (p) and the output's last
  // axis (q).
  size_t j = last;
  if (t.perm[last] != static_cast<int64_t>(last)) {
    j = 0;
    while (t.perm[j] != static_cast<int64_t>(last)) ++j;
  }
  for (size_t i = 0; i < last; ++i) {
    if (i == j) continue;
    outer_sizes_.push_back(out_shape[i]);
    outer_src_strides_.push_back(in_strides[static_cast<size_t>(t.perm[i])]);
    outer_dst_strides_.push_back(out_strides[i]);
    outer_count_ *= out_shape[i];
  }
  if (j == last) {
    mode_ = Mode::kRows;
    row_ = out_shape[last];
    return;
  }
  mode_ = Mode::kTiles;
  p_size_ = out_shape[j];
  q_size_ = out_shape[last];
  q_src_stride_ = in_strides[static_cast<size_t>(t.perm[last])];
  p_dst_stride_ = out_strides[j];
  q_inner_ = q_size_ * static_cast<int64_t>(elem_size) % 64 != 0;
}

void TransposeFast::outer_offsets(int64_t outer, int64_t& src, int64_t& dst) const {
  src = dst = 0;
  for (size_t i = outer_sizes_.size(); i-- > 0;) {
    const int64_t idx = outer % outer_sizes_[i];
    outer /= outer_sizes_[i];
    src += idx * outer_src_strides_[i];
    dst += idx * outer_dst_strides_[i];
  }
}

template <class W>
void TransposeFast::run_typed(const W* x, W* y, ThreadPool* pool) const {
  const int64_t threads = pool ? pool->threads() : 1;
  if (mode_ == Mode::kRows) {
    // One thread: the rows are memory-speed copies already, and a second thread mostly reads
    // lines the first one's cache holds (ViT's head split ran 2.5x slower split in two).
    for (int64_t o = 0; o < outer_count_; ++o) {
      int64_t src = 0, dst = 0;
      outer_offsets(o, src, dst);
      std::memcpy(y + dst, x + src, static_cast<size_t>(row_) * sizeof(W));
    }
    return;
  }
  const int64_t p_tiles = (p_size_ + kTile - 1) / kTile, q_tiles = (q_size_ + kTile - 1) / kTile;
  const int64_t tiles = outer_count_ * p_tiles * q_tiles;
  const int64_t items = std::min(tiles, threads * kItemsPerThread);
  parallel_for(threads > 1 ? pool : nullptr, static_cast<size_t>(items), [&](size_t item) {
    const int64_t begin = tiles * static_cast<int64_t>(item) / items;
    const int64_t end = tiles * (static_cast<int64_t>(item) + 1) / items;
    for (int64_t tile = begin; tile < end; ++tile) {
      // Tile order: outer index, then q tiles, p tiles innermost (the next tile reads on along
      // the same source rows), unless destination rows are not whole cache lines: then q
      // innermost, so a thread's share is a band of whole destination rows. (ConvNeXt's
      // [49, 768] -> [768, 49] split each 196-byte row between two threads, 2.5x slower.)
      const int64_t pt = q_inner_ ? tile / q_tiles % p_tiles : tile % p_tiles;
      const int64_t qt = q_inner_ ? tile % q_tiles : tile / p_tiles % q_tiles;
      const int64_t o = tile / q_tiles / p_tiles;
      int64_t src = 0, dst = 0;
      outer_offsets(o, src, dst);
      const int64_t p0 = pt * kTile, q0 = qt * kTile;
      // Source rows are q (q_src_stride_ apart), their elements p; destination rows are p.
      const W* tile_src = x + src + q0 * q_src_stride_ + p0;
      W* tile_dst = y + dst + p0 * p_dst_stride_ + q0;
      const int64_t rows = std::min(kTile, q_size_ - q0), cols = std::min(kTile, p_size_ - p0);
      if constexpr (sizeof(W) == 4) {
        // In-cache NCHW <-> NHWC of [96, 3136] floats: 5.9 GB/s element by element on Zen 3.
        if (avx2_tiles_) {
          transpose_detail::transpose_tile_u32_avx2(tile_src, q_src_stride_, tile_dst,
                                                    p_dst_stride_, rows, cols);
          continue;
        }
      }
      transpose_tile(tile_src, q_src_stride_, tile_dst, p_dst_stride_, rows, cols);
    }
  });
}

void TransposeFast::run(const void* x, void* y, ThreadPool* pool) const {
  if (numel_ == 0) return;
  switch (mode_) {
    case Mode::kReference:
      transpose_reference(x, x_shape_, perm_, y, elem_size_);
      return;
    case Mode::kCopy:
      std::memcpy(y, x, static_cast<size_t>(numel_) * elem_size_);
      return;
    case Mode::kRows:
    case Mode::kTiles:
      break;
  }
  switch (elem_size_) {
    case 1:
      return run_typed(static_cast<const uint8_t*>(x), static_cast<uint8_t*>(y), pool);
    case 2:
      return run_typed(static_cast<const uint16_t*>(x), static_cast<uint16_t*>(y), pool);
    case 4:
      return run_typed(static_cast<const uint32_t*>(x), static_cast<uint32_t*>(y), pool);
    default:
      return run_typed(static_cast<const uint64_t*>(x), static_cast<uint64_t*>(y), pool);
  }
}

void transpose_fast(const void* x, const Shape& x_shape, const std::vector<int64_t>& perm, void* y,
                    size_t elem_size, ThreadPool* pool, Isa isa) {
  TransposeFast(x_shape, perm, elem_size, isa).run(x, y, pool);
}

}  // namespace hone
