// Test helper for op families: prepares one op through the OpRegistry (no Graph needed) and
// runs its reference kernel, so registry entry and kernel are tested together.
//
//   std::vector<Tensor> y = run_op({.op_type = "Relu", .inputs = {x}});
//   EXPECT_THROW(prepare_op({.op_type = "Conv", .inputs = {x, w},
//                            .attrs = attrs({{"auto_pad", "BAD"}})}), Error);
#pragma once

#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/tensor.h"
#include "ir/attribute.h"
#include "ir/graph.h"
#include "ir/op_registry.h"

namespace hone::test {

// One op invocation. An empty Tensor() in `inputs` is an absent optional input.
struct OpCall {
  std::string op_type = {};
  std::vector<Tensor> inputs = {};
  Attributes attrs = {};
  size_t num_outputs = 1;  // outputs the node declares
  int opset = 17;
  // When true, prepare sees every input's value (ctx.input_value); when false, none (to test
  // NeedsConstantError). `constant_inputs` lists indices that are constant in either case.
  bool all_inputs_constant = true;
  std::vector<size_t> constant_inputs = {};
  // Internal ops (docs/decisions/004-internal-ops.md) live in domain "hone".
  std::string domain = {};
  // Optimized kernels, ISA variant and thread pool prepare binds (default: reference).
  KernelOptions kernel_options = {};
};

// Builds attributes: attrs({{"alpha", 0.5f}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}}).
inline Attributes attrs(std::initializer_list<std::pair<std::string, AttributeValue>> list) {
  Attributes out;
  for (const auto& [name, value] : list) out[name] = Attribute{value};
  return out;
}

// The node name every helper-built node gets (so tests can check error messages name it).
inline constexpr const char* kTestNodeName = "test_node";

namespace detail {

inline Node make_node(const OpCall& call) {
  Node node;
  node.name = kTestNodeName;
  node.op_type = call.op_type;
  node.domain = call.domain;
  node.attrs = call.attrs;
  for (size_t i = 0; i < call.inputs.size(); ++i)
    node.inputs.push_back(call.inputs[i].empty() ? kNoValue : static_cast<ValueId>(i));
  for (size_t i = 0; i < call.num_outputs; ++i)
    node.outputs.push_back(static_cast<ValueId>(call.inputs.size() + i));
  return node;
}

inline PreparedOp prepare(const OpCall& call, const Node& node) {
  const OpDef* def = op_registry().find(call.op_type, call.domain);
  if (!def) throw UnsupportedError("op_test_util: op " + call.op_type + " is not registered");
  std::vector<ValueType> types;
  std::vector<const Tensor*> values;
  for (size_t i = 0; i < call.inputs.size(); ++i) {
    const Tensor& t = call.inputs[i];
    if (t.empty()) {
      types.push_back({});
      values.push_back(nullptr);
      continue;
    }
    types.push_back({t.dtype(), t.shape()});
    bool constant = call.all_inputs_constant;
    for (size_t c : call.constant_inputs) constant = constant || c == i;
    values.push_back(constant ? &t : nullptr);
  }
  OpContext ctx(node, std::move(types), std::move(values), call.opset, call.kernel_options);
  PreparedOp op = def->prepare(ctx);
  if (op.outputs.size() < node.outputs.size())
    throw Error("op_test_util: " + call.op_type + " prepared " + std::to_string(op.outputs.size()) +
                " outputs, node declares " + std::to_string(node.outputs.size()));
  return op;
}

}  // namespace detail

// Prepares the op (validation + type inference) without running it; throws what prepare throws.
inline PreparedOp prepare_op(const OpCall& call) {
  Node node = detail::make_node(call);
  return detail::prepare(call, node);
}

// Output types the op infers.
inline std::vector<ValueType> infer_types(const OpCall& call) {
  return prepare_op(call).outputs;
}

// A tensor of `shape` holding `values`: tensor<float>({2}, {1.f, 2.f}).
template <class T>
Tensor tensor(Shape shape, std::vector<T> values) {
  return Tensor::from_vector<T>(std::move(shape), values);
}

// The elements of `t` as a vector of its own element type.
template <class T>
std::vector<T> values_of(const Tensor& t) {
  const T* p = t.data<T>();
  return std::vector<T>(p, p + t.numel());
}

// Prepares and runs the op; returns the `num_outputs` outputs (allocated zeroed with the
// prepared types, as the executor does).
inline std::vector<Tensor> run_op(const OpCall& call) {
  Node node = detail::make_node(call);
  PreparedOp op = detail::prepare(call, node);
  std::vector<Tensor> outputs;
  for (size_t i = 0; i < call.num_outputs; ++i)
    outputs.emplace_back(op.outputs[i].dtype, op.outputs[i].shape);
  std::vector<const Tensor*> in;
  for (const Tensor& t : call.inputs) in.push_back(t.empty() ? nullptr : &t);
  std::vector<Tensor*> out;
  for (Tensor& t : outputs) out.push_back(&t);
  op.run(TensorsIn(in), TensorsOut(out));
  return outputs;
}

// A float32 tensor of the given shape with values uniform in [lo, hi), reproducible per seed.
inline Tensor random_tensor(Shape shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(DType::kFloat32, std::move(shape));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = dist(gen);
  return t;
}

// Largest |a - b| over all elements (both converted to double); infinity when the shapes
// differ or only one side is NaN, so a mismatch always fails a tolerance check.
inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return INFINITY;
  std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) && std::isnan(y[i])) continue;
    double d = std::fabs(x[i] - y[i]);
    if (std::isnan(d)) return INFINITY;
    if (d > worst) worst = d;
  }
  return worst;
}

}  // namespace hone::test
