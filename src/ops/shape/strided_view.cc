#include "ops/shape/strided_view.h"

#include <algorithm>

#include "ops/shape/strided_copy.h"

namespace hone {

StridedView slice_view(const Shape& in, const std::vector<int64_t>& starts,
                       const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                       const std::vector<int64_t>& steps) {
  const std::vector<int64_t> in_strides = dense_strides(in);
  StridedView v{in, in_strides, 0};
  for (size_t i = 0; i < axes.size(); ++i) {
    const auto a = static_cast<size_t>(axes[i]);
    const int64_t dim = in[a], step = steps[i];
    int64_t start = starts[i], end = ends[i];
    if (start < 0) start = start < -dim ? -1 : start + dim;
    if (end < 0) end = end < -dim ? -1 : end + dim;
    int64_t len;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      len = end > start ? (end - start + step - 1) / step : 0;
    } else {
      start = std::clamp<int64_t>(start, -1, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      len = start > end ? (start - end + (-step) - 1) / (-step) : 0;
    }
    v.shape[a] = len;
    if (len > 0) v.offset += start * in_strides[a];
    v.strides[a] = in_strides[a] * step;
  }
  return v;
}

std::optional<std::vector<int64_t>> reshaped_strides(const Shape& from,
                                                     const std::vector<int64_t>& strides,
                                                     const Shape& to) {
  if (shape_numel(from) != shape_numel(to)) return std::nullopt;
  std::vector<int64_t> out(to.size(), 0);
  if (shape_numel(to) == 0) return out;
  // Axes of size 1 carry no stride: match the others group by group (equal products), and
  // within a group each source axis must step exactly over the next one.
  std::vector<size_t> src, dst;
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1) src.push_back(i);
  for (size_t j = 0; j < to.size(); ++j)
    if (to[j] != 1) dst.push_back(j);
  size_t i = 0, j = 0;
  while (i < src.size() && j < dst.size()) {
    const size_t i0 = i, j0 = j;
    int64_t ps = from[src[i++]], pd = to[dst[j++]];
    while (ps != pd) {
      if (ps < pd) {
        if (i == src.size()) return std::nullopt;
        ps *= from[src[i++]];
      } else {
        if (j == dst.size()) return std::nullopt;
        pd *= to[dst[j++]];
      }
    }
    for (size_t k = i0; k + 1 < i; ++k)
      if (strides[src[k]] != strides[src[k + 1]] * from[src[k + 1]]) return std::nullopt;
    // The group's innermost source stride, then outward.
    int64_t stride = strides[src[i - 1]];
    for (size_t k = j; k-- > j0;) {
      out[dst[k]] = stride;
      stride *= to[dst[k]];
    }
  }
  if (i != src.size() || j != dst.size()) return std::nullopt;
  return out;
}

}  // namespace hone
