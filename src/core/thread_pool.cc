#include "core/thread_pool.h"

#include <immintrin.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "core/error.h"

namespace hone {
namespace {

// The pool whose job this thread is running, so a nested parallel_for runs inline.
thread_local const void* tls_current_pool = nullptr;

struct CurrentPool {
  explicit CurrentPool(const void* pool) : saved(tls_current_pool) { tls_current_pool = pool; }
  ~CurrentPool() { tls_current_pool = saved; }
  const void* saved;
};

using Clock = std::chrono::steady_clock;

}  // namespace

// A job is open while `epoch` is odd. A worker announces itself in `active` before it touches
// the job and re-checks the epoch afterwards; the caller closes the job (epoch even) once every
// item is claimed and then waits for `active` to drain, so no worker can still read the job's
// fields (which live in the caller's frame) when parallel_for returns.
struct ThreadPool::Impl {
  void (*task)(void*, size_t) = nullptr;
  void* context = nullptr;
  size_t n = 0;
  std::chrono::microseconds spin;
  std::vector<std::thread> workers;
  std::mutex call_mutex;  // callers from different threads take turns
  std::mutex error_mutex;
  std::mutex sleep_mutex;
  std::condition_variable wake;
  std::exception_ptr error;
  std::atomic<bool> stop{false};  // set before the epoch that tells workers to exit

  alignas(64) std::atomic<uint32_t> epoch{0};
  alignas(64) std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  alignas(64) std::atomic<int> active{0};
  alignas(64) std::atomic<int> sleepers{0};

  // Claims and runs items of the open job until none are left.
  void work() {
    CurrentPool current(this);
    for (;;) {
      const size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= n || failed.load(std::memory_order_relaxed)) return;
      try {
        task(context, i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed.store(true, std::memory_order_relaxed);
      }
    }
  }

  // Returns the epoch after `seen`, spinning for `spin` first and then sleeping.
  uint32_t wait_for_epoch(uint32_t seen) {
    uint32_t e = epoch.load(std::memory_order_acquire);
    if (e != seen) return e;
    const auto deadline = Clock::now() + spin;
    for (int i = 1;; ++i) {
      _mm_pause();
      e = epoch.load(std::memory_order_acquire);
      if (e != seen) return e;
      if (i % 64 == 0 && Clock::now() >= deadline) break;
    }
    // The caller reads `sleepers` after storing the epoch and this thread reads the epoch
    // after counting itself (both seq_cst), so one of them sees the other.
    std::unique_lock<std::mutex> lock(sleep_mutex);
    sleepers.fetch_add(1, std::memory_order_seq_cst);
    while ((e = epoch.load(std::memory_order_seq_cst)) == seen) wake.wait(lock);
    sleepers.fetch_sub(1, std::memory_order_relaxed);
    return e;
  }

  void worker_loop() {
    // The epoch at construction: a worker that starts late still sees every change since.
    uint32_t seen = 0;
    for (;;) {
      const uint32_t e = wait_for_epoch(seen);
      seen = e;
      if (stop.load(std::memory_order_relaxed)) return;
      if ((e & 1) == 0) continue;  // a job opened and closed before this worker looked
      active.fetch_add(1, std::memory_order_seq_cst);
      if (epoch.load(std::memory_order_seq_cst) == e) work();
      active.fetch_sub(1, std::memory_order_release);
    }
  }

  void publish(uint32_t e) {
    epoch.store(e, std::memory_order_seq_cst);
    if (sleepers.load(std::memory_order_seq_cst) > 0) {
      // Taking the mutex orders this notify after a sleeper's check of the epoch.
      { std::lock_guard<std::mutex> lock(sleep_mutex); }
      wake.notify_all();
    }
  }

  void run(size_t count, void (*fn)(void*, size_t), void* ctx) {
    std::lock_guard<std::mutex> lock(call_mutex);
    task = fn;
    context = ctx;
    n = count;
    next.store(0, std::memory_order_relaxed);
    failed.store(false, std::memory_order_relaxed);
    error = nullptr;
    const uint32_t e = epoch.load(std::memory_order_relaxed) + 1;  // odd: open
    publish(e);
    work();
    epoch.store(e + 1, std::memory_order_seq_cst);  // even: closed
    // Workers still in the job are finishing their last item; yield after a while in case
    // one of them was descheduled on a busy machine.
    for (int i = 1; active.load(std::memory_order_seq_cst) != 0; ++i) {
      if (i < 4096)
        _mm_pause();
      else
        std::this_thread::yield();
    }
    if (error) std::rethrow_exception(error);
  }
};

ThreadPool::ThreadPool(int threads, int spin_us) : threads_(threads) {
  if (threads < 1) throw Error("thread count must be at least 1, got " + std::to_string(threads));
  if (spin_us < 0) throw Error("spin time must be >= 0 us, got " + std::to_string(spin_us));
  if (threads == 1) return;
  impl_ = std::make_unique<Impl>();
  impl_->spin = std::chrono::microseconds(spin_us);
  try {
    for (int t = 1; t < threads; ++t) impl_->workers.emplace_back([this] { impl_->worker_loop(); });
  } catch (const std::system_error&) {
    stop_workers();
    throw Error("could not start " + std::to_string(threads) + " worker threads");
  }
}

ThreadPool::~ThreadPool() {
  if (impl_) stop_workers();
}

void ThreadPool::stop_workers() {
  impl_->stop.store(true, std::memory_order_relaxed);
  impl_->publish(impl_->epoch.load(std::memory_order_relaxed) + 2);
  for (std::thread& t : impl_->workers) t.join();
  impl_.reset();
}

void ThreadPool::run_1d(size_t n, void (*task)(void*, size_t), void* context) {
  if (!impl_ || n <= 1 || tls_current_pool == impl_.get()) {
    for (size_t i = 0; i < n; ++i) task(context, i);
    return;
  }
  impl_->run(n, task, context);
}

}  // namespace hone
