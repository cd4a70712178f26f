// Registry entry for Einsum: the equation is planned once at prepare; one or two inputs run
// the strided-pass + batched-matmul kernel, more inputs the reference loop over all labels.
// Optimized float32 products of two operands run on the packed GEMM, B packed per run.
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "ir/ops/families.h"
#include "ops/einsum/einsum_contract.h"
#include "ops/einsum/einsum_equation.h"
#include "ops/einsum/einsum_reference.h"
#include "ops/gemm/gemm_runtime_b.h"

namespace hone {
namespace {

template <class T, class... Ts>
constexpr bool kIsOneOf = (std::is_same_v<T, Ts> || ...);

PreparedOp prepare_einsum(const OpContext& ctx) {
  if (ctx.num_inputs() == 0) ctx.fail("expects at least 1 input, got 0");
  const DType dtype = ctx.input_dtype(0);
  std::vector<Shape> shapes;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    ctx.expect_dtype(i, {DType::kFloat32, DType::kFloat64, DType::kInt32, DType::kInt64,
                         DType::kUInt32, DType::kUInt64});
    if (ctx.input_dtype(i) != dtype)
      ctx.fail("input " + std::to_string(i) + " has element type " +
               std::string(dtype_name(ctx.input_dtype(i))) + ", input 0 has " +
               std::string(dtype_name(dtype)));
    shapes.push_back(ctx.input_shape(i));
  }
  if (!ctx.has_attr("equation")) ctx.fail("the attribute 'equation' is required");
  auto plan = std::make_shared<EinsumPlan>();
  try {
    *plan = plan_einsum(ctx.attr_string("equation", ""), shapes);
  } catch (const Error& e) {
    ctx.fail(e.what());
  }
  PreparedOp op;
  op.outputs = {{dtype, plan->output_shape()}};
  op.needs_zeroed_outputs = false;  // every kernel path writes each output element
  const bool contract = shapes.size() <= 2;
  auto contraction = std::make_shared<EinsumContraction>();
  if (contract) {
    *contraction = plan_einsum_contraction(*plan);
    op.flops = contraction->flops;
    op.kernel_name = shapes.size() == 2 ? "einsum_matmul" : "einsum_strided_sum";
  } else {
    int64_t points = 1;
    for (int64_t size : plan->label_sizes) points *= size;
    op.flops = static_cast<int64_t>(shapes.size()) * points;
    op.kernel_name = "einsum_reference";
  }
  const KernelOptions& ko = ctx.kernel_options();
  const MatMulParams& p = contraction->matmul;
  if (ko.optimized && dtype == DType::kFloat32 && shapes.size() == 2 && p.m > 0 && p.n > 0 &&
      p.k > 0 && !p.a_offsets.empty()) {
    auto gemm = std::make_shared<GemmRuntimeB>(p, ko.isa, ko.pool ? ko.pool->threads() : 1);
    op.kernel_name = "einsum " + gemm->kernel_name();
    op.packed_bytes = gemm->scratch_bytes();
    ThreadPool* pool = ko.pool;
    EinsumMatMul<float> matmul = [gemm, pool](const float* a, const float* b, float* y) {
      gemm->run(a, b, y, pool);
    };
    op.run = [contraction, matmul](TensorsIn in, TensorsOut out) {
      const float* inputs[2] = {in[0]->data<float>(), in[1]->data<float>()};
      einsum_contract<float>(*contraction, inputs, out[0]->data<float>(), matmul);
    };
    return op;
  }
  dispatch_dtype(dtype, ctx.where(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (kIsOneOf<T, float, double, int32_t, int64_t, uint32_t, uint64_t>)
      op.run = [plan, contraction, contract](TensorsIn in, TensorsOut out) {
        std::vector<const T*> inputs;
        for (const Tensor* t : in) inputs.push_back(t->data<T>());
        if (contract)
          einsum_contract<T>(*contraction, inputs, out[0]->data<T>());
        else
          einsum_reference<T>(*plan, inputs, out[0]->data<T>());
      };
  });
  return op;
}

}  // namespace

void register_einsum_ops(OpRegistry& r) {
  r.add({"Einsum", prepare_einsum});
}

}  // namespace hone
