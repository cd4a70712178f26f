// hone-peak: measures this machine's FP32 FMA peak (per instruction set, 1 and N threads) and
// its memory bandwidth (STREAM copy and triad, 1 and N threads), the ceilings that per-layer
// GFLOP/s are compared with; with 2+ threads also what data costs between two cores.
// Usage: hone-peak [--threads N] [--quick] [--json] [--isa NAME] [--no-bandwidth]
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/cpu_features.h"
#include "core/error.h"
#include "peak/peak.h"

namespace hone::peak {
namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::ordered_json;

struct Options {
  int threads = 0;  // 0: the physical core count
  bool quick = false;
  bool json = false;
  bool bandwidth = true;
  std::string isa;  // empty: every supported one
};

struct FmaKernel {
  Isa isa;
  float (*fn)(int64_t);
  double flops_per_iter;  // chains x lanes x 2
};

struct Figure {
  double best = 0;
  double median = 0;
};

// Keeps the kernels' results alive so the compiler cannot drop the work.
std::atomic<float> g_sink{0.0f};

// Distinct (package, core) pairs among the CPUs this process may run on, as `hone run`
// counts them (cpuinfo's core count is wrong on some VMs); the logical count otherwise.
int physical_cores() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof mask, &mask) != 0) {
    const unsigned n = std::thread::hardware_concurrency();
    return n > 0 ? static_cast<int>(n) : 1;
  }
  std::set<std::pair<int, int>> cores;
  int logical = 0;
  bool known = true;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &mask)) continue;
    ++logical;
    const std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    int package = 0, core = 0;
    std::ifstream p(dir + "physical_package_id"), c(dir + "core_id");
    if (!(p >> package) || !(c >> core)) known = false;
    cores.insert({package, core});
  }
  if (logical == 0) return 1;
  return known ? static_cast<int>(cores.size()) : logical;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  return "unknown CPU";
}

// Runs fn(t) for t in [0, threads) on that many threads (the caller is thread 0), all released
// at once after they have started; returns the seconds from the release to the last finish.
template <class Fn>
double timed_on_threads(int threads, const Fn& fn) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<Clock::time_point> ends(static_cast<size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t)
    workers.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      fn(t);
      ends[static_cast<size_t>(t)] = Clock::now();
    });
  while (ready.load() < threads - 1) std::this_thread::yield();
  const Clock::time_point start = Clock::now();
  go.store(true, std::memory_order_release);
  fn(0);
  ends[0] = Clock::now();
  for (std::thread& w : workers) w.join();
  const Clock::time_point last = *std::max_element(ends.begin(), ends.end());
  return std::chrono::duration<double>(last - start).count();
}

Figure summarize(std::vector<double> rates) {
  std::sort(rates.begin(), rates.end());
  const size_t n = rates.size();
  return {rates.back(), n % 2 ? rates[n / 2] : (rates[n / 2 - 1] + rates[n / 2]) / 2};
}

// GFLOP/s of `k` on `threads` threads; each run lasts about `seconds`.
Figure measure_fma(const FmaKernel& k, int threads, double seconds, int reps) {
  // Calibrate on one thread: double the iterations until a run takes >= 5 ms.
  int64_t iters = 1 << 14;
  for (;;) {
    const auto t0 = Clock::now();
    g_sink = g_sink + k.fn(iters);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s >= 0.005) {
      iters = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(iters) * seconds / s));
      break;
    }
    iters *= 2;
  }
  std::vector<double> rates;
  for (int r = 0; r < reps; ++r) {
    const double s = timed_on_threads(threads, [&](int) { g_sink = g_sink + k.fn(iters); });
    rates.push_back(k.flops_per_iter * static_cast<double>(iters) * threads / s * 1e-9);
  }
  return summarize(rates);
}

// Three arrays of `n` floats, 64-byte aligned, first touched by the threads that use them.
class StreamArrays {
 public:
  StreamArrays(size_t n, int threads) : n_(n) {
    const size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
    for (float*& p : arrays_) {
      p = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (!p)
        throw Error("cannot allocate " + std::to_string(bytes >> 20) +
                    " MiB for the bandwidth test");
    }
    timed_on_threads(threads, [&](int t) {
      auto [b, e] = chunk(t, threads);
      for (size_t i = b; i < e; ++i) {
        arrays_[0][i] = 1.0f;
        arrays_[1][i] = 2.0f;
        arrays_[2][i] = 0.5f;
      }
    });
  }
  ~StreamArrays() {
    for (float* p : arrays_) std::free(p);
  }
  StreamArrays(const StreamArrays&) = delete;
  StreamArrays& operator=(const StreamArrays&) = delete;

  // Thread t's contiguous share of the elements, split at 16-float boundaries.
  std::pair<size_t, size_t> chunk(int t, int threads) const {
    const size_t per = (n_ / static_cast<size_t>(threads) + 15) / 16 * 16;
    const size_t b = std::min(n_, per * static_cast<size_t>(t));
    return {b, t == threads - 1 ? n_ : std::min(n_, b + per)};
  }
  float* operator[](int i) const { return arrays_[i]; }
  size_t size() const { return n_; }

 private:
  size_t n_;
  float* arrays_[3] = {nullptr, nullptr, nullptr};
};

// GB/s of STREAM copy (2 arrays moved) or triad (3 arrays), STREAM's counting: bytes read
// plus bytes written, not the write-allocate traffic.
Figure measure_stream(const StreamArrays& a, bool triad, int threads, int reps) {
  std::vector<double> rates;
  for (int r = 0; r < reps; ++r) {
    const double s = timed_on_threads(threads, [&](int t) {
      auto [b, e] = a.chunk(t, threads);
      if (triad)
        stream_triad(a[0], a[1], a[2], 3.0f, b, e);
      else
        stream_copy(a[2], a[0], b, e);
    });
    const double bytes = static_cast<double>(a.size() * sizeof(float)) * (triad ? 3 : 2);
    rates.push_back(bytes / s * 1e-9);
  }
  g_sink = g_sink + a[0][a.size() / 2] + a[2][a.size() / 3];
  return summarize(rates);
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      o.quick = true;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--no-bandwidth") {
      o.bandwidth = false;
    } else if ((a == "--threads" || a == "--isa") && i + 1 < argc) {
      const std::string v = argv[++i];
      if (a == "--isa") {
        o.isa = v;
        continue;
      }
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 1 || n > 1024)
        throw Error("--threads must be an integer in [1, 1024] (got '" + v + "')");
      o.threads = static_cast<int>(n);
    } else if (a == "-h" || a == "--help") {
      std::cout
          << "Usage: hone-peak [--threads N] [--quick] [--json] [--isa portable|avx2|avx512]\n"
             "                 [--no-bandwidth]\n"
             "Measures FP32 FMA peak per instruction set and STREAM copy/triad bandwidth\n"
             "on 1 and N threads (default N: physical cores). --quick: short runs and\n"
             "small arrays (a smoke test; its bandwidth figures are not representative).\n"
             "Peaks are the best of many short runs: on a shared machine the median is lower.\n";
      std::exit(0);
    } else {
      throw Error("unknown argument '" + a + "' (see hone-peak --help)");
    }
  }
  if (o.threads == 0) o.threads = physical_cores();
  return o;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

int run(const Options& o) {
  std::vector<FmaKernel> kernels;
  for (Isa isa : supported_isas()) {
    if (!o.isa.empty() && isa != parse_isa(o.isa)) continue;
    if (isa == Isa::kAvx512)
      kernels.push_back({isa, &avx512::fma_chains, kFmaChainsAvx512 * 16 * 2.0});
    else if (isa == Isa::kAvx2)
      kernels.push_back({isa, &avx2::fma_chains, kFmaChainsAvx2 * 8 * 2.0});
    else
      kernels.push_back({isa, &portable::fma_chains, kFmaChainsPortable * 4 * 2.0});
  }
  if (kernels.empty()) throw Error("--isa " + o.isa + " is not supported by this CPU");

  std::vector<int> counts = {1};
  if (o.threads > 1) counts.push_back(o.threads);
  // Many short FMA runs, best kept: a run of a few ms often fits in one scheduler slice, so
  // the best one shows the core's speed even while other processes share the machine.
  const double seconds = o.quick ? 0.002 : 0.004;
  const int fma_reps = o.quick ? 3 : 40;
  const int stream_reps = o.quick ? 2 : 10;
  // Full runs: 3 x 128 MiB, far beyond any cache, as STREAM asks (>= 4x the last level).
  const size_t n = o.quick ? (size_t{4} << 20) : (size_t{32} << 20);

  Json j;
  j["cpu"] = cpu_model();
  j["physical_cores"] = physical_cores();
  j["threads"] = o.threads;
  j["quick"] = o.quick;
  j["best_isa"] = std::string(isa_name(best_isa()));
  j["fma"] = Json::array();
  Json peak = Json::object();
  for (const FmaKernel& k : kernels)
    for (int t : counts) {
      const Figure f = measure_fma(k, t, seconds, fma_reps);
      j["fma"].push_back({{"isa", std::string(isa_name(k.isa))},
                          {"threads", t},
                          {"gflops", f.best},
                          {"gflops_median", f.median},
                          {"gflops_per_thread", f.best / t}});
      const std::string key = std::to_string(t);
      if (!peak.contains(key) || peak[key].get<double>() < f.best) peak[key] = f.best;
    }
  j["peak_gflops"] = peak;
  j["array_bytes"] = n * sizeof(float);
  j["bandwidth"] = Json::array();
  Json triad_bw = Json::object();
  if (o.bandwidth) {
    const StreamArrays arrays(n, o.threads);
    for (bool triad : {false, true})
      for (int t : counts) {
        const Figure f = measure_stream(arrays, triad, t, stream_reps);
        j["bandwidth"].push_back({{"kernel", triad ? "triad" : "copy"},
                                  {"threads", t},
                                  {"gbps", f.best},
                                  {"gbps_median", f.median}});
        if (triad) triad_bw[std::to_string(t)] = f.best;
      }
  }
  j["triad_gbps"] = triad_bw;
  CrossCore cross;
  if (o.threads > 1) cross = measure_cross_core(o.quick, g_sink);
  if (cross.measured)
    j["cross_core"] = {{"cpus", {cross.cpus[0], cross.cpus[1]}},
                       {"round_trip_ns", cross.round_trip_ns},
                       {"buffer_bytes", cross.bytes},
                       {"read_other_core_written_gbps", cross.other_gbps},
                       {"read_own_written_gbps", cross.own_gbps}};

  if (o.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("hone-peak: %s, %d physical cores, best ISA %s%s\n",
              j["cpu"].get<std::string>().c_str(), physical_cores(),
              std::string(isa_name(best_isa())).c_str(),
              o.quick ? " (--quick: short runs, small arrays)" : "");
  std::printf("\nFP32 FMA peak, GFLOP/s (best of %d runs; median in brackets)\n", fma_reps);
  std::printf("  %-10s %10s %22s %12s\n", "isa", "threads", "GFLOP/s", "per thread");
  for (const Json& f : j["fma"])
    std::printf("  %-10s %10d %22s %12s\n", f["isa"].get<std::string>().c_str(),
                f["threads"].get<int>(),
                (fixed(f["gflops"].get<double>(), 1) + " (" +
                 fixed(f["gflops_median"].get<double>(), 1) + ")")
                    .c_str(),
                fixed(f["gflops_per_thread"].get<double>(), 1).c_str());
  if (cross.measured)
    std::printf(
        "\nCross-core (CPUs %d and %d): cache-line round trip %.0f ns; reading %zu KiB the other "
        "core just wrote %.1f GB/s, after writing it itself %.1f GB/s\n",
        cross.cpus[0], cross.cpus[1], cross.round_trip_ns, cross.bytes >> 10, cross.other_gbps,
        cross.own_gbps);
  if (!o.bandwidth) return 0;
  std::printf(
      "\nMemory bandwidth, GB/s (STREAM counting; arrays of %zu MiB; best of %d, median in "
      "brackets)\n",
      n * sizeof(float) >> 20, stream_reps);
  std::printf("  %-10s %10s %22s\n", "kernel", "threads", "GB/s");
  for (const Json& b : j["bandwidth"])
    std::printf(
        "  %-10s %10d %22s\n", b["kernel"].get<std::string>().c_str(), b["threads"].get<int>(),
        (fixed(b["gbps"].get<double>(), 1) + " (" + fixed(b["gbps_median"].get<double>(), 1) + ")")
            .c_str());
  return 0;
}

}  // namespace
}  // namespace hone::peak

int main(int argc, char** argv) {
  try {
    return hone::peak::run(hone::peak::parse_args(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hone-peak: %s\n", e.what());
    return 2;
  }
}
