// The Winograd F(4x4, 3x3) and F(2x2, 3x3) input and output transforms, written once over a
// vector-ops struct and vectorized over the b channel lanes of a block. Not a normal header:
// each ISA file includes it INSIDE its own anonymous namespace, after its Ops structs and
// ops/common/vector_activate.inl (for activate<Ops>), so each ISA gets its own instances.
//
// Needs in scope: InputArgs, OutputArgs, Transforms, Epilogue, Activation, activate<Ops>. An
// Ops struct provides V, kWidth and static load/store/set1/zero/fma/add/sub/max.
//
// F(4x4, 3x3), interpolation points 0, 1, -1, 2, -2 and infinity (Lavin & Gray 2016):
//   B^T = [4  0 -5  0 1 0]    A^T = [1 1  1 1  1 0]
//         [0 -4 -4  1 1 0]          [0 1 -1 2 -2 0]
//         [0  4 -4 -1 1 0]          [0 1  1 4  4 0]
//         [0 -2 -1  2 1 0]          [0 1 -1 8 -8 1]
//         [0  2 -1 -2 1 0]
//         [0  4  0 -5 0 1]
// F(2x2, 3x3), points 0, 1, -1 and infinity (exact: no product in either transform):
//   B^T = [1  0 -1  0]        A^T = [1 1  1  0]
//         [0  1  1  0]              [0 1 -1 -1]
//         [0 -1  1  0]
//         [0  1  0 -1]

// r = B^T d for one column (or row) of six vectors, F(4x4, 3x3).
template <class Ops>
__attribute__((always_inline)) inline void transform_bt6(const typename Ops::V (&d)[6],
                                                         typename Ops::V (&r)[6]) {
  using V = typename Ops::V;
  const V c4 = Ops::set1(4.0f), cm4 = Ops::set1(-4.0f), cm5 = Ops::set1(-5.0f);
  const V c2 = Ops::set1(2.0f), cm2 = Ops::set1(-2.0f);
  const V d31 = Ops::sub(d[3], d[1]), d42 = Ops::sub(d[4], d[2]);
  r[0] = Ops::fma(d[0], c4, Ops::fma(d[2], cm5, d[4]));
  r[1] = Ops::fma(Ops::add(d[1], d[2]), cm4, Ops::add(d[3], d[4]));
  r[2] = Ops::fma(Ops::sub(d[1], d[2]), c4, Ops::sub(d[4], d[3]));
  r[3] = Ops::fma(d31, c2, d42);
  r[4] = Ops::fma(d31, cm2, d42);
  r[5] = Ops::fma(d[1], c4, Ops::fma(d[3], cm5, d[5]));
}

// o = A^T m for one column (or row) of six vectors, F(4x4, 3x3).
template <class Ops>
__attribute__((always_inline)) inline void transform_at6(const typename Ops::V (&m)[6],
                                                         typename Ops::V (&o)[4]) {
  using V = typename Ops::V;
  const V s12 = Ops::add(m[1], m[2]), d12 = Ops::sub(m[1], m[2]);
  const V s34 = Ops::add(m[3], m[4]), d34 = Ops::sub(m[3], m[4]);
  o[0] = Ops::add(Ops::add(m[0], s12), s34);
  o[1] = Ops::fma(d34, Ops::set1(2.0f), d12);
  o[2] = Ops::fma(s34, Ops::set1(4.0f), s12);
  o[3] = Ops::add(Ops::fma(d34, Ops::set1(8.0f), d12), m[5]);
}

// r = B^T d for one column (or row) of four vectors, F(2x2, 3x3).
template <class Ops>
__attribute__((always_inline)) inline void transform_bt4(const typename Ops::V (&d)[4],
                                                         typename Ops::V (&r)[4]) {
  r[0] = Ops::sub(d[0], d[2]);
  r[1] = Ops::add(d[1], d[2]);
  r[2] = Ops::sub(d[2], d[1]);
  r[3] = Ops::sub(d[1], d[3]);
}

// o = A^T m for one column (or row) of four vectors, F(2x2, 3x3).
template <class Ops>
__attribute__((always_inline)) inline void transform_at4(const typename Ops::V (&m)[4],
                                                         typename Ops::V (&o)[2]) {
  o[0] = Ops::add(Ops::add(m[0], m[1]), m[2]);
  o[1] = Ops::sub(Ops::sub(m[1], m[2]), m[3]);
}

// The transforms of F(M x M, 3x3): windows of M + 2.
template <class Ops, int M>
__attribute__((always_inline)) inline void transform_bt(const typename Ops::V (&d)[M + 2],
                                                        typename Ops::V (&r)[M + 2]) {
  if constexpr (M == 4)
    transform_bt6<Ops>(d, r);
  else
    transform_bt4<Ops>(d, r);
}

template <class Ops, int M>
__attribute__((always_inline)) inline void transform_at(const typename Ops::V (&m)[M + 2],
                                                        typename Ops::V (&o)[M]) {
  if constexpr (M == 4)
    transform_at6<Ops>(m, o);
  else
    transform_at4<Ops>(m, o);
}

// EDGE: part of the (M+2)x(M+2) window is padding (checked per element); else all of it is
// inside.
template <class Ops, int B, int M, bool EDGE>
void input_tile(const InputArgs& a) {
  using V = typename Ops::V;
  constexpr int W = Ops::kWidth;
  constexpr int A = M + 2;  // window edge
  for (int64_t g = 0; g < a.groups; ++g) {
    const float* xg = a.x + g * a.x_group;
    float* vg = a.v + g * a.v_group;
#pragma GCC unroll 2
    for (int s = 0; s < B / W; ++s) {
      V t[A][A];  // t = B^T d, column by column
#pragma GCC unroll 6
      for (int c = 0; c < A; ++c) {
        const int64_t iw = a.iw0 + c;
        V d[A], r[A];
#pragma GCC unroll 6
        for (int k = 0; k < A; ++k) {
          const int64_t ih = a.ih0 + k;
          if (EDGE && (ih < 0 || ih >= a.in_h || iw < 0 || iw >= a.in_w))
            d[k] = Ops::zero();
          else
            d[k] = Ops::load(xg + ih * a.x_row + iw * B + s * W);
        }
        transform_bt<Ops, M>(d, r);
#pragma GCC unroll 6
        for (int i = 0; i < A; ++i) t[i][c] = r[i];
      }
#pragma GCC unroll 6
      for (int i = 0; i < A; ++i) {
        V r[A];
        transform_bt<Ops, M>(t[i], r);
#pragma GCC unroll 6
        for (int j = 0; j < A; ++j) Ops::store(vg + (i * A + j) * a.v_pos + s * W, r[j]);
      }
    }
  }
}

template <class Ops, int B, int M>
void input_transform(const InputArgs& a) {
  constexpr int A = M + 2;
  if (a.ih0 >= 0 && a.iw0 >= 0 && a.ih0 + A <= a.in_h && a.iw0 + A <= a.in_w)
    input_tile<Ops, B, M, false>(a);
  else
    input_tile<Ops, B, M, true>(a);
}

// FULL: all M x M outputs are kept (compile-time loops); else a.rows x a.cols of them.
template <class Ops, int B, int M, bool FULL>
void output_tile(const OutputArgs& a) {
  using V = typename Ops::V;
  constexpr int W = Ops::kWidth;
  constexpr int A = M + 2;
  for (int64_t o = 0; o < a.n_oc; ++o) {
    const float* mo = a.m + o * a.m_ocb;
    float* yo = a.y + o * a.y_ocb;
    const float* so = a.sum ? a.sum + o * a.y_ocb : nullptr;
#pragma GCC unroll 2
    for (int s = 0; s < B / W; ++s) {
      V t[M][A];  // t = A^T m, column by column
#pragma GCC unroll 6
      for (int c = 0; c < A; ++c) {
        V m[A], r[M];
#pragma GCC unroll 6
        for (int k = 0; k < A; ++k) m[k] = Ops::load(mo + (k * A + c) * a.m_pos + s * W);
        transform_at<Ops, M>(m, r);
#pragma GCC unroll 4
        for (int i = 0; i < M; ++i) t[i][c] = r[i];
      }
      const V bias = a.bias ? Ops::load(a.bias + o * B + s * W) : Ops::zero();
      const int rows = FULL ? M : a.rows, cols = FULL ? M : a.cols;
#pragma GCC unroll 4
      for (int i = 0; i < rows; ++i) {
        V r[M];
        transform_at<Ops, M>(t[i], r);
#pragma GCC unroll 4
        for (int j = 0; j < cols; ++j) {
          const int64_t at = i * a.y_row + j * B + s * W;
          V v = Ops::add(r[j], bias);
          if (so) v = Ops::add(v, Ops::load(so + at));
          if (a.act.kind == Activation::kRelu)
            v = Ops::max(v, Ops::zero());
          else if (a.act.kind == Activation::kClip)
            v = Ops::min(Ops::max(v, Ops::set1(a.act.alpha)), Ops::set1(a.act.beta));
          else if (a.act.kind != Activation::kNone)
            v = activate<Ops>(v, a.act);
          Ops::store(yo + at, v);
        }
      }
    }
  }
}

template <class Ops, int B, int M>
void output_transform(const OutputArgs& a) {
  if (a.rows == M && a.cols == M)
    output_tile<Ops, B, M, true>(a);
  else
    output_tile<Ops, B, M, false>(a);
}

// The transforms of F(tile x tile, 3x3), tile 4 or 2.
template <class Ops, int B>
constexpr Transforms transforms_for(int tile) {
  if (tile == 2) return {&input_transform<Ops, B, 2>, &output_transform<Ops, B, 2>};
  return {&input_transform<Ops, B, 4>, &output_transform<Ops, B, 4>};
}
