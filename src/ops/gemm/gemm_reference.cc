#include "ops/gemm/gemm_reference.h"

#include <algorithm>

namespace hone {
namespace {

// y[m, n] = sum_k a(i, kk) * b(kk, j) with element strides for both operands: the i-k-j loop
// order keeps the innermost loop contiguous in y.
template <class T>
void matmul_strided(int64_t m, int64_t n, int64_t k, const T* a, int64_t a_rs, int64_t a_cs,
                    const T* b, int64_t b_rs, int64_t b_cs, T* y, int64_t y_rs) {
  for (int64_t i = 0; i < m; ++i) {
    T* yr = y + i * y_rs;
    std::fill(yr, yr + n, T(0));
    for (int64_t kk = 0; kk < k; ++kk) {
      const T av = a[i * a_rs + kk * a_cs];
      const T* br = b + kk * b_rs;
      for (int64_t j = 0; j < n; ++j) yr[j] += av * br[j * b_cs];
    }
  }
}

template <class T>
T scale(float factor, T v) {
  if (factor == 1.0f) return v;  // keeps integer results exact
  return static_cast<T>(static_cast<double>(factor) * static_cast<double>(v));
}

}  // namespace

template <class T>
void gemm_reference(const GemmParams& p, const T* a, const T* b, const T* c, T* y) {
  const int64_t a_rs = p.trans_a ? 1 : p.k, a_cs = p.trans_a ? p.m : 1;
  const int64_t b_rs = p.trans_b ? 1 : p.n, b_cs = p.trans_b ? p.k : 1;
  matmul_strided(p.m, p.n, p.k, a, a_rs, a_cs, b, b_rs, b_cs, y, p.n);
  for (int64_t i = 0; i < p.m; ++i) {
    for (int64_t j = 0; j < p.n; ++j) {
      T& out = y[i * p.n + j];
      out = scale(p.alpha, out);
      if (c) out += scale(p.beta, c[i * p.c_row_stride + j * p.c_col_stride]);
    }
  }
}

std::vector<int64_t> matmul_batch_offsets(const std::vector<int64_t>& dims,
                                          const std::vector<int64_t>& strides,
                                          const std::vector<int64_t>& out) {
  std::vector<int64_t> offsets;
  std::vector<int64_t> index(out.size(), 0);
  int64_t count = 1;
  for (int64_t d : out) count *= d;
  const size_t skip = out.size() - dims.size();  // out's leading dims the operand lacks
  for (int64_t i = 0; i < count; ++i) {
    int64_t offset = 0;
    for (size_t d = 0; d < dims.size(); ++d)
      if (dims[d] != 1) offset += index[skip + d] * strides[d];
    offsets.push_back(offset);
    for (size_t d = out.size(); d-- > 0;) {
      if (++index[d] < out[d]) break;
      index[d] = 0;
    }
  }
  return offsets;
}

template <class T>
void matmul_reference(const MatMulParams& p, const T* a, const T* b, T* y) {
  for (size_t i = 0; i < p.a_offsets.size(); ++i) {
    T* yi = y + p.y_offset(i);
    matmul_strided(p.m, p.n, p.k, a + p.a_offsets[i], p.a_rows(), p.a_cols(), b + p.b_offsets[i],
                   p.b_rows(), p.b_cols(), yi, p.y_rows());
    if (p.alpha != 1.0f)
      for (int64_t r = 0; r < p.m; ++r)
        for (int64_t j = 0; j < p.n; ++j)
          yi[r * p.y_rows() + j] = scale(p.alpha, yi[r * p.y_rows() + j]);
  }
}

#define HONE_GEMM(T)                                                                    \
  template void gemm_reference<T>(const GemmParams&, const T*, const T*, const T*, T*); \
  template void matmul_reference<T>(const MatMulParams&, const T*, const T*, T*);
HONE_GEMM(float)
HONE_GEMM(double)
HONE_GEMM(int32_t)
HONE_GEMM(int64_t)
HONE_GEMM(uint32_t)
HONE_GEMM(uint64_t)
#undef HONE_GEMM

}  // namespace hone
