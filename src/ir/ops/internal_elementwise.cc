// Registry entries of the internal "elementwise" ops (domain "hone"), see
// docs/decisions/004-internal-ops.md. FusedElementwise: X0 (the output's shape) then
// operands; `ops`/`operands`/`alphas`/`betas` describe the steps, float32 only.
#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/ops/families.h"
#include "ops/elementwise/fused_elementwise.h"

namespace hone {
namespace {

// ONNX's defaults for a step whose alphas/betas were not given.
float default_alpha(EltOp op) {
  switch (op) {
    case EltOp::kLeakyRelu:
      return 0.01f;
    case EltOp::kHardSigmoid:
      return 0.2f;
    case EltOp::kClip:
      return -std::numeric_limits<float>::infinity();
    default:
      return 0.0f;
  }
}
float default_beta(EltOp op) {
  switch (op) {
    case EltOp::kHardSigmoid:
      return 0.5f;
    case EltOp::kClip:
      return std::numeric_limits<float>::infinity();
    default:
      return 0.0f;
  }
}

PreparedOp prepare_fused_elementwise(const OpContext& ctx) {
  ctx.expect_inputs(1, std::numeric_limits<size_t>::max());
  const size_t n_inputs = ctx.num_inputs();
  for (size_t i = 0; i < n_inputs; ++i) {
    if (!ctx.has_input(i)) ctx.fail("input " + std::to_string(i) + " is absent");
    ctx.expect_dtype(i, {DType::kFloat32});
  }
  if (!ctx.has_attr("ops")) ctx.fail("required attribute 'ops' is missing");
  const std::vector<std::string> ops = ctx.attr_strings("ops", {});
  const std::vector<int64_t> operands = ctx.attr_ints("operands", {});
  const std::vector<float> alphas = ctx.attr_floats("alphas", {});
  const std::vector<float> betas = ctx.attr_floats("betas", {});
  if (operands.size() != ops.size())
    ctx.fail("attribute 'operands' has " + std::to_string(operands.size()) +
             " entries, 'ops' has " + std::to_string(ops.size()));
  if (ctx.has_attr("alphas") && alphas.size() != ops.size())
    ctx.fail("attribute 'alphas' has " + std::to_string(alphas.size()) + " entries, 'ops' has " +
             std::to_string(ops.size()));
  if (ctx.has_attr("betas") && betas.size() != ops.size())
    ctx.fail("attribute 'betas' has " + std::to_string(betas.size()) + " entries, 'ops' has " +
             std::to_string(ops.size()));

  const Shape& out = ctx.input_shape(0);
  auto program = std::make_shared<EltProgram>();
  program->kinds.assign(n_inputs, EltOperandKind::kFull);
  std::optional<EltOperandLayout> channels;
  for (size_t i = 1; i < n_inputs; ++i) {
    const Shape& shape = ctx.input_shape(i);
    const auto layout = classify_elt_operand(shape, out);
    if (!layout)
      ctx.fail("input " + std::to_string(i) + " of shape " + shape_to_string(shape) +
               " is neither X0's shape " + shape_to_string(out) +
               ", a scalar, nor per-channel along one run of axes");
    if (layout->kind == EltOperandKind::kChannel) {
      if (channels && *channels != *layout)
        ctx.fail("input " + std::to_string(i) + " of shape " + shape_to_string(shape) +
                 " is per-channel along other axes than an earlier per-channel input");
      channels = layout;
    }
    program->kinds[i] = layout->kind;
  }
  set_elt_view(*program, out, channels.value_or(EltOperandLayout{}));
  for (size_t i = 0; i < ops.size(); ++i) {
    const auto op = parse_elt_op(ops[i]);
    if (!op) ctx.fail("step " + std::to_string(i) + ": unknown op \"" + ops[i] + "\"");
    EltStep step;
    step.op = *op;
    const int64_t k = operands[i];
    if (elt_op_is_binary(*op)) {
      if (k < 0 || k >= static_cast<int64_t>(n_inputs))
        ctx.fail("step " + std::to_string(i) + " (" + ops[i] + "): operand " + std::to_string(k) +
                 " is not an input index in [0, " + std::to_string(n_inputs) + ")");
      step.operand = static_cast<int>(k);
    } else if (k != -1) {
      ctx.fail("step " + std::to_string(i) + " (" + ops[i] +
               ") is unary, its operand must be -1, got " + std::to_string(k));
    }
    step.alpha = ctx.has_attr("alphas") ? alphas[i] : default_alpha(*op);
    step.beta = ctx.has_attr("betas") ? betas[i] : default_beta(*op);
    program->steps.push_back(step);
  }

  PreparedOp op;
  op.outputs = {ctx.input_type(0)};
  op.flops = shape_numel(out) * static_cast<int64_t>(std::max<size_t>(1, ops.size()));
  const KernelOptions& ko = ctx.kernel_options();
  if (!ko.optimized) {
    op.run = [program](TensorsIn in, TensorsOut out_) {
      std::vector<const float*> ptrs;
      for (const Tensor* t : in) ptrs.push_back(t->data<float>());
      fused_elementwise_reference(*program, ptrs.data(), out_[0]->data<float>());
    };
    return op;
  }
  op.needs_zeroed_outputs = false;
  // The kernel keeps each chunk's running value in the output, so a step that reads X0 after
  // the first (x * sigmoid(x), SiLU) would read the running value where the output shares
  // X0's buffer.
  const bool rereads_x0 = std::any_of(program->steps.begin(), program->steps.end(),
                                      [](const EltStep& s) { return s.operand == 0; });
  op.inplace_input = rereads_x0 ? -1 : 0;
  op.kernel_name = "fused_elementwise_" + std::string(isa_name(ko.isa));
  const Isa isa = ko.isa;
  ThreadPool* pool = ko.pool;
  op.run = [program, isa, pool](TensorsIn in, TensorsOut out_) {
    // Input pointers on the stack: the run path allocates nothing for usual operand counts.
    constexpr size_t kOnStack = 16;
    std::array<const float*, kOnStack> local{};
    std::vector<const float*> heap;
    const float** ptrs = local.data();
    if (in.size() > kOnStack) {
      heap.resize(in.size());
      ptrs = heap.data();
    }
    for (size_t i = 0; i < in.size(); ++i) ptrs[i] = in[i]->data<float>();
    fused_elementwise_fast(*program, isa, ptrs, out_[0]->data<float>(), pool);
  };
  return op;
}

}  // namespace

void register_internal_elementwise_ops(OpRegistry& r) {
  r.add({"FusedElementwise", prepare_fused_elementwise, "hone"});
}

}  // namespace hone
