// The vector register-tile kernel of the blocked convolution, written once over a vector-ops
// struct. Not a normal header: each ISA file includes it INSIDE its own anonymous namespace,
// after defining its Ops structs, so every ISA gets distinct template instances compiled for it
// (a shared instance could let the linker pick an AVX-512 copy for AVX2-only CPUs).
//
// Needs in scope: Tile, TileFn, Epilogue, Activation, kMaxOwTile, kMaxOcTile, activate<Ops>
// (ops/common/vector_activate.inl) and an Ops struct (ops/common/vector_ops_*.inl: V, kWidth
// and static load/store/set1/zero/fma/add/mul/div/max/min/select_ge0/exp/tanh);
// constexpr bool tile_fits_here(block, ow, oc) says which tiles the ISA's registers hold.

// One tap over `lanes` input lanes for the pixels [SL, OW - SR) of the tile (none if SL + SR >=
// OW). UNIT: the pixel stride is B (blocked stride-1 input), a compile-time displacement. w_lane:
// weight floats from one lane to the next (B, except kw taps run as lanes: see Tile::kw_as_lanes).
// LANES > 0: the lane count is that constant (a whole block): the loop unrolls by 4 with no
// trip-count test (by 16 it measured no faster and took 12 s longer to compile per ISA file).
template <class Ops, int B, int OW, int OC, int SL, int SR, bool UNIT, int LANES = 0>
__attribute__((always_inline)) inline void tap_lanes(
    typename Ops::V (&acc)[OW][OC * B / Ops::kWidth], const float* xk, const float* wk,
    int64_t lanes, int64_t x_lane, int64_t x_pixel, int64_t w_ocb, int64_t w_pf,
    int64_t w_lane = B) {
  using V = typename Ops::V;
  constexpr int W = Ops::kWidth;
  constexpr int VPB = B / W;
  constexpr int NV = OC * VPB;
  // No pixel left between the borders: nothing to add (the caller's tile is that narrow).
  if constexpr (SL + SR >= OW) return;
  auto lane = [&](const float* xl, const float* wl) __attribute__((always_inline)) {
    if (w_pf) {
#pragma GCC unroll 16
      for (int o = 0; o < OC; ++o) Ops::prefetch(wl + o * w_ocb + w_pf);
    }
    V w[NV];
#pragma GCC unroll 16
    for (int o = 0; o < OC; ++o)
#pragma GCC unroll 4
      for (int v = 0; v < VPB; ++v) w[o * VPB + v] = Ops::load(wl + o * w_ocb + v * W);
    if constexpr (UNIT) {
#pragma GCC unroll 32
      for (int p = SL; p < OW - SR; ++p) {
        const V xb = Ops::set1(xl[p * B]);
#pragma GCC unroll 16
        for (int v = 0; v < NV; ++v) acc[p][v] = Ops::fma(w[v], xb, acc[p][v]);
      }
    } else {
      const float* xp = xl + SL * x_pixel;
#pragma GCC unroll 32
      for (int p = SL; p < OW - SR; ++p, xp += x_pixel) {
        const V xb = Ops::set1(*xp);
#pragma GCC unroll 16
        for (int v = 0; v < NV; ++v) acc[p][v] = Ops::fma(w[v], xb, acc[p][v]);
      }
    }
  };
  if constexpr (LANES > 0) {
#pragma GCC unroll 4
    for (int l = 0; l < LANES; ++l) lane(xk + l * x_lane, wk + l * B);
  } else {
    for (int64_t l = 0; l < lanes; ++l, xk += x_lane, wk += w_lane) lane(xk, wk);
  }
}

// Applies the generic activation in place to n vectors at buf, out of line: its calls then
// clobber none of the caller's registers.
template <class Ops>
__attribute__((noinline)) void activate_in_memory(float* buf, int n, const Epilogue& e) {
  for (int i = 0; i < n; ++i)
    Ops::store(buf + i * Ops::kWidth, activate<Ops>(Ops::load(buf + i * Ops::kWidth), e));
}

// Accumulators start from the bias (one epilogue operation fewer per output vector); the
// residual sum, read only in the epilogue and usually from memory (a block's input, written
// layers ago), is requested now so that it arrives while the FMAs run.
template <class Ops, int B, int OW, int OC>
__attribute__((always_inline)) inline void start_tile(
    const Tile& t, typename Ops::V (&acc)[OW][OC * B / Ops::kWidth]) {
  using V = typename Ops::V;
  constexpr int W = Ops::kWidth;
  constexpr int NV = OC * B / W;
  if (!t.accumulate && t.bias) {
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) {
      const V b = Ops::load(t.bias + v * W);
#pragma GCC unroll 32
      for (int p = 0; p < OW; ++p) acc[p][v] = b;
    }
  } else {
#pragma GCC unroll 32
    for (int p = 0; p < OW; ++p)
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) acc[p][v] = Ops::zero();
  }
  if (t.sum) {
#pragma GCC unroll 32
    for (int p = 0; p < OW; ++p)
#pragma GCC unroll 16
      for (int o = 0; o < OC; ++o) Ops::prefetch(t.sum + o * t.y_ocb + p * B);
  }
}

template <class Ops, int B, int OW, int OC>
__attribute__((always_inline)) inline void finish_tile(
    const Tile& t, typename Ops::V (&acc)[OW][OC * B / Ops::kWidth]);

// The caller's next weights (Tile::w_next), a share of the lines before each of the call's taps.
struct WeightPrefetch {
  const char* next;
  int64_t left, per_tap;
  explicit WeightPrefetch(const Tile& t)
      : next(reinterpret_cast<const char*>(t.w_next)), left(t.w_next_lines), per_tap(0) {
    const int64_t taps = t.groups * t.kh * t.kw;
    if (left > 0 && taps > 0) per_tap = (left + taps - 1) / taps;
  }
  __attribute__((always_inline)) void before_tap() {
    for (int64_t i = 0; i < per_tap && left > 0; ++i, --left) {
      __builtin_prefetch(next, 0, 2);
      next += 64;
    }
  }
};

// 1x1 stride 1 on a blocked input without borders (pointwise convs): one tap per group, its
// lanes a unit-stride run; whole groups run unrolled with no per-tap bookkeeping. Its own
// function: inside tile() the other paths' integer state took two vector registers as spill
// slots, which left one of the 14x2 tile's accumulators in memory (a load and a store per lane
// step); alone, all 28 stay in registers.
template <class Ops, int B, int OW, int OC>
__attribute__((noinline)) void pointwise_tile(const Tile& t) {
  using V = typename Ops::V;
  V acc[OW][OC * B / Ops::kWidth];
  start_tile<Ops, B, OW, OC>(t, acc);
  const float* xg = t.x;
  const float* wg = t.w;
  const int64_t w_ocb = t.w_ocb, w_pf = t.w_prefetch, x_group = t.x_group, w_group = t.w_group;
  WeightPrefetch w_next(t);
  for (int64_t g = 0; g < t.groups; ++g, xg += x_group, wg += w_group) {
    // Blocked input: each pixel's lanes are one or two cache lines, far from the next group's;
    // fetch the next group's lines now, since the hardware prefetchers track fewer streams
    // than a deep layer has groups.
    if (t.prefetch_input && g + 1 < t.groups) {
#pragma GCC unroll 32
      for (int p = 0; p < OW; ++p) Ops::prefetch(xg + x_group + p * B);
    }
    w_next.before_tap();
    tap_lanes<Ops, B, OW, OC, 0, 0, true, B>(acc, xg, wg, B, 1, B, w_ocb, w_pf);
  }
  finish_tile<Ops, B, OW, OC>(t, acc);
}

// OW pixels x OC blocks of B lanes; VPB vectors per block. Everything the hot loop touches is a
// compile-time count so the accumulators stay in registers.
template <class Ops, int B, int OW, int OC>
void tile(const Tile& t) {
  using V = typename Ops::V;
  constexpr int W = Ops::kWidth;
  constexpr int VPB = B / W;
  constexpr int NV = OC * VPB;
  const int64_t x_pixel = t.x_pixel, x_lane = t.x_lane, w_ocb = t.w_ocb, w_pf = t.w_prefetch;
  if (t.kh == 1 && t.kw == 1 && !t.pixel_lo && x_lane == 1 && x_pixel == B && t.lanes == B &&
      t.last_lanes == B)
    return pointwise_tile<Ops, B, OW, OC>(t);
  V acc[OW][NV];
  start_tile<Ops, B, OW, OC>(t, acc);
  const int64_t w_lane = t.w_lane ? t.w_lane : B;
  const float* xg = t.x;
  const float* wg = t.w;
  WeightPrefetch w_next(t);
  // Blocked input: the next group's lines now (see pointwise_tile).
  auto prefetch_next_group = [&](int64_t g) __attribute__((always_inline)) {
    if (!t.prefetch_input || x_lane != 1 || g + 1 >= t.groups) return;
    const float* next = xg + t.x_group;
    for (int64_t kh = 0; kh < t.kh; ++kh)
#pragma GCC unroll 32
      for (int p = 0; p < OW; ++p) Ops::prefetch(next + kh * t.x_kh + p * x_pixel);
  };
  // Plain input, no borders in this tile: each (kh, lane) runs its kw taps as one run.
  const bool kw_runs = t.kw_as_lanes && !t.pixel_lo;
  for (int64_t g = 0; kw_runs && g < t.groups; ++g, xg += t.x_group, wg += t.w_group) {
    const int64_t lanes = g + 1 == t.groups ? t.last_lanes : t.lanes;
    for (int64_t kh = 0; kh < t.kh; ++kh) {
      w_next.before_tap();
      for (int64_t l = 0; l < lanes; ++l)
        tap_lanes<Ops, B, OW, OC, 0, 0, false>(acc, xg + kh * t.x_kh + l * x_lane,
                                               wg + kh * t.w_kh + l * w_lane, t.kw, t.x_kw, x_pixel,
                                               w_ocb, w_pf, t.w_kw);
    }
  }
  for (int64_t g = 0; !kw_runs && g < t.groups; ++g, xg += t.x_group, wg += t.w_group) {
    const int64_t lanes = g + 1 == t.groups ? t.last_lanes : t.lanes;
    prefetch_next_group(g);
    for (int64_t kh = 0; kh < t.kh; ++kh) {
      for (int64_t kw = 0; kw < t.kw; ++kw) {
        w_next.before_tap();
        const float* xk = xg + kh * t.x_kh + kw * t.x_kw;
        const float* wk = wg + kh * t.w_kh + kw * t.w_kw;
        // Border tiles: pixels outside [lo, hi) skip this tap (they would read padding).
        // Borders of up to 3 pixels on one side (3x3 to 7x7 windows) get their own unrolled
        // loops; others test each pixel. 5x5 convs, 2 threads, paired in one process on Ice
        // Lake: 64->192 at 27x27 (AlexNet) 0.85 and 48->64 at 35x35 (Inception-v3) 0.92 of
        // the time with the 2-pixel loops.
        const int lo = t.pixel_lo ? t.pixel_lo[kw] : 0;
        const int hi = t.pixel_hi ? t.pixel_hi[kw] : OW;
        if (lo >= hi) continue;
        if (lo == 0 && hi == OW) {
          if (x_pixel == B)
            tap_lanes<Ops, B, OW, OC, 0, 0, true>(acc, xk, wk, lanes, x_lane, x_pixel, w_ocb, w_pf,
                                                  w_lane);
          else
            tap_lanes<Ops, B, OW, OC, 0, 0, false>(acc, xk, wk, lanes, x_lane, x_pixel, w_ocb, w_pf,
                                                   w_lane);
        } else if (hi == OW && lo <= 3) {
          if (lo == 1)
            tap_lanes<Ops, B, OW, OC, 1, 0, false>(acc, xk, wk, lanes, x_lane, x_pixel, w_ocb, w_pf,
                                                   w_lane);
          else if (lo == 2)
            tap_lanes<Ops, B, OW, OC, 2, 0, false>(acc, xk, wk, lanes, x_lane, x_pixel, w_ocb, w_pf,
                                                   w_lane);
          else
            tap_lanes<Ops, B, OW, OC, 3, 0, false>(acc, xk, wk, lanes, x_lane, x_pixel, w_ocb, w_pf,
                                                   w_lane);
        } else if (lo == 0 && hi >= OW - 3) {
          if (hi == OW - 1)
            tap_lanes<Ops, B, OW, OC, 0, 1, false>(acc, xk, wk, lanes, x_lane, x_pixel, w_ocb, w_pf,
                                                   w_lane);
          else if (hi == OW - 2)
            tap_lanes<Ops, B, OW, OC, 0, 2, false>(acc, xk, wk, lanes, x_lane, x_pixel, w_ocb, w_pf,
                                                   w_lane);
          else
            tap_lanes<Ops, B, OW, OC, 0, 3, false>(acc, xk, wk, lanes, x_lane, x_pixel, w_ocb, w_pf,
                                                   w_lane);
        } else {
          for (int64_t l = 0; l < lanes; ++l, xk += x_lane, wk += w_lane) {
            if (w_pf) {
#pragma GCC unroll 16
              for (int o = 0; o < OC; ++o) Ops::prefetch(wk + o * w_ocb + w_pf);
            }
            V w[NV];
#pragma GCC unroll 16
            for (int o = 0; o < OC; ++o)
#pragma GCC unroll 4
              for (int v = 0; v < VPB; ++v) w[o * VPB + v] = Ops::load(wk + o * w_ocb + v * W);
#pragma GCC unroll 32
            for (int p = 0; p < OW; ++p) {
              if (p < lo || p >= hi) continue;
              const V xb = Ops::set1(xk[p * x_pixel]);
#pragma GCC unroll 16
              for (int v = 0; v < NV; ++v) acc[p][v] = Ops::fma(w[v], xb, acc[p][v]);
            }
          }
        }
      }
    }
  }

  finish_tile<Ops, B, OW, OC>(t, acc);
}

// Epilogue: partial sums of an earlier input-channel chunk, or the residual sum; then the
// activation (only on the last chunk, which the caller says through t.act); then the stores.
template <class Ops, int B, int OW, int OC>
__attribute__((always_inline)) inline void finish_tile(
    const Tile& t, typename Ops::V (&acc)[OW][OC * B / Ops::kWidth]) {
  using V = typename Ops::V;
  constexpr int W = Ops::kWidth;
  constexpr int VPB = B / W;
  constexpr int NV = OC * VPB;
  const int64_t y_ocb = t.y_ocb;
  if (t.accumulate) {
#pragma GCC unroll 32
    for (int p = 0; p < OW; ++p)
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v)
        acc[p][v] = Ops::add(acc[p][v], Ops::load(t.y + (v / VPB) * y_ocb + p * B + (v % VPB) * W));
  } else if (t.sum) {
#pragma GCC unroll 32
    for (int p = 0; p < OW; ++p)
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v)
        acc[p][v] =
            Ops::add(acc[p][v], Ops::load(t.sum + (v / VPB) * y_ocb + p * B + (v % VPB) * W));
  }
  const Epilogue& e = t.act;
  switch (e.kind) {
    case Activation::kNone:
      break;
    case Activation::kRelu:
#pragma GCC unroll 32
      for (int p = 0; p < OW; ++p)
#pragma GCC unroll 16
        for (int v = 0; v < NV; ++v) acc[p][v] = Ops::max(acc[p][v], Ops::zero());
      break;
    case Activation::kClip: {
      // ReLU6 (MobileNets) inline: the generic activate<> is an out-of-line call per vector,
      // which cost the 16-channel expansions a sixth of their time.
      const V lo = Ops::set1(e.alpha), hi = Ops::set1(e.beta);
#pragma GCC unroll 32
      for (int p = 0; p < OW; ++p)
#pragma GCC unroll 16
        for (int v = 0; v < NV; ++v) acc[p][v] = Ops::min(Ops::max(acc[p][v], lo), hi);
      break;
    }
    case Activation::kSilu: {
      // SiLU (EfficientNets) and HardSwish (MobileNetV3) inline too, for the same reason: the
      // call per vector also makes the accumulators live across calls, in memory.
      const V one = Ops::set1(1.0f);
#pragma GCC unroll 32
      for (int p = 0; p < OW; ++p)
#pragma GCC unroll 16
        for (int v = 0; v < NV; ++v)
          acc[p][v] =
              Ops::div(acc[p][v], Ops::add(one, Ops::exp(Ops::sub(Ops::zero(), acc[p][v]))));
      break;
    }
    case Activation::kHardSwish: {
      // activate<>'s formula, operation for operation (x / 6 + 0.5, clamped, times x).
      const V six = Ops::set1(6.0f), half = Ops::set1(0.5f), one = Ops::set1(1.0f);
#pragma GCC unroll 32
      for (int p = 0; p < OW; ++p)
#pragma GCC unroll 16
        for (int v = 0; v < NV; ++v) {
          const V g = Ops::add(Ops::div(acc[p][v], six), half);
          acc[p][v] = Ops::mul(acc[p][v], Ops::min(Ops::max(g, Ops::zero()), one));
        }
      break;
    }
    default: {
      // The other kinds are out-of-line calls per vector: run them on a copy in memory, so
      // that the accumulators (of the common kinds above too) never need an address.
      alignas(64) float buf[OW * NV * W];
#pragma GCC unroll 32
      for (int p = 0; p < OW; ++p)
#pragma GCC unroll 16
        for (int v = 0; v < NV; ++v) Ops::store(buf + (p * NV + v) * W, acc[p][v]);
      activate_in_memory<Ops>(buf, OW * NV, e);
#pragma GCC unroll 32
      for (int p = 0; p < OW; ++p)
#pragma GCC unroll 16
        for (int v = 0; v < NV; ++v) acc[p][v] = Ops::load(buf + (p * NV + v) * W);
      break;
    }
  }
  if (t.stream) {
#pragma GCC unroll 32
    for (int p = 0; p < OW; ++p)
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) {
        float* at = t.y + (v / VPB) * y_ocb + p * B + (v % VPB) * W;
        if constexpr (W == 16)
          _mm512_stream_ps(at, acc[p][v]);
        else
          _mm256_stream_ps(at, acc[p][v]);
      }
    return;
  }
#pragma GCC unroll 32
  for (int p = 0; p < OW; ++p)
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v)
      Ops::store(t.y + (v / VPB) * y_ocb + p * B + (v % VPB) * W, acc[p][v]);
}

// Compile-time table of tile<Ops, B, ow, oc> for every (ow, oc) whose registers fit the ISA.
template <class Ops, int B, int OW, int OC>
constexpr TileFn pick_tile() {
  if constexpr (tile_fits_here(B, OW, OC))
    return &tile<Ops, B, OW, OC>;
  else
    return nullptr;
}

struct TileTable {
  TileFn fn[kMaxOcTile][kMaxOwTile];
};

template <class Ops, int B, int OC, int... I>
constexpr void fill_tile_row(TileFn* row, std::integer_sequence<int, I...>) {
  ((row[I] = pick_tile<Ops, B, I + 1, OC>()), ...);
}

template <class Ops, int B, int... O>
constexpr TileTable make_tile_table(std::integer_sequence<int, O...>) {
  TileTable table{};
  (fill_tile_row<Ops, B, O + 1>(table.fn[O], std::make_integer_sequence<int, kMaxOwTile>{}), ...);
  return table;
}
