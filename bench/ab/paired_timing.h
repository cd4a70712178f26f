// The paired A/B timing shared by gemm-packed-ab and conv-nchwc-ab: samples of two configs
// alternate (ABBA order) over two instances of each (built A B B A, so neither config always
// has the first-allocated memory), and the result is the median of the per-pair time ratios.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.h"

namespace hone::bench {

// A command-line count: a positive integer, else hone::Error naming it.
inline int64_t positive_arg(const char* text, const char* what) {
  char* end = nullptr;
  const long long v = std::strtoll(text, &end, 10);
  if (*end != '\0' || v < 1) throw Error(std::string(what) + " must be a positive integer");
  return v;
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct PairedTimes {
  double median_a = 0, median_b = 0;  // seconds per sample
  double ratio = 0;                   // median of B/A over the pairs
};

// seconds(instance) times one sample of a1, b1, b2 or a2 (0..3, built in that order).
template <class Seconds>
PairedTimes time_pairs(int pairs, const Seconds& seconds) {
  for (int i = 0; i < 4; ++i) seconds(i);  // warm-up: first touch of outputs and buffers
  std::vector<double> time_a, time_b, ratio;
  for (int p = 0; p < pairs; ++p) {
    const int a = p % 4 < 2 ? 0 : 3, b = p % 4 < 2 ? 1 : 2;
    double ta = 0, tb = 0;
    if (p % 2 == 0) {
      ta = seconds(a);
      tb = seconds(b);
    } else {
      tb = seconds(b);
      ta = seconds(a);
    }
    time_a.push_back(ta);
    time_b.push_back(tb);
    ratio.push_back(tb / ta);
  }
  return {median(time_a), median(time_b), median(ratio)};
}

}  // namespace hone::bench
