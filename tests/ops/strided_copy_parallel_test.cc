// strided_copy_parallel against strided_copy: slices with steps (also negative), broadcasts
// (zero strides), transposed strides, ranks 1-5, element sizes 1/4/8/3, row counts that do and
// do not divide into the chunks, copies under and over the parallel threshold, with no pool,
// one thread and two.
#include "ops/shape/strided_copy_parallel.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "ops/shape/strided_copy.h"

namespace hone {
namespace {

struct View {
  Shape source;                  // the dense tensor read
  int64_t offset;                // first element read
  std::vector<int64_t> strides;  // per output axis, in elements
  Shape out;
};

// The highest source element a view reads must lie inside the source (else the case is wrong).
bool inside(const View& v) {
  int64_t lo = v.offset, hi = v.offset;
  for (size_t i = 0; i < v.out.size(); ++i) {
    const int64_t reach = (v.out[i] - 1) * v.strides[i];
    (reach < 0 ? lo : hi) += reach;
  }
  return lo >= 0 && hi < shape_numel(v.source);
}

TEST(StridedCopyParallel, MatchesStridedCopy) {
  ThreadPool one(1), two(2);
  const std::vector<View> views = {
      // ViT's query slice: [197, 1, 2304] -> [197, 1, 768] from offset 768 (over the threshold).
      {{197, 1, 2304}, 768, {2304, 2304, 1}, {197, 1, 768}},
      // Every other row and column, reversed rows.
      {{301, 130}, 300 * 130, {-130, 2}, {151, 65}},
      // A broadcast of a [1, 1000] row to 70 rows (zero stride) and of a column (row stride 0).
      {{1, 1000}, 0, {0, 1}, {70, 1000}},
      {{70, 1}, 0, {1, 0}, {70, 999}},
      // Transposed strides over rank 3 and rank 5; tiny and single-row copies.
      {{40, 50, 30}, 0, {1, 30, 1500}, {30, 50, 40}},
      {{3, 4, 5, 6, 70}, 0, {8400, 2100, 420, 70, 1}, {3, 4, 5, 6, 70}},
      {{5, 3}, 1, {3, 1}, {5, 2}},
      {{100000}, 0, {1}, {100000}},
      {{7, 20000}, 20000, {20000, 1}, {1, 20000}},
  };
  for (const View& v : views) {
    ASSERT_TRUE(inside(v)) << shape_to_string(v.out);
    for (size_t elem : {1, 3, 4, 8}) {
      const auto n = static_cast<size_t>(shape_numel(v.source)) * elem;
      std::vector<unsigned char> src(n);
      for (size_t i = 0; i < n; ++i) src[i] = static_cast<unsigned char>(i * 131 + i / 7);
      const auto out_bytes = static_cast<size_t>(shape_numel(v.out)) * elem;
      std::vector<unsigned char> want(out_bytes, 0);
      strided_copy(src.data(), v.offset, v.strides, want.data(), v.out, elem);
      for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &one, &two}) {
        std::vector<unsigned char> got(out_bytes, 0xAB);
        strided_copy_parallel(src.data(), v.offset, v.strides, got.data(), v.out, elem, pool);
        EXPECT_TRUE(want == got) << "out " << shape_to_string(v.out) << " elem " << elem
                                 << " threads " << (pool ? pool->threads() : 0);
      }
    }
  }
}

}  // namespace
}  // namespace hone
