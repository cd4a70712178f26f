#include "ops/einsum/einsum_contract.h"

#include <algorithm>

namespace hone {
namespace {

int64_t product(const std::vector<int64_t>& sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  return n;
}

// Whether `loop` visits offsets 0, 1, 2, ... in order (dims of size 1 move nothing).
bool is_contiguous(const StridedLoop& loop) {
  int64_t expected = 1;
  for (size_t d = loop.sizes.size(); d-- > 0;) {
    if (loop.sizes[d] == 1) continue;
    if (loop.strides[d] != expected) return false;
    expected *= loop.sizes[d];
  }
  return true;
}

void add_dim(StridedLoop& loop, int64_t size, int64_t stride) {
  loop.sizes.push_back(size);
  loop.strides.push_back(stride);
}

// Steps the multi-index of `loop` over dims [0, dims) by one, moving offset along.
void step(std::vector<int64_t>& index, const StridedLoop& loop, size_t dims, int64_t& offset) {
  for (size_t d = dims; d-- > 0;) {
    offset += loop.strides[d];
    if (++index[d] < loop.sizes[d]) return;
    offset -= loop.sizes[d] * loop.strides[d];
    index[d] = 0;
  }
}

// dst (contiguous over `kept`) = for each kept index, the sum of src over `summed`.
template <class T>
void gather_sum(const T* src, const StridedLoop& kept, const StridedLoop& summed, T* dst) {
  const int64_t count = product(kept.sizes), inner = product(summed.sizes);
  if (count == 0) return;
  const size_t outer_dims = kept.sizes.empty() ? 0 : kept.sizes.size() - 1;
  const int64_t row = kept.sizes.empty() ? 1 : kept.sizes.back();
  const int64_t row_stride = kept.sizes.empty() ? 0 : kept.strides.back();
  std::vector<int64_t> kept_index(kept.sizes.size(), 0), summed_index(summed.sizes.size(), 0);
  int64_t offset = 0;
  for (int64_t start = 0; start < count; start += row) {
    T* out = dst + start;
    if (summed.sizes.empty()) {
      for (int64_t j = 0; j < row; ++j) out[j] = src[offset + j * row_stride];
    } else {
      for (int64_t j = 0; j < row; ++j) {
        T acc = T(0);
        int64_t s_offset = offset + j * row_stride;
        for (int64_t s = 0; s < inner; ++s) {
          acc += src[s_offset];
          step(summed_index, summed, summed.sizes.size(), s_offset);
        }
        out[j] = acc;
      }
    }
    step(kept_index, kept, outer_dims, offset);
  }
}

}  // namespace

EinsumContraction plan_einsum_contraction(const EinsumPlan& plan) {
  const size_t labels = plan.label_sizes.size();
  const size_t n_in = plan.input_labels.size();
  EinsumContraction c;
  std::vector<bool> in_output(labels, false);
  for (int l : plan.output_labels) in_output[static_cast<size_t>(l)] = true;
  std::vector<std::vector<bool>> present;
  std::vector<std::vector<int64_t>> strides;
  for (size_t i = 0; i < n_in; ++i) {
    present.push_back(plan.label_present(i));
    strides.push_back(plan.label_strides(i));
  }
  auto size_of = [&](int l) { return plan.label_sizes[static_cast<size_t>(l)]; };
  // Labels only operand i has and the output lacks: summed in its layout pass.
  auto summed_loop = [&](size_t i) {
    StridedLoop loop;
    for (size_t l = 0; l < labels; ++l) {
      bool elsewhere = in_output[l];
      for (size_t j = 0; j < n_in; ++j) elsewhere = elsewhere || (j != i && present[j][l]);
      if (present[i][l] && !elsewhere) add_dim(loop, plan.label_sizes[l], strides[i][l]);
    }
    return loop;
  };
  auto finish_operand = [&](size_t i, StridedLoop kept) {
    EinsumContraction::Operand op;
    op.kept = std::move(kept);
    op.summed = summed_loop(i);
    op.in_place = op.summed.sizes.empty() && is_contiguous(op.kept);
    op.elements = product(op.kept.sizes);
    c.flops += op.in_place ? 0 : op.elements * product(op.summed.sizes);
    c.operands.push_back(std::move(op));
  };

  if (n_in == 1) {
    StridedLoop kept;
    for (int l : plan.output_labels) add_dim(kept, size_of(l), strides[0][static_cast<size_t>(l)]);
    finish_operand(0, std::move(kept));
    return c;
  }

  // Output labels are batch (both operands have them), M (only A) or N (only B), each kept
  // in the output's order; K is what both have and the output lacks.
  std::vector<int> batch, m, n, k;
  for (int l : plan.output_labels) {
    const auto u = static_cast<size_t>(l);
    (present[0][u] && present[1][u] ? batch : present[0][u] ? m : n).push_back(l);
  }
  for (size_t l = 0; l < labels; ++l)
    if (!in_output[l] && present[0][l] && present[1][l]) k.push_back(static_cast<int>(l));
  auto layout = [&](size_t i, std::initializer_list<const std::vector<int>*> groups) {
    StridedLoop kept;
    for (const std::vector<int>* group : groups)
      for (int l : *group) add_dim(kept, size_of(l), strides[i][static_cast<size_t>(l)]);
    return kept;
  };
  finish_operand(0, layout(0, {&batch, &m, &k}));
  finish_operand(1, layout(1, {&batch, &k, &n}));
  auto count = [&](const std::vector<int>& group) {
    int64_t total = 1;
    for (int l : group) total *= size_of(l);
    return total;
  };
  MatMulParams& p = c.matmul;
  p.m = count(m);
  p.n = count(n);
  p.k = count(k);
  const int64_t batches = count(batch);
  for (int64_t b = 0; b < batches; ++b) {
    p.a_offsets.push_back(b * p.m * p.k);
    p.b_offsets.push_back(b * p.k * p.n);
  }
  c.flops += 2 * batches * p.m * p.n * p.k;

  // Strides of each label in the [batch, M, N] product, then the output's dims read through them.
  std::vector<int64_t> product_strides(labels, 0);
  int64_t stride = 1;
  for (const std::vector<int>* group : {&n, &m, &batch})
    for (auto it = group->rbegin(); it != group->rend(); ++it) {
      product_strides[static_cast<size_t>(*it)] = stride;
      stride *= size_of(*it);
    }
  for (int l : plan.output_labels)
    add_dim(c.to_output, size_of(l), product_strides[static_cast<size_t>(l)]);
  c.output_in_place = is_contiguous(c.to_output);
  return c;
}

template <class T>
void einsum_contract(const EinsumContraction& c, std::span<const T* const> inputs, T* y,
                     const EinsumMatMul<T>& matmul) {
  if (c.operands.size() == 1) {
    const EinsumContraction::Operand& op = c.operands[0];
    gather_sum(inputs[0], op.kept, op.summed, y);
    return;
  }
  std::vector<T> laid_out[2];
  const T* operands[2];
  for (size_t i = 0; i < 2; ++i) {
    const EinsumContraction::Operand& op = c.operands[i];
    if (op.in_place) {
      operands[i] = inputs[i];
      continue;
    }
    laid_out[i].resize(static_cast<size_t>(op.elements));
    gather_sum(inputs[i], op.kept, op.summed, laid_out[i].data());
    operands[i] = laid_out[i].data();
  }
  auto multiply = [&](T* out) {
    if (matmul)
      matmul(operands[0], operands[1], out);
    else
      matmul_reference(c.matmul, operands[0], operands[1], out);
  };
  if (c.output_in_place) {
    multiply(y);
    return;
  }
  std::vector<T> product(c.matmul.a_offsets.size() * static_cast<size_t>(c.matmul.m * c.matmul.n));
  multiply(product.data());
  gather_sum(static_cast<const T*>(product.data()), c.to_output, StridedLoop{}, y);
}

#define HONE_EINSUM(T)                                                                      \
  template void einsum_contract<T>(const EinsumContraction&, std::span<const T* const>, T*, \
                                   const EinsumMatMul<T>&);
HONE_EINSUM(float)
HONE_EINSUM(double)
HONE_EINSUM(int32_t)
HONE_EINSUM(int64_t)
HONE_EINSUM(uint32_t)
HONE_EINSUM(uint64_t)
#undef HONE_EINSUM

}  // namespace hone
