// The fused elementwise driver: op names, the chunking and thread split of the fast kernel,
// and its portable chunk loop (the AVX-512/AVX2 ones live in their ISA files).
#include "ops/elementwise/fused_elementwise.h"

#include <algorithm>
#include <array>

#include "ops/elementwise/fused_elementwise_kernel.h"

namespace hone {
namespace {

using eltwise_detail::ChunkStep;

constexpr std::array<std::pair<EltOp, std::string_view>, 22> kNames = {{
    {EltOp::kRelu, "Relu"},
    {EltOp::kSigmoid, "Sigmoid"},
    {EltOp::kTanh, "Tanh"},
    {EltOp::kExp, "Exp"},
    {EltOp::kLog, "Log"},
    {EltOp::kNeg, "Neg"},
    {EltOp::kAbs, "Abs"},
    {EltOp::kSqrt, "Sqrt"},
    {EltOp::kErf, "Erf"},
    {EltOp::kHardSwish, "HardSwish"},
    {EltOp::kClip, "Clip"},
    {EltOp::kLeakyRelu, "LeakyRelu"},
    {EltOp::kHardSigmoid, "HardSigmoid"},
    {EltOp::kAdd, "Add"},
    {EltOp::kSub, "Sub"},
    {EltOp::kMul, "Mul"},
    {EltOp::kDiv, "Div"},
    {EltOp::kMax, "Max"},
    {EltOp::kMin, "Min"},
    {EltOp::kPow, "Pow"},
    {EltOp::kRSub, "RSub"},
    {EltOp::kRDiv, "RDiv"},
}};

// Elements one chunk covers: small enough that the accumulator stays in L1 across steps.
constexpr int64_t kChunk = 2048;
// Below this many elements a second thread costs more to wake than it saves.
constexpr int64_t kParallelMin = int64_t{1} << 15;
// Steps handed to a chunk loop at once (longer programs run in several rounds).
constexpr int kStepsPerRound = 16;

void portable_run_chunk(const float* x0, float* y, int64_t n, const ChunkStep* steps, int count) {
  if (count == 0 && x0 != y) std::copy(x0, x0 + n, y);
  for (int k = 0; k < count; ++k) {
    const ChunkStep& s = steps[k];
    const float* src = k == 0 ? x0 : y;
    for (int64_t i = 0; i < n; ++i) {
      const float operand = s.vec ? s.vec[s.period ? i % s.period : i] : s.scalar;
      y[i] = elt_apply(s.op, src[i], operand, s.alpha, s.beta);
    }
  }
}

using ChunkFn = void (*)(const float*, float*, int64_t, const ChunkStep*, int);

ChunkFn chunk_function(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return eltwise_detail::avx512::run_chunk;
    case Isa::kAvx2:
      return eltwise_detail::avx2::run_chunk;
    case Isa::kPortable:
      break;
  }
  return portable_run_chunk;
}

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

int64_t round_up(int64_t a, int64_t multiple) {
  return ceil_div(a, multiple) * multiple;
}

}  // namespace

std::optional<EltOp> parse_elt_op(std::string_view name) {
  for (const auto& [op, n] : kNames)
    if (n == name) return op;
  return std::nullopt;
}

std::string_view elt_op_name(EltOp op) {
  for (const auto& [o, n] : kNames)
    if (o == op) return n;
  return "";
}

std::optional<EltOperandLayout> classify_elt_operand(const Shape& operand, const Shape& out) {
  if (operand.size() > out.size()) return std::nullopt;
  const size_t shift = out.size() - operand.size();
  // Each axis of `out` longer than 1 is shared with the operand or broadcast over; the
  // shared ones must form one run (the channels), then broadcast ones, then an optional
  // shared run reaching the last axis (the lanes).
  int run_begin = -1, run_last = -1, lanes_begin = -1;
  bool broadcast_after_run = false;
  int64_t lanes = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t o = out[i], d = i < shift ? 1 : operand[i - shift];
    if (d != 1 && d != o) return std::nullopt;  // does not broadcast into out
    if (o == 1) continue;
    const auto axis = static_cast<int>(i);
    if (d == 1) {
      if (lanes_begin >= 0) return std::nullopt;  // shared, broadcast, shared, broadcast
      if (run_begin >= 0) broadcast_after_run = true;
      continue;
    }
    if (run_begin < 0) {
      run_begin = run_last = axis;
    } else if (!broadcast_after_run) {
      run_last = axis;
    } else {
      if (lanes_begin < 0) lanes_begin = axis;
      lanes *= o;
    }
  }
  if (shape_numel(operand) == shape_numel(out)) return EltOperandLayout{EltOperandKind::kFull};
  if (run_begin < 0) return EltOperandLayout{EltOperandKind::kScalar};
  if (kEltMaxLanes % lanes != 0) return std::nullopt;
  return EltOperandLayout{EltOperandKind::kChannel, run_begin, run_last, lanes};
}

void set_elt_view(EltProgram& program, const Shape& out, const EltOperandLayout& layout) {
  program.outer = 1;
  program.channels = 1;
  program.inner = 1;
  program.lanes = layout.kind == EltOperandKind::kChannel ? layout.lanes : 1;
  const bool channels = layout.kind == EltOperandKind::kChannel;
  for (size_t d = 0; d < out.size(); ++d) {
    const auto i = static_cast<int>(d);
    if (!channels || i > layout.axis_last)
      program.inner *= out[d];
    else if (i >= layout.axis)
      program.channels *= out[d];
    else
      program.outer *= out[d];
  }
}

void fused_elementwise_reference(const EltProgram& p, const float* const* inputs, float* y) {
  const int64_t n = p.numel();
  for (int64_t e = 0; e < n; ++e) {
    const int64_t c = (e / p.inner) % p.channels;
    float acc = inputs[0][e];
    for (const EltStep& s : p.steps) {
      float operand = 0.0f;
      if (s.operand >= 0) {
        const float* in = inputs[s.operand];
        switch (p.kinds[static_cast<size_t>(s.operand)]) {
          case EltOperandKind::kFull:
            operand = in[e];
            break;
          case EltOperandKind::kScalar:
            operand = in[0];
            break;
          case EltOperandKind::kChannel:
            operand = in[c * p.lanes + e % p.lanes];
            break;
        }
      }
      acc = elt_apply(s.op, acc, operand, s.alpha, s.beta);
    }
    y[e] = acc;
  }
}

void fused_elementwise_fast(const EltProgram& p, Isa isa, const float* const* inputs, float* y,
                            ThreadPool* pool) {
  const int64_t n = p.numel();
  if (n == 0) return;
  bool has_channel = false;
  for (const EltStep& s : p.steps)
    has_channel = has_channel || (s.operand >= 0 && p.kinds[static_cast<size_t>(s.operand)] ==
                                                        EltOperandKind::kChannel);
  // Rows within which every per-channel operand is one value (inner > 1) or one vector
  // (inner == 1, a row spans the channels).
  int64_t rows = 1, row_len = n;
  if (has_channel) {
    rows = p.inner > 1 ? p.outer * p.channels : p.outer;
    row_len = p.inner > 1 ? p.inner : p.channels;
  }
  // Pieces start on whole lane groups so that a lane operand's period lines up with them.
  const int64_t piece_len = round_up(ceil_div(row_len, ceil_div(row_len, kChunk)), p.lanes);
  const int64_t pieces = ceil_div(row_len, piece_len);
  const int64_t items = rows * pieces;
  const int64_t group = std::max<int64_t>(1, kChunk / piece_len);
  const int64_t tasks = ceil_div(items, group);
  const ChunkFn run_chunk = chunk_function(isa);
  const int total_steps = static_cast<int>(p.steps.size());

  auto task = [&](size_t t) {
    std::array<ChunkStep, kStepsPerRound> steps;
    // A lane operand's values for this row, repeated to kEltMaxLanes floats.
    alignas(64) std::array<std::array<float, kEltMaxLanes>, kStepsPerRound> periods;
    const int64_t first = static_cast<int64_t>(t) * group;
    const int64_t last = std::min(items, first + group);
    for (int64_t item = first; item < last; ++item) {
      const int64_t row = item / pieces, start = (item % pieces) * piece_len;
      const int64_t len = std::min(piece_len, row_len - start);
      const int64_t offset = row * row_len + start;
      const int64_t c = p.inner > 1 ? row % p.channels : 0;
      int done = 0;
      do {
        const int count = std::min(kStepsPerRound, total_steps - done);
        for (int k = 0; k < count; ++k) {
          const EltStep& s = p.steps[static_cast<size_t>(done + k)];
          ChunkStep& cs = steps[static_cast<size_t>(k)];
          cs = ChunkStep{s.op, s.alpha, s.beta, nullptr, 0.0f};
          if (s.operand < 0) continue;
          const float* in = inputs[s.operand];
          switch (p.kinds[static_cast<size_t>(s.operand)]) {
            case EltOperandKind::kFull:
              cs.vec = in + offset;
              break;
            case EltOperandKind::kScalar:
              cs.scalar = in[0];
              break;
            case EltOperandKind::kChannel:
              if (p.inner == 1) {
                cs.vec = in + start;
              } else if (p.lanes == 1) {
                cs.scalar = in[c];
              } else {
                float* period = periods[static_cast<size_t>(k)].data();
                for (int64_t i = 0; i < kEltMaxLanes; ++i)
                  period[i] = in[c * p.lanes + i % p.lanes];
                cs.vec = period;
                cs.period = kEltMaxLanes;
              }
              break;
          }
        }
        run_chunk(done == 0 ? inputs[0] + offset : y + offset, y + offset, len, steps.data(),
                  count);
        done += count;
      } while (done < total_steps);
    }
  };
  parallel_for(n >= kParallelMin ? pool : nullptr, static_cast<size_t>(tasks), task);
}

}  // namespace hone
