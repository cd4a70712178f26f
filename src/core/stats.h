// Summary statistics of latency samples (mean, median, max, min, population std), the
// figures `hone run --print-time` and the benchmarks report.
#pragma once

#include <span>

namespace hone {

struct LatencyStats {
  double mean = 0;
  double median = 0;  // middle sample, or the mean of the two middle ones
  double max = 0;
  double min = 0;
  double std = 0;  // population standard deviation (numpy's default, ddof=0)
};

// Throws hone::Error when `samples` is empty or holds a NaN or infinity.
LatencyStats compute_latency_stats(std::span<const double> samples);

}  // namespace hone
