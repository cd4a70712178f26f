#include "zoo/onnx_builder.h"

#include <bit>
#include <cmath>
#include <stdexcept>

namespace hone::zoo {

namespace {

// Weight statistics (uniform distributions, so only +, * and sqrt are involved and the bytes
// are the same on every platform):
// - conv / hidden linear weights: He (Kaiming) uniform, variance 2 / fan_in, which keeps the
//   second moment of ReLU activations constant from layer to layer;
// - the final linear layer: variance 1 / fan_in (no ReLU after it);
// - biases and BN beta / running_mean: small, centred on 0;
// - BN running_var in [1.0, 1.2) and gamma in [0.95, 1.15) * gamma_scale, so that
//   gamma / sqrt(running_var) averages about 1 and a deep chain of BNs neither shrinks nor
//   grows the activations.
constexpr double kBiasHalfWidth = 0.05;
constexpr double kGammaCenter = 1.05;
constexpr double kGammaHalfWidth = 0.1;
constexpr double kBetaHalfWidth = 0.05;
constexpr double kMeanHalfWidth = 0.05;
constexpr double kVarCenter = 1.1;
constexpr double kVarHalfWidth = 0.1;
constexpr float kBnMomentum = 0.9f;  // ONNX's momentum = 1 - torch's 0.1

void set_ints(onnx::NodeProto* node, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

void set_int(onnx::NodeProto* node, const std::string& name, int64_t v) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

void set_float(onnx::NodeProto* node, const std::string& name, float v) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

void set_value_info(onnx::ValueInfoProto* vi, const std::string& name,
                    const std::vector<int64_t>& shape) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  auto* sh = tt->mutable_shape();
  for (int64_t d : shape) sh->add_dim()->set_dim_value(d);
}

// Appends a float to raw_data in little-endian byte order (ONNX's raw_data layout),
// independently of the host's byte order.
void append_le(std::string& out, float value) {
  uint32_t bits = std::bit_cast<uint32_t>(value);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

[[noreturn]] void internal_error(const std::string& message) {
  // A zoo architecture asked for something inconsistent: a bug in hone, not bad user input.
  throw std::logic_error("zoo builder: " + message);
}

}  // namespace

uint64_t SplitMix64::next() {
  state_ += 0x9E3779B97F4A7C15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double SplitMix64::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

uint64_t fnv1a64(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

OnnxBuilder::OnnxBuilder(onnx::GraphProto* graph, int opset, uint64_t seed)
    : graph_(graph), opset_(opset), seed_(seed) {}

Val OnnxBuilder::input(const std::string& name, const std::vector<int64_t>& shape) {
  set_value_info(graph_->add_input(), name, shape);
  return {name, shape};
}

void OnnxBuilder::output(const Val& v, const std::string& name) {
  for (auto& node : *graph_->mutable_node()) {
    for (const auto& in : node.input())
      if (in == v.name) internal_error("output '" + v.name + "' is consumed by a node");
  }
  bool found = false;
  for (auto& node : *graph_->mutable_node()) {
    for (auto& out : *node.mutable_output()) {
      if (out == v.name) {
        out = name;
        found = true;
      }
    }
  }
  if (!found) internal_error("no node produces '" + v.name + "'");
  set_value_info(graph_->add_output(), name, v.shape);
}

std::string OnnxBuilder::unique_node_name(const std::string& base) {
  std::string name = base;
  for (int i = 1; node_names_.count(name); ++i) name = base + "_" + std::to_string(i);
  node_names_.insert(name);
  return name;
}

onnx::NodeProto* OnnxBuilder::add_node(const std::string& op_type, const std::string& name,
                                       const std::vector<std::string>& inputs, Val* out,
                                       std::vector<int64_t> out_shape) {
  auto* node = graph_->add_node();
  node->set_op_type(op_type);
  node->set_name(unique_node_name(name));
  for (const auto& in : inputs) node->add_input(in);
  // The node's output value takes the (unique) node name: readable in dumps and errors.
  node->add_output(node->name());
  if (out != nullptr) *out = Val{node->name(), std::move(out_shape)};
  return node;
}

void OnnxBuilder::add_initializer(const std::string& key, const std::vector<int64_t>& dims,
                                  double center, double half_width, bool trainable) {
  if (!initializer_names_.insert(key).second) internal_error("duplicate initializer " + key);
  auto* t = graph_->add_initializer();
  t->set_name(key);
  t->set_data_type(onnx::TensorProto::FLOAT);
  int64_t n = 1;
  for (int64_t d : dims) {
    t->add_dims(d);
    n *= d;
  }
  SplitMix64 rng(fnv1a64(key) ^ (seed_ * 0xD1B54A32D192ED03ULL));
  std::string* raw = t->mutable_raw_data();
  raw->reserve(static_cast<size_t>(n) * 4);
  for (int64_t i = 0; i < n; ++i) {
    double u = rng.uniform() * 2.0 - 1.0;  // [-1, 1)
    append_le(*raw, static_cast<float>(center + half_width * u));
  }
  if (trainable) trainable_ += n;
}

Val OnnxBuilder::conv(const std::string& name, const Val& x, const ConvSpec& s) {
  if (x.shape.size() != 4) internal_error(name + ": conv input must be NCHW");
  int64_t in_c = x.shape[1];
  if (in_c % s.group != 0 || s.out_channels % s.group != 0)
    internal_error(name + ": channels not divisible by group");
  int64_t fan_in = in_c / s.group * s.kernel[0] * s.kernel[1];
  std::vector<std::string> inputs = {x.name, name + ".weight"};
  add_initializer(name + ".weight", {s.out_channels, in_c / s.group, s.kernel[0], s.kernel[1]}, 0.0,
                  std::sqrt(6.0 / static_cast<double>(fan_in)), true);
  if (s.bias) {
    inputs.push_back(name + ".bias");
    add_initializer(name + ".bias", {s.out_channels}, 0.0, kBiasHalfWidth, true);
  }
  std::vector<int64_t> out_shape = {x.shape[0], s.out_channels, 0, 0};
  for (int i = 0; i < 2; ++i) {
    int64_t span = x.shape[2 + i] + 2 * s.pad[i] - s.kernel[i];
    if (span < 0) internal_error(name + ": kernel larger than padded input");
    out_shape[2 + i] = span / s.stride[i] + 1;
  }
  Val out;
  auto* node = add_node("Conv", name, inputs, &out, out_shape);
  set_ints(node, "dilations", {1, 1});
  set_int(node, "group", s.group);
  set_ints(node, "kernel_shape", {s.kernel[0], s.kernel[1]});
  set_ints(node, "pads", {s.pad[0], s.pad[1], s.pad[0], s.pad[1]});
  set_ints(node, "strides", {s.stride[0], s.stride[1]});
  return out;
}

Val OnnxBuilder::batch_norm(const std::string& name, const Val& x, const BnInit& init) {
  int64_t c = x.shape.at(1);
  add_initializer(name + ".weight", {c}, kGammaCenter * init.gamma_scale,
                  kGammaHalfWidth * init.gamma_scale, true);
  add_initializer(name + ".bias", {c}, 0.0, kBetaHalfWidth, true);
  add_initializer(name + ".running_mean", {c}, 0.0, kMeanHalfWidth, false);
  add_initializer(name + ".running_var", {c}, kVarCenter, kVarHalfWidth, false);
  Val out;
  // Inference form (one output) in every opset: BatchNormalization-7 (spatial defaults to 1),
  // -9 and -14/15 (training_mode defaults to 0) all accept these two attributes.
  auto* node = add_node(
      "BatchNormalization", name,
      {x.name, name + ".weight", name + ".bias", name + ".running_mean", name + ".running_var"},
      &out, x.shape);
  set_float(node, "epsilon", init.epsilon);
  set_float(node, "momentum", kBnMomentum);
  return out;
}

Val OnnxBuilder::relu(const std::string& name, const Val& x) {
  Val out;
  add_node("Relu", name, {x.name}, &out, x.shape);
  return out;
}

const std::string& OnnxBuilder::clip_bound(bool upper) {
  std::string& slot = upper ? clip_max_ : clip_min_;
  if (slot.empty()) {
    // One pair of scalar Constant nodes shared by every Clip; Constant's `value` attribute
    // exists in every opset we write.
    auto* node = add_node("Constant", upper ? "relu6_max" : "relu6_min", {}, nullptr, {});
    auto* a = node->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    auto* t = a->mutable_t();
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_float_data(upper ? 6.0f : 0.0f);
    slot = node->output(0);
  }
  return slot;
}

Val OnnxBuilder::relu6(const std::string& name, const Val& x) {
  Val out;
  if (opset_ < 11) {
    auto* node = add_node("Clip", name, {x.name}, &out, x.shape);
    set_float(node, "max", 6.0f);
    set_float(node, "min", 0.0f);
  } else {
    std::string lo = clip_bound(false);
    std::string hi = clip_bound(true);
    add_node("Clip", name, {x.name, lo, hi}, &out, x.shape);
  }
  return out;
}

// Output size with torch's rule: with ceil_mode the last window must still start inside the
// input or its left padding.
Pair OnnxBuilder::pool_output(const Val& x, const PoolSpec& s, const std::string& name) const {
  Pair out{};
  for (int i = 0; i < 2; ++i) {
    int64_t in = x.shape.at(2 + i);
    int64_t span = in + 2 * s.pad[i] - s.kernel[i];
    if (span < 0) internal_error(name + ": pool kernel larger than padded input");
    int64_t o = (s.ceil_mode ? (span + s.stride[i] - 1) / s.stride[i] : span / s.stride[i]) + 1;
    if (s.ceil_mode && (o - 1) * s.stride[i] >= in + s.pad[i]) {
      // ONNX's ceil_mode has no such adjustment; none of the zoo's models needs it.
      internal_error(name + ": ceil_mode output differs between torch and ONNX");
    }
    out[i] = o;
  }
  return out;
}

Val OnnxBuilder::pool(const std::string& op_type, const std::string& name, const Val& x,
                      const PoolSpec& s) {
  Pair out_hw = pool_output(x, s, name);
  std::vector<int64_t> pads = {s.pad[0], s.pad[1], s.pad[0], s.pad[1]};
  bool ceil_attr = s.ceil_mode;
  if (s.ceil_mode && opset_ < 10) {
    // ceil_mode appeared in opset 10. Before it, pad the end of each axis so that floor
    // division gives the ceil result; for MaxPool, padding never wins the max, so the
    // values are identical. AveragePool would change its divisor: not expressible.
    if (op_type != "MaxPool") internal_error(name + ": ceil_mode AveragePool below opset 10");
    for (int i = 0; i < 2; ++i) {
      int64_t extra = (out_hw[i] - 1) * s.stride[i] + s.kernel[i] - (x.shape[2 + i] + 2 * s.pad[i]);
      pads[2 + i] += extra;
    }
    ceil_attr = false;
  }
  Val out;
  auto* node =
      add_node(op_type, name, {x.name}, &out, {x.shape[0], x.shape[1], out_hw[0], out_hw[1]});
  if (opset_ >= 10) set_int(node, "ceil_mode", ceil_attr ? 1 : 0);
  if (op_type == "AveragePool") set_int(node, "count_include_pad", s.count_include_pad ? 1 : 0);
  set_ints(node, "kernel_shape", {s.kernel[0], s.kernel[1]});
  set_ints(node, "pads", pads);
  set_ints(node, "strides", {s.stride[0], s.stride[1]});
  return out;
}

Val OnnxBuilder::max_pool(const std::string& name, const Val& x, const PoolSpec& spec) {
  return pool("MaxPool", name, x, spec);
}

Val OnnxBuilder::avg_pool(const std::string& name, const Val& x, const PoolSpec& spec) {
  return pool("AveragePool", name, x, spec);
}

Val OnnxBuilder::adaptive_avg_pool(const std::string& name, const Val& x, Pair out_hw) {
  if (out_hw[0] == 1 && out_hw[1] == 1) {
    Val out;
    add_node("GlobalAveragePool", name, {x.name}, &out, {x.shape[0], x.shape[1], 1, 1});
    return out;
  }
  PoolSpec s;
  for (int i = 0; i < 2; ++i) {
    if (x.shape[2 + i] % out_hw[i] != 0) internal_error(name + ": adaptive pool not uniform");
    s.kernel[i] = s.stride[i] = x.shape[2 + i] / out_hw[i];
  }
  return pool("AveragePool", name, x, s);
}

Val OnnxBuilder::flatten(const std::string& name, const Val& x) {
  int64_t inner = 1;
  for (size_t i = 1; i < x.shape.size(); ++i) inner *= x.shape[i];
  Val out;
  auto* node = add_node("Flatten", name, {x.name}, &out, {x.shape[0], inner});
  set_int(node, "axis", 1);
  return out;
}

Val OnnxBuilder::linear(const std::string& name, const Val& x, int64_t out_features,
                        bool relu_follows) {
  if (x.shape.size() != 2) internal_error(name + ": linear input must be 2-D");
  int64_t in_features = x.shape[1];
  double gain = relu_follows ? 6.0 : 3.0;
  add_initializer(name + ".weight", {out_features, in_features}, 0.0,
                  std::sqrt(gain / static_cast<double>(in_features)), true);
  add_initializer(name + ".bias", {out_features}, 0.0, kBiasHalfWidth, true);
  Val out;
  auto* node = add_node("Gemm", name, {x.name, name + ".weight", name + ".bias"}, &out,
                        {x.shape[0], out_features});
  set_float(node, "alpha", 1.0f);
  set_float(node, "beta", 1.0f);
  set_int(node, "transB", 1);
  return out;
}

Val OnnxBuilder::add(const std::string& name, const Val& a, const Val& b) {
  if (a.shape != b.shape) internal_error(name + ": Add operands differ in shape");
  Val out;
  add_node("Add", name, {a.name, b.name}, &out, a.shape);
  return out;
}

Val OnnxBuilder::concat(const std::string& name, const std::vector<Val>& xs) {
  if (xs.empty()) internal_error(name + ": empty concat");
  std::vector<int64_t> shape = xs[0].shape;
  shape[1] = 0;
  std::vector<std::string> inputs;
  for (const auto& x : xs) {
    if (x.shape.size() != shape.size() || x.shape[0] != shape[0] || x.shape[2] != shape[2] ||
        x.shape[3] != shape[3])
      internal_error(name + ": concat inputs differ in shape");
    shape[1] += x.shape[1];
    inputs.push_back(x.name);
  }
  Val out;
  auto* node = add_node("Concat", name, inputs, &out, shape);
  set_int(node, "axis", 1);
  return out;
}

}  // namespace hone::zoo
