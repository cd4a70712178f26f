#include "core/thread_pool.h"

#include <immintrin.h>

#include <algorithm>
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

// Items [begin, end) of one thread's share, packed in one word so the owner (taking from the
// front) and thieves (from the back) agree with a single compare-exchange.
struct alignas(64) Share {
  std::atomic<uint64_t> range{0};
  static uint64_t pack(uint64_t begin, uint64_t end) { return begin | end << 32; }
  bool pop(bool front, size_t& item) {
    uint64_t v = range.load(std::memory_order_relaxed);
    for (;;) {
      const uint64_t begin = v & 0xffffffffu, end = v >> 32;
      if (begin >= end) return false;
      const uint64_t next = front ? pack(begin + 1, end) : pack(begin, end - 1);
      if (range.compare_exchange_weak(v, next, std::memory_order_relaxed)) {
        item = front ? begin : end - 1;
        return true;
      }
    }
  }
};

}  // namespace

// A job is open while `epoch` is odd. A worker announces itself in `active` before it touches
// the job and re-checks the epoch afterwards; the caller closes the job (epoch even) once every
// item is claimed and then waits for `active` to drain, so no worker can still read the job's
// fields (which live in the caller's frame) when parallel_for returns. Each thread first runs
// its own contiguous share of the items (so neighbouring items stay on one core), then steals
// from the back of the others'; the caller steals the share of a worker that never came.
struct ThreadPool::Impl {
  void (*task)(void*, size_t) = nullptr;
  void* context = nullptr;
  std::chrono::microseconds spin;
  std::vector<std::thread> workers;
  std::vector<Share> shares;  // one per thread, the caller's first
  std::mutex call_mutex;      // callers from different threads take turns
  std::mutex error_mutex;
  std::mutex sleep_mutex;
  std::condition_variable wake;
  std::exception_ptr error;
  std::atomic<bool> stop{false};  // set before the epoch that tells workers to exit

  alignas(64) std::atomic<uint32_t> epoch{0};
  std::atomic<bool> failed{false};
  alignas(64) std::atomic<int> active{0};
  alignas(64) std::atomic<int> sleepers{0};

  void run_item(size_t i) {
    try {
      task(context, i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed.store(true, std::memory_order_relaxed);
    }
  }

  // Runs thread `slot`'s share, then what is left of the others', until no item is left.
  void work(size_t slot) {
    CurrentPool current(this);
    size_t i = 0;
    while (!failed.load(std::memory_order_relaxed) && shares[slot].pop(true, i)) run_item(i);
    for (size_t k = 1; k < shares.size(); ++k) {
      Share& other = shares[(slot + k) % shares.size()];
      while (!failed.load(std::memory_order_relaxed) && other.pop(false, i)) run_item(i);
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

  void worker_loop(size_t slot) {
    // The epoch at construction: a worker that starts late still sees every change since.
    uint32_t seen = 0;
    for (;;) {
      const uint32_t e = wait_for_epoch(seen);
      seen = e;
      if (stop.load(std::memory_order_relaxed)) return;
      if ((e & 1) == 0) continue;  // a job opened and closed before this worker looked
      active.fetch_add(1, std::memory_order_seq_cst);
      if (epoch.load(std::memory_order_seq_cst) == e) work(slot);
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
    const size_t threads = shares.size();
    for (size_t t = 0; t < threads; ++t)
      shares[t].range.store(Share::pack(count * t / threads, count * (t + 1) / threads),
                            std::memory_order_relaxed);
    failed.store(false, std::memory_order_relaxed);
    error = nullptr;
    const uint32_t e = epoch.load(std::memory_order_relaxed) + 1;  // odd: open
    publish(e);
    work(0);
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
  impl_->shares = std::vector<Share>(static_cast<size_t>(threads));
  try {
    for (int t = 1; t < threads; ++t)
      impl_->workers.emplace_back([this, t] { impl_->worker_loop(static_cast<size_t>(t)); });
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
  // Shares hold 32-bit item indices: a larger n runs in pieces.
  constexpr size_t kPiece = size_t{1} << 31;
  if (n <= kPiece) {
    impl_->run(n, task, context);
    return;
  }
  struct Piece {
    void (*task)(void*, size_t);
    void* context;
    size_t base;
  };
  for (size_t base = 0; base < n; base += kPiece) {
    Piece piece{task, context, base};
    impl_->run(
        std::min(kPiece, n - base),
        [](void* p, size_t i) {
          const Piece& q = *static_cast<const Piece*>(p);
          q.task(q.context, q.base + i);
        },
        &piece);
  }
}

}  // namespace hone
