#include "ops/attention/fused_attention.h"

#include <algorithm>

#include "core/error.h"
#include "ops/gemm/gemm_runtime_b.h"
#include "ops/softmax/softmax_fast.h"

namespace hone {
namespace {

bool unit_stride(int64_t rows, int64_t cols) {
  return rows == 1 || cols == 1;
}

// The calling thread's score buffer, shared by every attention node (they never run at once on
// one thread), grown to the largest head it has seen and kept across runs.
float* score_buffer(int64_t floats) {
  thread_local std::vector<float> buffer;
  if (static_cast<int64_t>(buffer.size()) < floats) buffer.resize(static_cast<size_t>(floats));
  return buffer.data();
}

}  // namespace

bool fused_attention_takes(const MatMulParams& s, const MatMulParams& v) {
  return s.m > 0 && s.n > 0 && s.k > 0 && v.n > 0 && v.m == s.m && v.k == s.n &&
         s.a_offsets.size() == s.b_offsets.size() && v.b_offsets.size() == s.a_offsets.size() &&
         unit_stride(s.a_rows(), s.a_cols()) && unit_stride(s.b_rows(), s.b_cols()) &&
         unit_stride(v.b_rows(), v.b_cols());
}

namespace {

const MatMulParams& checked(const MatMulParams& scores, const MatMulParams& values) {
  if (!fused_attention_takes(scores, values))
    throw Error("FusedAttention: the products do not chain or an operand has no unit stride");
  return scores;
}

}  // namespace

std::vector<FusedAttention::Slot> FusedAttention::make_slots(const MatMulParams& sp,
                                                             const MatMulParams& vp, Isa isa,
                                                             int threads, bool by_batch) {
  const int split = by_batch ? 1 : threads;
  std::vector<Slot> slots;
  for (int i = 0; i < (by_batch ? threads : 1); ++i)
    slots.push_back({runtime_b_gemm(sp.m, sp.n, sp.k, isa, split),
                     runtime_b_gemm(vp.m, vp.n, vp.k, isa, split)});
  return slots;
}

FusedAttention::FusedAttention(const MatMulParams& scores, const MatMulParams& values, Isa isa,
                               int threads)
    : sp_(checked(scores, values)),
      vp_(values),
      isa_(isa),
      by_batch_(threads > 1 && static_cast<int64_t>(scores.a_offsets.size()) >= threads),
      slots_(make_slots(scores, values, isa, threads, by_batch_)) {}

void FusedAttention::head(size_t i, Slot& slot, const float* q, const float* k, const float* v,
                          float* y, ThreadPool* split) {
  // Operands are read in place with their strides: one of each pair is 1 (checked at
  // construction), the other the leading dimension of a plain or transposed matrix.
  const bool trans_q = sp_.a_cols() != 1, trans_k = sp_.b_cols() != 1, trans_v = vp_.b_cols() != 1;
  const int64_t ldq = trans_q ? sp_.a_cols() : sp_.a_rows();
  const int64_t ldk = trans_k ? sp_.b_cols() : sp_.b_rows();
  const int64_t ldv = trans_v ? vp_.b_cols() : vp_.b_rows();
  float* s = score_buffer(sp_.m * sp_.n);
  slot.scores.repack(k + sp_.b_offsets[i], trans_k, sp_.alpha, ldk);
  slot.scores.run(sp_.m, q + sp_.a_offsets[i], ldq, trans_q, nullptr, 0, 0, 0.0f, s, split);
  softmax_last_axis_fast(isa_, s, s, sp_.m, sp_.n, split);
  slot.values.repack(v + vp_.b_offsets[i], trans_v, vp_.alpha, ldv);
  slot.values.run(vp_.m, s, sp_.n, false, nullptr, 0, 0, 0.0f, y + vp_.y_offset(i), split,
                  vp_.y_rows());
}

void FusedAttention::run(const float* q, const float* k, const float* v, float* y,
                         ThreadPool* pool) {
  if (!by_batch_) {
    for (size_t i = 0; i < sp_.a_offsets.size(); ++i) head(i, slots_.front(), q, k, v, y, pool);
    return;
  }
  parallel_for(pool, sp_.a_offsets.size(), [&](size_t i) {
    slots_.with_free("FusedAttention", [&](Slot& slot) { head(i, slot, q, k, v, y, nullptr); });
  });
}

std::string FusedAttention::kernel_name() const {
  return "attention: " + slots_.items().front().scores.kernel_name() + ", softmax, " +
         slots_.items().front().values.kernel_name() + (by_batch_ ? ", a head per thread" : "");
}

int64_t FusedAttention::scratch_bytes() const {
  int64_t bytes = 0;
  for (const Slot& s : slots_.items()) bytes += s.scores.packed_bytes() + s.values.packed_bytes();
  return bytes;
}

}  // namespace hone
