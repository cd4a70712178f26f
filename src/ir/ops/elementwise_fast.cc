#include "ir/ops/elementwise_fast.h"

#include <memory>
#include <optional>
#include <string>

#include "ops/elementwise/broadcast_binary.h"

namespace hone {
namespace {

void set_fast_flags(const OpContext& ctx, int inplace_input, PreparedOp& op) {
  op.needs_zeroed_outputs = false;
  op.inplace_input = inplace_input;
  op.kernel_name = "elementwise_" + std::string(isa_name(ctx.kernel_options().isa));
}

EltOp swapped(EltOp op) {
  switch (op) {
    case EltOp::kSub:
      return EltOp::kRSub;
    case EltOp::kDiv:
      return EltOp::kRDiv;
    case EltOp::kRSub:
      return EltOp::kSub;
    case EltOp::kRDiv:
      return EltOp::kDiv;
    default:
      return op;  // Add, Mul, Max, Min commute
  }
}

}  // namespace

void bind_fast_unary(const OpContext& ctx, EltStep step, PreparedOp& op) {
  const Shape& shape = ctx.input_shape(0);
  auto program = std::make_shared<EltProgram>();
  program->kinds = {EltOperandKind::kFull};
  step.operand = -1;
  program->steps = {step};
  set_elt_view(*program, shape, EltOperandLayout{});
  const Isa isa = ctx.kernel_options().isa;
  ThreadPool* pool = ctx.kernel_options().pool;
  op.run = [program, isa, pool](TensorsIn in, TensorsOut out) {
    const float* inputs[1] = {in[0]->data<float>()};
    fused_elementwise_fast(*program, isa, inputs, out[0]->data<float>(), pool);
  };
  set_fast_flags(ctx, 0, op);
}

bool bind_fast_binary(const OpContext& ctx, EltOp elt_op, const Shape& a, const Shape& b,
                      const Shape& out, PreparedOp& op) {
  // The input with the output's shape starts the accumulator; the other is the operand.
  int first = -1;
  if (a == out)
    first = 0;
  else if (b == out)
    first = 1;
  if (first < 0) return false;
  const auto layout = classify_elt_operand(first == 0 ? b : a, out);
  if (!layout) return false;
  auto program = std::make_shared<EltProgram>();
  program->kinds = {EltOperandKind::kFull, layout->kind};
  program->steps = {EltStep{first == 0 ? elt_op : swapped(elt_op), 1, 0.0f, 0.0f}};
  set_elt_view(*program, out, *layout);
  const Isa isa = ctx.kernel_options().isa;
  ThreadPool* pool = ctx.kernel_options().pool;
  const size_t x0 = static_cast<size_t>(first), other = 1 - x0;
  op.run = [program, isa, pool, x0, other](TensorsIn in, TensorsOut o) {
    const float* inputs[2] = {in[x0]->data<float>(), in[other]->data<float>()};
    fused_elementwise_fast(*program, isa, inputs, o[0]->data<float>(), pool);
  };
  set_fast_flags(ctx, first, op);
  return true;
}

bool bind_broadcast_binary(const OpContext& ctx, EltOp elt_op, const Shape& a, const Shape& b,
                           const Shape& out, PreparedOp& op) {
  BroadcastOp bop;
  switch (elt_op) {
    case EltOp::kAdd:
      bop = BroadcastOp::kAdd;
      break;
    case EltOp::kSub:
      bop = BroadcastOp::kSub;
      break;
    case EltOp::kMul:
      bop = BroadcastOp::kMul;
      break;
    case EltOp::kDiv:
      bop = BroadcastOp::kDiv;
      break;
    default:
      return false;
  }
  std::optional<BroadcastBinaryPlan> plan = plan_broadcast_binary(a, b, out);
  if (!plan) return false;
  auto shared = std::make_shared<const BroadcastBinaryPlan>(std::move(*plan));
  ThreadPool* pool = ctx.kernel_options().pool;
  op.run = [shared, bop, pool](TensorsIn in, TensorsOut o) {
    broadcast_binary(*shared, bop, in[0]->data<float>(), in[1]->data<float>(), o[0]->data<float>(),
                     pool);
  };
  op.needs_zeroed_outputs = false;
  op.kernel_name = "broadcast_binary";
  return true;
}

}  // namespace hone
