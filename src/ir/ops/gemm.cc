// Registry entries for Gemm and MatMul.
#include <string>
#include <type_traits>

#include "ir/ops/families.h"
#include "ops/common/broadcast.h"
#include "ops/gemm/gemm_reference.h"

namespace hone {
namespace {

constexpr std::initializer_list<DType> kGemmTypes = {
    DType::kFloat32, DType::kFloat64, DType::kInt32, DType::kInt64, DType::kUInt32, DType::kUInt64};

template <class T>
constexpr bool kGemmType =
    std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, int32_t> ||
    std::is_same_v<T, int64_t> || std::is_same_v<T, uint32_t> || std::is_same_v<T, uint64_t>;

void expect_same_dtype(const OpContext& ctx, size_t count) {
  for (size_t i = 1; i < count; ++i)
    if (ctx.has_input(i) && ctx.input_dtype(i) != ctx.input_dtype(0))
      ctx.fail("input " + std::to_string(i) + " has element type " +
               std::string(dtype_name(ctx.input_dtype(i))) + ", input 0 has " +
               std::string(dtype_name(ctx.input_dtype(0))));
}

PreparedOp prepare_gemm(const OpContext& ctx) {
  // C became optional in opset 11; accepting its absence earlier costs nothing.
  ctx.expect_inputs(2, 3);
  ctx.expect_dtype(0, kGemmTypes);
  expect_same_dtype(ctx, 3);
  const Shape& a = ctx.input_shape(0);
  const Shape& b = ctx.input_shape(1);
  if (a.size() != 2 || b.size() != 2)
    ctx.fail("A " + shape_to_string(a) + " and B " + shape_to_string(b) + " must be matrices");
  GemmParams p;
  p.trans_a = ctx.attr_int("transA", 0) != 0;
  p.trans_b = ctx.attr_int("transB", 0) != 0;
  p.alpha = ctx.attr_float("alpha", 1.0f);
  p.beta = ctx.attr_float("beta", 1.0f);
  p.m = p.trans_a ? a[1] : a[0];
  p.k = p.trans_a ? a[0] : a[1];
  const int64_t kb = p.trans_b ? b[1] : b[0];
  p.n = p.trans_b ? b[0] : b[1];
  if (kb != p.k)
    ctx.fail("inner dimensions differ: A" + std::string(p.trans_a ? "^T " : " ") +
             shape_to_string(a) + " and B" + std::string(p.trans_b ? "^T " : " ") +
             shape_to_string(b));
  const Shape y{p.m, p.n};
  const bool has_c = ctx.has_input(2);
  if (has_c) {
    const Shape& c = ctx.input_shape(2);
    auto bc = broadcast_shapes(c, y);
    if (c.size() > 2 || !bc || *bc != y)
      ctx.fail("C " + shape_to_string(c) + " does not broadcast to " + shape_to_string(y));
    std::vector<int64_t> strides = broadcast_strides(c, y);
    p.c_row_stride = strides[0];
    p.c_col_stride = strides[1];
  }
  const DType dtype = ctx.input_dtype(0);
  PreparedOp op;
  op.outputs = {{dtype, y}};
  op.flops = 2 * p.m * p.n * p.k + (has_c ? 2 * p.m * p.n : 0);
  op.run = [p, dtype](TensorsIn in, TensorsOut out) {
    dispatch_dtype(dtype, "Gemm", [&](auto tag) {
      using T = decltype(tag);
      if constexpr (kGemmType<T>) {
        const T* c = in.size() > 2 && in[2] ? in[2]->data<T>() : nullptr;
        gemm_reference<T>(p, in[0]->data<T>(), in[1]->data<T>(), c, out[0]->data<T>());
      }
    });
  };
  return op;
}

// Element offsets of each batch matrix of an operand with batch dims `dims` (matrix size
// `matrix`), read as if it had the broadcast batch dims `out`.
std::vector<int64_t> batch_offsets(const Shape& dims, const Shape& out, int64_t matrix) {
  std::vector<int64_t> strides = broadcast_strides(dims, out);
  std::vector<int64_t> offsets;
  std::vector<int64_t> index(out.size(), 0);
  const int64_t count = shape_numel(out);
  for (int64_t i = 0; i < count; ++i) {
    int64_t offset = 0;
    for (size_t d = 0; d < out.size(); ++d) offset += index[d] * strides[d];
    offsets.push_back(offset * matrix);
    for (size_t d = out.size(); d-- > 0;) {
      if (++index[d] < out[d]) break;
      index[d] = 0;
    }
  }
  return offsets;
}

PreparedOp prepare_matmul(const OpContext& ctx) {
  ctx.expect_inputs(2, 2);
  ctx.expect_dtype(0, kGemmTypes);
  expect_same_dtype(ctx, 2);
  Shape a = ctx.input_shape(0);
  Shape b = ctx.input_shape(1);
  if (a.empty() || b.empty()) ctx.fail("operands must have rank >= 1 (scalars are not allowed)");
  // NumPy semantics: a 1-D A is a row vector, a 1-D B a column vector; the added dim is
  // dropped from the result.
  const bool a_vector = a.size() == 1, b_vector = b.size() == 1;
  if (a_vector) a.insert(a.begin(), 1);
  if (b_vector) b.push_back(1);
  MatMulParams p;
  p.m = a[a.size() - 2];
  p.k = a[a.size() - 1];
  p.n = b[b.size() - 1];
  if (b[b.size() - 2] != p.k)
    ctx.fail("inner dimensions differ: A " + shape_to_string(ctx.input_shape(0)) + ", B " +
             shape_to_string(ctx.input_shape(1)));
  const Shape a_batch(a.begin(), a.end() - 2), b_batch(b.begin(), b.end() - 2);
  auto batch = broadcast_shapes(a_batch, b_batch);
  if (!batch)
    ctx.fail("batch dimensions of A " + shape_to_string(ctx.input_shape(0)) + " and B " +
             shape_to_string(ctx.input_shape(1)) + " do not broadcast");
  p.a_offsets = batch_offsets(a_batch, *batch, p.m * p.k);
  p.b_offsets = batch_offsets(b_batch, *batch, p.k * p.n);
  Shape y = *batch;
  if (!a_vector) y.push_back(p.m);
  if (!b_vector) y.push_back(p.n);
  const DType dtype = ctx.input_dtype(0);
  PreparedOp op;
  op.outputs = {{dtype, y}};
  op.flops = 2 * shape_numel(*batch) * p.m * p.n * p.k;
  op.run = [p, dtype](TensorsIn in, TensorsOut out) {
    dispatch_dtype(dtype, "MatMul", [&](auto tag) {
      using T = decltype(tag);
      if constexpr (kGemmType<T>)
        matmul_reference<T>(p, in[0]->data<T>(), in[1]->data<T>(), out[0]->data<T>());
    });
  };
  return op;
}

}  // namespace

void register_gemm_ops(OpRegistry& r) {
  r.add({"Gemm", prepare_gemm});
  r.add({"MatMul", prepare_matmul});
}

}  // namespace hone
