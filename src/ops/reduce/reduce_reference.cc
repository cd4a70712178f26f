#include "ops/reduce/reduce_reference.h"

#include <cmath>
#include <limits>
#include <type_traits>

namespace hone {

namespace {

template <class T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, double,
                               std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;

template <class A>
bool is_nan(A v) {
  if constexpr (std::is_floating_point_v<A>)
    return std::isnan(v);
  else
    return false;
}

template <class A>
bool is_negative(A v) {
  if constexpr (std::is_unsigned_v<A>)
    return false;
  else
    return v < A(0);
}

// Reduces the values x[base + offsets[k]] for every k.
template <class T>
T reduce_one(ReduceKind kind, const T* x, int64_t base, const std::vector<int64_t>& offsets) {
  using A = Acc<T>;
  auto at = [&](size_t k) { return static_cast<A>(x[base + offsets[k]]); };
  const size_t n = offsets.size();
  switch (kind) {
    case ReduceKind::kMax:
    case ReduceKind::kMin: {
      const bool is_max = kind == ReduceKind::kMax;
      A best;
      if constexpr (std::is_floating_point_v<A>)
        best = is_max ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::infinity();
      else
        best = static_cast<A>(is_max ? std::numeric_limits<T>::lowest()
                                     : std::numeric_limits<T>::max());
      for (size_t k = 0; k < n; ++k) {
        A v = at(k);
        if (is_nan(v)) return static_cast<T>(v);
        if (is_max ? v > best : v < best) best = v;
      }
      return static_cast<T>(best);
    }
    case ReduceKind::kLogSumExp: {
      if constexpr (std::is_floating_point_v<A>) {
        A max = -std::numeric_limits<A>::infinity();
        for (size_t k = 0; k < n; ++k) {
          if (is_nan(at(k))) return static_cast<T>(at(k));
          if (at(k) > max) max = at(k);
        }
        // All -inf (or empty): the sum is 0 and the log -inf; +inf dominates any sum.
        if (std::isinf(max)) return static_cast<T>(max);
        A sum = 0;
        for (size_t k = 0; k < n; ++k) sum += std::exp(at(k) - max);
        return static_cast<T>(max + std::log(sum));
      } else {
        double sum = 0;
        for (size_t k = 0; k < n; ++k) sum += std::exp(static_cast<double>(at(k)));
        return static_cast<T>(std::log(sum));
      }
    }
    default:
      break;
  }
  // Integer sums and products wrap modulo 2^64 (well defined for unsigned), which gives the
  // same low bits as wrapping in T; the signed value is recovered by the final conversion.
  using W = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
  W acc = kind == ReduceKind::kProd ? W(1) : W(0);
  for (size_t k = 0; k < n; ++k) {
    A v = at(k);
    W w = static_cast<W>(v);
    switch (kind) {
      case ReduceKind::kProd:
        acc *= w;
        break;
      case ReduceKind::kL1:
        acc += is_negative(v) ? W(0) - w : w;
        break;
      case ReduceKind::kL2:
      case ReduceKind::kSumSquare:
        acc += w * w;
        break;
      default:
        acc += w;
        break;
    }
  }
  const A total = static_cast<A>(acc);
  switch (kind) {
    case ReduceKind::kMean:
      if constexpr (!std::is_floating_point_v<A>)
        if (n == 0) return T(0);  // integers have no NaN; ONNX leaves this case undefined
      return static_cast<T>(total / static_cast<A>(n));
    case ReduceKind::kL2:
      return static_cast<T>(std::sqrt(static_cast<double>(total)));
    case ReduceKind::kLogSum:
      return static_cast<T>(std::log(static_cast<double>(total)));
    default:
      return static_cast<T>(total);
  }
}

// Element offsets of every multi-index over the dimensions selected by `pick` (others held at
// 0), in row-major order of those dimensions.
std::vector<int64_t> offsets_over(const Shape& shape, const std::vector<int64_t>& strides,
                                  const std::vector<bool>& pick, bool pick_value) {
  std::vector<int64_t> offsets = {0};
  for (size_t d = 0; d < shape.size(); ++d) {
    if (pick[d] != pick_value) continue;
    std::vector<int64_t> next;
    next.reserve(offsets.size() * static_cast<size_t>(shape[d]));
    for (int64_t base : offsets)
      for (int64_t i = 0; i < shape[d]; ++i) next.push_back(base + i * strides[d]);
    offsets = std::move(next);
  }
  return offsets;
}

}  // namespace

template <class T>
void reduce_reference(ReduceKind kind, const T* x, const Shape& shape,
                      const std::vector<bool>& reduce_dim, T* y) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  const std::vector<int64_t> reduced = offsets_over(shape, strides, reduce_dim, true);
  const std::vector<int64_t> kept = offsets_over(shape, strides, reduce_dim, false);
  for (size_t o = 0; o < kept.size(); ++o) y[o] = reduce_one(kind, x, kept[o], reduced);
}

template <class T>
void arg_reduce_reference(bool find_max, bool select_last_index, const T* x, int64_t outer,
                          int64_t axis_len, int64_t inner, int64_t* y) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* slice = x + o * axis_len * inner + i;
      int64_t best = 0;
      for (int64_t k = 1; k < axis_len; ++k) {
        T v = slice[k * inner], b = slice[best * inner];
        bool better;
        if (is_nan(b))
          better = select_last_index && is_nan(v);
        else if (is_nan(v))
          better = true;
        else
          better = find_max ? v > b : v < b;
        if (better || (select_last_index && v == b)) best = k;
      }
      y[o * inner + i] = best;
    }
  }
}

#define HONE_INSTANTIATE_REDUCE(T)                                                                \
  template void reduce_reference<T>(ReduceKind, const T*, const Shape&, const std::vector<bool>&, \
                                    T*);
HONE_INSTANTIATE_REDUCE(float)
HONE_INSTANTIATE_REDUCE(double)
HONE_INSTANTIATE_REDUCE(int32_t)
HONE_INSTANTIATE_REDUCE(int64_t)
HONE_INSTANTIATE_REDUCE(uint32_t)
HONE_INSTANTIATE_REDUCE(uint64_t)
#undef HONE_INSTANTIATE_REDUCE

#define HONE_INSTANTIATE_ARG(T) \
  template void arg_reduce_reference<T>(bool, bool, const T*, int64_t, int64_t, int64_t, int64_t*);
HONE_INSTANTIATE_ARG(float)
HONE_INSTANTIATE_ARG(double)
HONE_INSTANTIATE_ARG(int8_t)
HONE_INSTANTIATE_ARG(uint8_t)
HONE_INSTANTIATE_ARG(int16_t)
HONE_INSTANTIATE_ARG(uint16_t)
HONE_INSTANTIATE_ARG(int32_t)
HONE_INSTANTIATE_ARG(uint32_t)
HONE_INSTANTIATE_ARG(int64_t)
HONE_INSTANTIATE_ARG(uint64_t)
#undef HONE_INSTANTIATE_ARG

}  // namespace hone
