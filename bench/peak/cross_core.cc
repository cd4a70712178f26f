// hone-peak's cross-core figures: how long a cache line takes to travel between two cores and
// how fast one core reads a buffer the other just wrote, against reading its own. Two cores
// that share no cache (different CCDs of an AMD part, or vCPUs the hypervisor placed apart)
// pass data through memory's coherence protocol, so a kernel reading what the other thread of
// the layer before wrote runs slower than one reading its own rows.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/error.h"
#include "peak/peak.h"

namespace hone::peak {
namespace {

using Clock = std::chrono::steady_clock;

void pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

// One float per 64-byte line, four independent sums: the time is the lines' arrival.
float read_lines(const std::vector<float>& buf) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (size_t i = 0; i + 64 <= buf.size(); i += 64) {
    s0 += buf[i];
    s1 += buf[i + 16];
    s2 += buf[i + 32];
    s3 += buf[i + 48];
  }
  return s0 + s1 + s2 + s3;
}

void write_all(std::vector<float>& buf, float v) {
  for (float& x : buf) x = v;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

CrossCore measure_cross_core(bool quick, std::atomic<float>& sink) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) throw Error("sched_getaffinity failed");
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE && cpus.size() < 2; ++c)
    if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
  CrossCore r;
  if (cpus.size() < 2) return r;
  r.measured = true;
  r.cpus[0] = cpus[0];
  r.cpus[1] = cpus[1];
  const int trips = quick ? 2000 : 200000, reps = quick ? 3 : 30;
  std::vector<float> buf(r.bytes / sizeof(float), 0.0f);
  // The worker answers ping-pong rounds (odd -> even), then, per read round, writes the buffer
  // when asked (command 1) and reports done (2).
  alignas(64) std::atomic<uint32_t> flag{0};
  alignas(64) std::atomic<int> command{0};
  std::thread worker([&] {
    pin_to(cpus[1]);
    for (uint32_t i = 0; i < static_cast<uint32_t>(trips); ++i) {
      while (flag.load(std::memory_order_acquire) != 2 * i + 1) {
      }
      flag.store(2 * i + 2, std::memory_order_release);
    }
    for (int rep = 0; rep < reps; ++rep) {
      while (command.load(std::memory_order_acquire) != 1) {
      }
      write_all(buf, static_cast<float>(rep));
      command.store(2, std::memory_order_release);
    }
  });
  cpu_set_t saved;
  pthread_getaffinity_np(pthread_self(), sizeof saved, &saved);
  pin_to(cpus[0]);
  const Clock::time_point start = Clock::now();
  for (uint32_t i = 0; i < static_cast<uint32_t>(trips); ++i) {
    flag.store(2 * i + 1, std::memory_order_release);
    while (flag.load(std::memory_order_acquire) != 2 * i + 2) {
    }
  }
  r.round_trip_ns = seconds_since(start) / trips * 1e9;
  double other = 1e30, own = 1e30;
  float sum = 0;
  for (int rep = 0; rep < reps; ++rep) {
    command.store(1, std::memory_order_release);
    while (command.load(std::memory_order_acquire) != 2) {
    }
    command.store(0, std::memory_order_relaxed);
    Clock::time_point t = Clock::now();
    sum += read_lines(buf);
    other = std::min(other, seconds_since(t));
    write_all(buf, static_cast<float>(rep));
    t = Clock::now();
    sum += read_lines(buf);
    own = std::min(own, seconds_since(t));
  }
  worker.join();
  pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
  sink.store(sum, std::memory_order_relaxed);
  r.other_gbps = static_cast<double>(r.bytes) / other * 1e-9;
  r.own_gbps = static_cast<double>(r.bytes) / own * 1e-9;
  return r;
}

}  // namespace hone::peak
