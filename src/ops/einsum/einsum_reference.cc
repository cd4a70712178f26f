#include "ops/einsum/einsum_reference.h"

#include <vector>

namespace hone {
namespace {

// Advances the multi-index over dims [first, last) by one (the last fastest), moving each
// input's offset along; after a full cycle the index and offsets are back where they began.
void advance(std::vector<int64_t>& index, const std::vector<int64_t>& sizes,
             const std::vector<std::vector<int64_t>>& strides, std::vector<int64_t>& offsets,
             size_t first, size_t last) {
  for (size_t d = last; d-- > first;) {
    const bool carry = ++index[d] == sizes[d];
    for (size_t k = 0; k < offsets.size(); ++k)
      offsets[k] += carry ? -(sizes[d] - 1) * strides[k][d] : strides[k][d];
    if (!carry) return;
    index[d] = 0;
  }
}

}  // namespace

template <class T>
void einsum_reference(const EinsumPlan& plan, std::span<const T* const> inputs, T* y) {
  // Loop dims: the output's labels in order, then the summed ones.
  std::vector<int> order = plan.output_labels;
  std::vector<bool> in_output(plan.label_sizes.size(), false);
  for (int l : order) in_output[static_cast<size_t>(l)] = true;
  for (size_t l = 0; l < plan.label_sizes.size(); ++l)
    if (!in_output[l]) order.push_back(static_cast<int>(l));
  const size_t n_out = plan.output_labels.size();
  std::vector<int64_t> sizes;
  int64_t out_count = 1, sum_count = 1;
  for (size_t d = 0; d < order.size(); ++d) {
    sizes.push_back(plan.label_sizes[static_cast<size_t>(order[d])]);
    (d < n_out ? out_count : sum_count) *= sizes.back();
  }
  std::vector<std::vector<int64_t>> strides;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const std::vector<int64_t> by_label = plan.label_strides(k);
    std::vector<int64_t>& s = strides.emplace_back();
    for (int l : order) s.push_back(by_label[static_cast<size_t>(l)]);
  }
  std::vector<int64_t> index(order.size(), 0), offsets(inputs.size(), 0);
  for (int64_t o = 0; o < out_count; ++o) {
    T acc = T(0);
    for (int64_t s = 0; s < sum_count; ++s) {
      T product = T(1);
      for (size_t k = 0; k < inputs.size(); ++k) product *= inputs[k][offsets[k]];
      acc += product;
      advance(index, sizes, strides, offsets, n_out, order.size());
    }
    y[o] = acc;
    advance(index, sizes, strides, offsets, 0, n_out);
  }
}

#define HONE_EINSUM(T) \
  template void einsum_reference<T>(const EinsumPlan&, std::span<const T* const>, T*);
HONE_EINSUM(float)
HONE_EINSUM(double)
HONE_EINSUM(int32_t)
HONE_EINSUM(int64_t)
HONE_EINSUM(uint32_t)
HONE_EINSUM(uint64_t)
#undef HONE_EINSUM

}  // namespace hone
