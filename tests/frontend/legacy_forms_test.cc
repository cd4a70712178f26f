// Old opset forms: models at opsets 7-12 import in the canonical opset-13 form (through ONNX's
// version converter and hone's fix-ups) and compute what the old operator defined.
#include "frontend/onnx/legacy_forms.h"

#include <gtest/gtest.h>

#include <cmath>

#include "frontend/onnx_test_models.h"
#include "ir/op_registry.h"
#include "ir/printer.h"
#include "runtime/executor.h"

namespace hone {
namespace {

using namespace hone::testing;

#define REQUIRE_OPS(...)               \
  for (const char* op : {__VA_ARGS__}) \
    if (!op_registry().find(op)) GTEST_SKIP() << "op " << op << " not registered yet"

std::vector<float> iota(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i);
  return v;
}

const Node& only_node(const Graph& g, const std::string& op) {
  for (const Node& n : g.nodes)
    if (n.op_type == op) return n;
  ADD_FAILURE() << "no " << op << " node in\n" << print_graph(g);
  return g.nodes.front();
}

size_t present_inputs(const Node& n) {
  size_t k = 0;
  for (ValueId id : n.inputs) k += id != kNoValue;
  return k;
}

std::vector<float> run1(Graph g, const std::string& input, Tensor x) {
  Executor ex(std::move(g));
  return ex.run({{input, std::move(x)}})[0].to_vector<float>();
}

TEST(LegacyForms, Opset9SliceAttributes) {
  REQUIRE_OPS("Slice");
  ModelBuilder m(9, 4);
  m.input("x", {int64_t{3}, int64_t{4}}).output("y");
  auto& n = m.node("Slice", {"x"}, {"y"}, "slice");
  attr_ints(n, "starts", {1});
  attr_ints(n, "ends", {3});
  attr_ints(n, "axes", {1});
  Graph g = m.import();
  EXPECT_EQ(g.opset, 13);
  const Node& s = only_node(g, "Slice");
  EXPECT_GE(present_inputs(s), 3u);
  EXPECT_TRUE(s.attrs.empty());
  EXPECT_EQ(run1(std::move(g), "x", Tensor::from_vector<float>({3, 4}, iota(12))),
            (std::vector<float>{1, 2, 5, 6, 9, 10}));
}

TEST(LegacyForms, Opset10PadAndClipAttributes) {
  REQUIRE_OPS("Pad", "Clip");
  ModelBuilder m(10, 5);
  m.input("x", {int64_t{3}}).output("y");
  auto& clip = m.node("Clip", {"x"}, {"c"}, "clip");
  attr_float(clip, "min", 0.5f);
  attr_float(clip, "max", 1.5f);
  auto& pad = m.node("Pad", {"c"}, {"y"}, "pad");
  attr_ints(pad, "pads", {1, 2});
  attr_float(pad, "value", 9.0f);
  Graph g = m.import();
  EXPECT_EQ(present_inputs(only_node(g, "Clip")), 3u);
  EXPECT_GE(present_inputs(only_node(g, "Pad")), 2u);
  EXPECT_EQ(run1(std::move(g), "x", Tensor::from_vector<float>({3}, {0, 1, 2})),
            (std::vector<float>{9, 0.5f, 1, 1.5f, 9, 9}));
}

TEST(LegacyForms, Opset11AxesAndSplitAttributes) {
  REQUIRE_OPS("Squeeze", "Unsqueeze", "Split", "ReduceSum", "Concat");
  ModelBuilder m(11, 6);
  m.input("x", {int64_t{1}, int64_t{4}}).output("y");
  auto& sq = m.node("Squeeze", {"x"}, {"s"}, "squeeze");
  attr_ints(sq, "axes", {0});
  auto& split = m.node("Split", {"s"}, {"a", "b"}, "split");
  attr_ints(split, "split", {1, 3});
  auto& rs = m.node("ReduceSum", {"b"}, {"rb"}, "reduce");
  attr_ints(rs, "axes", {0});
  attr_int(rs, "keepdims", 1);
  auto& cat = m.node("Concat", {"a", "rb"}, {"c"}, "concat");
  attr_int(cat, "axis", 0);
  auto& un = m.node("Unsqueeze", {"c"}, {"y"}, "unsqueeze");
  attr_ints(un, "axes", {1});
  Graph g = m.import();
  for (const char* op : {"Squeeze", "Unsqueeze", "Split", "ReduceSum"}) {
    EXPECT_EQ(present_inputs(only_node(g, op)), 2u) << op;
    EXPECT_EQ(only_node(g, op).attrs.count("axes") + only_node(g, op).attrs.count("split"), 0u);
  }
  Executor ex(std::move(g));
  Tensor y = ex.run({{"x", Tensor::from_vector<float>({1, 4}, {1, 2, 3, 4})}})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 1}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{1, 9}));
}

// Opset < 13 Softmax coerces the input to 2-D at `axis`: here one softmax over 12 values per
// batch row, not one per axis-1 fibre.
TEST(LegacyForms, Opset11SoftmaxCoercesTo2D) {
  REQUIRE_OPS("Softmax", "Flatten", "Reshape", "Shape");
  ModelBuilder m(11, 6);
  m.input("x", {int64_t{2}, int64_t{3}, int64_t{4}}).output("y");
  attr_int(m.node("Softmax", {"x"}, {"y"}, "softmax"), "axis", 1);
  Graph g = m.import();
  std::vector<float> x = iota(24);
  for (float& v : x) v = std::sin(v);
  std::vector<float> y = run1(std::move(g), "x", Tensor::from_vector<float>({2, 3, 4}, x));
  ASSERT_EQ(y.size(), 24u);
  for (int b = 0; b < 2; ++b) {
    double sum = 0;
    for (int i = 0; i < 12; ++i) sum += std::exp(x[b * 12 + i]);
    for (int i = 0; i < 12; ++i)
      EXPECT_NEAR(y[b * 12 + i], std::exp(x[b * 12 + i]) / sum, 1e-6) << b << "," << i;
  }
}

TEST(LegacyForms, Opset12SoftmaxOnLastAxisIsLeftAlone) {
  REQUIRE_OPS("Softmax");
  ModelBuilder m(12, 7);
  m.input("x", {int64_t{2}, int64_t{5}}).output("y");
  attr_int(m.node("Softmax", {"x"}, {"y"}, "softmax"), "axis", 1);
  Graph g = m.import();
  EXPECT_EQ(g.nodes.size(), 1u) << print_graph(g);
}

// Upsample's nearest mode takes floor(i / scale); Resize-13's default would round.
TEST(LegacyForms, Opset9UpsampleNearestFloors) {
  REQUIRE_OPS("Resize");
  ModelBuilder m(9, 4);
  m.input("x", {int64_t{1}, int64_t{1}, int64_t{1}, int64_t{2}}).output("y");
  m.float_initializer("scales", {4}, {1, 1, 1, 3});
  attr_string(m.node("Upsample", {"x", "scales"}, {"y"}, "up"), "mode", "nearest");
  Graph g = m.import();
  EXPECT_EQ(run1(std::move(g), "x", Tensor::from_vector<float>({1, 1, 1, 2}, {10, 20})),
            (std::vector<float>{10, 10, 10, 20, 20, 20}));
}

TEST(LegacyForms, Opset7UpsampleScalesAttribute) {
  REQUIRE_OPS("Resize");
  ModelBuilder m(7, 3);
  m.input("x", {int64_t{1}, int64_t{1}, int64_t{2}, int64_t{1}}).output("y");
  auto& up = m.node("Upsample", {"x"}, {"y"}, "up");
  attr_floats(up, "scales", {1, 1, 2, 2});
  Graph g = m.import();
  Executor ex(std::move(g));
  Tensor y = ex.run({{"x", Tensor::from_vector<float>({1, 1, 2, 1}, {1, 2})}})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 1, 4, 2}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{1, 1, 1, 1, 2, 2, 2, 2}));
}

TEST(LegacyForms, Opset7DropoutAndOpset8BatchNormSpatial) {
  REQUIRE_OPS("Dropout", "BatchNormalization");
  ModelBuilder m(8, 4);  // IR 4: initializers need not be listed as inputs
  m.input("x", {int64_t{1}, int64_t{2}, int64_t{1}, int64_t{1}}).output("y");
  m.float_initializer("scale", {2}, {2, 3});
  m.float_initializer("bias", {2}, {1, 1});
  m.float_initializer("mean", {2}, {0, 1});
  m.float_initializer("var", {2}, {1, 4});
  auto& d = m.node("Dropout", {"x"}, {"d"}, "drop");
  attr_float(d, "ratio", 0.3f);
  auto& bn = m.node("BatchNormalization", {"d", "scale", "bias", "mean", "var"}, {"y"}, "bn");
  attr_int(bn, "spatial", 1);
  attr_float(bn, "epsilon", 0.0f);
  Graph g = m.import();
  EXPECT_EQ(only_node(g, "BatchNormalization").attrs.count("spatial"), 0u);
  // y = scale * (x - mean) / sqrt(var) + bias
  EXPECT_EQ(run1(std::move(g), "x", Tensor::from_vector<float>({1, 2, 1, 1}, {5, 5})),
            (std::vector<float>{11, 7}));
}

// The path for models the converter cannot move: hone's own normalization on the Graph.
TEST(LegacyForms, NormalizeOnGraphMovesAttributesToInputs) {
  Graph g;
  g.opset = 9;
  ValueId x = g.add_value("x", {DType::kFloat32, {4, 4}});
  g.inputs = {x};
  auto add_node = [&](const std::string& op, const std::string& name, Attributes attrs) {
    Node n;
    n.name = name;
    n.op_type = op;
    n.inputs = {x};
    n.outputs = {g.add_value(name + "_out")};
    g.value(n.outputs[0]).producer = static_cast<int>(g.nodes.size());
    n.attrs = std::move(attrs);
    g.nodes.push_back(std::move(n));
  };
  add_node("Slice", "slice",
           {{"starts", {std::vector<int64_t>{1}}}, {"ends", {std::vector<int64_t>{3}}}});
  add_node("Pad", "pad",
           {{"paddings", {std::vector<int64_t>{0, 1, 0, 1}}},
            {"value", {2.5f}},
            {"mode", {std::string("constant")}}});
  add_node("Clip", "clip", {{"max", {6.0f}}});
  add_node("Dropout", "drop", {{"ratio", {0.5f}}, {"is_test", {int64_t{1}}}});
  add_node("BatchNormalization", "bn", {{"spatial", {int64_t{1}}}, {"is_test", {int64_t{1}}}});
  add_node("Unsqueeze", "unsq", {{"axes", {std::vector<int64_t>{0}}}});
  g.outputs = {g.nodes.back().outputs[0]};
  normalize_legacy_forms(g);
  std::string once = print_graph(g);
  normalize_legacy_forms(g);
  EXPECT_EQ(print_graph(g), once);  // idempotent

  auto constant = [&](const Node& n, size_t i) -> std::vector<double> {
    if (i >= n.inputs.size() || n.inputs[i] == kNoValue) return {};
    const auto& c = g.value(n.inputs[i]).constant;
    return c ? c->to_vector<double>() : std::vector<double>{};
  };
  const Node& slice = g.nodes[0];
  EXPECT_TRUE(slice.attrs.empty());
  EXPECT_EQ(constant(slice, 1), (std::vector<double>{1}));
  EXPECT_EQ(constant(slice, 2), (std::vector<double>{3}));
  EXPECT_EQ(slice.inputs.size(), 3u);  // no axes: all axes, as before
  const Node& pad = g.nodes[1];
  EXPECT_EQ(constant(pad, 1), (std::vector<double>{0, 1, 0, 1}));
  EXPECT_EQ(constant(pad, 2), (std::vector<double>{2.5}));
  EXPECT_EQ(pad.attrs.size(), 1u);  // mode stays an attribute
  const Node& clip = g.nodes[2];
  ASSERT_EQ(clip.inputs.size(), 3u);
  EXPECT_EQ(clip.inputs[1], kNoValue);  // min absent
  EXPECT_EQ(constant(clip, 2), (std::vector<double>{6}));
  EXPECT_EQ(constant(g.nodes[3], 1), (std::vector<double>{0.5}));
  EXPECT_TRUE(g.nodes[3].attrs.empty());
  EXPECT_TRUE(g.nodes[4].attrs.empty());
  EXPECT_EQ(constant(g.nodes[5], 1), (std::vector<double>{0}));
  EXPECT_NO_THROW(g.validate());
}

TEST(LegacyForms, BatchNormSpatialZeroIsUnsupported) {
  Graph g;
  g.opset = 8;
  Node n;
  n.name = "bn";
  n.op_type = "BatchNormalization";
  n.attrs["spatial"] = {int64_t{0}};
  g.nodes.push_back(n);
  try {
    normalize_legacy_forms(g);
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    EXPECT_EQ(std::string(e.what()),
              "node 'bn' (BatchNormalization): spatial=0 (per-activation statistics) is not "
              "supported");
  }
}

}  // namespace
}  // namespace hone
