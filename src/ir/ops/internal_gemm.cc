// Registry entries of the internal "gemm" ops (domain "hone"), see
// docs/decisions/004-internal-ops.md. FusedGemm = act(Gemm(A, B, C)), float32 only.
#include <string>

#include "ir/ops/families.h"
#include "ir/ops/gemm_prepare.h"

namespace hone {
namespace {

PreparedOp prepare_fused_gemm(const OpContext& ctx) {
  ctx.expect_inputs(2, 3);
  ctx.expect_dtype(0, {DType::kFloat32});
  const std::string name = ctx.attr_string("activation", "");
  const std::vector<float> params = ctx.attr_floats("activation_params", {});
  const std::optional<Epilogue> epilogue = make_epilogue(name, params);
  if (!epilogue)
    ctx.fail("activation \"" + name + "\" with " + std::to_string(params.size()) +
             " parameter(s) is not a fusable activation");
  return prepare_gemm_with_epilogue(ctx, *epilogue);
}

}  // namespace

void register_internal_gemm_ops(OpRegistry& r) {
  r.add({"FusedGemm", prepare_fused_gemm, "hone"});
}

}  // namespace hone
