#include "core/tensor.h"

#include <gtest/gtest.h>

namespace hone {
namespace {

TEST(Tensor, AllocatesZeroedAndAligned) {
  Tensor t(DType::kFloat32, {2, 3});
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.nbytes(), 24u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw()) % 64, 0u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t.data<float>()[i], 0.0f);
}

TEST(Tensor, TypedAccessChecksDtype) {
  Tensor t(DType::kInt64, {4});
  EXPECT_THROW(t.data<float>(), Error);
  EXPECT_NO_THROW(t.data<int64_t>());
}

TEST(Tensor, CopiesShareCloneCopies) {
  Tensor a = Tensor::from_vector<float>({2}, {1.f, 2.f});
  Tensor b = a;
  Tensor c = a.clone();
  a.data<float>()[0] = 5.f;
  EXPECT_EQ(b.data<float>()[0], 5.f);
  EXPECT_EQ(c.data<float>()[0], 1.f);
}

TEST(Tensor, ScalarHasOneElement) {
  Tensor s = Tensor::scalar<int64_t>(7);
  EXPECT_EQ(s.rank(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.to_vector<double>()[0], 7.0);
}

TEST(Tensor, RejectsBadShapesAndCounts) {
  EXPECT_THROW(Tensor(DType::kFloat32, {2, -1}), Error);
  EXPECT_THROW(Tensor::from_vector<float>({3}, {1.f}), Error);
  EXPECT_THROW(Tensor(DType::kString, {1}), Error);
  Tensor t(DType::kFloat32, {2, 3});
  EXPECT_THROW(t.reshaped({4}), Error);
  EXPECT_EQ(t.reshaped({3, 2}).shape(), (Shape{3, 2}));
}

TEST(Tensor, SliceRowsSharesTheBufferAndRepointFollowsAnother) {
  Tensor t = Tensor::from_vector<float>({3, 2}, {0, 1, 2, 3, 4, 5});
  Tensor row = t.slice_rows(1, 1);
  EXPECT_EQ(row.shape(), (Shape{1, 2}));
  EXPECT_EQ(row.to_vector<float>(), (std::vector<float>{2, 3}));
  row.data<float>()[0] = 20;
  EXPECT_EQ(t.to_vector<float>()[2], 20);
  EXPECT_EQ(t.slice_rows(1, 2).to_vector<float>(), (std::vector<float>{20, 3, 4, 5}));
  EXPECT_THROW(t.slice_rows(2, 2), Error);
  EXPECT_THROW(t.slice_rows(-1, 1), Error);
  EXPECT_THROW(Tensor::scalar<float>(1).slice_rows(0, 1), Error);

  const Tensor other = Tensor::from_vector<float>({3, 2}, {6, 7, 8, 9, 10, 11});
  row.repoint(other, 2 * sizeof(float) * 2);
  EXPECT_EQ(row.to_vector<float>(), (std::vector<float>{10, 11}));
  row.repoint(Tensor(), 0);
  EXPECT_EQ(row.raw(), nullptr);
}

TEST(DType, NamesRoundTrip) {
  for (DType t : {DType::kFloat32, DType::kInt64, DType::kBool, DType::kUInt8, DType::kFloat64})
    EXPECT_EQ(dtype_from_name(dtype_name(t)), t);
  EXPECT_EQ(dtype_from_name("nonsense"), DType::kUndefined);
}

}  // namespace
}  // namespace hone
