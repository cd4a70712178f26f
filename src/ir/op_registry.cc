#include "ir/op_registry.h"

#include <algorithm>

#include "ir/ops/families.h"

namespace hone {

OpContext::OpContext(const Node& node, std::vector<ValueType> input_types,
                     std::vector<const Tensor*> input_values, int opset,
                     const KernelOptions& kernel_options)
    : node_(node),
      input_types_(std::move(input_types)),
      input_values_(std::move(input_values)),
      opset_(opset),
      kernel_options_(kernel_options) {}

std::string OpContext::where() const {
  return "node '" + node_.name + "' (" + node_.op_type + ")";
}

void OpContext::fail(const std::string& message) const {
  throw Error(where() + ": " + message);
}

bool OpContext::has_input(size_t i) const {
  return i < input_types_.size() && input_types_[i].dtype != DType::kUndefined;
}

const ValueType& OpContext::input_type(size_t i) const {
  if (!has_input(i)) fail("input " + std::to_string(i) + " is required but missing");
  return input_types_[i];
}

const Tensor* OpContext::input_value(size_t i) const {
  return i < input_values_.size() ? input_values_[i] : nullptr;
}

const Tensor& OpContext::constant_input(size_t i, std::string_view what) const {
  input_type(i);
  if (const Tensor* t = input_value(i)) return *t;
  throw NeedsConstantError(where() + ": input " + std::to_string(i) + " (" + std::string(what) +
                           ") must be a constant known at compile time; hone plans static "
                           "shapes");
}

namespace {
const Attribute* lookup(const Node& node, std::string_view name) {
  auto it = node.attrs.find(name);
  return it == node.attrs.end() ? nullptr : &it->second;
}
}  // namespace

bool OpContext::has_attr(std::string_view name) const {
  return lookup(node_, name) != nullptr;
}

template <class T>
static const T* get_attr(const OpContext& ctx, std::string_view name, const char* kind) {
  const Attribute* a = lookup(ctx.node(), name);
  if (!a) return nullptr;
  const T* v = std::get_if<T>(&a->value);
  if (!v) ctx.fail("attribute '" + std::string(name) + "' must be " + kind);
  return v;
}

int64_t OpContext::attr_int(std::string_view name, int64_t fallback) const {
  const int64_t* v = get_attr<int64_t>(*this, name, "an int");
  return v ? *v : fallback;
}
int64_t OpContext::attr_int(std::string_view name) const {
  const int64_t* v = get_attr<int64_t>(*this, name, "an int");
  if (!v) fail("required attribute '" + std::string(name) + "' is missing");
  return *v;
}
float OpContext::attr_float(std::string_view name, float fallback) const {
  const Attribute* a = lookup(node_, name);
  if (a)
    if (const int64_t* i = std::get_if<int64_t>(&a->value)) return static_cast<float>(*i);
  const float* v = get_attr<float>(*this, name, "a float");
  return v ? *v : fallback;
}
std::string OpContext::attr_string(std::string_view name, std::string fallback) const {
  const std::string* v = get_attr<std::string>(*this, name, "a string");
  return v ? *v : fallback;
}
std::vector<int64_t> OpContext::attr_ints(std::string_view name,
                                          std::vector<int64_t> fallback) const {
  const Attribute* a = lookup(node_, name);
  if (a)
    if (const int64_t* i = std::get_if<int64_t>(&a->value)) return {*i};
  const auto* v = get_attr<std::vector<int64_t>>(*this, name, "a list of ints");
  return v ? *v : fallback;
}
std::vector<int64_t> OpContext::attr_ints(std::string_view name) const {
  if (!has_attr(name)) fail("required attribute '" + std::string(name) + "' is missing");
  return attr_ints(name, {});
}
std::vector<float> OpContext::attr_floats(std::string_view name,
                                          std::vector<float> fallback) const {
  const Attribute* a = lookup(node_, name);
  if (a)
    if (const float* f = std::get_if<float>(&a->value)) return {*f};
  const auto* v = get_attr<std::vector<float>>(*this, name, "a list of floats");
  return v ? *v : fallback;
}
std::vector<std::string> OpContext::attr_strings(std::string_view name,
                                                 std::vector<std::string> fallback) const {
  const auto* v = get_attr<std::vector<std::string>>(*this, name, "a list of strings");
  return v ? *v : fallback;
}
const Tensor* OpContext::attr_tensor(std::string_view name) const {
  return get_attr<Tensor>(*this, name, "a tensor");
}

void OpContext::expect_inputs(size_t min, size_t max) const {
  size_t n = input_types_.size();
  while (n > 0 && input_types_[n - 1].dtype == DType::kUndefined) --n;
  if (n < min || n > max) {
    std::string range =
        min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max);
    fail("expects " + range + " inputs, got " + std::to_string(n));
  }
  for (size_t i = 0; i < min; ++i) input_type(i);
}

void OpContext::expect_dtype(size_t i, std::initializer_list<DType> allowed) const {
  DType t = input_dtype(i);
  for (DType a : allowed)
    if (a == t) return;
  std::string names;
  for (DType a : allowed) names += (names.empty() ? "" : ", ") + std::string(dtype_name(a));
  throw UnsupportedError(where() + ": input " + std::to_string(i) + " has element type " +
                         std::string(dtype_name(t)) + "; supported: " + names);
}

void OpRegistry::add(OpDef def) {
  if (find(def.op_type, def.domain))
    throw Error("op " + std::string(def.op_type) + " registered twice");
  defs_.push_back(def);
}

const OpDef* OpRegistry::find(std::string_view op_type, std::string_view domain) const {
  if (domain == "ai.onnx") domain = "";
  for (const OpDef& d : defs_)
    if (d.op_type == op_type && d.domain == domain) return &d;
  return nullptr;
}

std::vector<std::string_view> OpRegistry::op_types() const {
  std::vector<std::string_view> out;
  for (const OpDef& d : defs_)
    if (d.domain.empty()) out.push_back(d.op_type);
  std::sort(out.begin(), out.end());
  return out;
}

const OpRegistry& op_registry() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    register_conv_ops(r);
    register_pool_ops(r);
    register_normalization_ops(r);
    register_gemm_ops(r);
    register_einsum_ops(r);
    register_elementwise_ops(r);
    register_activation_ops(r);
    register_reduce_ops(r);
    register_shape_ops(r);
    register_resize_ops(r);
    register_internal_attention_ops(r);
    register_internal_conv_ops(r);
    register_internal_layout_ops(r);
    register_internal_elementwise_ops(r);
    register_internal_gemm_ops(r);
    register_internal_matmul_ops(r);
    register_internal_pointwise_depthwise_ops(r);
    return r;
  }();
  return registry;
}

namespace {

PreparedOp prepare_with(const Graph& graph, const Node& node,
                        const std::vector<ValueType>* input_types,
                        const KernelOptions& kernel_options) {
  const OpDef* def = op_registry().find(node.op_type, node.domain);
  if (!def) {
    std::string dom = node.domain.empty() ? "" : " (domain " + node.domain + ")";
    throw UnsupportedError("node '" + node.name + "': unsupported op " + node.op_type + dom);
  }
  std::vector<ValueType> types;
  std::vector<const Tensor*> values;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const ValueId id = node.inputs[i];
    if (id == kNoValue) {
      types.push_back({});
      values.push_back(nullptr);
      continue;
    }
    const Value& v = graph.value(id);
    types.push_back(v.constant || !input_types ? v.type : input_types->at(i));
    values.push_back(v.constant ? &*v.constant : nullptr);
  }
  OpContext ctx(node, std::move(types), std::move(values), graph.opset, kernel_options);
  PreparedOp op = def->prepare(ctx);
  if (op.outputs.size() < node.outputs.size())
    ctx.fail("op produced " + std::to_string(op.outputs.size()) + " outputs, node declares " +
             std::to_string(node.outputs.size()));
  return op;
}

}  // namespace

PreparedOp prepare_node(const Graph& graph, const Node& node, const KernelOptions& kernel_options) {
  return prepare_with(graph, node, nullptr, kernel_options);
}

PreparedOp prepare_node(const Graph& graph, const Node& node,
                        const std::vector<ValueType>& input_types,
                        const KernelOptions& kernel_options) {
  return prepare_with(graph, node, &input_types, kernel_options);
}

}  // namespace hone
