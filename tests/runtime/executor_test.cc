// Executor: input checks, constants and pass-through outputs, repeated runs.
#include "runtime/executor.h"

#include <gtest/gtest.h>

#include "frontend/onnx_test_models.h"
#include "ir/op_registry.h"
#include "ir/shape_inference.h"

namespace hone {
namespace {

using testing::error_of;
using testing::ModelBuilder;

#define REQUIRE_OPS(...)               \
  for (const char* op : {__VA_ARGS__}) \
    if (!op_registry().find(op)) GTEST_SKIP() << "op " << op << " not registered yet"

// y = relu(x) + w, also returning the input x and the constant w.
Graph small_graph() {
  ModelBuilder m;
  m.input("x", {int64_t{2}, int64_t{2}}).input("unused", {int64_t{1}});
  m.output("y").output("x").output("w");
  m.float_initializer("w", {2}, {1, -1});
  m.node("Relu", {"x"}, {"r"}, "relu");
  m.node("Add", {"r", "w"}, {"y"}, "add");
  return m.import();
}

std::map<std::string, Tensor> good_inputs() {
  return {{"x", Tensor::from_vector<float>({2, 2}, {-1, 2, 3, -4})},
          {"unused", Tensor::from_vector<float>({1}, {0})}};
}

TEST(Executor, RunsAndReturnsConstantsAndPassThroughInputs) {
  REQUIRE_OPS("Relu", "Add");
  Executor ex(small_graph());
  EXPECT_EQ(ex.input_names(), (std::vector<std::string>{"x", "unused"}));
  EXPECT_EQ(ex.output_names(), (std::vector<std::string>{"y", "x", "w"}));
  EXPECT_EQ(ex.input_type(0), (ValueType{DType::kFloat32, {2, 2}}));
  EXPECT_EQ(ex.output_type(0), (ValueType{DType::kFloat32, {2, 2}}));
  auto out = ex.run(good_inputs());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{1, 1, 4, -1}));
  EXPECT_EQ(out[1].to_vector<float>(), (std::vector<float>{-1, 2, 3, -4}));
  EXPECT_EQ(out[2].to_vector<float>(), (std::vector<float>{1, -1}));
  EXPECT_EQ(ex.total_flops() > 0, true);
}

// Reshape-like ops take over their input's buffer when it dies there (nothing is copied),
// and copy when the input is read again later; both give the same values, run after run.
TEST(Executor, ReshapeSharesADyingInputAndCopiesALiveOne) {
  REQUIRE_OPS("Relu", "Add", "Reshape", "Flatten", "Unsqueeze");
  ModelBuilder m;
  m.input("x", {int64_t{2}, int64_t{3}});
  m.output("y").output("z");
  m.int64_initializer("shape", {2}, {3, 2});
  m.int64_initializer("axes", {1}, {0});
  m.node("Relu", {"x"}, {"r"}, "relu");
  m.node("Reshape", {"r", "shape"}, {"q"}, "reshape_live");  // r is read again by add_r
  m.node("Add", {"r", "r"}, {"rr"}, "add_r");
  m.node("Flatten", {"q"}, {"f"}, "flatten_dying");
  m.node("Unsqueeze", {"f", "axes"}, {"y"}, "unsqueeze_dying");
  m.node("Add", {"rr", "rr"}, {"z"}, "add_z");
  Graph g = m.import();
  ExecutorOptions options;
  options.kernel.optimized = true;
  Executor ex(std::move(g), options);
  for (float scale : {1.0f, -2.0f}) {
    std::vector<float> x = {-1, 2, 3, -4, 5, 6};
    for (float& v : x) v *= scale;
    auto out = ex.run({{"x", Tensor::from_vector<float>({2, 3}, x)}});
    std::vector<float> relu = x, four = x;
    for (size_t i = 0; i < x.size(); ++i) {
      relu[i] = x[i] > 0 ? x[i] : 0.0f;
      four[i] = 4 * relu[i];
    }
    EXPECT_EQ(out[0].shape(), (Shape{1, 3, 2}));
    EXPECT_EQ(out[0].to_vector<float>(), relu);
    EXPECT_EQ(out[1].to_vector<float>(), four);
  }
  // flatten_dying and unsqueeze_dying share their input's buffer; reshape_live cannot (r is
  // read later), nor the Adds (their input appears twice), nor relu (x is the caller's).
  EXPECT_EQ(ex.in_place_steps(), 2);
}

TEST(Executor, RepeatedRunsGiveFreshResults) {
  REQUIRE_OPS("Relu", "Add");
  Executor ex(small_graph());
  auto first = ex.run(good_inputs());
  auto in = good_inputs();
  in["x"] = Tensor::from_vector<float>({2, 2}, {5, 5, 5, 5});
  auto second = ex.run(in);
  EXPECT_EQ(second[0].to_vector<float>(), (std::vector<float>{6, 4, 6, 4}));
  // Outputs are copies: the first result did not change.
  EXPECT_EQ(first[0].to_vector<float>(), (std::vector<float>{1, 1, 4, -1}));
}

TEST(Executor, MissingInput) {
  REQUIRE_OPS("Relu", "Add");
  Executor ex(small_graph());
  auto in = good_inputs();
  in.erase("x");
  EXPECT_EQ(error_of([&] { ex.run(in); }), "missing input 'x' (float32[2,2])");
}

TEST(Executor, UnknownInputListsValidNames) {
  REQUIRE_OPS("Relu", "Add");
  Executor ex(small_graph());
  auto in = good_inputs();
  in["extra"] = Tensor::scalar<float>(1);
  EXPECT_EQ(error_of([&] { ex.run(in); }),
            "unknown input 'extra'; the model's inputs are: x, unused");
  in.erase("extra");
  in["w"] = Tensor::from_vector<float>({2}, {0, 0});  // a constant cannot be fed
  EXPECT_NE(error_of([&] { ex.run(in); }).find("unknown input 'w'"), std::string::npos);
}

TEST(Executor, WrongShapeOrDtypeNamesBoth) {
  REQUIRE_OPS("Relu", "Add");
  Executor ex(small_graph());
  auto in = good_inputs();
  in["x"] = Tensor::from_vector<float>({4}, {1, 2, 3, 4});
  EXPECT_EQ(error_of([&] { ex.run(in); }), "input 'x': expected float32[2,2], got float32[4]");
  in["x"] = Tensor::from_vector<double>({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(error_of([&] { ex.run(in); }), "input 'x': expected float32[2,2], got float64[2,2]");
}

TEST(Executor, SkipsFoldedNodes) {
  REQUIRE_OPS("Relu", "Add", "Neg");
  ModelBuilder m;
  m.input("x", {int64_t{2}}).output("y");
  m.float_initializer("c", {2}, {-3, 4});
  m.node("Neg", {"c"}, {"nc"}, "neg_const");
  m.node("Add", {"x", "nc"}, {"y"}, "add");
  Graph g = m.import();
  ASSERT_TRUE(g.value(g.find_value("nc")).constant.has_value());
  Executor ex(std::move(g));
  auto out = ex.run({{"x", Tensor::from_vector<float>({2}, {1, 1})}});
  EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{4, -3}));
}

TEST(Executor, InvalidGraphIsRejectedAtConstruction) {
  Graph g;
  g.opset = 13;
  ValueId x = g.add_value("x", {DType::kFloat32, {2}});
  ValueId y = g.add_value("y", {DType::kFloat32, {2}});
  g.outputs = {y};
  (void)x;
  std::string err = error_of([&] { Executor ex(std::move(g)); });
  EXPECT_NE(err.find("graph output 'y' is not produced by any node"), std::string::npos) << err;
}

}  // namespace
}  // namespace hone
