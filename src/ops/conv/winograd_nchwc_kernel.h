// Private to the Winograd convolution: the input and output transforms of one m x m output
// tile (F(4x4, 3x3) or F(2x2, 3x3); windows of a = m + 2) that the driver (winograd_nchwc.cc) calls
// and each ISA file (winograd_nchwc_{portable,avx2, avx512}.cc) fills. The a*a GEMMs between them
// run on the direct conv's register-tile kernels.
#pragma once

#include <cstdint>

#include "ops/common/epilogue.h"

namespace hone::winograd_nchwc {

// V = B^T d B of one tile's a x a input window for every input-channel block. All strides are in
// floats. Window element (r, c) of group g is x[g * x_group + (ih0 + r) * x_row + (iw0 + c) * b]
// when 0 <= ih0 + r < in_h and 0 <= iw0 + c < in_w, else zero (padding). Transformed element
// (i, j) of group g goes to v[(i * a + j) * v_pos + g * v_group] (b lanes).
struct InputArgs {
  const float* x;  // image base, group 0
  float* v;
  int64_t groups, x_group, x_row, in_h, in_w, ih0, iw0;
  int64_t v_pos, v_group;
};

// y = act(A^T m A + bias + sum) of one tile for n_oc output-channel blocks, keeping rows x cols
// (<= m x m) of the m x m outputs. m element (i, j) of block o is m[(i * a + j) * m_pos +
// o * m_ocb]; output pixel (r, c) of block o is y[o * y_ocb + r * y_row + c * b] (sum alike,
// nullable, may alias y). bias (nullable) holds n_oc * b values.
struct OutputArgs {
  const float* m;
  float* y;
  const float* sum;
  const float* bias;
  int64_t n_oc, m_pos, m_ocb, y_ocb, y_row;
  int rows, cols;
  Epilogue act;
};

using InputFn = void (*)(const InputArgs&);
using OutputFn = void (*)(const OutputArgs&);

struct Transforms {
  InputFn input;
  OutputFn output;
};

// tile: the output tile edge m, 4 or 2.
namespace portable {
Transforms transforms(int block, int tile);
}
namespace avx2 {
Transforms transforms(int block, int tile);
}
namespace avx512 {
Transforms transforms(int block, int tile);
}

}  // namespace hone::winograd_nchwc
