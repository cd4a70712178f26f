#include "ops/elementwise/broadcast_binary.h"

#include <algorithm>

namespace hone {
namespace {

constexpr int64_t kMinInner = 8;
// Work items per thread (stealing evens out the rest).
constexpr int64_t kItemsPerThread = 8;

// Element strides of a tensor of `shape` read as `out` (right-aligned, 0 on broadcast axes).
std::optional<std::vector<int64_t>> broadcast_strides_to(const Shape& shape, const Shape& out) {
  if (shape.size() > out.size()) return std::nullopt;
  std::vector<int64_t> strides(out.size(), 0);
  int64_t stride = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    const size_t s = shape.size() - 1 - i, o = out.size() - 1 - i;
    if (shape[s] != out[o] && shape[s] != 1) return std::nullopt;
    strides[o] = shape[s] == 1 ? 0 : stride;
    stride *= shape[s];
  }
  return strides;
}

template <BroadcastOp kOp>
inline float apply(float x, float y) {
  if constexpr (kOp == BroadcastOp::kAdd) return x + y;
  if constexpr (kOp == BroadcastOp::kSub) return x - y;
  if constexpr (kOp == BroadcastOp::kMul) return x * y;
  return x / y;
}

template <BroadcastOp kOp>
void run_row(const float* a, int64_t sa, const float* b, int64_t sb, float* y, int64_t n) {
  if (sa && sb) {
    for (int64_t i = 0; i < n; ++i) y[i] = apply<kOp>(a[i], b[i]);
  } else if (sa) {
    const float v = b[0];
    for (int64_t i = 0; i < n; ++i) y[i] = apply<kOp>(a[i], v);
  } else {
    const float v = a[0];
    for (int64_t i = 0; i < n; ++i) y[i] = apply<kOp>(v, b[i]);
  }
}

template <BroadcastOp kOp>
void run_all(const BroadcastBinaryPlan& p, const float* a, const float* b, float* y,
             ThreadPool* pool) {
  const int64_t rows = shape_numel(p.rows);
  const int64_t threads = pool ? pool->threads() : 1;
  const int64_t items = std::max<int64_t>(1, std::min(rows, threads * kItemsPerThread));
  parallel_for(threads > 1 ? pool : nullptr, static_cast<size_t>(items), [&](size_t item) {
    const int64_t begin = rows * static_cast<int64_t>(item) / items;
    const int64_t end = rows * (static_cast<int64_t>(item) + 1) / items;
    for (int64_t r = begin; r < end; ++r) {
      int64_t oa = 0, ob = 0, rest = r;
      for (size_t d = p.rows.size(); d-- > 0;) {
        const int64_t i = rest % p.rows[d];
        rest /= p.rows[d];
        oa += i * p.a_strides[d];
        ob += i * p.b_strides[d];
      }
      run_row<kOp>(a + oa, p.a_inner, b + ob, p.b_inner, y + r * p.inner, p.inner);
    }
  });
}

}  // namespace

std::optional<BroadcastBinaryPlan> plan_broadcast_binary(const Shape& a, const Shape& b,
                                                         const Shape& out) {
  const auto sa = broadcast_strides_to(a, out), sb = broadcast_strides_to(b, out);
  if (!sa || !sb || shape_numel(out) == 0) return std::nullopt;
  // Merge from the innermost axis out; size-1 axes vanish.
  struct Axis {
    int64_t size, a, b;
  };
  std::vector<Axis> axes;  // innermost first
  for (size_t i = out.size(); i-- > 0;) {
    if (out[i] == 1) continue;
    const Axis next{out[i], (*sa)[i], (*sb)[i]};
    if (!axes.empty()) {
      Axis& last = axes.back();
      if (next.a == last.a * last.size && next.b == last.b * last.size) {
        last.size *= next.size;
        continue;
      }
    }
    axes.push_back(next);
  }
  if (axes.empty() || axes.front().size < kMinInner) return std::nullopt;
  BroadcastBinaryPlan p;
  p.inner = axes.front().size;
  p.a_inner = axes.front().a;
  p.b_inner = axes.front().b;
  if (p.a_inner > 1 || p.b_inner > 1 || (p.a_inner == 0 && p.b_inner == 0)) return std::nullopt;
  for (size_t i = axes.size(); i-- > 1;) {
    p.rows.push_back(axes[i].size);
    p.a_strides.push_back(axes[i].a);
    p.b_strides.push_back(axes[i].b);
  }
  return p;
}

void broadcast_binary(const BroadcastBinaryPlan& plan, BroadcastOp op, const float* a,
                      const float* b, float* y, ThreadPool* pool) {
  switch (op) {
    case BroadcastOp::kAdd:
      return run_all<BroadcastOp::kAdd>(plan, a, b, y, pool);
    case BroadcastOp::kSub:
      return run_all<BroadcastOp::kSub>(plan, a, b, y, pool);
    case BroadcastOp::kMul:
      return run_all<BroadcastOp::kMul>(plan, a, b, y, pool);
    case BroadcastOp::kDiv:
      return run_all<BroadcastOp::kDiv>(plan, a, b, y, pool);
  }
}

}  // namespace hone
