#include "ir/ops/conv_window.h"

#include <algorithm>
#include <string>

namespace hone {

AutoPad read_auto_pad(const OpContext& ctx) {
  std::string s = ctx.attr_string("auto_pad", "NOTSET");
  if (s == "NOTSET" || s.empty()) return AutoPad::kNotSet;
  if (s == "SAME_UPPER") return AutoPad::kSameUpper;
  if (s == "SAME_LOWER") return AutoPad::kSameLower;
  if (s == "VALID") return AutoPad::kValid;
  ctx.fail("auto_pad '" + s + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
}

std::vector<int64_t> read_spatial_ints(const OpContext& ctx, std::string_view name, size_t rank,
                                       int64_t fallback, int64_t min_value) {
  std::vector<int64_t> v = ctx.attr_ints(name, std::vector<int64_t>(rank, fallback));
  std::string n(name);
  if (v.size() != rank)
    ctx.fail(n + " has " + std::to_string(v.size()) + " entries, expected " + std::to_string(rank) +
             " (one per spatial dim)");
  for (int64_t x : v)
    if (x < min_value)
      ctx.fail(n + " entries must be >= " + std::to_string(min_value) + ", got " +
               std::to_string(x));
  return v;
}

void read_pads(const OpContext& ctx, size_t rank, std::vector<int64_t>& begin,
               std::vector<int64_t>& end) {
  std::vector<int64_t> pads = ctx.attr_ints("pads", std::vector<int64_t>(2 * rank, 0));
  if (pads.size() != 2 * rank)
    ctx.fail("pads has " + std::to_string(pads.size()) + " entries, expected " +
             std::to_string(2 * rank) + " (begin and end per spatial dim)");
  for (int64_t p : pads)
    if (p < 0) ctx.fail("negative pads are not supported (got " + std::to_string(p) + ")");
  begin.assign(pads.begin(), pads.begin() + static_cast<long>(rank));
  end.assign(pads.begin() + static_cast<long>(rank), pads.end());
}

WindowGeometry forward_window(const OpContext& ctx, const Shape& x_shape,
                              const std::vector<int64_t>& kernel, const WindowOptions& options) {
  if (x_shape.size() < 3)
    ctx.fail("input must have rank >= 3 (N, C, spatial...), got " + shape_to_string(x_shape));
  WindowGeometry g;
  g.batch = x_shape[0];
  g.in.assign(x_shape.begin() + 2, x_shape.end());
  const size_t rank = g.in.size();
  if (kernel.size() != rank)
    ctx.fail("kernel has " + std::to_string(kernel.size()) + " spatial dims, input has " +
             std::to_string(rank));
  for (int64_t k : kernel)
    if (k < 1) ctx.fail("kernel dims must be >= 1, got " + shape_to_string(kernel));
  g.kernel = kernel;
  g.strides = read_spatial_ints(ctx, "strides", rank, 1, 1);
  if (options.dilations) {
    g.dilations = read_spatial_ints(ctx, "dilations", rank, 1, 1);
  } else {
    if (ctx.has_attr("dilations")) ctx.fail("dilations are not supported in this opset");
    g.dilations.assign(rank, 1);
  }
  AutoPad auto_pad = read_auto_pad(ctx);
  read_pads(ctx, rank, g.pads_begin, g.pads_end);
  g.out.resize(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t in = g.in[i], s = g.strides[i], ext = g.extent(i);
    if (auto_pad == AutoPad::kSameUpper || auto_pad == AutoPad::kSameLower) {
      // Output covers ceil(in / stride) windows; the padding needed for that is split
      // evenly, the odd element going to the end (UPPER) or the beginning (LOWER).
      int64_t out = (in + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (out - 1) * s + ext - in);
      int64_t small = total / 2;
      g.pads_begin[i] = auto_pad == AutoPad::kSameUpper ? small : total - small;
      g.pads_end[i] = total - g.pads_begin[i];
      g.out[i] = out;
      continue;
    }
    if (auto_pad == AutoPad::kValid) g.pads_begin[i] = g.pads_end[i] = 0;
    const int64_t span = in + g.pads_begin[i] + g.pads_end[i] - ext;
    if (span < 0)
      ctx.fail("window of extent " + std::to_string(ext) + " (kernel " +
               std::to_string(g.kernel[i]) + ", dilation " + std::to_string(g.dilations[i]) +
               ") is larger than the padded input (" + std::to_string(in) + " + pads " +
               std::to_string(g.pads_begin[i]) + "+" + std::to_string(g.pads_end[i]) +
               ") along spatial dim " + std::to_string(i));
    g.out[i] = (options.ceil_mode ? (span + s - 1) / s : span / s) + 1;
  }
  return g;
}

}  // namespace hone
