// The operator registry: one entry per ONNX op type. An entry's prepare function validates
// a node's attributes and input types once, infers its output types, counts its FLOPs and
// returns the reference kernel bound to the parsed attributes. The importer (shape
// inference, constant folding), `hone info` and the executor all go through it.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/cpu_features.h"
#include "core/tensor.h"
#include "core/thread_pool.h"
#include "ir/graph.h"

namespace hone {

// How kernels are chosen and run: passed explicitly to prepare (no global state).
struct KernelOptions {
  // False: every op binds its reference kernel (opt-level 0, and the oracle in tests).
  bool optimized = false;
  // Which instruction-set variant optimized kernels use; tests force each one the CPU has.
  Isa isa = Isa::kPortable;
  // Shared by the kernels of one executor; nullptr runs single-threaded. Not owned.
  ThreadPool* pool = nullptr;
};

// What a prepare function sees of one node.
class OpContext {
 public:
  OpContext(const Node& node, std::vector<ValueType> input_types,
            std::vector<const Tensor*> input_values, int opset,
            const KernelOptions& kernel_options = KernelOptions{});

  const Node& node() const { return node_; }
  const KernelOptions& kernel_options() const { return kernel_options_; }
  int opset() const { return opset_; }
  size_t num_inputs() const { return input_types_.size(); }
  size_t num_outputs() const { return node_.outputs.size(); }
  // False when input i is absent (beyond the list or given as the empty name).
  bool has_input(size_t i) const;
  // Throws (naming the node) when input i is absent.
  const ValueType& input_type(size_t i) const;
  const Shape& input_shape(size_t i) const { return input_type(i).shape; }
  DType input_dtype(size_t i) const { return input_type(i).dtype; }
  // The value of input i when it is known at compile time, else nullptr.
  const Tensor* input_value(size_t i) const;
  // The value of input i; throws NeedsConstantError naming the node and `what` otherwise.
  const Tensor& constant_input(size_t i, std::string_view what) const;

  bool has_attr(std::string_view name) const;
  int64_t attr_int(std::string_view name, int64_t fallback) const;
  float attr_float(std::string_view name, float fallback) const;
  std::string attr_string(std::string_view name, std::string fallback) const;
  std::vector<int64_t> attr_ints(std::string_view name, std::vector<int64_t> fallback) const;
  std::vector<float> attr_floats(std::string_view name, std::vector<float> fallback) const;
  std::vector<std::string> attr_strings(std::string_view name,
                                        std::vector<std::string> fallback) const;
  const Tensor* attr_tensor(std::string_view name) const;  // nullptr when absent
  // Required forms: throw naming the node when absent.
  int64_t attr_int(std::string_view name) const;
  std::vector<int64_t> attr_ints(std::string_view name) const;

  // Checks the input count lies in [min, max] and throws naming the node otherwise.
  void expect_inputs(size_t min, size_t max) const;
  // Throws unless input i has one of the listed dtypes.
  void expect_dtype(size_t i, std::initializer_list<DType> allowed) const;
  // Throws hone::Error "node 'NAME' (OP): message".
  [[noreturn]] void fail(const std::string& message) const;
  // "node 'NAME' (OP)", for messages built elsewhere.
  std::string where() const;

 private:
  const Node& node_;
  std::vector<ValueType> input_types_;  // dtype kUndefined for absent inputs
  std::vector<const Tensor*> input_values_;
  int opset_;
  KernelOptions kernel_options_;
};

using TensorsIn = std::span<const Tensor* const>;  // absent optional inputs are nullptr
using TensorsOut = std::span<Tensor* const>;       // preallocated with the inferred types

struct PreparedOp {
  std::vector<ValueType> outputs;  // one per node output
  int64_t flops = 0;               // multiply-add counted as 2
  // Computes the outputs. Must not throw for inputs of the prepared types.
  std::function<void(TensorsIn inputs, TensorsOut outputs)> run;
  // False for ops whose result is not a function of the inputs (RandomNormal, ...).
  bool foldable = true;
  // True when `run` relies on outputs being zero-filled on entry (the reference kernels do);
  // optimized kernels write every output element and set it false so the executor skips
  // the memset.
  bool needs_zeroed_outputs = true;
  // Index of an input whose buffer output 0 may share (an elementwise op, a conv's residual
  // Sum): the kernel reads each element before writing it. -1 when not allowed. The planner
  // decides whether it is legal (the input dies here and has the same byte size).
  int inplace_input = -1;
  // Bytes the kernel keeps for its own use: weights packed at prepare, scratch buffers.
  int64_t packed_bytes = 0;
  // Indices of constant inputs the kernel copied (packed) at prepare and never reads when it
  // runs, so the executor may free them once no other reader needs them (the weights would
  // otherwise be held twice). Empty, the safe default, keeps every input.
  std::vector<int> packed_inputs;
  // Short description of the kernel chosen ("conv_nchwc avx512 ow14 oc2"), for
  // per-layer profiles and `--print-ir-after`.
  std::string kernel_name;
};

using PrepareFn = PreparedOp (*)(const OpContext&);

struct OpDef {
  std::string_view op_type;
  PrepareFn prepare;
  // "" for the default ONNX domain; "hone" for the internal ops passes create
  // (docs/decisions/004-internal-ops.md).
  std::string_view domain = "";
};

class OpRegistry {
 public:
  void add(OpDef def);
  // nullptr for unknown ops. "" and "ai.onnx" are the default domain.
  const OpDef* find(std::string_view op_type, std::string_view domain = "") const;
  std::vector<std::string_view> op_types() const;  // sorted, default domain only

 private:
  std::vector<OpDef> defs_;
};

// The registry of every op hone implements (built once, immutable afterwards).
const OpRegistry& op_registry();

// Prepares a node of `graph` from the types and constant values of its inputs.
// Throws UnsupportedError for unknown ops.
PreparedOp prepare_node(const Graph& graph, const Node& node,
                        const KernelOptions& kernel_options = KernelOptions{});
// The same with the non-constant inputs' types replaced by `input_types` (one per node input;
// for a node run on one image of a batch).
PreparedOp prepare_node(const Graph& graph, const Node& node,
                        const std::vector<ValueType>& input_types,
                        const KernelOptions& kernel_options);

}  // namespace hone
