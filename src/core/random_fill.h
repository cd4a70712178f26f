// Deterministic fills of input tensors (zeros, ones or pseudo-random values) for running a
// model without real data: the same seed gives the same values on every machine.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/tensor.h"

namespace hone {

enum class FillMode { kZeros, kOnes, kRandom };

// "zeros" | "ones" | "random"; throws hone::Error listing the accepted names otherwise.
FillMode parse_fill_mode(std::string_view name);
std::string_view fill_mode_name(FillMode mode);

// Fills `t` in place. kRandom gives floats uniform in [0, 1), integers uniform in [0, 10)
// (small enough to be valid indices for most models), bools 0/1. The values depend only on
// `seed` and the element index (a counter-based generator, not std::distributions, whose
// results differ between standard libraries). Throws for dtypes with no numeric meaning.
void fill_tensor(Tensor& t, FillMode mode, uint64_t seed);

// A new tensor of `dtype` and `shape`, filled like fill_tensor.
Tensor make_filled_tensor(DType dtype, const Shape& shape, FillMode mode, uint64_t seed);

}  // namespace hone
