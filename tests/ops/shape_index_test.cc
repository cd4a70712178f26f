// Gather, GatherElements, GatherND, ScatterElements, ScatterND, Compress and NonZero through
// the registry (cases from the ONNX operator spec examples, worked by hand).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::attrs;
using test::OpCall;
using test::prepare_op;
using test::run_op;

Tensor floats(const Shape& shape, std::vector<float> v) {
  return Tensor::from_vector<float>(shape, v);
}
Tensor i64(const Shape& shape, std::vector<int64_t> v) {
  return Tensor::from_vector<int64_t>(shape, v);
}
std::vector<float> values(const Tensor& t) {
  return t.to_vector<float>();
}

void expect_error(const OpCall& call, const std::string& fragment) {
  try {
    prepare_op(call);
    ADD_FAILURE() << call.op_type << ": no error, expected '" << fragment << "'";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(test::kTestNodeName), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  }
}

TEST(Gather, Axis0And1WithNegativeAndInt32Indices) {
  Tensor data = floats({3, 2}, {1, 2, 3, 4, 5, 6});
  auto y = run_op({.op_type = "Gather", .inputs = {data, i64({2, 2}, {0, 1, 1, 2})}});
  ASSERT_EQ(y[0].shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(values(y[0]), (std::vector<float>{1, 2, 3, 4, 3, 4, 5, 6}));
  auto z = run_op({.op_type = "Gather",
                   .inputs = {data, Tensor::from_vector<int32_t>({2}, {-1, 0})},
                   .attrs = attrs({{"axis", int64_t{1}}})});
  ASSERT_EQ(z[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(values(z[0]), (std::vector<float>{2, 1, 4, 3, 6, 5}));
  // A scalar index drops the axis.
  auto s = run_op({.op_type = "Gather", .inputs = {data, Tensor::scalar<int64_t>(-1)}});
  EXPECT_EQ(s[0].shape(), (Shape{2}));
  EXPECT_EQ(values(s[0]), (std::vector<float>{5, 6}));
}

TEST(Gather, OutOfRangeIndices) {
  Tensor data = floats({3}, {1, 2, 3});
  expect_error({.op_type = "Gather", .inputs = {data, i64({1}, {3})}}, "out of range");
  expect_error({.op_type = "Gather", .inputs = {data, i64({1}, {-4})}}, "out of range");
  expect_error({.op_type = "Gather",
                .inputs = {data, i64({1}, {0})},
                .attrs = attrs({{"axis", int64_t{1}}})},
               "out of range");
  // Indices computed at run time cannot be rejected: the bad entry reads as zero.
  auto y = run_op(
      {.op_type = "Gather", .inputs = {data, i64({3}, {2, 7, -3})}, .all_inputs_constant = false});
  EXPECT_EQ(values(y[0]), (std::vector<float>{3, 0, 1}));
}

TEST(GatherElements, SpecExamples) {
  auto a = run_op({.op_type = "GatherElements",
                   .inputs = {floats({2, 2}, {1, 2, 3, 4}), i64({2, 2}, {0, 0, 1, 0})},
                   .attrs = attrs({{"axis", int64_t{1}}})});
  EXPECT_EQ(values(a[0]), (std::vector<float>{1, 1, 4, 3}));
  auto b = run_op(
      {.op_type = "GatherElements",
       .inputs = {floats({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}), i64({2, 3}, {1, 2, 0, 2, 0, 0})}});
  EXPECT_EQ(values(b[0]), (std::vector<float>{4, 8, 3, 7, 2, 3}));
  auto c = run_op({.op_type = "GatherElements",
                   .inputs = {floats({2, 2}, {1, 2, 3, 4}), i64({2, 1}, {-1, -2})},
                   .attrs = attrs({{"axis", int64_t{-1}}})});
  EXPECT_EQ(values(c[0]), (std::vector<float>{2, 3}));
  expect_error(
      {.op_type = "GatherElements", .inputs = {floats({2, 2}, {1, 2, 3, 4}), i64({2}, {0, 0})}},
      "rank");
  expect_error(
      {.op_type = "GatherElements", .inputs = {floats({2, 2}, {1, 2, 3, 4}), i64({1, 1}, {2})}},
      "out of range");
}

TEST(GatherND, SpecExamples) {
  Tensor d2 = floats({2, 2}, {0, 1, 2, 3});
  auto a = run_op({.op_type = "GatherND", .inputs = {d2, i64({2, 2}, {0, 0, 1, 1})}});
  EXPECT_EQ(a[0].shape(), (Shape{2}));
  EXPECT_EQ(values(a[0]), (std::vector<float>{0, 3}));
  auto b = run_op({.op_type = "GatherND", .inputs = {d2, i64({2, 1}, {1, 0})}});
  EXPECT_EQ(b[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values(b[0]), (std::vector<float>{2, 3, 0, 1}));
  Tensor d3 = floats({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  auto c = run_op({.op_type = "GatherND",
                   .inputs = {d3, i64({2, 1}, {1, 0})},
                   .attrs = attrs({{"batch_dims", int64_t{1}}})});
  EXPECT_EQ(c[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values(c[0]), (std::vector<float>{2, 3, 4, 5}));
  auto e = run_op({.op_type = "GatherND", .inputs = {d3, i64({2, 1, 2}, {0, 1, 1, 0})}});
  EXPECT_EQ(e[0].shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(values(e[0]), (std::vector<float>{2, 3, 4, 5}));
  expect_error({.op_type = "GatherND", .inputs = {d2, i64({1, 3}, {0, 0, 0})}}, "does not fit");
  expect_error({.op_type = "GatherND", .inputs = {d2, i64({1, 2}, {0, 2})}}, "out of range");
}

TEST(ScatterElements, SpecExamplesAndReductions) {
  auto a =
      run_op({.op_type = "ScatterElements",
              .inputs = {floats({3, 3}, std::vector<float>(9, 0)), i64({2, 3}, {1, 0, 2, 0, 2, 1}),
                         floats({2, 3}, {1.0f, 1.1f, 1.2f, 2.0f, 2.1f, 2.2f})}});
  EXPECT_EQ(values(a[0]), (std::vector<float>{2.0f, 1.1f, 0, 1.0f, 0, 2.2f, 0, 2.1f, 1.2f}));
  Tensor row = floats({1, 5}, {1, 2, 3, 4, 5});
  auto b = run_op({.op_type = "ScatterElements",
                   .inputs = {row, i64({1, 2}, {1, 3}), floats({1, 2}, {1.1f, 2.1f})},
                   .attrs = attrs({{"axis", int64_t{1}}})});
  EXPECT_EQ(values(b[0]), (std::vector<float>{1, 1.1f, 3, 2.1f, 5}));
  auto add = run_op({.op_type = "ScatterElements",
                     .inputs = {row, i64({1, 2}, {1, 1}), floats({1, 2}, {1.1f, 2.1f})},
                     .attrs = attrs({{"axis", int64_t{1}}, {"reduction", std::string("add")}})});
  EXPECT_NEAR(values(add[0])[1], 2 + 1.1 + 2.1, 1e-5);
  auto mul = run_op({.op_type = "ScatterElements",
                     .inputs = {row, i64({1, 2}, {-1, -1}), floats({1, 2}, {2, 3})},
                     .attrs = attrs({{"axis", int64_t{1}}, {"reduction", std::string("mul")}})});
  EXPECT_EQ(values(mul[0]), (std::vector<float>{1, 2, 3, 4, 30}));
  expect_error({.op_type = "ScatterElements",
                .inputs = {row, i64({1, 2}, {1, 1}), floats({1, 2}, {1, 2})},
                .attrs = attrs({{"axis", int64_t{1}}, {"reduction", std::string("avg")}})},
               "reduction");
  expect_error({.op_type = "ScatterElements",
                .inputs = {row, i64({1, 2}, {1, 5}), floats({1, 2}, {1, 2})},
                .attrs = attrs({{"axis", int64_t{1}}})},
               "out of range");
  expect_error({.op_type = "ScatterElements",
                .inputs = {row, i64({1, 2}, {1, 2}), floats({1, 1}, {1})},
                .attrs = attrs({{"axis", int64_t{1}}})},
               "shape of indices");
}

TEST(ScatterND, SpecExamples) {
  auto a = run_op({.op_type = "ScatterND",
                   .inputs = {floats({8}, {1, 2, 3, 4, 5, 6, 7, 8}), i64({4, 1}, {4, 3, 1, 7}),
                              floats({4}, {9, 10, 11, 12})}});
  EXPECT_EQ(values(a[0]), (std::vector<float>{1, 11, 3, 10, 9, 6, 7, 12}));
  // Slices: replace rows 0 and 2 of a 3x2 matrix.
  auto b = run_op({.op_type = "ScatterND",
                   .inputs = {floats({3, 2}, {1, 2, 3, 4, 5, 6}), i64({2, 1}, {0, 2}),
                              floats({2, 2}, {7, 8, 9, 10})}});
  EXPECT_EQ(values(b[0]), (std::vector<float>{7, 8, 3, 4, 9, 10}));
  auto add = run_op({.op_type = "ScatterND",
                     .inputs = {floats({2}, {1, 2}), i64({2, 1}, {0, 0}), floats({2}, {5, 6})},
                     .attrs = attrs({{"reduction", std::string("add")}})});
  EXPECT_EQ(values(add[0]), (std::vector<float>{12, 2}));
  expect_error({.op_type = "ScatterND",
                .inputs = {floats({2}, {1, 2}), i64({2, 1}, {0, 0}), floats({3}, {5, 6, 7})}},
               "updates have shape");
}

TEST(Compress, WithAndWithoutAxis) {
  Tensor x = floats({3, 2}, {1, 2, 3, 4, 5, 6});
  auto a = run_op({.op_type = "Compress",
                   .inputs = {x, Tensor::from_vector<bool>({3}, {false, true, true})},
                   .attrs = attrs({{"axis", int64_t{0}}})});
  EXPECT_EQ(a[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values(a[0]), (std::vector<float>{3, 4, 5, 6}));
  auto b =
      run_op({.op_type = "Compress",
              .inputs = {x, Tensor::from_vector<bool>({5}, {false, true, false, false, true})}});
  EXPECT_EQ(values(b[0]), (std::vector<float>{2, 5}));
  auto c = run_op({.op_type = "Compress",
                   .inputs = {x, Tensor::from_vector<bool>({1}, {true})},
                   .attrs = attrs({{"axis", int64_t{-1}}})});
  EXPECT_EQ(values(c[0]), (std::vector<float>{1, 3, 5}));
  EXPECT_THROW(prepare_op({.op_type = "Compress",
                           .inputs = {x, Tensor::from_vector<bool>({1}, {true})},
                           .all_inputs_constant = false}),
               NeedsConstantError);
}

TEST(NonZero, ListsCoordinatesRowMajor) {
  auto y = run_op(
      {.op_type = "NonZero", .inputs = {Tensor::from_vector<int32_t>({2, 2}, {1, 0, 1, 1})}});
  ASSERT_EQ(y[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(y[0].to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 1, 0, 0, 1}));
  EXPECT_THROW(
      prepare_op(
          {.op_type = "NonZero", .inputs = {floats({2}, {1, 0})}, .all_inputs_constant = false}),
      NeedsConstantError);
}

}  // namespace
}  // namespace hone
