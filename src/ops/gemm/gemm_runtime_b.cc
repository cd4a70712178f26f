#include "ops/gemm/gemm_runtime_b.h"

#include <algorithm>

#include "core/error.h"

namespace hone {

namespace {

const MatMulParams& checked(const MatMulParams& p) {
  if (!gemm_runtime_b_takes(p))
    throw Error("GemmRuntimeB: neither stride of an operand's matrices is 1");
  return p;
}

std::vector<GemmPacked> make_gemms(const MatMulParams& p, Isa isa, int threads, bool by_batch) {
  std::vector<GemmPacked> gemms;
  for (int i = 0; i < (by_batch ? threads : 1); ++i)
    gemms.push_back(runtime_b_gemm(p.m, p.n, p.k, isa, by_batch ? 1 : threads));
  return gemms;
}

}  // namespace

GemmPacked runtime_b_gemm(int64_t m, int64_t n, int64_t k, Isa isa, int threads) {
  const GemmPackedConfig config = default_gemm_packed_config(m, n, k, isa, threads);
  const std::vector<float> zeros(static_cast<size_t>(std::max<int64_t>(1, k * n)), 0.0f);
  return GemmPacked(n, k, zeros.data(), false, 1.0f, config, nullptr, Epilogue{});
}

GemmRuntimeB::GemmRuntimeB(const MatMulParams& p, Isa isa, int threads)
    : p_(checked(p)),
      by_batch_(threads > 1 && static_cast<int64_t>(p.a_offsets.size()) >= threads),
      gemms_(make_gemms(p, isa, threads, by_batch_)) {}

void GemmRuntimeB::run(const float* a, const float* b, float* y, ThreadPool* pool) {
  // A and B are read in place with their strides: one of each pair is 1 (the constructor
  // checked), the other the leading dimension of a plain or transposed matrix.
  const bool trans_a = p_.a_cols() != 1, trans_b = p_.b_cols() != 1;
  const int64_t lda = trans_a ? p_.a_cols() : p_.a_rows();
  const int64_t ldb = trans_b ? p_.b_cols() : p_.b_rows();
  auto one = [&](size_t i, GemmPacked& g, ThreadPool* split) {
    g.repack(b + p_.b_offsets[i], trans_b, p_.alpha, ldb);
    g.run(p_.m, a + p_.a_offsets[i], lda, trans_a, nullptr, 0, 0, 0.0f, y + p_.y_offset(i), split,
          p_.y_rows());
  };
  if (!by_batch_) {
    for (size_t i = 0; i < p_.a_offsets.size(); ++i) one(i, gemms_.front(), pool);
    return;
  }
  parallel_for(pool, p_.a_offsets.size(), [&](size_t i) {
    gemms_.with_free("GemmRuntimeB", [&](GemmPacked& g) { one(i, g, nullptr); });
  });
}

bool gemm_runtime_b_takes(const MatMulParams& p) {
  return (p.a_cols() == 1 || p.a_rows() == 1) && (p.b_cols() == 1 || p.b_rows() == 1);
}

int64_t GemmRuntimeB::scratch_bytes() const {
  int64_t bytes = 0;
  for (const GemmPacked& g : gemms_.items()) bytes += g.packed_bytes();
  return bytes;
}

std::string GemmRuntimeB::kernel_name() const {
  return gemms_.items().front().kernel_name() + " (B packed per run)";
}

}  // namespace hone
