// Cast/CastLike and the float16/bfloat16 conversions: edge values (subnormals, overflow,
// ties, NaN), exhaustive round trips, float-to-integer semantics and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ops/elementwise/cast_reference.h"
#include "ops/elementwise/float16.h"
#include "ops/op_test_util.h"

namespace hone {
namespace {

using test::attrs;
using test::prepare_op;
using test::run_op;
using test::tensor;
using test::values_of;

std::vector<uint16_t> words_of(const Tensor& t) {
  const auto* p = static_cast<const uint16_t*>(t.raw());
  return std::vector<uint16_t>(p, p + t.numel());
}

Tensor words(DType dtype, std::vector<uint16_t> bits) {
  Tensor t(dtype, {static_cast<int64_t>(bits.size())});
  std::memcpy(t.raw(), bits.data(), bits.size() * 2);
  return t;
}

Tensor cast(Tensor x, DType to) {
  return run_op({.op_type = "Cast",
                 .inputs = {std::move(x)},
                 .attrs = attrs({{"to", static_cast<int64_t>(to)}})})[0];
}

TEST(Float16, EncodeEdgeValues) {
  const double min_sub = std::ldexp(1.0, -24);
  struct Case {
    double value;
    uint16_t bits;
  };
  const Case cases[] = {
      {0.0, 0x0000},
      {-0.0, 0x8000},
      {1.0, 0x3c00},
      {-2.0, 0xc000},
      {65504.0, 0x7bff},   // largest finite
      {65519.99, 0x7bff},  // just below the rounding boundary
      {65520.0, 0x7c00},   // tie between 65504 and 2^16: even is 2^16 = inf
      {1e10, 0x7c00},
      {-INFINITY, 0xfc00},
      {std::ldexp(1.0, -14), 0x0400},  // smallest normal
      {min_sub, 0x0001},               // smallest subnormal
      {min_sub * 0.5, 0x0000},         // tie between 0 and the smallest subnormal: 0 is even
      {min_sub * 0.75, 0x0001},
      {min_sub * 1.5, 0x0002},               // tie between 1 and 2 (in subnormal units): 2
      {min_sub * 2.5, 0x0002},               // tie between 2 and 3: 2
      {std::ldexp(1023.5, -24), 0x0400},     // rounds up from the largest subnormal to normal
      {1.0 + std::ldexp(1.0, -11), 0x3c00},  // tie: even mantissa 0
      {1.0 + std::ldexp(3.0, -11), 0x3c02},  // tie: even mantissa 2
      {1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40), 0x3c01},  // just above a tie
      {2047.5, 0x6800},  // tie between 2047 (odd mantissa) and 2048: 2048
  };
  for (const Case& c : cases) EXPECT_EQ(double_to_float16_bits(c.value), c.bits) << c.value;
  const uint16_t nan = double_to_float16_bits(NAN);
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
}

TEST(Float16, DecodeEdgeValues) {
  EXPECT_EQ(float16_bits_to_float(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(float16_bits_to_float(0x03ff), std::ldexp(1023.0f, -24));
  EXPECT_EQ(float16_bits_to_float(0x7bff), 65504.0f);
  EXPECT_EQ(float16_bits_to_float(0xfc00), -INFINITY);
  EXPECT_TRUE(std::isnan(float16_bits_to_float(0x7e00)));
  EXPECT_TRUE(std::signbit(float16_bits_to_float(0x8000)));
  EXPECT_EQ(float16_bits_to_float(0x3555), 0.333251953125f);
  EXPECT_EQ(bfloat16_bits_to_float(0x3f80), 1.0f);
  EXPECT_EQ(bfloat16_bits_to_float(0x0001), std::ldexp(1.0f, -133));
  EXPECT_EQ(bfloat16_bits_to_float(0xff80), -INFINITY);
}

// Every 16-bit pattern decodes to a float that encodes back to the same pattern (NaNs stay
// NaN), and decoding is monotonic over the positive finite patterns.
TEST(Float16, ExhaustiveRoundTrip) {
  float previous_half = -1, previous_bf = -1;
  for (uint32_t b = 0; b <= 0xffff; ++b) {
    const auto bits = static_cast<uint16_t>(b);
    const float h = float16_bits_to_float(bits);
    const float bf = bfloat16_bits_to_float(bits);
    if (std::isnan(h))
      EXPECT_TRUE(std::isnan(float16_bits_to_float(float_to_float16_bits(h)))) << b;
    else
      EXPECT_EQ(float_to_float16_bits(h), bits) << b;
    if (std::isnan(bf))
      EXPECT_TRUE(std::isnan(bfloat16_bits_to_float(float_to_bfloat16_bits(bf)))) << b;
    else
      EXPECT_EQ(float_to_bfloat16_bits(bf), bits) << b;
    // bfloat16 is the top half of a float32.
    if (!std::isnan(bf)) {
      uint32_t f32 = 0;
      std::memcpy(&f32, &bf, 4);
      EXPECT_EQ(f32, b << 16) << b;
    }
    if (b < 0x7c00) {
      EXPECT_GT(h, previous_half) << b;
      previous_half = h;
    }
    if (b < 0x7f80) {
      EXPECT_GT(bf, previous_bf) << b;
      previous_bf = bf;
    }
  }
}

// Rounding float32 to bfloat16 agrees with the classic integer formulation of
// round-to-nearest-even on the float's bit pattern, over a sweep of bit patterns.
TEST(Float16, BFloat16MatchesBitTrickRounding) {
  for (uint64_t b = 0; b < (uint64_t{1} << 32); b += 0x10001 + (b >> 12)) {
    const auto bits = static_cast<uint32_t>(b);
    float f;
    std::memcpy(&f, &bits, 4);
    if (std::isnan(f)) continue;
    const auto expected = static_cast<uint16_t>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
    ASSERT_EQ(float_to_bfloat16_bits(f), expected) << std::hex << bits;
  }
  EXPECT_EQ(float_to_bfloat16_bits(std::numeric_limits<float>::max()), 0x7f80);  // to inf
  EXPECT_EQ(float_to_bfloat16_bits(1.0f + std::ldexp(1.0f, -8)), 0x3f80);        // tie: even
  EXPECT_EQ(float_to_bfloat16_bits(1.0f + std::ldexp(3.0f, -8)), 0x3f82);        // tie: even
}

TEST(Cast, FloatToFloat16AndBack) {
  Tensor x = tensor<float>({6}, {1.0f, 65504.0f, 70000.0f, NAN, std::ldexp(1.0f, -24), -0.1f});
  Tensor h = cast(x, DType::kFloat16);
  ASSERT_EQ(h.dtype(), DType::kFloat16);
  std::vector<uint16_t> w = words_of(h);
  EXPECT_EQ(w[0], 0x3c00);
  EXPECT_EQ(w[1], 0x7bff);
  EXPECT_EQ(w[2], 0x7c00);
  EXPECT_EQ(w[3] & 0x7c00, 0x7c00);
  EXPECT_NE(w[3] & 0x03ff, 0);
  EXPECT_EQ(w[4], 0x0001);
  EXPECT_EQ(w[5], 0xae66);  // -0.0999755859375, the nearest float16 to -0.1
  Tensor back = cast(h, DType::kFloat32);
  EXPECT_EQ(back.data<float>()[5], -0.0999755859375f);
  EXPECT_EQ(back.data<float>()[2], INFINITY);
  EXPECT_TRUE(std::isnan(back.data<float>()[3]));
  // float16 -> double and -> bfloat16 go through the exact float value.
  Tensor d = cast(h, DType::kFloat64);
  EXPECT_EQ(d.data<double>()[4], std::ldexp(1.0, -24));
  Tensor bf = cast(words(DType::kFloat16, {0x3c01}), DType::kBFloat16);  // 1 + 2^-10
  EXPECT_EQ(words_of(bf)[0], 0x3f80);
}

TEST(Cast, DoubleToFloat16RoundsOnce) {
  // Via float32 this value would first round to the tie 1 + 2^-11 and then to 1.0.
  const double v = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  EXPECT_EQ(words_of(cast(tensor<double>({1}, {v}), DType::kFloat16))[0], 0x3c01);
  EXPECT_EQ(words_of(cast(tensor<double>({1}, {v}), DType::kBFloat16))[0], 0x3f80);
}

TEST(Cast, IntegersAndBoolToFloat16) {
  EXPECT_EQ(words_of(cast(tensor<int64_t>({3}, {2049, -3, 100000}), DType::kFloat16)),
            (std::vector<uint16_t>{0x6800, 0xc200, 0x7c00}));  // 2049 ties to 2048
  EXPECT_EQ(words_of(cast(tensor<bool>({2}, {true, false}), DType::kBFloat16)),
            (std::vector<uint16_t>{0x3f80, 0x0000}));
  EXPECT_EQ(values_of<int32_t>(cast(words(DType::kFloat16, {0xc0f0, 0x7c00}), DType::kInt32)),
            (std::vector<int32_t>{-2, std::numeric_limits<int32_t>::max()}));  // -2.46875
}

TEST(Cast, FloatToIntegerTruncatesSaturatesAndMapsNaNToZero) {
  Tensor x = tensor<float>({7}, {2.7f, -2.7f, NAN, 1e20f, -1e20f, 2147483520.0f, -0.9f});
  EXPECT_EQ(values_of<int32_t>(cast(x, DType::kInt32)),
            (std::vector<int32_t>{2, -2, 0, std::numeric_limits<int32_t>::max(),
                                  std::numeric_limits<int32_t>::min(), 2147483520, 0}));
  EXPECT_EQ(values_of<uint8_t>(cast(x, DType::kUInt8)),
            (std::vector<uint8_t>{2, 0, 0, 255, 0, 255, 0}));
  Tensor d = tensor<double>({3}, {9.3e18, -9.3e18, 4611686018427387904.0});
  EXPECT_EQ(values_of<int64_t>(cast(d, DType::kInt64)),
            (std::vector<int64_t>{std::numeric_limits<int64_t>::max(),
                                  std::numeric_limits<int64_t>::min(), 4611686018427387904}));
}

TEST(Cast, BoolAndIntegerConversions) {
  Tensor x = tensor<float>({4}, {0.0f, -0.0f, NAN, 0.1f});
  EXPECT_EQ(values_of<bool>(cast(x, DType::kBool)), (std::vector<bool>{0, 0, 1, 1}));
  EXPECT_EQ(values_of<float>(cast(tensor<bool>({2}, {true, false}), DType::kFloat32)),
            (std::vector<float>{1, 0}));
  EXPECT_EQ(values_of<int8_t>(cast(tensor<int64_t>({3}, {300, -129, 5}), DType::kInt8)),
            (std::vector<int8_t>{44, 127, 5}));
  EXPECT_EQ(values_of<uint32_t>(cast(tensor<int32_t>({1}, {-1}), DType::kUInt32)),
            (std::vector<uint32_t>{4294967295u}));
  EXPECT_EQ(values_of<double>(cast(tensor<uint64_t>({1}, {uint64_t{1} << 60}), DType::kFloat64)),
            (std::vector<double>{std::ldexp(1.0, 60)}));
  // Same type: a copy.
  EXPECT_EQ(values_of<int16_t>(cast(tensor<int16_t>({2}, {-7, 9}), DType::kInt16)),
            (std::vector<int16_t>{-7, 9}));
}

TEST(Cast, FloatDoubleRoundTripIsIdentity) {
  std::vector<float> v = {0.1f, -3.4e38f, 1e-45f, 123456.789f};
  Tensor back = cast(cast(tensor<float>({4}, v), DType::kFloat64), DType::kFloat32);
  EXPECT_EQ(values_of<float>(back), v);
}

TEST(Cast, CastLikeTakesTheSecondInputsType) {
  Tensor y =
      run_op({.op_type = "CastLike",
              .inputs = {tensor<float>({2, 1}, {1.5f, -2.5f}), Tensor(DType::kInt64, {7})}})[0];
  EXPECT_EQ(y.dtype(), DType::kInt64);
  EXPECT_EQ(y.shape(), (Shape{2, 1}));
  EXPECT_EQ(values_of<int64_t>(y), (std::vector<int64_t>{1, -2}));
  Tensor h = run_op({.op_type = "CastLike",
                     .inputs = {tensor<double>({1}, {0.5}), Tensor(DType::kFloat16, {1})}})[0];
  EXPECT_EQ(words_of(h), (std::vector<uint16_t>{0x3800}));
}

TEST(Cast, Opset1SpellsTheTargetTypeAsAString) {
  Tensor y = run_op({.op_type = "Cast",
                     .inputs = {tensor<float>({2}, {1.9f, -1.9f})},
                     .attrs = attrs({{"to", std::string("INT64")}}),
                     .opset = 1})[0];
  EXPECT_EQ(values_of<int64_t>(y), (std::vector<int64_t>{1, -1}));
  Tensor d = run_op({.op_type = "Cast",
                     .inputs = {tensor<int32_t>({1}, {3})},
                     .attrs = attrs({{"to", std::string("DOUBLE")}}),
                     .opset = 1})[0];
  EXPECT_EQ(d.dtype(), DType::kFloat64);
}

TEST(Cast, Errors) {
  Tensor x = tensor<float>({2}, {1, 2});
  EXPECT_THROW(prepare_op({.op_type = "Cast",
                           .inputs = {x},
                           .attrs = attrs({{"to", static_cast<int64_t>(DType::kString)}})}),
               UnsupportedError);
  try {
    prepare_op({.op_type = "Cast", .inputs = {x}, .attrs = attrs({{"to", int64_t{99}}})});
    FAIL() << "Cast accepted to=99";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("test_node"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("99"), std::string::npos) << e.what();
  }
  EXPECT_THROW(prepare_op({.op_type = "Cast", .inputs = {x}}), Error);  // 'to' missing
  EXPECT_THROW(
      prepare_op(
          {.op_type = "Cast", .inputs = {x}, .attrs = attrs({{"to", std::string("QUATERNION")}})}),
      Error);
  EXPECT_THROW(cast_reference(DType::kString, nullptr, DType::kFloat32, nullptr, 0),
               UnsupportedError);
}

}  // namespace
}  // namespace hone
