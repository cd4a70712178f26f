// BatchNormalization, InstanceNormalization and LayerNormalization through the registry:
// hand-computed cases, cross-checks between the three ops, the optimized LayerNormalization
// against the reference, and error paths.
#include <gtest/gtest.h>

#include <cmath>

#include "ops/op_test_util.h"

namespace hone::test {
namespace {

double scale_of(const Tensor& t) {
  double s = 1.0;
  for (double v : t.to_vector<double>()) s = std::max(s, std::fabs(v));
  return s;
}

Tensor filled(Shape shape, float v) {
  Tensor t(DType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = v;
  return t;
}

TEST(BatchNormalization, HandComputed) {
  Tensor x = Tensor::from_vector<float>({1, 2, 1, 2}, {1, 2, 3, 4});
  Tensor scale = Tensor::from_vector<float>({2}, {1, 2});
  Tensor bias = Tensor::from_vector<float>({2}, {0, 1});
  Tensor mean = Tensor::from_vector<float>({2}, {1, 3});
  Tensor var = Tensor::from_vector<float>({2}, {4, 1});
  Tensor y = run_op({.op_type = "BatchNormalization",
                     .inputs = {x, scale, bias, mean, var},
                     .attrs = attrs({{"epsilon", 0.0f}})})[0];
  // Channel 0: (x - 1) / 2; channel 1: (x - 3) * 2 + 1.
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{0, 0.5, 1, 3}));
  // The default epsilon (1e-5) is used when the attribute is absent.
  Tensor y2 = run_op({.op_type = "BatchNormalization", .inputs = {x, scale, bias, mean, var}})[0];
  EXPECT_NEAR(y2.data<float>()[1], 0.5 / std::sqrt(1 + 1e-5 / 4), 1e-7);
}

TEST(BatchNormalization, AgreesWithInstanceNormGivenThePlaneStatistics) {
  // With mean/var set to one plane's own statistics, BatchNormalization of a single-image
  // batch equals InstanceNormalization.
  Tensor x = random_tensor({1, 3, 4, 5}, 7);
  Tensor scale = random_tensor({3}, 8), bias = random_tensor({3}, 9);
  std::vector<float> m(3), v(3);
  for (int c = 0; c < 3; ++c) {
    const float* p = x.data<float>() + c * 20;
    double s = 0, ss = 0;
    for (int i = 0; i < 20; ++i) s += p[i];
    for (int i = 0; i < 20; ++i) ss += (p[i] - s / 20) * (p[i] - s / 20);
    m[c] = static_cast<float>(s / 20);
    v[c] = static_cast<float>(ss / 20);
  }
  Tensor bn = run_op({.op_type = "BatchNormalization",
                      .inputs = {x, scale, bias, Tensor::from_vector<float>({3}, m),
                                 Tensor::from_vector<float>({3}, v)}})[0];
  Tensor in = run_op({.op_type = "InstanceNormalization", .inputs = {x, scale, bias}})[0];
  EXPECT_LT(max_abs_diff(bn, in), 1e-5);
}

TEST(BatchNormalization, Float64Rank2AndOldPerElementForm) {
  auto d = [](Shape s, std::vector<double> v) { return Tensor::from_vector<double>(s, v); };
  Tensor y =
      run_op({.op_type = "BatchNormalization",
              .inputs = {d({2, 1}, {2, 4}), d({1}, {3}), d({1}, {1}), d({1}, {2}), d({1}, {1})},
              .attrs = attrs({{"epsilon", 0.0f}})})[0];
  EXPECT_EQ(y.dtype(), DType::kFloat64);
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{1, 7}));
  // Opset 7 with spatial=0: parameters per element of X[1:].
  Tensor x = Tensor::from_vector<float>({2, 1, 2}, {1, 2, 3, 4});
  Tensor mean = Tensor::from_vector<float>({1, 2}, {1, 2});
  Tensor one = filled({1, 2}, 1.0f), zero = filled({1, 2}, 0.0f);
  Tensor y7 = run_op({.op_type = "BatchNormalization",
                      .inputs = {x, one, zero, mean, one},
                      .attrs = attrs({{"epsilon", 0.0f}, {"spatial", 0}}),
                      .opset = 7})[0];
  EXPECT_EQ(y7.to_vector<float>(), (std::vector<float>{0, 0, 2, 2}));
}

TEST(BatchNormalization, RejectsTrainingAndBadShapes) {
  Tensor x = random_tensor({1, 2, 3}, 1);
  Tensor p = filled({2}, 1.0f);
  OpCall call{.op_type = "BatchNormalization", .inputs = {x, p, p, p, p}};
  OpCall training = call;
  training.attrs = attrs({{"training_mode", 1}});
  training.opset = 15;
  EXPECT_THROW(prepare_op(training), UnsupportedError);
  OpCall extra_outputs = call;
  extra_outputs.num_outputs = 5;
  extra_outputs.opset = 7;
  EXPECT_THROW(prepare_op(extra_outputs), UnsupportedError);
  OpCall bad_shape = call;
  bad_shape.inputs[3] = filled({3}, 1.0f);
  EXPECT_THROW(prepare_op(bad_shape), Error);
  OpCall missing = call;
  missing.inputs.pop_back();
  EXPECT_THROW(prepare_op(missing), Error);
  OpCall ints = call;
  ints.inputs[0] = Tensor::from_vector<int32_t>({1, 2}, {1, 2});
  EXPECT_THROW(prepare_op(ints), Error);
}

TEST(InstanceNormalization, HandComputed) {
  // Plane [1, 2, 3, 4]: mean 2.5, variance 1.25.
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor y = run_op(
      {.op_type = "InstanceNormalization",
       .inputs = {x, Tensor::from_vector<float>({1}, {2}), Tensor::from_vector<float>({1}, {1})},
       .attrs = attrs({{"epsilon", 0.0f}})})[0];
  const double sd = std::sqrt(1.25);
  std::vector<float> v = y.to_vector<float>();
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(v[i], 2 * ((i + 1) - 2.5) / sd + 1, 1e-6);
  EXPECT_THROW(prepare_op({.op_type = "InstanceNormalization",
                           .inputs = {x, filled({2}, 1), filled({1}, 0)}}),
               Error);
}

TEST(LayerNormalization, MatchesDirectComputationWithStatistics) {
  Tensor x = random_tensor({2, 3, 4}, 21);
  Tensor scale = random_tensor({3, 4}, 22), bias = random_tensor({3, 4}, 23);
  std::vector<Tensor> y = run_op({.op_type = "LayerNormalization",
                                  .inputs = {x, scale, bias},
                                  .attrs = attrs({{"axis", 1}, {"epsilon", 1e-3f}}),
                                  .num_outputs = 3});
  ASSERT_EQ(y[1].shape(), (Shape{2, 1, 1}));
  ASSERT_EQ(y[2].shape(), (Shape{2, 1, 1}));
  EXPECT_EQ(y[1].dtype(), DType::kFloat32);
  for (int n = 0; n < 2; ++n) {
    const float* p = x.data<float>() + n * 12;
    double s = 0, ss = 0;
    for (int i = 0; i < 12; ++i) s += p[i];
    const double mean = s / 12;
    for (int i = 0; i < 12; ++i) ss += (p[i] - mean) * (p[i] - mean);
    const double inv = 1 / std::sqrt(ss / 12 + 1e-3);
    EXPECT_NEAR(y[1].data<float>()[n], mean, 1e-6);
    EXPECT_NEAR(y[2].data<float>()[n], inv, 1e-4);
    for (int i = 0; i < 12; ++i)
      EXPECT_NEAR(y[0].data<float>()[n * 12 + i],
                  (p[i] - mean) * inv * scale.data<float>()[i] + bias.data<float>()[i], 1e-5);
  }
}

TEST(LayerNormalization, DefaultAxisEqualsInstanceNormOfRows) {
  // Normalizing the last axis of [2, 3, 5] is InstanceNormalization of [1, 6, 5] with unit
  // scale and zero bias; LayerNorm's scale and bias then apply per position.
  Tensor x = random_tensor({2, 3, 5}, 31);
  Tensor ln = run_op({.op_type = "LayerNormalization", .inputs = {x, filled({5}, 1.0f)}})[0];
  Tensor in = run_op({.op_type = "InstanceNormalization",
                      .inputs = {x.reshaped({1, 6, 5}), filled({6}, 1.0f), filled({6}, 0.0f)}})[0];
  EXPECT_LT(max_abs_diff(ln, in.reshaped({2, 3, 5})), 1e-5);
  // Negative axis -2 of rank 3 is axis 1; a scale of shape [5] broadcasts over [3, 5].
  Tensor a = run_op({.op_type = "LayerNormalization",
                     .inputs = {x, filled({5}, 2.0f)},
                     .attrs = attrs({{"axis", -2}})})[0];
  Tensor b = run_op({.op_type = "LayerNormalization",
                     .inputs = {x, filled({3, 5}, 1.0f)},
                     .attrs = attrs({{"axis", 1}})})[0];
  for (int64_t i = 0; i < a.numel(); ++i)
    EXPECT_NEAR(a.data<float>()[i], 2 * b.data<float>()[i], 1e-5);
}

// The optimized kernel (constant Scale and B, every ISA, 1 and 2 threads) against the
// reference: row lengths around the vector widths, a broadcast Scale, the statistics outputs,
// values far from zero (the variance of rows with a large mean), and the result in place.
TEST(LayerNormalization, OptimizedMatchesReference) {
  struct Case {
    Shape x, scale;
    int64_t axis;
    bool bias;
  };
  const std::vector<Case> cases = {
      {{197, 768}, {768}, -1, true},     {{3, 5, 7}, {7}, -1, true},
      {{2, 3, 17}, {3, 17}, 1, false},   {{4, 33}, {1}, -1, true},
      {{1, 56, 56, 96}, {96}, -1, true}, {{2, 100}, {100}, 1, true},
  };
  ThreadPool two(2);
  uint32_t seed = 70;
  for (const Case& c : cases) {
    Tensor x = random_tensor(c.x, seed++, 100.0f, 104.0f);  // mean ~102, spread ~1
    std::vector<Tensor> inputs = {x, random_tensor(c.scale, seed++)};
    if (c.bias) inputs.push_back(random_tensor(c.scale, seed++));
    OpCall call{.op_type = "LayerNormalization",
                .inputs = inputs,
                .attrs = attrs({{"axis", c.axis}, {"epsilon", 1e-3f}}),
                .num_outputs = 3};
    const std::vector<Tensor> want = run_op(call);
    for (Isa isa : supported_isas())
      for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two}) {
        call.kernel_options = {true, isa, pool};
        const std::string what = shape_to_string(c.x) + " " + std::string(isa_name(isa));
        PreparedOp op = prepare_op(call);
        EXPECT_NE(op.kernel_name.find("layer_norm_"), std::string::npos) << what;
        const std::vector<Tensor> got = run_op(call);
        ASSERT_EQ(got.size(), 3u);
        for (size_t i = 0; i < 3; ++i)
          EXPECT_LE(max_abs_diff(got[i], want[i]), 2e-4 * scale_of(want[i]))
              << what << " output " << i;
        // In place: the output over X.
        EXPECT_EQ(op.inplace_input, 0);
        Tensor y = x.clone(), mean(DType::kFloat32, want[1].shape()),
               inv(DType::kFloat32, want[2].shape());
        std::vector<const Tensor*> in = {&y, &call.inputs[1]};
        if (c.bias) in.push_back(&call.inputs[2]);
        std::vector<Tensor*> out = {&y, &mean, &inv};
        op.run(TensorsIn(in), TensorsOut(out));
        EXPECT_LE(max_abs_diff(y, want[0]), 2e-4 * scale_of(want[0])) << what << " in place";
      }
  }
}

TEST(LayerNormalization, RejectsBadAxisAndScale) {
  Tensor x = random_tensor({2, 3}, 41);
  EXPECT_THROW(prepare_op({.op_type = "LayerNormalization",
                           .inputs = {x, filled({3}, 1)},
                           .attrs = attrs({{"axis", 2}})}),
               Error);
  EXPECT_THROW(prepare_op({.op_type = "LayerNormalization",
                           .inputs = {x, filled({3}, 1)},
                           .attrs = attrs({{"axis", -3}})}),
               Error);
  EXPECT_THROW(prepare_op({.op_type = "LayerNormalization", .inputs = {x, filled({4}, 1)}}), Error);
  EXPECT_THROW(prepare_op({.op_type = "LayerNormalization", .inputs = {x}}), Error);
}

}  // namespace
}  // namespace hone::test
