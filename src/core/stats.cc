#include "core/stats.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace hone {

LatencyStats compute_latency_stats(std::span<const double> samples) {
  if (samples.empty()) throw Error("latency statistics: no samples");
  for (double s : samples)
    if (!std::isfinite(s)) throw Error("latency statistics: a sample is not a finite number");

  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();

  LatencyStats st;
  st.min = sorted.front();
  st.max = sorted.back();
  st.median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  double sum = 0;
  for (double s : sorted) sum += s;
  st.mean = sum / static_cast<double>(n);
  // Two-pass variance: subtracting the mean first avoids the cancellation of sum(x^2) - n*m^2.
  double sq = 0;
  for (double s : sorted) sq += (s - st.mean) * (s - st.mean);
  st.std = std::sqrt(sq / static_cast<double>(n));
  return st;
}

}  // namespace hone
