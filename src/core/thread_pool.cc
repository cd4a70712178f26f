#include "core/thread_pool.h"

#include <pthreadpool.h>

#include <string>

#include "core/error.h"

namespace hone {

ThreadPool::ThreadPool(int threads) : threads_(threads) {
  if (threads < 1) throw Error("thread count must be at least 1, got " + std::to_string(threads));
  if (threads > 1) {
    pool_ = pthreadpool_create(static_cast<size_t>(threads));
    if (!pool_) throw Error("could not start " + std::to_string(threads) + " worker threads");
  }
}

ThreadPool::~ThreadPool() {
  if (pool_) pthreadpool_destroy(pool_);
}

void ThreadPool::run_1d(size_t n, void (*task)(void*, size_t), void* context) {
  if (!pool_) {
    for (size_t i = 0; i < n; ++i) task(context, i);
    return;
  }
  pthreadpool_parallelize_1d(pool_, task, context, n, 0);
}

}  // namespace hone
