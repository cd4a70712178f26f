// Reference (oracle) kernels for Gemm and (batched) MatMul on row-major matrices.
#pragma once

#include <cstddef>
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

// For each batch i: y[i] ([m, n], contiguous) = alpha * A_i @ B_i, where element (r, c) of A_i
// is a[a_offsets[i] + r * a_row_stride + c * a_col_stride] and likewise for B_i. The offsets
// (in elements) express the broadcasting of the batch dims; strides of 0 mean dense row-major
// matrices ([m, k] and [k, n]). Other strides read transposed or interleaved operands in place
// (attention's per-head views of [tokens, heads, dim] tensors, see fold-matmul-transpose).
struct MatMulParams {
  int64_t m = 0, n = 0, k = 0;
  std::vector<int64_t> a_offsets, b_offsets;
  int64_t a_row_stride = 0, a_col_stride = 0, b_row_stride = 0, b_col_stride = 0;
  float alpha = 1.0f;
  // Where each batch's [m, n] product goes and its row stride; empty / 0: dense, batch i at
  // i * m * n (FusedMatMul writing a transposed output in place sets them).
  std::vector<int64_t> y_offsets;
  int64_t y_row_stride = 0;
  int64_t y_offset(size_t i) const {
    return y_offsets.empty() ? static_cast<int64_t>(i) * m * n : y_offsets[i];
  }
  int64_t y_rows() const { return y_row_stride ? y_row_stride : n; }
  // The strides in effect (the dense ones where 0).
  int64_t a_rows() const { return a_row_stride || a_col_stride ? a_row_stride : k; }
  int64_t a_cols() const { return a_row_stride || a_col_stride ? a_col_stride : 1; }
  int64_t b_rows() const { return b_row_stride || b_col_stride ? b_row_stride : n; }
  int64_t b_cols() const { return b_row_stride || b_col_stride ? b_col_stride : 1; }
};
// Element offsets of an operand's batch matrices for every index of the broadcast batch dims
// `out`: the operand's batch dims `dims` (right-aligned against out, size 1 broadcasting) step
// by `strides` elements each.
std::vector<int64_t> matmul_batch_offsets(const std::vector<int64_t>& dims,
                                          const std::vector<int64_t>& strides,
                                          const std::vector<int64_t>& out);

template <class T>
void matmul_reference(const MatMulParams& p, const T* a, const T* b, T* y);

}  // namespace hone
