// Einsum of one or two operands without the all-labels loop of the reference: each operand's
// diagonals and the labels only it has are summed out in one strided pass that lays it out
// as [batch, M, K] (or [batch, K, N]); the pair then runs as a batched matrix multiply whose
// [batch, M, N] product is permuted into the output's order.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "ops/einsum/einsum_equation.h"
#include "ops/gemm/gemm_reference.h"

namespace hone {

// A loop over dims (the last fastest) with an element stride per dim.
struct StridedLoop {
  std::vector<int64_t> sizes, strides;
};

struct EinsumContraction {
  struct Operand {
    StridedLoop kept;       // written contiguously, in this order
    StridedLoop summed;     // summed over for each kept element
    bool in_place = false;  // already laid out as `kept` describes: read without a copy
    int64_t elements = 0;   // of the laid-out copy
  };
  std::vector<Operand> operands;  // one or two
  MatMulParams matmul;            // two operands: [batch, m, k] x [batch, k, n], contiguous
  StridedLoop to_output;          // two operands: the output's dims, strides into the product
  bool output_in_place = false;   // the product is already in the output's order
  int64_t flops = 0;
};

// For a plan of one or two inputs.
EinsumContraction plan_einsum_contraction(const EinsumPlan& plan);

// The batched product of two laid-out operands as c.matmul describes, y written completely.
template <class T>
using EinsumMatMul = std::function<void(const T* a, const T* b, T* y)>;

// y: the plan's output, contiguous. `matmul` (when set) replaces matmul_reference for the
// product of two operands. T: float, double, int32, int64, uint32, uint64.
template <class T>
void einsum_contract(const EinsumContraction& c, std::span<const T* const> inputs, T* y,
                     const EinsumMatMul<T>& matmul = {});

}  // namespace hone
