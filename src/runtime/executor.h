// Executor: runs a Graph on the CPU with the registry's reference kernels. Every node is
// prepared (validated, typed) once at construction; run() only computes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "ir/graph.h"
#include "ir/op_registry.h"

namespace hone {

class Executor {
 public:
  // Prepares every node whose outputs are not all constants; throws hone::Error naming the
  // node when one is invalid.
  explicit Executor(Graph graph);
  // Steps point into slots_, so an executor is moved, never copied.
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;
  Executor(Executor&&) = default;
  Executor& operator=(Executor&&) = default;

  const Graph& graph() const { return graph_; }
  // Names and types of the graph inputs the caller must supply, in declaration order.
  std::vector<std::string> input_names() const;
  std::vector<std::string> output_names() const;
  ValueType input_type(size_t i) const;
  ValueType output_type(size_t i) const;

  // Runs the graph. `inputs` maps every graph input name to a tensor of its exact dtype and
  // shape (checked; a missing, extra or mismatched input throws hone::Error naming it).
  // Returns the graph outputs in declaration order.
  std::vector<Tensor> run(const std::map<std::string, Tensor>& inputs);

  int64_t total_flops() const;  // sum over the nodes that run

 private:
  struct Step {
    size_t node;  // index into graph_.nodes
    PreparedOp op;
    std::vector<Tensor> scratch;        // outputs the graph does not use
    std::vector<const Tensor*> inputs;  // into slots_ (nullptr for absent inputs)
    std::vector<Tensor*> outputs;       // into slots_ or scratch
  };
  Graph graph_;
  std::vector<Step> steps_;
  std::vector<Tensor> slots_;  // one per value, allocated at construction
};

}  // namespace hone
