// A small ONNX graph builder for the zoo: appends torchvision-style layers to a GraphProto,
// naming nodes by module path and initializers by state_dict key, filling weights with
// deterministic pseudo-random values, tracking shapes, and writing each node in the form
// valid for the target opset.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "onnx/onnx_pb.h"

namespace hone::zoo {

// A tensor in the graph being built: its value name and its static shape (NCHW or NC).
struct Val {
  std::string name;
  std::vector<int64_t> shape;
};

using Pair = std::array<int64_t, 2>;  // (height, width)

struct ConvSpec {
  int64_t out_channels = 0;
  Pair kernel{1, 1};
  Pair stride{1, 1};
  Pair pad{0, 0};  // symmetric: the same padding at both ends of each axis
  int64_t group = 1;
  bool bias = true;
};

struct PoolSpec {
  Pair kernel{1, 1};
  Pair stride{1, 1};
  Pair pad{0, 0};
  bool ceil_mode = false;
  bool count_include_pad = false;  // AveragePool only
};

// Weight statistics, chosen so activations stay O(1) through any depth when the network
// runs in eval mode with these BatchNorm statistics (see weight_init in onnx_builder.cc).
struct BnInit {
  float epsilon = 1e-5f;
  // Scales gamma. Residual branches use a small value so that the sum over many blocks does
  // not grow the activations exponentially (torchvision's zero_init_residual, softened).
  float gamma_scale = 1.0f;
};

// For the last BN of a residual branch: resnet101 sums 33 branches into its trunk, and with
// gamma ~1 each would multiply the trunk's variance by about 3 (measured against torchvision
// with these weights: conv outputs reach rms 15 in resnet101 with 0.3, 3.4 with 0.15).
inline constexpr BnInit kResidualBranchBn{.gamma_scale = 0.15f};

class OnnxBuilder {
 public:
  // Appends to `graph`. `opset` is the default-domain opset the nodes must be valid for.
  OnnxBuilder(onnx::GraphProto* graph, int opset, uint64_t seed);

  // Declares a float32 graph input.
  Val input(const std::string& name, const std::vector<int64_t>& shape);
  // Marks `v` as a float32 graph output called `name`, renaming the value (it must be the
  // output of a node added by this builder and not yet consumed).
  void output(const Val& v, const std::string& name);

  // Layers. `name` is the torchvision module path ("layer1.0.conv1"); it names the node and
  // prefixes the initializers ("layer1.0.conv1.weight"). Node names are made unique with a
  // "_1", "_2", ... suffix when a module is applied more than once (a shared ReLU).
  Val conv(const std::string& name, const Val& x, const ConvSpec& spec);
  Val batch_norm(const std::string& name, const Val& x, const BnInit& init = {});
  Val relu(const std::string& name, const Val& x);
  Val relu6(const std::string& name, const Val& x);  // Clip(0, 6), torch's ReLU6 export
  Val max_pool(const std::string& name, const Val& x, const PoolSpec& spec);
  Val avg_pool(const std::string& name, const Val& x, const PoolSpec& spec);
  // torch's adaptive_avg_pool2d export: GlobalAveragePool for 1x1, else an AveragePool whose
  // kernel and stride divide the input exactly.
  Val adaptive_avg_pool(const std::string& name, const Val& x, Pair out_hw);
  Val flatten(const std::string& name, const Val& x);  // axis 1
  // nn.Linear as Gemm(transB=1). `relu_follows` picks the He gain for the weights.
  Val linear(const std::string& name, const Val& x, int64_t out_features, bool relu_follows);
  Val add(const std::string& name, const Val& a, const Val& b);
  Val concat(const std::string& name, const std::vector<Val>& xs);  // along channels

  // Number of trainable parameters added so far (weights, biases, BN gamma/beta).
  int64_t trainable_parameters() const { return trainable_; }

 private:
  onnx::NodeProto* add_node(const std::string& op_type, const std::string& name,
                            const std::vector<std::string>& inputs, Val* out,
                            std::vector<int64_t> out_shape);
  // Adds a float initializer `key` with values uniform in [center - half, center + half).
  void add_initializer(const std::string& key, const std::vector<int64_t>& dims, double center,
                       double half_width, bool trainable);
  std::string unique_node_name(const std::string& base);
  Pair pool_output(const Val& x, const PoolSpec& spec, const std::string& name) const;
  Val pool(const std::string& op_type, const std::string& name, const Val& x, const PoolSpec& spec);
  const std::string& clip_bound(bool upper);

  onnx::GraphProto* graph_;
  int opset_;
  uint64_t seed_;
  int64_t trainable_ = 0;
  std::unordered_set<std::string> node_names_;
  std::unordered_set<std::string> initializer_names_;
  std::string clip_min_, clip_max_;  // shared Constant outputs for Clip-11+ bounds
};

// splitmix64: a tiny PRNG with the same output on every platform and standard library.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t next();
  // Uniform in [0, 1), 53 random bits.
  double uniform();

 private:
  uint64_t state_;
};

// FNV-1a hash of a string, used to give every initializer its own PRNG stream so a tensor's
// values depend only on (seed, name), not on the order layers were added.
uint64_t fnv1a64(const std::string& s);

}  // namespace hone::zoo
