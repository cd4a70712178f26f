// Binds the fast elementwise kernel (ops/elementwise/fused_elementwise.h) for the plain ONNX
// elementwise ops as one-step programs, shared by the elementwise and activation families.
#pragma once

#include "ir/op_registry.h"
#include "ops/elementwise/fused_elementwise.h"

namespace hone {

// y = op(x) on input 0 (float32). Sets op.run and the in-place/zeroing flags.
void bind_fast_unary(const OpContext& ctx, EltStep step, PreparedOp& op);
// y = a OP b (float32) read as shapes a and b broadcast to out. Binds when one input has
// the output's shape and the other is the same, a scalar or per-channel; returns false
// (op untouched) otherwise.
bool bind_fast_binary(const OpContext& ctx, EltOp elt_op, const Shape& a, const Shape& b,
                      const Shape& out, PreparedOp& op);
// The same ops (Add, Sub, Mul, Div) for broadcasts bind_fast_binary does not take, as rows of
// a contiguous innermost run (ops/elementwise/broadcast_binary.h); false (op untouched) when
// that run would be short or the op is another.
bool bind_broadcast_binary(const OpContext& ctx, EltOp elt_op, const Shape& a, const Shape& b,
                           const Shape& out, PreparedOp& op);

}  // namespace hone
