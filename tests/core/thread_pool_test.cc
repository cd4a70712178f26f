#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/error.h"

namespace hone {
namespace {

// Runs parallel_for(n) and checks every index ran exactly once.
void expect_each_index_once(ThreadPool& pool, size_t n) {
  std::vector<std::atomic<int>> hits(n);
  pool.parallel_for(n, [&](size_t i) { hits[i].fetch_add(1, std::memory_order_relaxed); });
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "index " << i << " of " << n;
}

TEST(ThreadPool, EveryIndexOnceForManySizesAndThreadCounts) {
  for (int threads : {1, 2, 3, 4}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (size_t n : {0, 1, 2, 3, 5, 17, 64, 1000}) expect_each_index_once(pool, n);
  }
}

TEST(ThreadPool, ManyCallsInARow) {
  // Back-to-back jobs are where a worker that arrives late could run a stale job.
  for (int spin_us : {ThreadPool::kDefaultSpinMicroseconds, 0}) {
    ThreadPool pool(2, spin_us);
    std::atomic<int64_t> total{0};
    const int calls = spin_us == 0 ? 500 : 5000;
    for (int c = 0; c < calls; ++c) {
      const size_t n = static_cast<size_t>(c % 7);
      std::vector<int> out(n, -1);
      pool.parallel_for(n, [&](size_t i) {
        out[i] = static_cast<int>(i) + c;
        total.fetch_add(1, std::memory_order_relaxed);
      });
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], static_cast<int>(i) + c);
    }
    int64_t expected = 0;
    for (int c = 0; c < calls; ++c) expected += c % 7;
    EXPECT_EQ(total.load(), expected) << "spin_us " << spin_us;
  }
}

TEST(ThreadPool, ReturnsOnlyWhenEveryItemIsDone) {
  // Items on workers take longer, so a caller that returned early would find them unfinished.
  ThreadPool pool(2);
  const std::thread::id caller = std::this_thread::get_id();
  for (int rep = 0; rep < 20; ++rep) {
    std::vector<std::atomic<bool>> done(4);
    pool.parallel_for(done.size(), [&](size_t i) {
      const int us = std::this_thread::get_id() == caller ? 50 : 500;
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
      while (std::chrono::steady_clock::now() < until) {
      }
      done[i] = true;
    });
    for (size_t i = 0; i < done.size(); ++i) ASSERT_TRUE(done[i]) << "item " << i;
  }
}

TEST(ThreadPool, WorkersTakeItems) {
  // Item 0 blocks until another thread has run an item, so the job can only finish if a
  // worker joins (after a bounded wait the test fails instead of hanging).
  for (int spin_us : {ThreadPool::kDefaultSpinMicroseconds, 0}) {
    ThreadPool pool(2, spin_us);
    const std::thread::id caller = std::this_thread::get_id();
    std::atomic<bool> other_ran{false};
    pool.parallel_for(2, [&](size_t) {
      if (std::this_thread::get_id() != caller) {
        other_ran = true;
        return;
      }
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!other_ran && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    });
    EXPECT_TRUE(other_ran) << "spin_us " << spin_us;
  }
}

TEST(ThreadPool, NestedCallRunsInline) {
  ThreadPool pool(2);
  std::vector<std::atomic<int>> hits(8 * 8);
  pool.parallel_for(8, [&](size_t i) {
    pool.parallel_for(8, [&](size_t j) { hits[i * 8 + j].fetch_add(1); });
    parallel_for(&pool, 8, [&](size_t) {});
  });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(ThreadPool, CallersFromTwoThreadsTakeTurns) {
  ThreadPool pool(2);
  auto caller = [&](int seed) {
    for (int c = 0; c < 300; ++c) {
      std::vector<int> out(16, 0);
      pool.parallel_for(16, [&](size_t i) { out[i] = seed + static_cast<int>(i); });
      for (size_t i = 0; i < 16; ++i) ASSERT_EQ(out[i], seed + static_cast<int>(i));
    }
  };
  std::thread other(caller, 1000);
  caller(0);
  other.join();
}

TEST(ThreadPool, ExceptionReachesTheCallerAndPoolStaysUsable) {
  for (int threads : {1, 2}) {
    ThreadPool pool(threads);
    for (size_t bad : {0, 5, 63}) {
      EXPECT_THROW(pool.parallel_for(64,
                                     [&](size_t i) {
                                       if (i == bad) throw std::runtime_error("item failed");
                                     }),
                   std::runtime_error);
      expect_each_index_once(pool, 64);
    }
  }
}

TEST(ThreadPool, DestroyWhileIdle) {
  { ThreadPool unused(4); }
  {
    ThreadPool spinning(2);
    expect_each_index_once(spinning, 10);
  }
  {
    ThreadPool sleeping(2, 0);
    expect_each_index_once(sleeping, 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // workers are asleep now
  }
}

TEST(ThreadPool, RejectsBadArguments) {
  EXPECT_THROW(ThreadPool(0), Error);
  EXPECT_THROW(ThreadPool(2, -1), Error);
}

TEST(ThreadPool, NullPoolRunsInline) {
  std::vector<int> out(5, 0);
  parallel_for(nullptr, 5, [&](size_t i) { out[i] = static_cast<int>(i) + 1; });
  EXPECT_EQ(out, (std::vector<int>{1, 2, 3, 4, 5}));
}

}  // namespace
}  // namespace hone
