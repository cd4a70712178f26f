// ClaimedSlots: concurrent tasks get distinct items, an item comes back when its task throws,
// and more concurrent tasks than items fail with the owner's name.
#include "ops/common/claimed_slots.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"

namespace hone {
namespace {

TEST(ClaimedSlots, ConcurrentTasksHoldDistinctItems) {
  constexpr int kThreads = 4;
  ThreadPool pool(kThreads);
  ClaimedSlots<std::atomic<int>> slots([] {
    std::vector<std::atomic<int>> items(kThreads);
    return items;
  }());
  std::atomic<int> overlaps{0};
  parallel_for(&pool, 2000, [&](size_t) {
    slots.with_free("test", [&](std::atomic<int>& holders) {
      if (holders.fetch_add(1) != 0) overlaps.fetch_add(1);
      std::this_thread::yield();  // hold the item while the other threads look for one
      holders.fetch_sub(1);
    });
  });
  EXPECT_EQ(overlaps.load(), 0);
  for (const auto& holders : slots.items()) EXPECT_EQ(holders.load(), 0);
}

TEST(ClaimedSlots, AnItemIsFreedWhenItsTaskThrows) {
  ClaimedSlots<int> slots(std::vector<int>{7});
  EXPECT_THROW(slots.with_free("test", [](int&) { throw std::runtime_error("boom"); }),
               std::runtime_error);
  int seen = 0;
  slots.with_free("test", [&](int& item) { seen = item; });
  EXPECT_EQ(seen, 7);
}

TEST(ClaimedSlots, MoreTasksThanItemsFailNamingTheOwner) {
  ClaimedSlots<int> slots(std::vector<int>{1});
  try {
    slots.with_free("Owner", [&](int&) { slots.with_free("Owner", [](int&) {}); });
    FAIL() << "a second concurrent claim of one item succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Owner: more concurrent tasks"), std::string::npos)
        << e.what();
  }
  int calls = 0;
  slots.with_free("Owner", [&](int&) { ++calls; });  // the outer claim was released
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace hone
