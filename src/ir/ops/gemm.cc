// Registry entries for Gemm and MatMul.
#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "ir/ops/families.h"
#include "ir/ops/gemm_prepare.h"
#include "ops/common/broadcast.h"
#include "ops/gemm/gemm_packed.h"
#include "ops/gemm/gemm_reference.h"
#include "ops/gemm/gemm_runtime_b.h"

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

int pool_threads(const OpContext& ctx) {
  ThreadPool* pool = ctx.kernel_options().pool;
  return pool ? pool->threads() : 1;
}

// Binds the packed kernel: B is packed now (times alpha); a constant C that is per column
// or a scalar becomes the kernel's bias, any other C is read at run time.
void bind_packed_gemm(const OpContext& ctx, const GemmParams& p, const Epilogue& epilogue,
                      PreparedOp& op) {
  const KernelOptions& ko = ctx.kernel_options();
  const Tensor& b = *ctx.input_value(1);
  const Tensor* c = ctx.has_input(2) ? ctx.input_value(2) : nullptr;
  const bool c_folds = c && p.c_row_stride == 0;
  std::vector<float> bias;
  if (c_folds) {
    bias.resize(static_cast<size_t>(p.n));
    for (int64_t j = 0; j < p.n; ++j)
      bias[static_cast<size_t>(j)] = p.beta * c->data<float>()[j * p.c_col_stride];
  }
  const GemmPackedConfig config =
      default_gemm_packed_config(p.m, p.n, p.k, ko.isa, pool_threads(ctx));
  auto gemm = std::make_shared<const GemmPacked>(p.n, p.k, b.data<float>(), p.trans_b, p.alpha,
                                                 config, c_folds ? bias.data() : nullptr, epilogue);
  op.packed_bytes = gemm->packed_bytes();
  op.kernel_name = gemm->kernel_name();
  op.needs_zeroed_outputs = false;
  op.packed_inputs = {1};
  if (c_folds) op.packed_inputs.push_back(2);
  const bool runtime_c = ctx.has_input(2) && !c_folds;
  ThreadPool* pool = ko.pool;
  op.run = [gemm, p, runtime_c, pool](TensorsIn in, TensorsOut out) {
    const float* cp = runtime_c ? in[2]->data<float>() : nullptr;
    gemm->run(p.m, in[0]->data<float>(), p.trans_a ? p.m : p.k, p.trans_a, cp, p.c_row_stride,
              p.c_col_stride, p.beta, out[0]->data<float>(), pool);
  };
}

}  // namespace

PreparedOp prepare_gemm_with_epilogue(const OpContext& ctx, const Epilogue& epilogue) {
  // C became optional in opset 11; accepting its absence earlier costs nothing.
  ctx.expect_inputs(2, 3);
  ctx.expect_dtype(0, kGemmTypes);
  expect_same_dtype(ctx, 3);
  const Shape& b = ctx.input_shape(1);
  // FusedGemm made from a MatMul may take an A of rank > 2 ([..., M, K], not transposed):
  // its leading dims are rows of one GEMM, and they lead the output's shape too.
  const Shape& a_in = ctx.input_shape(0);
  const bool stacked_a =
      ctx.node().domain == "hone" && a_in.size() > 2 && ctx.attr_int("transA", 0) == 0;
  const Shape lead(a_in.begin(), a_in.end() - (stacked_a ? 1 : 0));
  const Shape a = stacked_a ? Shape{shape_numel(lead), a_in.back()} : a_in;
  if (a.size() != 2 || b.size() != 2)
    ctx.fail("A " + shape_to_string(a_in) + " and B " + shape_to_string(b) + " must be matrices");
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
  Shape y_out = y;
  if (stacked_a) {
    y_out = lead;
    y_out.push_back(p.n);
  }
  op.outputs = {{dtype, y_out}};
  op.flops = 2 * p.m * p.n * p.k + (has_c ? 2 * p.m * p.n : 0);
  const bool activate = epilogue.kind != Activation::kNone;
  op.flops += activate ? p.m * p.n : 0;
  if (ctx.kernel_options().optimized && dtype == DType::kFloat32 && ctx.input_value(1)) {
    bind_packed_gemm(ctx, p, epilogue, op);
    return op;
  }
  op.run = [p, dtype, epilogue, activate](TensorsIn in, TensorsOut out) {
    dispatch_dtype(dtype, "Gemm", [&](auto tag) {
      using T = decltype(tag);
      if constexpr (kGemmType<T>) {
        const T* c = in.size() > 2 && in[2] ? in[2]->data<T>() : nullptr;
        T* y = out[0]->data<T>();
        gemm_reference<T>(p, in[0]->data<T>(), in[1]->data<T>(), c, y);
        if constexpr (std::is_same_v<T, float>)
          if (activate)
            for (int64_t i = 0; i < p.m * p.n; ++i) y[i] = apply_epilogue(y[i], epilogue);
      }
    });
  };
  return op;
}

namespace {

PreparedOp prepare_gemm(const OpContext& ctx) {
  return prepare_gemm_with_epilogue(ctx, {});
}

// Element offsets of each batch matrix of a dense operand with batch dims `dims` (matrix size
// `matrix`), read as if it had the broadcast batch dims `out`.
std::vector<int64_t> batch_offsets(const Shape& dims, const Shape& out, int64_t matrix) {
  std::vector<int64_t> strides(dims.size(), matrix);
  for (size_t d = dims.size(); d-- > 1;) strides[d - 1] = strides[d] * dims[d];
  return matmul_batch_offsets(dims, strides, out);
}

// MatMul with a constant B: each distinct B matrix is packed once. With a single B and A's
// batch matrices contiguous, all of A is one GEMM of batch * m rows.
void bind_packed_matmul(const OpContext& ctx, const MatMulParams& p, int64_t b_count,
                        PreparedOp& op) {
  const KernelOptions& ko = ctx.kernel_options();
  const float* b = ctx.input_value(1)->data<float>();
  const int64_t batches = static_cast<int64_t>(p.a_offsets.size());
  bool a_contiguous = true;
  for (int64_t i = 0; i < batches; ++i)
    a_contiguous = a_contiguous && p.a_offsets[static_cast<size_t>(i)] == i * p.m * p.k;
  const bool single = b_count == 1 && a_contiguous;
  const int64_t rows = single ? batches * p.m : p.m;
  const GemmPackedConfig config =
      default_gemm_packed_config(rows, p.n, p.k, ko.isa, pool_threads(ctx));
  auto packs = std::make_shared<std::vector<GemmPacked>>();
  for (int64_t i = 0; i < b_count; ++i)
    packs->emplace_back(p.n, p.k, b + i * p.k * p.n, false, 1.0f, config, nullptr, Epilogue{});
  op.packed_bytes = 0;
  for (const GemmPacked& g : *packs) op.packed_bytes += g.packed_bytes();
  op.kernel_name = packs->front().kernel_name();
  op.needs_zeroed_outputs = false;
  op.packed_inputs = {1};
  ThreadPool* pool = ko.pool;
  if (single) {
    op.run = [packs, rows, p, pool](TensorsIn in, TensorsOut out) {
      packs->front().run(rows, in[0]->data<float>(), p.k, false, nullptr, 0, 0, 0.0f,
                         out[0]->data<float>(), pool);
    };
    return;
  }
  op.run = [packs, p, pool](TensorsIn in, TensorsOut out) {
    const float* a = in[0]->data<float>();
    float* y = out[0]->data<float>();
    for (size_t i = 0; i < p.a_offsets.size(); ++i)
      (*packs)[static_cast<size_t>(p.b_offsets[i] / std::max<int64_t>(1, p.k * p.n))].run(
          p.m, a + p.a_offsets[i], p.k, false, nullptr, 0, 0, 0.0f,
          y + static_cast<int64_t>(i) * p.m * p.n, pool);
  };
}

// MatMul whose B is computed at run time: B packed per use (decision 017).
void bind_runtime_matmul(const OpContext& ctx, const MatMulParams& p, PreparedOp& op) {
  auto gemm = std::make_shared<GemmRuntimeB>(p, ctx.kernel_options().isa, pool_threads(ctx));
  op.kernel_name = gemm->kernel_name();
  op.packed_bytes = gemm->scratch_bytes();
  op.needs_zeroed_outputs = false;
  ThreadPool* pool = ctx.kernel_options().pool;
  op.run = [gemm, pool](TensorsIn in, TensorsOut out) {
    gemm->run(in[0]->data<float>(), in[1]->data<float>(), out[0]->data<float>(), pool);
  };
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
  if (ctx.kernel_options().optimized && dtype == DType::kFloat32 && ctx.input_value(1)) {
    bind_packed_matmul(ctx, p, shape_numel(b_batch), op);
    return op;
  }
  if (ctx.kernel_options().optimized && dtype == DType::kFloat32 && p.m > 0 && p.n > 0 && p.k > 0) {
    bind_runtime_matmul(ctx, p, op);
    return op;
  }
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
