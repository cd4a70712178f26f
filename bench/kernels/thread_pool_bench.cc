// Per-call cost of ThreadPool::parallel_for (what every parallel step of a network pays on top
// of its work), against pthreadpool (the pool hone used before) in the same run.
//   bench_thread_pool_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only
// Times are wall time per call; compare medians.
#include <benchmark/benchmark.h>
#include <pthreadpool.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "core/thread_pool.h"

namespace hone {
namespace {

std::atomic<int> sink{0};

void spin_for(int64_t ns) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(ns);
  while (std::chrono::steady_clock::now() < until) {
  }
}

// One item: touches a shared counter, then busy-works for `work_ns` (0: empty).
struct Item {
  int64_t work_ns;
  void operator()(size_t i) const {
    sink.fetch_add(static_cast<int>(i), std::memory_order_relaxed);
    if (work_ns) spin_for(work_ns);
  }
};

// Args: items per call, ns of work per item, us of serial work before each call (timed out,
// long enough for workers that only spin briefly to fall asleep).
void run_calls(benchmark::State& state, const std::function<void(size_t, const Item&)>& call) {
  const size_t n = static_cast<size_t>(state.range(0));
  const Item item{state.range(1)};
  const int64_t gap_us = state.range(2);
  for (auto _ : state) {
    if (gap_us) spin_for(gap_us * 1000);
    const auto t0 = std::chrono::steady_clock::now();
    call(n, item);
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
}

void hone_pool(benchmark::State& state) {
  ThreadPool pool(2);
  run_calls(state, [&](size_t n, const Item& item) { pool.parallel_for(n, item); });
}

void pthreadpool_baseline(benchmark::State& state) {
  pthreadpool_t pool = pthreadpool_create(2);
  run_calls(state, [&](size_t n, const Item& item) {
    auto task = [](void* context, size_t i) { (*static_cast<const Item*>(context))(i); };
    pthreadpool_parallelize_1d(pool, task, const_cast<Item*>(&item), n, 0);
  });
  pthreadpool_destroy(pool);
}

void args(benchmark::internal::Benchmark* b) {
  b->Args({2, 0, 0});        // empty call: the pure fork/join cost
  b->Args({16, 2000, 0});    // 16 items of 2 us (a small conv step): ideal 16 us
  b->Args({2, 10000, 300});  // after 300 us of serial work (workers asleep): ideal 10 us
}

BENCHMARK(hone_pool)->Apply(args)->UseManualTime();
BENCHMARK(pthreadpool_baseline)->Apply(args)->UseManualTime();

}  // namespace
}  // namespace hone

BENCHMARK_MAIN();
