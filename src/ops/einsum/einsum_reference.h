// Reference (oracle) Einsum for any number of inputs: one loop over every label.
#pragma once

#include <span>

#include "ops/einsum/einsum_equation.h"

namespace hone {

// y (the plan's output shape, contiguous) = for each output index, the sum over the other
// labels of the product of the inputs' elements. T: float, double, int32, int64, uint32, uint64.
template <class T>
void einsum_reference(const EinsumPlan& plan, std::span<const T* const> inputs, T* y);

}  // namespace hone
