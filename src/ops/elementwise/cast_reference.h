// Reference kernel of Cast/CastLike: converts n elements between any two storable dtypes.
#pragma once

#include <cstdint>

#include "core/dtype.h"

namespace hone {

// True when cast_reference converts `from` to `to` (every storable pair; not strings).
bool cast_supported(DType from, DType to);

// Conversions: float16/bfloat16 round to nearest even (from double, so double -> float16 is
// rounded once); float -> integer truncates toward zero, saturating out-of-range values and
// mapping NaN to 0; anything -> bool is `x != 0`; integer narrowing wraps. Throws
// UnsupportedError when !cast_supported(from, to).
void cast_reference(DType from, const void* x, DType to, void* y, int64_t n);

}  // namespace hone
