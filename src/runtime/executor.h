// Executor: runs a Graph on the CPU. Every node is prepared (validated, typed, weights
// packed) once at construction and every activation gets its place in one planned arena, so
// run() only computes: after the first run it allocates nothing (run_views).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "core/thread_pool.h"
#include "ir/graph.h"
#include "ir/op_registry.h"

namespace hone {

struct ExecutorOptions {
  // Which kernels the nodes bind; `pool` is ignored (the executor sets its own).
  KernelOptions kernel;
  // Threads of the executor's pool (counting the calling thread).
  int threads = 1;
  // Share activation memory by liveness, in place where legal; false gives every value its
  // own memory (for comparisons and debugging).
  bool plan_memory = true;
  // Free each constant (weight) once every step that reads it has packed its own copy
  // (PreparedOp::packed_inputs) and it is not a graph output, so weights are not held twice.
  // Freed constants stay in graph() as typed values without a value.
  bool release_packed_constants = true;
  // With a batch above 1, runs of steps that keep the images apart and whose activations over
  // the whole batch reach this many bytes in some step run one image at a time, so each
  // image's tensors stay in cache between steps (runtime/image_schedule.h, decision 015).
  // 0: the whole batch goes through every step together.
  int64_t image_at_a_time_bytes = kDefaultImageAtATimeBytes;
  static constexpr int64_t kDefaultImageAtATimeBytes = int64_t{15} << 20;
};

// What the profile of a step shows.
struct StepInfo {
  std::string node;
  std::string op;      // "Conv", "hone.FusedConv"
  std::string kernel;  // PreparedOp::kernel_name ("" for kernels that do not name themselves)
  int64_t flops = 0;
  ValueType output;  // output 0
};

class Executor {
 public:
  // Reference kernels on one thread.
  explicit Executor(Graph graph);
  // Prepares every node whose outputs are not all constants with options.kernel; throws
  // hone::Error naming the node when one is invalid.
  Executor(Graph graph, const ExecutorOptions& options);
  // Steps point into slots_, so an executor is moved, never copied.
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;
  Executor(Executor&&) = default;
  Executor& operator=(Executor&&) = default;
  ~Executor();

  // The graph as run: its released constants (ExecutorOptions::release_packed_constants) have
  // an empty Value::constant, so it no longer passes Graph::validate.
  const Graph& graph() const { return graph_; }
  // Names and types of the graph inputs the caller must supply, in declaration order.
  std::vector<std::string> input_names() const;
  std::vector<std::string> output_names() const;
  ValueType input_type(size_t i) const;
  ValueType output_type(size_t i) const;

  // Runs the graph. `inputs` maps every graph input name to a tensor of its exact dtype and
  // shape (checked; a missing, extra or mismatched input throws hone::Error naming it).
  // Returns copies of the graph outputs in declaration order.
  std::vector<Tensor> run(const std::map<std::string, Tensor>& inputs);
  // The allocation-free form: `inputs` in input_names() order (checked the same way; the
  // buffers are read, never written). Returns views of the outputs that stay valid until the
  // next run of this executor.
  const std::vector<Tensor>& run_views(std::span<const Tensor> inputs);

  int64_t total_flops() const;  // sum over the steps that run
  // The activation arena's size: the peak bytes of the values computed during a run.
  int64_t arena_bytes() const { return arena_bytes_; }
  // Sum of the steps' PreparedOp::packed_bytes (packed weights, kernel scratch).
  int64_t packed_bytes() const;
  // Bytes of the constants freed after packing (ExecutorOptions::release_packed_constants).
  int64_t released_constant_bytes() const { return released_constant_bytes_; }
  int threads() const { return threads_; }

  // The steps that run, in order (a Concat done in place by its producers is not one).
  size_t num_steps() const { return steps_.size(); }
  StepInfo step_info(size_t i) const;
  // Counts of the memory plan's decisions, for reports and tests.
  int in_place_steps() const { return in_place_steps_; }
  int concats_in_place() const { return concats_in_place_; }
  // The image-at-a-time schedule: the batch (dimension 0 of the inputs; 1 when they disagree)
  // and how many steps run one image at a time, in how many segments.
  int64_t batch() const { return batch_; }
  int image_at_a_time_steps() const { return image_at_a_time_steps_; }
  int image_at_a_time_segments() const { return image_at_a_time_segments_; }

  // When on, each run records the wall time of every step in last_step_ms().
  void set_profiling(bool on) { profiling_ = on; }
  const std::vector<double>& last_step_ms() const { return step_ms_; }

 private:
  struct Step {
    size_t node;  // index into graph_.nodes
    PreparedOp op;
    bool zero_outputs = true;
    std::vector<const Tensor*> inputs;  // into slots_ (nullptr for absent inputs)
    std::vector<Tensor*> outputs;       // into slots_
    // Image-at-a-time segment (-1: none) and, per image, the views the step runs on: one
    // image's rows of the batch values, the whole of the others.
    int segment = -1;
    std::vector<std::vector<const Tensor*>> image_inputs;
    std::vector<std::vector<Tensor*>> image_outputs;
  };
  // A per-image view of a graph input, re-pointed at the caller's buffer on every run.
  struct InputImageView {
    size_t slot;
    size_t byte_offset;
    Tensor* view;
  };
  void bind_inputs(std::span<const Tensor> inputs);
  void execute();
  void run_step(size_t i, TensorsIn inputs, TensorsOut outputs);

  Graph graph_;
  std::unique_ptr<ThreadPool> pool_;
  int threads_ = 1;
  std::vector<Step> steps_;
  // One tensor per value (graph values first, then outputs the model does not use): views
  // into arena_ for computed values, the caller's tensors for inputs, constants' own.
  std::vector<Tensor> slots_;
  std::shared_ptr<void> arena_;
  int64_t arena_bytes_ = 0;
  int64_t released_constant_bytes_ = 0;
  int in_place_steps_ = 0;
  int concats_in_place_ = 0;
  int64_t batch_ = 1;
  int image_at_a_time_steps_ = 0;
  int image_at_a_time_segments_ = 0;
  std::deque<Tensor> image_views_;  // per-image views (a deque: steps point into it)
  std::vector<InputImageView> input_image_views_;
  // Graph outputs that are graph inputs get a copy in their own slot at the end of a run.
  std::vector<std::pair<size_t, size_t>> input_copies_;  // (input slot, output slot)
  std::vector<Tensor> output_views_;
  std::vector<Tensor> ordered_inputs_;  // run()'s map, in order (reused)
  bool profiling_ = false;
  std::vector<double> step_ms_;
};

}  // namespace hone
