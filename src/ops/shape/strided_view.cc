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

std::optional<GroupedView> reshaped_view(const Shape& from, const std::vector<int64_t>& strides,
                                         const Shape& to) {
  if (shape_numel(from) != shape_numel(to)) return std::nullopt;
  GroupedView v{to, {}, {}, {}};
  if (shape_numel(to) == 0) {  // nothing is read: any strides
    v.groups.assign(to.size(), 1);
    v.dims = to;
    v.strides.assign(to.size(), 0);
    return v;
  }
  // The source's axes of size above 1, outermost first; each target axis takes the next ones
  // (splitting one where the target axis ends inside it).
  std::vector<std::pair<int64_t, int64_t>> src;
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1) src.push_back({from[i], strides[i]});
  size_t next = 0;
  for (const int64_t size : to) {
    std::vector<std::pair<int64_t, int64_t>> subs;
    for (int64_t left = size; left > 1;) {
      if (next == src.size()) return std::nullopt;
      auto& [dim, stride] = src[next];
      if (left % dim == 0) {  // the whole source axis
        subs.push_back({dim, stride});
        left /= dim;
        ++next;
      } else if (dim % left == 0) {  // its outer part; the inner part stays for the next axis
        subs.push_back({left, stride * (dim / left)});
        dim /= left;
        left = 1;
      } else {
        return std::nullopt;
      }
    }
    if (subs.empty()) subs.push_back({1, 0});
    // Merge sub-axes contiguous with each other (the usual case: one stride per axis).
    std::vector<std::pair<int64_t, int64_t>> merged = {subs.front()};
    for (size_t k = 1; k < subs.size(); ++k) {
      auto& last = merged.back();
      if (last.second == subs[k].second * subs[k].first)
        last = {last.first * subs[k].first, subs[k].second};
      else
        merged.push_back(subs[k]);
    }
    v.groups.push_back(static_cast<int64_t>(merged.size()));
    for (const auto& [dim, stride] : merged) {
      v.dims.push_back(dim);
      v.strides.push_back(stride);
    }
  }
  if (next != src.size()) return std::nullopt;
  return v;
}

std::optional<std::vector<int64_t>> reshaped_strides(const Shape& from,
                                                     const std::vector<int64_t>& strides,
                                                     const Shape& to) {
  const std::optional<GroupedView> v = reshaped_view(from, strides, to);
  if (!v) return std::nullopt;
  for (int64_t g : v->groups)
    if (g != 1) return std::nullopt;
  return v->strides;
}

}  // namespace hone
