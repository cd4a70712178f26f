// Scaled dot-product attention fused into one pass per head: y_i = softmax(Q_i · K_iᵀ) · V_i
// for every batch matrix i (a head of an image), the scale folded into the first product. The
// scores of a head live in a per-thread scratch buffer (197 x 197 floats for ViT-B/16: in L2)
// between the two products and the row softmax, instead of a [heads, tokens, tokens] tensor
// written to memory, read back by a Softmax pass and read again (decision 022).
#pragma once

#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/common/claimed_slots.h"
#include "ops/gemm/gemm_packed.h"
#include "ops/gemm/gemm_reference.h"

namespace hone {

// Whether FusedAttention runs these products: each operand's matrices have a unit row or
// column stride, and the products agree (scores' m x n is values' m x k, the same batches).
bool fused_attention_takes(const MatMulParams& scores, const MatMulParams& values);

class FusedAttention {
 public:
  // scores: Q · Kᵀ (alpha the scale; its a/b offsets and strides read Q and K). values: the
  // softmax of the scores times V (its a fields are ignored: the scores are dense [m, n]; its b
  // fields read V, its y fields place the output). m, n, k > 0. With at least as many batch
  // matrices as threads each thread takes whole heads; otherwise the heads run one after the
  // other, each product and softmax split over the threads.
  FusedAttention(const MatMulParams& scores, const MatMulParams& values, Isa isa, int threads);

  // Writes every element of y. Calls on one object must not overlap.
  void run(const float* q, const float* k, const float* v, float* y, ThreadPool* pool);

  std::string kernel_name() const;
  // The packed panels kept across runs (the per-thread score buffers are not counted).
  int64_t scratch_bytes() const;

 private:
  // A thread's packed Kᵀ and V panels (the scores go to the thread's own buffer, shared by
  // every attention node).
  struct Slot {
    GemmPacked scores, values;
  };
  static std::vector<Slot> make_slots(const MatMulParams& scores, const MatMulParams& values,
                                      Isa isa, int threads, bool by_batch);
  void head(size_t i, Slot& slot, const float* q, const float* k, const float* v, float* y,
            ThreadPool* split);

  MatMulParams sp_, vp_;
  Isa isa_;
  bool by_batch_;
  ClaimedSlots<Slot> slots_;  // one per thread when by batch, else one
};

}  // namespace hone
