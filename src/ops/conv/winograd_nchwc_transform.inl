// The Winograd F(4x4, 3x3) input and output transforms, written once over a vector-ops struct
// and vectorized over the b channel lanes of a block. Not a normal header: each ISA file
// includes it INSIDE its own anonymous namespace, after its Ops structs and
// ops/common/vector_activate.inl (for activate<Ops>), so each ISA gets its own instances.
//
// Needs in scope: InputArgs, OutputArgs, Transforms, Epilogue, Activation, activate<Ops>. An
// Ops struct provides V, kWidth and static load/store/set1/zero/fma/add/sub/max.
//
// The interpolation points are 0, 1, -1, 2, -2 and infinity (Lavin & Gray 2016):
//   B^T = [4  0 -5  0 1 0]    A^T = [1 1  1 1  1 0]
//         [0 -4 -4  1 1 0]          [0 1 -1 2 -2 0]
//         [0  4 -4 -1 1 0]          [0 1  1 4  4 0]
//         [0 -2 -1  2 1 0]          [0 1 -1 8 -8 1]
//         [0  2 -1 -2 1 0]
//         [0  4  0 -5 0 1]

// r = B^T d for one column (or row) of six vectors.
template <class Ops>
__attribute__((always_inline)) inline void transform_bt(const typename Ops::V (&d)[6],
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

// o = A^T m for one column (or row) of six vectors.
template <class Ops>
__attribute__((always_inline)) inline void transform_at(const typename Ops::V (&m)[6],
                                                        typename Ops::V (&o)[4]) {
  using V = typename Ops::V;
  const V s12 = Ops::add(m[1], m[2]), d12 = Ops::sub(m[1], m[2]);
  const V s34 = Ops::add(m[3], m[4]), d34 = Ops::sub(m[3], m[4]);
  o[0] = Ops::add(Ops::add(m[0], s12), s34);
  o[1] = Ops::fma(d34, Ops::set1(2.0f), d12);
  o[2] = Ops::fma(s34, Ops::set1(4.0f), s12);
  o[3] = Ops::add(Ops::fma(d34, Ops::set1(8.0f), d12), m[5]);
}

// EDGE: part of the 6x6 window is padding (checked per element); else all of it is inside.
template <class Ops, int B, bool EDGE>
void input_tile(const InputArgs& a) {
  using V = typename Ops::V;
  constexpr int W = Ops::kWidth;
  for (int64_t g = 0; g < a.groups; ++g) {
    const float* xg = a.x + g * a.x_group;
    float* vg = a.v + g * a.v_group;
#pragma GCC unroll 2
    for (int s = 0; s < B / W; ++s) {
      V t[6][6];  // t = B^T d, column by column
#pragma GCC unroll 6
      for (int c = 0; c < 6; ++c) {
        const int64_t iw = a.iw0 + c;
        V d[6], r[6];
#pragma GCC unroll 6
        for (int k = 0; k < 6; ++k) {
          const int64_t ih = a.ih0 + k;
          if (EDGE && (ih < 0 || ih >= a.in_h || iw < 0 || iw >= a.in_w))
            d[k] = Ops::zero();
          else
            d[k] = Ops::load(xg + ih * a.x_row + iw * B + s * W);
        }
        transform_bt<Ops>(d, r);
#pragma GCC unroll 6
        for (int i = 0; i < 6; ++i) t[i][c] = r[i];
      }
#pragma GCC unroll 6
      for (int i = 0; i < 6; ++i) {
        V r[6];
        transform_bt<Ops>(t[i], r);
#pragma GCC unroll 6
        for (int j = 0; j < 6; ++j) Ops::store(vg + (i * 6 + j) * a.v_pos + s * W, r[j]);
      }
    }
  }
}

template <class Ops, int B>
void input_transform(const InputArgs& a) {
  if (a.ih0 >= 0 && a.iw0 >= 0 && a.ih0 + 6 <= a.in_h && a.iw0 + 6 <= a.in_w)
    input_tile<Ops, B, false>(a);
  else
    input_tile<Ops, B, true>(a);
}

// FULL: all 4x4 outputs are kept (compile-time loops); else a.rows x a.cols of them.
template <class Ops, int B, bool FULL>
void output_tile(const OutputArgs& a) {
  using V = typename Ops::V;
  constexpr int W = Ops::kWidth;
  for (int64_t o = 0; o < a.n_oc; ++o) {
    const float* mo = a.m + o * a.m_ocb;
    float* yo = a.y + o * a.y_ocb;
    const float* so = a.sum ? a.sum + o * a.y_ocb : nullptr;
#pragma GCC unroll 2
    for (int s = 0; s < B / W; ++s) {
      V t[4][6];  // t = A^T m, column by column
#pragma GCC unroll 6
      for (int c = 0; c < 6; ++c) {
        V m[6], r[4];
#pragma GCC unroll 6
        for (int k = 0; k < 6; ++k) m[k] = Ops::load(mo + (k * 6 + c) * a.m_pos + s * W);
        transform_at<Ops>(m, r);
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) t[i][c] = r[i];
      }
      const V bias = a.bias ? Ops::load(a.bias + o * B + s * W) : Ops::zero();
      const int rows = FULL ? 4 : a.rows, cols = FULL ? 4 : a.cols;
#pragma GCC unroll 4
      for (int i = 0; i < rows; ++i) {
        V r[4];
        transform_at<Ops>(t[i], r);
#pragma GCC unroll 4
        for (int j = 0; j < cols; ++j) {
          const int64_t at = i * a.y_row + j * B + s * W;
          V v = Ops::add(r[j], bias);
          if (so) v = Ops::add(v, Ops::load(so + at));
          if (a.act.kind == Activation::kRelu)
            v = Ops::max(v, Ops::zero());
          else if (a.act.kind != Activation::kNone)
            v = activate<Ops>(v, a.act);
          Ops::store(yo + at, v);
        }
      }
    }
  }
}

template <class Ops, int B>
void output_transform(const OutputArgs& a) {
  if (a.rows == 4 && a.cols == 4)
    output_tile<Ops, B, true>(a);
  else
    output_tile<Ops, B, false>(a);
}

template <class Ops, int B>
constexpr Transforms transforms_for() {
  return {&input_transform<Ops, B>, &output_transform<Ops, B>};
}
