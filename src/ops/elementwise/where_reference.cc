#include "ops/elementwise/where_reference.h"

#include <array>
#include <cstring>
#include <vector>

#include "ops/common/broadcast.h"

namespace hone {

void where_reference(const bool* cond, const Shape& cond_shape, const void* x, const Shape& x_shape,
                     const void* y, const Shape& y_shape, void* out, const Shape& out_shape,
                     size_t elem_size) {
  const std::array<std::vector<int64_t>, 3> strides = {broadcast_strides(cond_shape, out_shape),
                                                       broadcast_strides(x_shape, out_shape),
                                                       broadcast_strides(y_shape, out_shape)};
  const auto* xb = static_cast<const unsigned char*>(x);
  const auto* yb = static_cast<const unsigned char*>(y);
  auto* ob = static_cast<unsigned char*>(out);
  const auto size = static_cast<int64_t>(elem_size);
  for_each_broadcast(out_shape, strides, [&](int64_t i, const int64_t* off) {
    const unsigned char* src = cond[off[0]] ? xb + off[1] * size : yb + off[2] * size;
    std::memcpy(ob + i * size, src, elem_size);
  });
}

}  // namespace hone
