// Parsing and validation of the sliding-window attributes shared by Conv, ConvTranspose and
// the pooling ops (kernel_shape, strides, dilations, pads, auto_pad, ceil_mode).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ir/op_registry.h"
#include "ops/conv/conv_window.h"

namespace hone {

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

// The auto_pad attribute; fails naming the node for an unknown string.
AutoPad read_auto_pad(const OpContext& ctx);

// An int-list attribute with one entry per spatial dim (`rank` entries), `fallback` for each
// when absent; fails when the length is wrong or an entry is below `min_value`.
std::vector<int64_t> read_spatial_ints(const OpContext& ctx, std::string_view name, size_t rank,
                                       int64_t fallback, int64_t min_value);

// Explicit pads (begin..., end...), all zero when absent; fails on a wrong length or a
// negative pad.
void read_pads(const OpContext& ctx, size_t rank, std::vector<int64_t>& begin,
               std::vector<int64_t>& end);

struct WindowOptions {
  bool ceil_mode = false;  // round the output size up (pooling only)
  bool dilations = true;   // whether the op accepts a dilations attribute
};

// The window of a Conv/pool node over input `x_shape` (N, C, spatial...) with the given kernel:
// resolves auto_pad into explicit pads and computes the output spatial dims. Fails naming the
// node when the window does not fit the padded input.
WindowGeometry forward_window(const OpContext& ctx, const Shape& x_shape,
                              const std::vector<int64_t>& kernel, const WindowOptions& options);

}  // namespace hone
