// Per-thread scratch objects (packed panels and the like) that the tasks of a parallel_for take
// in turn: a task claims a free one for as long as it runs, so a pool of N threads needs N.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace hone {

template <class T>
class ClaimedSlots {
 public:
  explicit ClaimedSlots(std::vector<T> items)
      : items_(std::move(items)), busy_(std::make_unique<std::atomic<bool>[]>(items_.size())) {}

  const std::vector<T>& items() const { return items_; }
  T& front() { return items_.front(); }

  // Runs fn(item) on a free item, held until fn returns or throws. `owner` names the kernel
  // in the error when more tasks run at once than there are items (a pool larger than the
  // one the items were made for).
  template <class Fn>
  void with_free(const char* owner, Fn&& fn) {
    size_t i = 0;
    while (i < items_.size() && busy_[i].exchange(true, std::memory_order_acquire)) ++i;
    if (i == items_.size())
      throw Error(std::string(owner) + ": more concurrent tasks than per-thread buffers");
    struct Release {
      std::atomic<bool>& flag;
      ~Release() { flag.store(false, std::memory_order_release); }
    } release{busy_[i]};
    fn(items_[i]);
  }

 private:
  std::vector<T> items_;
  std::unique_ptr<std::atomic<bool>[]> busy_;
};

}  // namespace hone
