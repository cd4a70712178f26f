// Reference (oracle) kernels for Gemm and (batched) MatMul on row-major matrices.
#pragma once

#include <cstdint>
#include <vector>

namespace hone {

struct GemmParams {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  float alpha = 1.0f, beta = 1.0f;
  // Element strides of C read as an [m, n] matrix (0 along broadcast dims).
  int64_t c_row_stride = 0, c_col_stride = 0;
};

// y[m, n] = alpha * op(a) @ op(b) + beta * c (c may be null), where a is [m, k] ([k, m] when
// trans_a) and b is [k, n] ([n, k] when trans_b). T: float, double, int32, int64, uint32, uint64.
template <class T>
void gemm_reference(const GemmParams& p, const T* a, const T* b, const T* c, T* y);

// For each batch i: y[i] ([m, n]) = a[a_offsets[i] ...] ([m, k]) @ b[b_offsets[i] ...] ([k, n]).
// The offsets (in elements) express the broadcasting of the batch dims.
struct MatMulParams {
  int64_t m = 0, n = 0, k = 0;
  std::vector<int64_t> a_offsets, b_offsets;
};
template <class T>
void matmul_reference(const MatMulParams& p, const T* a, const T* b, T* y);

}  // namespace hone
