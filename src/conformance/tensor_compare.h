// Compares an output tensor with the expected one of an ONNX test case: same dtype, same
// shape, floats within |got - expected| <= atol + rtol * |expected|, everything else exact.
#pragma once

#include <string>

#include "core/tensor.h"

namespace hone {

struct Tolerance {
  // ONNX's backend tests use rtol 1e-3 and atol 1e-7; the absolute part is relaxed to 1e-5
  // because hone's float32 transcendental functions round differently from numpy's float64
  // ones near zero. A case's data.json (rtol/atol keys) overrides both.
  double rtol = 1e-3;
  double atol = 1e-5;
};

// An empty string when `got` matches `expected`; otherwise one line saying why: dtype or
// shape mismatch, or the first mismatching element (flat index, got, expected) with the
// maximum absolute difference and the number of mismatches. NaN matches NaN and an infinity
// only the same infinity. float16/bfloat16 are compared after widening to float, with rtol
// raised to their machine epsilon (2^-10, 2^-7) so that a one-ulp rounding difference passes.
std::string compare_tensors(const Tensor& got, const Tensor& expected, const Tolerance& tol);

}  // namespace hone
