// A pool of worker threads that kernels split their loops over. Workers spin (with pause) for
// a bounded time between jobs before sleeping: waking a sleeping thread costs tens of
// microseconds on a VM, more than many of a network's operators take.
#pragma once

#include <cstddef>
#include <memory>

namespace hone {

class ThreadPool {
 public:
  // How long an idle worker spins before it sleeps, by default.
  static constexpr int kDefaultSpinMicroseconds = 200;

  // `threads` counts the calling thread, which works too; 1 runs everything inline.
  // Idle workers spin for `spin_us` microseconds before sleeping (0: sleep at once).
  explicit ThreadPool(int threads, int spin_us = kDefaultSpinMicroseconds);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }

  // Calls fn(i) for every i in [0, n), spread over the threads; returns when all are done.
  // If fn throws, items not yet started are skipped and the first exception is rethrown
  // here. A call from inside fn (nested) runs inline; calls from different threads take
  // turns.
  template <class Fn>
  void parallel_for(size_t n, const Fn& fn) {
    run_1d(n, &call<Fn>, const_cast<Fn*>(&fn));
  }

 private:
  template <class Fn>
  static void call(void* fn, size_t i) {
    (*static_cast<const Fn*>(fn))(i);
  }
  void run_1d(size_t n, void (*task)(void*, size_t), void* context);
  void stop_workers();

  struct Impl;
  int threads_;
  std::unique_ptr<Impl> impl_;  // null when threads_ == 1
};

// parallel_for on `pool`, or inline when pool is null.
template <class Fn>
void parallel_for(ThreadPool* pool, size_t n, const Fn& fn) {
  if (pool && pool->threads() > 1 && n > 1) {
    pool->parallel_for(n, fn);
    return;
  }
  for (size_t i = 0; i < n; ++i) fn(i);
}

}  // namespace hone
