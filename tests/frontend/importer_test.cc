// Imports small hand-built ONNX models: values, constants, input shapes, folding.
#include <gtest/gtest.h>

#include "frontend/onnx/onnx_importer.h"
#include "frontend/onnx_test_models.h"
#include "ir/op_registry.h"
#include "ir/printer.h"
#include "runtime/executor.h"

namespace hone {
namespace {

using testing::attr_int;
using testing::error_of;
using testing::ModelBuilder;

#define REQUIRE_OPS(...)               \
  for (const char* op : {__VA_ARGS__}) \
    if (!op_registry().find(op)) GTEST_SKIP() << "op " << op << " not registered yet"

const Value& value_named(const Graph& g, const std::string& name) {
  ValueId id = g.find_value(name);
  EXPECT_NE(id, kNoValue) << name;
  return g.value(id);
}

TEST(Importer, ImportsAddWithInitializerAndRuns) {
  REQUIRE_OPS("Add");
  ModelBuilder m;
  m.input("x", {int64_t{2}, int64_t{3}}).output("y");
  m.float_initializer("w", {3}, {10, 20, 30});
  m.node("Add", {"x", "w"}, {"y"}, "add");
  Graph g = m.import();
  EXPECT_EQ(g.opset, 13);
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.value(g.inputs[0]).name, "x");
  EXPECT_TRUE(value_named(g, "w").constant.has_value());
  EXPECT_EQ(value_named(g, "y").type, (ValueType{DType::kFloat32, {2, 3}}));
  Executor ex(std::move(g));
  auto out = ex.run({{"x", Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6})}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{11, 22, 33, 14, 25, 36}));
}

TEST(Importer, NamesAnonymousNodesByOpTypeAndIndex) {
  REQUIRE_OPS("Relu", "Neg");
  ModelBuilder m;
  m.input("x", {int64_t{4}}).output("z");
  m.node("Relu", {"x"}, {"y"});
  m.node("Neg", {"y"}, {"z"}, "Relu_0");  // takes the name an anonymous node would get
  Graph g = m.import();
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_NE(g.nodes[0].name, g.nodes[1].name);
  EXPECT_EQ(g.nodes[1].name, "Relu_0");
  EXPECT_EQ(g.nodes[0].name.rfind("Relu_0", 0), 0u);
}

TEST(Importer, SortsNodesGivenOutOfOrder) {
  REQUIRE_OPS("Relu", "Neg");
  ModelBuilder m;
  m.input("x", {int64_t{3}}).output("z");
  m.node("Neg", {"y"}, {"z"}, "second");
  m.node("Relu", {"x"}, {"y"}, "first");
  Graph g = m.import();
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].name, "first");
  EXPECT_EQ(g.nodes[1].name, "second");
  Executor ex(std::move(g));
  auto out = ex.run({{"x", Tensor::from_vector<float>({3}, {-1, 2, -3})}});
  EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{0, -2, 0}));
}

TEST(Importer, SymbolicDimensionNeedsAnOverride) {
  REQUIRE_OPS("Relu");
  ModelBuilder m;
  m.input("data", {std::string("N"), int64_t{3}}).output("y");
  m.node("Relu", {"data"}, {"y"});
  std::string err = error_of([&] { m.import(); });
  EXPECT_NE(err.find("test.onnx: input 'data' has a symbolic dimension 'N'"), std::string::npos)
      << err;
  EXPECT_NE(err.find("--input-shapes data:[...]"), std::string::npos) << err;

  ImportOptions opt;
  opt.input_shapes["data"] = {5, 3};
  Graph g = m.import(opt);
  EXPECT_EQ(value_named(g, "y").type.shape, (Shape{5, 3}));
}

TEST(Importer, InputShapeOverrideMayChangeRank) {
  REQUIRE_OPS("Relu");
  ModelBuilder m;
  m.input("x", {int64_t{2}, int64_t{3}}).output("y");
  m.node("Relu", {"x"}, {"y"});
  ImportOptions opt;
  opt.input_shapes["x"] = {4, 1, 2};
  Graph g = m.import(opt);
  EXPECT_EQ(g.value(g.inputs[0]).type.shape, (Shape{4, 1, 2}));
  EXPECT_EQ(value_named(g, "y").type.shape, (Shape{4, 1, 2}));
}

TEST(Importer, InputShapeOverrideOfUnknownInputListsValidNames) {
  ModelBuilder m;
  m.input("a", {int64_t{2}}).input("b", {int64_t{2}}).output("y");
  m.float_initializer("w", {2}, {1, 2});
  m.node("Add", {"a", "b"}, {"y"});
  ImportOptions opt;
  opt.input_shapes["c"] = {2};
  std::string err = error_of([&] { m.import(opt); });
  EXPECT_NE(err.find("'c'"), std::string::npos) << err;
  EXPECT_NE(err.find("a, b"), std::string::npos) << err;
}

TEST(Importer, InitializerListedAsInputIsConstantUnlessOverridden) {
  REQUIRE_OPS("Add");
  ModelBuilder m(13, 3);  // IR 3 lists initializers among the inputs
  m.input("x", {int64_t{2}}).input("w", {int64_t{2}}).output("y");
  m.float_initializer("w", {2}, {1, 2});
  m.node("Add", {"x", "w"}, {"y"});
  Graph g = m.import();
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_TRUE(value_named(g, "w").constant.has_value());

  ImportOptions opt;
  opt.input_shapes["w"] = {2};
  Graph g2 = m.import(opt);
  ASSERT_EQ(g2.inputs.size(), 2u);
  EXPECT_FALSE(value_named(g2, "w").constant.has_value());
  Executor ex(std::move(g2));
  auto out = ex.run({{"x", Tensor::from_vector<float>({2}, {1, 1})},
                     {"w", Tensor::from_vector<float>({2}, {5, 6})}});
  EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{6, 7}));
}

TEST(Importer, BindInputsMakesConstants) {
  REQUIRE_OPS("Reshape");
  ModelBuilder m;
  m.input("x", {int64_t{2}, int64_t{3}}).input("shape", {int64_t{1}}, onnx::TensorProto::INT64);
  m.output("y");
  m.node("Reshape", {"x", "shape"}, {"y"});
  std::string err = error_of([&] { m.import(); });
  EXPECT_NE(err.find("must be a constant"), std::string::npos) << err;
  ImportOptions opt;
  opt.bind_inputs["shape"] = Tensor::from_vector<int64_t>({1}, {6});
  Graph g = m.import(opt);
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(value_named(g, "y").type.shape, (Shape{6}));

  ImportOptions bad;
  bad.bind_inputs["nope"] = Tensor::scalar<float>(1);
  err = error_of([&] { m.import(bad); });
  EXPECT_NE(err.find("'nope'"), std::string::npos) << err;
}

TEST(Importer, NeedsConstantErrorKeepsItsType) {
  REQUIRE_OPS("Reshape");
  ModelBuilder m;
  m.input("x", {int64_t{2}, int64_t{3}}).input("shape", {int64_t{1}}, onnx::TensorProto::INT64);
  m.output("y");
  m.node("Reshape", {"x", "shape"}, {"y"});
  EXPECT_THROW(m.import(), NeedsConstantError);
}

TEST(Importer, FoldsShapeGatherUnsqueezeConcatReshapeChain) {
  REQUIRE_OPS("Shape", "Gather", "Unsqueeze", "Concat", "Reshape");
  ModelBuilder m;
  m.input("x", {int64_t{2}, int64_t{3}, int64_t{4}}).output("y");
  m.initializer("zero", Tensor::scalar<int64_t>(0));
  m.int64_initializer("axes", {1}, {0});
  m.int64_initializer("minus_one", {1}, {-1});
  m.node("Shape", {"x"}, {"s"}, "shape");
  auto& gather = m.node("Gather", {"s", "zero"}, {"n"}, "gather");
  attr_int(gather, "axis", 0);
  m.node("Unsqueeze", {"n", "axes"}, {"n1"}, "unsqueeze");
  auto& concat = m.node("Concat", {"n1", "minus_one"}, {"target"}, "concat");
  attr_int(concat, "axis", 0);
  m.node("Reshape", {"x", "target"}, {"y"}, "reshape");
  Graph g = m.import();
  const Value& target = value_named(g, "target");
  ASSERT_TRUE(target.constant.has_value());
  EXPECT_EQ(target.constant->to_vector<int64_t>(), (std::vector<int64_t>{2, -1}));
  EXPECT_EQ(value_named(g, "y").type, (ValueType{DType::kFloat32, {2, 12}}));
  EXPECT_FALSE(value_named(g, "y").constant.has_value());
  std::string text = print_graph(g);
  EXPECT_NE(text.find("concat: target int64[2] const = Concat(n1, minus_one) {axis=0}"),
            std::string::npos)
      << text;

  Executor ex(std::move(g));
  std::vector<float> data(24);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i);
  auto out = ex.run({{"x", Tensor::from_vector<float>({2, 3, 4}, data)}});
  EXPECT_EQ(out[0].shape(), (Shape{2, 12}));
  EXPECT_EQ(out[0].to_vector<float>(), data);
}

TEST(Importer, ConstantNodeIsFoldedAndOutputsReturned) {
  REQUIRE_OPS("Constant", "Mul");
  ModelBuilder m;
  m.input("x", {int64_t{2}}).output("y").output("c");
  auto& c = m.node("Constant", {}, {"c"}, "const");
  auto* a = c.add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  a->mutable_t()->add_dims(2);
  a->mutable_t()->add_float_data(3);
  a->mutable_t()->add_float_data(-1);
  m.node("Mul", {"x", "c"}, {"y"}, "mul");
  Graph g = m.import();
  EXPECT_TRUE(value_named(g, "c").constant.has_value());
  Executor ex(std::move(g));
  auto out = ex.run({{"x", Tensor::from_vector<float>({2}, {2, 5})}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{6, -5}));
  EXPECT_EQ(out[1].to_vector<float>(), (std::vector<float>{3, -1}));
}

TEST(Importer, AcceptsNewerIrVersionThanLibonnxKnows) {
  REQUIRE_OPS("Relu");
  ModelBuilder m(13, 9);
  m.input("x", {int64_t{2}}).output("y");
  m.node("Relu", {"x"}, {"y"});
  EXPECT_NO_THROW(m.import());
}

}  // namespace
}  // namespace hone
