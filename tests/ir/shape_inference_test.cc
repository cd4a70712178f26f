// infer_shapes: types through the registry, folding of constant subgraphs, errors naming nodes;
// print_graph's format.
#include "ir/shape_inference.h"

#include <gtest/gtest.h>

#include "ir/op_registry.h"
#include "ir/printer.h"

namespace hone {
namespace {

#define REQUIRE_OPS(...)               \
  for (const char* op : {__VA_ARGS__}) \
    if (!op_registry().find(op)) GTEST_SKIP() << "op " << op << " not registered yet"

// Appends a node reading `inputs` and producing one new value named `out`.
ValueId add_node(Graph& g, const std::string& op, std::vector<ValueId> inputs,
                 const std::string& out, Attributes attrs = {}) {
  Node n;
  n.name = op + "_" + std::to_string(g.nodes.size());
  n.op_type = op;
  n.inputs = std::move(inputs);
  ValueId id = g.add_value(out);
  g.value(id).producer = static_cast<int>(g.nodes.size());
  n.outputs = {id};
  n.attrs = std::move(attrs);
  g.nodes.push_back(std::move(n));
  return id;
}

ValueId add_constant(Graph& g, const std::string& name, Tensor t) {
  ValueId id = g.add_value(name, {t.dtype(), t.shape()});
  g.value(id).constant = std::move(t);
  return id;
}

TEST(ShapeInference, SetsTypesAndFoldsConstantSubgraphs) {
  REQUIRE_OPS("Add", "Mul", "Relu", "Shape");
  Graph g;
  g.name = "g";
  g.opset = 13;
  ValueId x = g.add_value("x", {DType::kFloat32, {2, 3}});
  g.inputs = {x};
  ValueId a = add_constant(g, "a", Tensor::from_vector<float>({3}, {1, 2, 3}));
  ValueId b = add_constant(g, "b", Tensor::from_vector<float>({3}, {10, 10, 10}));
  ValueId ab = add_node(g, "Mul", {a, b}, "ab");  // constant * constant: folded
  ValueId y = add_node(g, "Add", {x, ab}, "y");   // depends on x: not folded
  ValueId r = add_node(g, "Relu", {y}, "r");
  ValueId s = add_node(g, "Shape", {r}, "s");  // type only: folded
  g.outputs = {r, s};
  infer_shapes(g);
  EXPECT_EQ(g.value(ab).type, (ValueType{DType::kFloat32, {3}}));
  ASSERT_TRUE(g.value(ab).constant.has_value());
  EXPECT_EQ(g.value(ab).constant->to_vector<float>(), (std::vector<float>{10, 20, 30}));
  EXPECT_EQ(g.value(y).type, (ValueType{DType::kFloat32, {2, 3}}));
  EXPECT_FALSE(g.value(y).constant.has_value());
  EXPECT_FALSE(g.value(r).constant.has_value());
  ASSERT_TRUE(g.value(s).constant.has_value());
  EXPECT_EQ(g.value(s).constant->to_vector<int64_t>(), (std::vector<int64_t>{2, 3}));
  EXPECT_NO_THROW(g.validate());

  EXPECT_EQ(print_graph(g),
            "graph \"g\" opset 13\n"
            "input x: float32[2,3]\n"
            "Mul_0: ab float32[3] const = Mul(a, b)\n"
            "Add_1: y float32[2,3] = Add(x, ab)\n"
            "Relu_2: r float32[2,3] = Relu(y)\n"
            "Shape_3: s int64[2] const = Shape(r)\n"
            "output r\n"
            "output s\n");
}

TEST(ShapeInference, ErrorsNameTheNode) {
  REQUIRE_OPS("Add");
  Graph g;
  g.opset = 13;
  ValueId x = g.add_value("x", {DType::kFloat32, {2, 3}});
  ValueId z = g.add_value("z", {DType::kFloat32, {4}});
  g.inputs = {x, z};
  g.outputs = {add_node(g, "Add", {x, z}, "y")};
  try {
    infer_shapes(g);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("node 'Add_0' (Add)", 0), 0u) << e.what();
  }
}

TEST(ShapeInference, UnknownOpIsUnsupported) {
  Graph g;
  g.opset = 13;
  ValueId x = g.add_value("x", {DType::kFloat32, {1}});
  g.inputs = {x};
  g.outputs = {add_node(g, "NoSuchOp", {x}, "y")};
  EXPECT_THROW(infer_shapes(g), UnsupportedError);
}

TEST(ShapeInference, UntypedInputIsReported) {
  Graph g;
  g.opset = 13;
  ValueId x = g.add_value("x");
  g.outputs = {add_node(g, "Relu", {x}, "y")};
  try {
    infer_shapes(g);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("input 'x' has no type"), std::string::npos);
  }
}

TEST(Printer, AttributesAndAbsentValues) {
  Graph g;
  g.name = "p";
  g.opset = 11;
  ValueId x = g.add_value("x", {DType::kInt64, {2}});
  g.inputs = {x};
  Node n;
  n.name = "n";
  n.op_type = "Custom";
  n.domain = "com.example";
  n.inputs = {x, kNoValue};
  n.outputs = {g.add_value("y", {DType::kBool, {}}), kNoValue};
  n.attrs["f"] = {1.5f};
  n.attrs["i"] = {int64_t{-2}};
  n.attrs["ints"] = {std::vector<int64_t>{1, 2}};
  n.attrs["s"] = {std::string("abc")};
  n.attrs["strs"] = {std::vector<std::string>{"a", "b"}};
  n.attrs["t"] = {Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4})};
  g.nodes.push_back(n);
  EXPECT_EQ(print_node(g, g.nodes[0]),
            "n: y bool[], _ = com.example.Custom(x, _) {f=1.5, i=-2, ints=[1,2], s=\"abc\", "
            "strs=[\"a\",\"b\"], t=tensor float32[2,2]}");
}

}  // namespace
}  // namespace hone
