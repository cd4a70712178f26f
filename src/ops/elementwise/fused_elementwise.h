// FusedElementwise (docs/decisions/004-internal-ops.md): a chain of unary and binary steps
// applied to an accumulator in one pass over memory, as a reference kernel (plain loops) and
// a fast one (per-ISA vector loops over L1-sized chunks, split over threads). The plain ONNX
// elementwise ops (Add, Relu, Clip, ...) run on the fast kernel as one-step programs.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/cpu_features.h"
#include "core/tensor.h"
#include "core/thread_pool.h"

namespace hone {

enum class EltOp {
  // unary: acc = f(acc)
  kRelu,
  kSigmoid,
  kTanh,
  kExp,
  kLog,
  kNeg,
  kAbs,
  kSqrt,
  kErf,
  kHardSwish,
  kClip,
  kLeakyRelu,
  kHardSigmoid,
  // binary: acc = acc OP operand (kRSub, kRDiv: operand OP acc)
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMax,
  kMin,
  kPow,
  kRSub,
  kRDiv,
};

// The op named as in the `ops` attribute ("Relu", "Add", "RSub", ...); nullopt if unknown.
std::optional<EltOp> parse_elt_op(std::string_view name);
std::string_view elt_op_name(EltOp op);
inline bool elt_op_is_binary(EltOp op) {
  return op >= EltOp::kAdd;
}

// One step. alpha/beta: Clip min/max, LeakyRelu alpha, HardSigmoid alpha/beta.
struct EltStep {
  EltOp op = EltOp::kRelu;
  int operand = -1;  // input index for binary steps, -1 for unary ones
  float alpha = 0.0f, beta = 0.0f;
};

// How an operand lines up with the output viewed as [outer, channels, inner], where the
// last `lanes` elements of inner repeat with period `lanes`.
enum class EltOperandKind { kFull, kScalar, kChannel };

// Largest lane count of a per-channel operand: the fast kernel repeats an operand's lanes
// over a buffer of this many floats, so lanes must divide it.
constexpr int64_t kEltMaxLanes = 64;

struct EltProgram {
  std::vector<EltStep> steps;
  std::vector<EltOperandKind> kinds;  // one per input; input 0 (the start value) is kFull
  int64_t outer = 1, channels = 1, inner = 1;
  // kChannel operands hold channels * lanes values: element e reads
  // operand[((e / inner) % channels) * lanes + e % lanes].
  int64_t lanes = 1;
  int64_t numel() const { return outer * channels * inner; }
};

// How an operand of shape `operand` lines up with an output of shape `out`: the same
// elements (kFull), one value (kScalar), or per channel (kChannel): its non-1 axes are one
// run of `out`'s axes [axis, axis_last] (the channels; [C,1,1] or [N,C,1,1] against
// [N,C,H,W]), optionally followed, after axes it broadcasts over, by trailing axes it shares
// with `out` whose sizes multiply to `lanes` (the channel blocks of a blocked layout:
// [1,C/16,1,1,16] against [N,C/16,H,W,16]). nullopt otherwise.
struct EltOperandLayout {
  EltOperandKind kind = EltOperandKind::kFull;
  int axis = -1, axis_last = -1;
  int64_t lanes = 1;
  bool operator==(const EltOperandLayout&) const = default;
};
std::optional<EltOperandLayout> classify_elt_operand(const Shape& operand, const Shape& out);
// Sets the program's [outer, channels, inner] view of `out` and its lanes from a kChannel
// operand's layout (a default layout: no channels).
void set_elt_view(EltProgram& program, const Shape& out, const EltOperandLayout& layout);

// The scalar formula of one step: the oracle every vector variant matches.
inline float elt_apply(EltOp op, float acc, float operand, float alpha, float beta) {
  switch (op) {
    case EltOp::kRelu:
      return acc > 0.0f ? acc : 0.0f;
    case EltOp::kSigmoid:
      return 1.0f / (1.0f + std::exp(-acc));
    case EltOp::kTanh:
      return std::tanh(acc);
    case EltOp::kExp:
      return std::exp(acc);
    case EltOp::kLog:
      return std::log(acc);
    case EltOp::kNeg:
      return -acc;
    case EltOp::kAbs:
      return std::fabs(acc);
    case EltOp::kSqrt:
      return std::sqrt(acc);
    case EltOp::kErf:
      return std::erf(acc);
    case EltOp::kHardSwish: {
      const float y = acc / 6.0f + 0.5f;
      return acc * (y < 0.0f ? 0.0f : (y > 1.0f ? 1.0f : y));
    }
    case EltOp::kClip: {  // as ONNX Clip: min first, then max (max wins when min > max)
      const float v = acc < alpha ? alpha : acc;
      return v > beta ? beta : v;
    }
    case EltOp::kLeakyRelu:
      return acc >= 0.0f ? acc : alpha * acc;
    case EltOp::kHardSigmoid: {
      const float y = alpha * acc + beta;
      return y < 0.0f ? 0.0f : (y > 1.0f ? 1.0f : y);
    }
    case EltOp::kAdd:
      return acc + operand;
    case EltOp::kSub:
      return acc - operand;
    case EltOp::kMul:
      return acc * operand;
    case EltOp::kDiv:
      return acc / operand;
    case EltOp::kMax:
      return acc > operand ? acc : operand;
    case EltOp::kMin:
      return acc < operand ? acc : operand;
    case EltOp::kPow:
      return std::pow(acc, operand);
    case EltOp::kRSub:
      return operand - acc;
    case EltOp::kRDiv:
      return operand / acc;
  }
  return acc;
}

// y = program(inputs); inputs[0] has y's shape. y may alias inputs[0].
void fused_elementwise_reference(const EltProgram& program, const float* const* inputs, float* y);
// The same with `isa`'s vector loops (every element written; no zeroing needed).
void fused_elementwise_fast(const EltProgram& program, Isa isa, const float* const* inputs,
                            float* y, ThreadPool* pool);

}  // namespace hone
