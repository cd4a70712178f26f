// transpose_fast against transpose_reference: every permutation of ranks 1-4 over shapes with
// size-1 axes, tile remainders and more than one tile, the element sizes 1/2/4/8 (and 3: the
// reference's path), with and without threads, for every ISA the CPU has (AVX2 moves 4-byte
// tiles through registers); and the axis reduction on its own.
#include "ops/shape/transpose_fast.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/shape/strided_copy.h"

namespace hone {
namespace {

std::string describe(const Shape& shape, const std::vector<int64_t>& perm, size_t elem) {
  std::string s = "shape " + shape_to_string(shape) + " perm " + shape_to_string(perm) + " elem " +
                  std::to_string(elem);
  return s;
}

void expect_same_as_reference(const Shape& shape, const std::vector<int64_t>& perm, size_t elem,
                              ThreadPool* pool, Isa isa) {
  const auto n = static_cast<size_t>(shape_numel(shape));
  std::vector<unsigned char> x(n * elem);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<unsigned char>(i * 131 + i / 7);
  std::vector<unsigned char> want(x.size(), 0), got(x.size(), 0xAB);
  transpose_reference(x.data(), shape, perm, want.data(), elem);
  transpose_fast(x.data(), shape, perm, got.data(), elem, pool, isa);
  EXPECT_TRUE(want == got) << describe(shape, perm, elem) << " isa " << isa_name(isa);
}

TEST(TransposeFast, EveryPermutationMatchesTheReference) {
  ThreadPool two(2);
  const std::vector<Shape> shapes = {
      {7},           {5, 3},         {1, 9},        {33, 70},       {3, 1, 40},
      {2, 37, 65},   {4, 5, 6, 7},   {1, 3, 1, 5},  {2, 1, 35, 33}, {12, 197, 64},
      {1, 96, 9, 9}, {3, 64, 2, 33}, {1, 24, 17, 9}};  // 24 x 153: whole 8 x 8 register blocks plus
                                                       // row and column edges
  for (const Shape& shape : shapes) {
    std::vector<int64_t> perm(shape.size());
    std::iota(perm.begin(), perm.end(), 0);
    do {
      for (size_t elem : {1, 2, 3, 4, 8}) {
        if (elem != 4 && shape_numel(shape) > 5000) continue;  // the float case covers the big ones
        for (Isa isa : supported_isas()) {
          expect_same_as_reference(shape, perm, elem, nullptr, isa);
          expect_same_as_reference(shape, perm, elem, &two, isa);
        }
      }
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
}

TEST(TransposeFast, EmptyTensorWritesNothing) {
  std::vector<float> y = {42.0f};
  transpose_fast(y.data(), {0, 3}, {1, 0}, y.data(), 4, nullptr);
  EXPECT_EQ(y[0], 42.0f);
}

TEST(TransposeFast, ReductionDropsUnitAxesAndMergesNeighbours) {
  // NCHW -> NHWC with N = 1: H and W move together, so it is a 2-D transpose [C, HW].
  ReducedTranspose r = reduce_transpose({1, 96, 56, 56}, {0, 2, 3, 1});
  EXPECT_EQ(r.shape, (Shape{96, 3136}));
  EXPECT_EQ(r.perm, (std::vector<int64_t>{1, 0}));
  // ViT's head split [197, 12, 64] -> [12, 197, 64]: the last axis stays innermost.
  r = reduce_transpose({197, 12, 64}, {1, 0, 2});
  EXPECT_EQ(r.shape, (Shape{197, 12, 64}));
  EXPECT_EQ(r.perm, (std::vector<int64_t>{1, 0, 2}));
  // A permutation that only moves unit axes is a copy: one axis.
  r = reduce_transpose({1, 5, 1, 7}, {2, 1, 0, 3});
  EXPECT_EQ(r.shape, (Shape{35}));
  EXPECT_EQ(r.perm, (std::vector<int64_t>{0}));
  // [a, b, c, d] -> [c, d, a, b]: two groups swap.
  r = reduce_transpose({2, 3, 4, 5}, {2, 3, 0, 1});
  EXPECT_EQ(r.shape, (Shape{6, 20}));
  EXPECT_EQ(r.perm, (std::vector<int64_t>{1, 0}));
}

}  // namespace
}  // namespace hone
