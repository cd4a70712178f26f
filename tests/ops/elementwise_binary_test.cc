// Binary and variadic elementwise ops through the registry: hand-computed values,
// broadcasting checked against an independent index computation, integer semantics, NaN,
// 16-bit floats and error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ops/elementwise/float16.h"
#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::attrs;
using test::prepare_op;
using test::run_op;
using test::tensor;
using test::values_of;

Tensor run1(const std::string& op, std::vector<Tensor> inputs, Attributes a = {}) {
  return run_op({.op_type = op, .inputs = std::move(inputs), .attrs = std::move(a)})[0];
}

std::string error_of(const std::string& op, std::vector<Tensor> inputs, Attributes a = {}) {
  try {
    prepare_op({.op_type = op, .inputs = std::move(inputs), .attrs = std::move(a)});
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Independent broadcasting: element (multi-index of `out`) of an input of shape `in` is found
// by clamping each right-aligned coordinate to 0 where the input has size 1.
int64_t broadcast_source(const Shape& in, const Shape& out, int64_t flat) {
  std::vector<int64_t> idx(out.size());
  for (size_t d = out.size(); d-- > 0;) {
    idx[d] = flat % out[d];
    flat /= out[d];
  }
  int64_t offset = 0;
  const size_t lead = out.size() - in.size();
  for (size_t d = 0; d < in.size(); ++d) offset = offset * in[d] + (in[d] == 1 ? 0 : idx[lead + d]);
  return offset;
}

std::vector<float> iota(int64_t n, float start, float step) {
  std::vector<float> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i) v[i] = start + step * static_cast<float>(i);
  return v;
}

struct BroadcastCase {
  Shape a, b, out;
};

TEST(ElementwiseBinary, AddSubMulDivHandComputed) {
  Tensor a = tensor<float>({4}, {1, -2, 3.5f, 0});
  Tensor b = tensor<float>({4}, {2, 4, -0.5f, 8});
  EXPECT_EQ(values_of<float>(run1("Add", {a, b})), (std::vector<float>{3, 2, 3, 8}));
  EXPECT_EQ(values_of<float>(run1("Sub", {a, b})), (std::vector<float>{-1, -6, 4, -8}));
  EXPECT_EQ(values_of<float>(run1("Mul", {a, b})), (std::vector<float>{2, -8, -1.75f, 0}));
  EXPECT_EQ(values_of<float>(run1("Div", {a, b})), (std::vector<float>{0.5f, -0.5f, -7, 0}));
}

TEST(ElementwiseBinary, BroadcastingMatchesIndependentIndexing) {
  const std::vector<BroadcastCase> cases = {
      {{2, 3}, {}, {2, 3}},               // scalar
      {{2, 3}, {1, 3}, {2, 3}},           // row
      {{2, 1}, {1, 3}, {2, 3}},           // column times row
      {{2, 3, 4}, {4}, {2, 3, 4}},        // rank mismatch
      {{3, 1, 5}, {2, 1}, {3, 2, 5}},     // both sides broadcast
      {{1}, {2, 2, 2, 2}, {2, 2, 2, 2}},  // size-1 tensor against a 4-d one
      {{0, 3}, {1, 3}, {0, 3}},           // empty
  };
  for (const auto& c : cases) {
    Tensor a = tensor<float>(c.a, iota(shape_numel(c.a), 1, 1));
    Tensor b = tensor<float>(c.b, iota(shape_numel(c.b), 100, 10));
    Tensor y = run1("Sub", {a, b});
    ASSERT_EQ(y.shape(), c.out) << shape_to_string(c.a) << " - " << shape_to_string(c.b);
    const float* pa = a.data<float>();
    const float* pb = b.data<float>();
    for (int64_t i = 0; i < y.numel(); ++i)
      EXPECT_EQ(y.data<float>()[i],
                pa[broadcast_source(c.a, c.out, i)] - pb[broadcast_source(c.b, c.out, i)]);
  }
}

TEST(ElementwiseBinary, IncompatibleShapesNameBothShapesAndNode) {
  std::string msg =
      error_of("Add", {Tensor(DType::kFloat32, {2, 3}), Tensor(DType::kFloat32, {4})});
  EXPECT_NE(msg.find("test_node"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[2,3]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[4]"), std::string::npos) << msg;
}

TEST(ElementwiseBinary, DtypeErrors) {
  // Mixed input types.
  std::string msg = error_of("Mul", {Tensor(DType::kFloat32, {2}), Tensor(DType::kInt64, {2})});
  EXPECT_NE(msg.find("test_node"), std::string::npos) << msg;
  EXPECT_NE(msg.find("int64"), std::string::npos) << msg;
  // Arithmetic on bool, logic on float, shifts on signed integers.
  EXPECT_THROW(prepare_op({.op_type = "Add",
                           .inputs = {Tensor(DType::kBool, {2}), Tensor(DType::kBool, {2})}}),
               Error);
  EXPECT_THROW(prepare_op({.op_type = "And",
                           .inputs = {Tensor(DType::kFloat32, {2}), Tensor(DType::kFloat32, {2})}}),
               Error);
  EXPECT_THROW(prepare_op({.op_type = "BitShift",
                           .inputs = {Tensor(DType::kInt32, {2}), Tensor(DType::kInt32, {2})},
                           .attrs = attrs({{"direction", std::string("LEFT")}})}),
               Error);
  // Wrong input count.
  EXPECT_THROW(prepare_op({.op_type = "Add", .inputs = {Tensor(DType::kFloat32, {2})}}), Error);
}

TEST(ElementwiseBinary, IntegerDivisionTruncatesAndNeverTraps) {
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  Tensor a = tensor<int32_t>({6}, {7, -7, 7, -7, 5, kMin});
  Tensor b = tensor<int32_t>({6}, {2, 2, -2, -2, 0, -1});
  // Division by zero gives 0 (defined, documented); MIN / -1 wraps to MIN.
  EXPECT_EQ(values_of<int32_t>(run1("Div", {a, b})), (std::vector<int32_t>{3, -3, -3, 3, 0, kMin}));
  Tensor u = tensor<uint8_t>({2}, {250, 7});
  Tensor v = tensor<uint8_t>({2}, {3, 2});
  EXPECT_EQ(values_of<uint8_t>(run1("Div", {u, v})), (std::vector<uint8_t>{83, 3}));
}

TEST(ElementwiseBinary, IntegerArithmeticWraps) {
  Tensor a = tensor<int8_t>({2}, {127, -128});
  Tensor b = tensor<int8_t>({2}, {1, 1});
  EXPECT_EQ(values_of<int8_t>(run1("Add", {a, b})), (std::vector<int8_t>{-128, -127}));
  EXPECT_EQ(values_of<int8_t>(run1("Sub", {a, b})), (std::vector<int8_t>{126, 127}));
  Tensor u = tensor<uint16_t>({1}, {65535});
  EXPECT_EQ(values_of<uint16_t>(run1("Mul", {u, u})), (std::vector<uint16_t>{1}));
  Tensor big = tensor<int64_t>({1}, {std::numeric_limits<int64_t>::max()});
  EXPECT_EQ(values_of<int64_t>(run1("Add", {big, tensor<int64_t>({1}, {1})})),
            (std::vector<int64_t>{std::numeric_limits<int64_t>::min()}));
}

TEST(ElementwiseBinary, ModSignFollowsDivisorUnlessFmod) {
  Tensor a = tensor<int32_t>({5}, {-7, 7, -7, 7, 6});
  Tensor b = tensor<int32_t>({5}, {3, -3, -3, 3, 0});
  EXPECT_EQ(values_of<int32_t>(run1("Mod", {a, b})), (std::vector<int32_t>{2, -2, -1, 1, 0}));
  EXPECT_EQ(values_of<int32_t>(run1("Mod", {a, b}, attrs({{"fmod", int64_t{1}}}))),
            (std::vector<int32_t>{-1, 1, -1, 1, 0}));
  Tensor x = tensor<double>({3}, {-4.5, 4.5, 5});
  Tensor y = tensor<double>({3}, {2, -2, 0});
  Tensor r = run1("Mod", {x, y}, attrs({{"fmod", int64_t{1}}}));
  EXPECT_DOUBLE_EQ(r.data<double>()[0], -0.5);
  EXPECT_DOUBLE_EQ(r.data<double>()[1], 0.5);
  EXPECT_TRUE(std::isnan(r.data<double>()[2]));
  Tensor u = tensor<uint8_t>({2}, {200, 9});
  Tensor v = tensor<uint8_t>({2}, {7, 3});
  EXPECT_EQ(values_of<uint8_t>(run1("Mod", {u, v})), (std::vector<uint8_t>{4, 0}));
}

TEST(ElementwiseBinary, ModAttributeErrors) {
  std::string msg = error_of("Mod", {Tensor(DType::kFloat32, {2}), Tensor(DType::kFloat32, {2})});
  EXPECT_NE(msg.find("fmod"), std::string::npos) << msg;
  EXPECT_NE(msg.find("test_node"), std::string::npos) << msg;
  EXPECT_THROW(prepare_op({.op_type = "Mod",
                           .inputs = {Tensor(DType::kInt32, {2}), Tensor(DType::kInt32, {2})},
                           .attrs = attrs({{"fmod", int64_t{2}}})}),
               Error);
}

TEST(ElementwiseBinary, PowMixedTypes) {
  // float base, int64 exponent
  Tensor f = run1("Pow", {tensor<float>({3}, {2, -3, 0.5f}), tensor<int64_t>({3}, {3, 2, -2})});
  EXPECT_EQ(f.dtype(), DType::kFloat32);
  EXPECT_EQ(values_of<float>(f), (std::vector<float>{8, 9, 4}));
  // int base, int exponent: exact, negative exponents truncate.
  Tensor i = run1("Pow", {tensor<int64_t>({6}, {2, -3, 2, 1, -1, 3}),
                          tensor<int64_t>({6}, {10, 3, -1, -5, -3, 39})});
  EXPECT_EQ(values_of<int64_t>(i),
            (std::vector<int64_t>{1024, -27, 0, 1, -1, 4052555153018976267}));
  // int base, float exponent.
  Tensor j = run1("Pow", {tensor<int32_t>({3}, {1, 2, 3}), tensor<float>({3}, {4, 5, 0.5f})});
  EXPECT_EQ(j.dtype(), DType::kInt32);
  EXPECT_EQ(values_of<int32_t>(j), (std::vector<int32_t>{1, 32, 1}));
  // Broadcast scalar exponent.
  Tensor s = run1("Pow", {tensor<double>({2, 2}, {1, 2, 3, 4}), Tensor::scalar<double>(2)});
  EXPECT_EQ(values_of<double>(s), (std::vector<double>{1, 4, 9, 16}));
  EXPECT_THROW(prepare_op({.op_type = "Pow",
                           .inputs = {Tensor(DType::kBool, {2}), Tensor(DType::kFloat32, {2})}}),
               Error);
  EXPECT_THROW(prepare_op({.op_type = "Pow",
                           .inputs = {Tensor(DType::kUInt8, {2}), Tensor(DType::kFloat32, {2})}}),
               Error);
}

TEST(ElementwiseBinary, BitShift) {
  Tensor a = tensor<uint8_t>({4}, {1, 200, 16, 255});
  Tensor b = tensor<uint8_t>({4}, {3, 1, 2, 8});
  EXPECT_EQ(
      values_of<uint8_t>(run1("BitShift", {a, b}, attrs({{"direction", std::string("LEFT")}}))),
      (std::vector<uint8_t>{8, 144, 64, 0}));
  EXPECT_EQ(
      values_of<uint8_t>(run1("BitShift", {a, b}, attrs({{"direction", std::string("RIGHT")}}))),
      (std::vector<uint8_t>{0, 100, 4, 0}));
  Tensor c = tensor<uint64_t>({2}, {1, uint64_t{1} << 63});
  Tensor d = tensor<uint64_t>({2}, {63, 64});
  EXPECT_EQ(
      values_of<uint64_t>(run1("BitShift", {c, d}, attrs({{"direction", std::string("LEFT")}}))),
      (std::vector<uint64_t>{uint64_t{1} << 63, 0}));
  EXPECT_THROW(prepare_op({.op_type = "BitShift", .inputs = {a, b}}), Error);
  std::string msg = error_of("BitShift", {a, b}, attrs({{"direction", std::string("UP")}}));
  EXPECT_NE(msg.find("direction"), std::string::npos) << msg;
}

TEST(ElementwiseBinary, LogicWithBroadcasting) {
  Tensor a = tensor<bool>({2, 1}, {false, true});
  Tensor b = tensor<bool>({2}, {false, true});
  EXPECT_EQ(values_of<bool>(run1("And", {a, b})), (std::vector<bool>{0, 0, 0, 1}));
  EXPECT_EQ(values_of<bool>(run1("Or", {a, b})), (std::vector<bool>{0, 1, 1, 1}));
  EXPECT_EQ(values_of<bool>(run1("Xor", {a, b})), (std::vector<bool>{0, 1, 1, 0}));
}

TEST(ElementwiseBinary, ComparisonsGiveBoolAndHandleNaN) {
  const float nan = NAN;
  Tensor a = tensor<float>({4}, {1, 2, 3, nan});
  Tensor b = tensor<float>({4}, {2, 2, 2, nan});
  Tensor eq = run1("Equal", {a, b});
  EXPECT_EQ(eq.dtype(), DType::kBool);
  EXPECT_EQ(values_of<bool>(eq), (std::vector<bool>{0, 1, 0, 0}));
  EXPECT_EQ(values_of<bool>(run1("Less", {a, b})), (std::vector<bool>{1, 0, 0, 0}));
  EXPECT_EQ(values_of<bool>(run1("LessOrEqual", {a, b})), (std::vector<bool>{1, 1, 0, 0}));
  EXPECT_EQ(values_of<bool>(run1("Greater", {a, b})), (std::vector<bool>{0, 0, 1, 0}));
  EXPECT_EQ(values_of<bool>(run1("GreaterOrEqual", {a, b})), (std::vector<bool>{0, 1, 1, 0}));
  // Integers, bool Equal and broadcasting against a scalar.
  Tensor i = tensor<int64_t>({3}, {-1, 0, 5});
  EXPECT_EQ(values_of<bool>(run1("Greater", {i, Tensor::scalar<int64_t>(0)})),
            (std::vector<bool>{0, 0, 1}));
  EXPECT_EQ(values_of<bool>(
                run1("Equal", {tensor<bool>({2}, {true, false}), Tensor::scalar<bool>(true)})),
            (std::vector<bool>{1, 0}));
  EXPECT_THROW(prepare_op({.op_type = "Less",
                           .inputs = {Tensor(DType::kBool, {2}), Tensor(DType::kBool, {2})}}),
               Error);
}

TEST(ElementwiseBinary, Float16ComputesInFloatAndRoundsBack) {
  auto h = [](float v) { return float_to_float16_bits(v); };
  Tensor a(DType::kFloat16, {3});
  Tensor b(DType::kFloat16, {3});
  auto* pa = static_cast<uint16_t*>(a.raw());
  auto* pb = static_cast<uint16_t*>(b.raw());
  // 1 + 2^-11 is a tie between 1 and 1 + 2^-10: rounds to even (1).
  const float values_a[3] = {1.0f, 1.0f, 65504.0f};
  const float values_b[3] = {std::ldexp(1.0f, -11), std::ldexp(3.0f, -11), 65504.0f};
  for (int i = 0; i < 3; ++i) {
    pa[i] = h(values_a[i]);
    pb[i] = h(values_b[i]);
  }
  Tensor y = run1("Add", {a, b});
  ASSERT_EQ(y.dtype(), DType::kFloat16);
  const auto* py = static_cast<const uint16_t*>(y.raw());
  EXPECT_EQ(py[0], 0x3c00);  // 1.0
  EXPECT_EQ(py[1], 0x3c02);  // 1 + 2^-9 (1 + 1.5 * 2^-10 ties up to even mantissa 2)
  EXPECT_EQ(py[2], 0x7c00);  // overflow to +inf
  Tensor c = run1("Less", {a, b});
  EXPECT_EQ(c.dtype(), DType::kBool);
  EXPECT_EQ(values_of<bool>(c), (std::vector<bool>{0, 0, 0}));
}

TEST(ElementwiseVariadic, SumMeanMaxMinWithBroadcasting) {
  Tensor a = tensor<float>({2, 1}, {1, 10});
  Tensor b = tensor<float>({3}, {1, 2, 3});
  Tensor c = Tensor::scalar<float>(-4);
  Tensor sum = run1("Sum", {a, b, c});
  EXPECT_EQ(sum.shape(), (Shape{2, 3}));
  EXPECT_EQ(values_of<float>(sum), (std::vector<float>{-2, -1, 0, 7, 8, 9}));
  Tensor mean = run1("Mean", {a, b, c});
  for (int64_t i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(mean.data<float>()[i], sum.data<float>()[i] / 3);
  EXPECT_EQ(values_of<float>(run1("Max", {a, b, c})), (std::vector<float>{1, 2, 3, 10, 10, 10}));
  EXPECT_EQ(values_of<float>(run1("Min", {a, b, c})), (std::vector<float>{-4, -4, -4, -4, -4, -4}));
  // One input is a copy.
  EXPECT_EQ(values_of<float>(run1("Max", {b})), (std::vector<float>{1, 2, 3}));
  // Integers.
  EXPECT_EQ(values_of<uint32_t>(run1(
                "Max", {tensor<uint32_t>({2}, {1, 4000000000u}), tensor<uint32_t>({2}, {3, 2})})),
            (std::vector<uint32_t>{3, 4000000000u}));
  EXPECT_EQ(values_of<int8_t>(
                run1("Min", {tensor<int8_t>({2}, {-1, 4}), tensor<int8_t>({2}, {3, -128})})),
            (std::vector<int8_t>{-1, -128}));
}

TEST(ElementwiseVariadic, MaxMinPropagateNaN) {
  Tensor a = tensor<float>({2}, {NAN, 1});
  Tensor b = tensor<float>({2}, {1, NAN});
  for (const char* op : {"Max", "Min"}) {
    Tensor y = run1(op, {a, b});
    EXPECT_TRUE(std::isnan(y.data<float>()[0])) << op;
    EXPECT_TRUE(std::isnan(y.data<float>()[1])) << op;
  }
}

TEST(ElementwiseVariadic, Errors) {
  EXPECT_THROW(prepare_op({.op_type = "Sum", .inputs = {}}), Error);
  EXPECT_THROW(prepare_op({.op_type = "Mean", .inputs = {Tensor(DType::kInt32, {2})}}), Error);
  std::string msg = error_of("Max", {Tensor(DType::kFloat32, {2}), Tensor(DType::kFloat64, {2})});
  EXPECT_NE(msg.find("float64"), std::string::npos) << msg;
  msg = error_of("Sum", {Tensor(DType::kFloat32, {2}), Tensor(DType::kFloat32, {3}),
                         Tensor(DType::kFloat32, {1})});
  EXPECT_NE(msg.find("[2]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[3]"), std::string::npos) << msg;
}

TEST(ElementwiseWhere, SelectsWithBroadcasting) {
  Tensor cond = tensor<bool>({2, 1}, {true, false});
  Tensor x = tensor<int64_t>({3}, {1, 2, 3});
  Tensor y = Tensor::scalar<int64_t>(-1);
  Tensor out = run1("Where", {cond, x, y});
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(values_of<int64_t>(out), (std::vector<int64_t>{1, 2, 3, -1, -1, -1}));
  // 16-bit floats are moved as bytes.
  Tensor hx(DType::kFloat16, {2});
  Tensor hy(DType::kFloat16, {2});
  static_cast<uint16_t*>(hx.raw())[0] = 0x1234;
  static_cast<uint16_t*>(hy.raw())[1] = 0xabcd;
  Tensor h = run1("Where", {tensor<bool>({2}, {true, false}), hx, hy});
  EXPECT_EQ(h.dtype(), DType::kFloat16);
  EXPECT_EQ(static_cast<const uint16_t*>(h.raw())[0], 0x1234);
  EXPECT_EQ(static_cast<const uint16_t*>(h.raw())[1], 0xabcd);
  EXPECT_THROW(prepare_op({.op_type = "Where", .inputs = {Tensor(DType::kFloat32, {2}), x, x}}),
               Error);
  EXPECT_THROW(prepare_op({.op_type = "Where",
                           .inputs = {Tensor(DType::kBool, {2}), x, Tensor(DType::kInt32, {3})}}),
               Error);
  EXPECT_THROW(prepare_op({.op_type = "Where", .inputs = {Tensor(DType::kBool, {2}), x, x}}),
               Error);
}

}  // namespace
}  // namespace hone

namespace hone {
namespace {

TEST(ElementwiseBinary, LegacyBroadcastAttributesBeforeOpset7) {
  // Opset 6: B of shape [3] aligned with A [2,3,2] at axis 1 reads as [3,1].
  std::vector<float> a(12);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i);
  test::OpCall call{.op_type = "Add",
                    .inputs = {Tensor::from_vector<float>({2, 3, 2}, a),
                               Tensor::from_vector<float>({3}, {100.f, 200.f, 300.f})},
                    .attrs = test::attrs({{"broadcast", int64_t{1}}, {"axis", int64_t{1}}}),
                    .opset = 6};
  Tensor y = test::run_op(call)[0];
  ASSERT_EQ(y.shape(), (Shape{2, 3, 2}));
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t w = 0; w < 2; ++w) {
        const int64_t i = (n * 3 + c) * 2 + w;
        EXPECT_EQ(y.data<float>()[i], static_cast<float>(i) + 100.f * static_cast<float>(c + 1));
      }
  // At axis 2, B [3] meets a dimension of size 2: an error naming the node.
  call.attrs = test::attrs({{"broadcast", int64_t{1}}, {"axis", int64_t{2}}});
  EXPECT_THROW(test::run_op(call), Error);
}

}  // namespace
}  // namespace hone
