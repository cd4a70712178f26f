// FusedAttention (what fuse-attention makes of FusedMatMul -> Softmax -> FusedMatMul): y =
// softmax(alpha * Q·Kᵀ) · V per head, the operands read through their views, against the
// unfused ops (Transpose, Slice, MatMul, Mul, Softmax) on the reference kernels; with the
// reference and the optimized kernel (every ISA, no pool and two threads: whole heads per
// thread when there are enough heads, each head split over the threads when not).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/op_test_util.h"

namespace hone::test {
namespace {

using V = std::vector<int64_t>;

double scale_of(const Tensor& t) {
  double s = 1.0;
  for (double v : t.to_vector<double>()) s = std::max(s, std::fabs(v));
  return s;
}

Tensor transpose(const Tensor& t, const V& perm) {
  if (perm.empty()) return t;
  return run_op({.op_type = "Transpose", .inputs = {t}, .attrs = attrs({{"perm", perm}})})[0];
}

// softmax(alpha * q·k) · v on the unfused reference ops, q, k and v already as the products
// read them; the result transposed by perm_y when given.
Tensor unfused(const Tensor& q, const Tensor& k, const Tensor& v, float alpha, const V& perm_y) {
  const Tensor s = run_op({.op_type = "MatMul", .inputs = {q, k}})[0];
  const Tensor scaled =
      run_op({.op_type = "Mul", .inputs = {s, Tensor::from_vector<float>({}, {alpha})}})[0];
  const Tensor w = run_op(
      {.op_type = "Softmax", .inputs = {scaled}, .attrs = attrs({{"axis", int64_t{-1}}})})[0];
  return transpose(run_op({.op_type = "MatMul", .inputs = {w, v}})[0], perm_y);
}

// FusedAttention of q, k, v with these attributes against `want`: the reference kernel and the
// optimized one for every ISA, alone and on two threads (`split`: the heads are fewer than the
// threads, so each runs split over both).
void expect_attention(const std::vector<Tensor>& qkv, const Attributes& at, const Tensor& want,
                      const std::string& what) {
  const OpCall reference{.op_type = "FusedAttention", .inputs = qkv, .attrs = at, .domain = "hone"};
  const Tensor ref = run_op(reference)[0];
  ASSERT_EQ(ref.shape(), want.shape()) << what;
  EXPECT_LE(max_abs_diff(ref, want), 1e-5 * scale_of(want)) << what << " reference";
  ThreadPool two(2);
  for (Isa isa : supported_isas())
    for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two}) {
      OpCall call = reference;
      call.all_inputs_constant = false;
      call.kernel_options = {true, isa, pool};
      PreparedOp op = prepare_op(call);
      const std::string where = what + " " + std::string(isa_name(isa)) + (pool ? " 2t" : " 1t");
      EXPECT_NE(op.kernel_name.find("attention:"), std::string::npos) << where;
      EXPECT_FALSE(op.needs_zeroed_outputs) << where;
      ASSERT_EQ(op.outputs[0].shape, want.shape()) << where;
      // Garbage in y first: the kernel must write every element.
      Tensor y = random_tensor(want.shape(), 99, 1e3f, 2e3f);
      std::vector<const Tensor*> ins;
      for (const Tensor& t : qkv) ins.push_back(&t);
      std::vector<Tensor*> outs = {&y};
      for (int run = 0; run < 2; ++run) {  // a second run reuses the packed buffers
        op.run(TensorsIn(ins), TensorsOut(outs));
        EXPECT_LE(max_abs_diff(y, want), 1e-4 * scale_of(want)) << where << " run " << run;
      }
    }
}

// torch's multi-head attention after fold-matmul-transpose: q, k, v [tokens, heads, dim] read
// as [heads, tokens, dim] (k as [heads, dim, tokens]); the output written back as [tokens,
// heads, dim]. Three heads (whole heads per thread) and one (each head split over the threads).
TEST(FusedAttention, TransposedHeadsMatchTheUnfusedOps) {
  for (int64_t heads : {3, 1}) {
    const int64_t tokens = 37, dim = 16;
    const Tensor q = random_tensor({tokens, heads, dim}, 10),
                 k = random_tensor({tokens, heads, dim}, 11),
                 v = random_tensor({tokens, heads, dim}, 12);
    const float alpha = 0.25f;
    const Tensor want = unfused(transpose(q, {1, 0, 2}), transpose(k, {1, 2, 0}),
                                transpose(v, {1, 0, 2}), alpha, {1, 0, 2});
    expect_attention({q, k, v},
                     attrs({{"alpha", alpha},
                            {"perm_q", V{1, 0, 2}},
                            {"perm_k", V{1, 2, 0}},
                            {"perm_v", V{1, 0, 2}},
                            {"perm_y", V{1, 0, 2}}}),
                     want, std::to_string(heads) + " head(s)");
  }
}

// Dense operands with broadcast batch dims (k and v shared by two groups of heads), rows and
// keys of different lengths (a cross-attention shape) and large scores that the softmax must
// keep finite.
TEST(FusedAttention, DenseBroadcastOperandsAndLargeScores) {
  const Tensor q = random_tensor({2, 3, 29, 8}, 20, -4.0f, 4.0f);
  const Tensor k = random_tensor({3, 8, 41}, 21, -4.0f, 4.0f), v = random_tensor({3, 41, 5}, 22);
  const float alpha = 3.0f;  // scores up to ~1000: exp overflows without the max subtracted
  expect_attention({q, k, v}, attrs({{"alpha", alpha}}), unfused(q, k, v, alpha, {}),
                   "broadcast k and v");
}

// q, k and v as sliced views of one packed projection [tokens, 1, 3 * heads * dim]
// (shape_X / strides_X / offset_X), as fold-matmul-transpose writes ViT's attention.
TEST(FusedAttention, SlicedViewsOfAPackedProjection) {
  const int64_t tokens = 23, heads = 4, dim = 8, width = 3 * heads * dim;
  const Tensor qkv = random_tensor({tokens, 1, width}, 30);
  auto ints = [](V v) { return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v); };
  auto part = [&](int64_t i) {  // [tokens, heads, dim]
    const Tensor s = run_op(
        {.op_type = "Slice",
         .inputs = {qkv, ints({i * heads * dim}), ints({(i + 1) * heads * dim}), ints({2})}})[0];
    return run_op({.op_type = "Reshape", .inputs = {s, ints({tokens, heads, dim})}})[0];
  };
  const float alpha = 0.125f;
  const Tensor want = unfused(transpose(part(0), {1, 0, 2}), transpose(part(1), {1, 2, 0}),
                              transpose(part(2), {1, 0, 2}), alpha, {1, 0, 2});
  Attributes at = attrs({{"alpha", alpha},
                         {"perm_q", V{1, 0, 2}},
                         {"perm_k", V{1, 2, 0}},
                         {"perm_v", V{1, 0, 2}},
                         {"perm_y", V{1, 0, 2}}});
  for (const auto& [x, i] : {std::pair{"q", 0}, {"k", 1}, {"v", 2}}) {
    at[std::string("shape_") + x] = Attribute{V{tokens, heads, dim}};
    at[std::string("strides_") + x] = Attribute{V{width, dim, 1}};
    at[std::string("offset_") + x] = Attribute{int64_t{i} * heads * dim};
  }
  expect_attention({qkv, qkv, qkv}, at, want, "sliced views");
}

TEST(FusedAttention, MismatchedOperandsNameTheProblem) {
  auto fails_with = [](std::vector<Tensor> inputs, Attributes at, const std::string& text) {
    try {
      run_op({.op_type = "FusedAttention", .inputs = inputs, .attrs = at, .domain = "hone"});
      ADD_FAILURE() << "no error, expected " << text;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(kTestNodeName), std::string::npos) << e.what();
    }
  };
  const Tensor q = random_tensor({2, 5, 4}, 1), k = random_tensor({2, 4, 6}, 2),
               v = random_tensor({2, 6, 3}, 3);
  // v's batch of 3 heads against the scores' 2: the softmax would be read for heads it lacks.
  fails_with({q, k, random_tensor({3, 1, 6, 3}, 4)}, {}, "broadcasts the scores' batch");
  fails_with({q, k, random_tensor({2, 5, 3}, 5)}, {}, "inner dimensions differ");
  fails_with({q, random_tensor({2, 5, 6}, 6), v}, {}, "inner dimensions differ");
  fails_with({q, k, v}, attrs({{"perm_k", V{0, 0, 1}}}), "is not a permutation");
  fails_with({q, k, v}, attrs({{"perm_y", V{1, 2, 0}}}), "must keep the product's last axis last");
  fails_with({q, k}, {}, "expects 3 inputs");
}

}  // namespace
}  // namespace hone::test
