#include "runtime/executor.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <variant>

#include "runtime/image_schedule.h"
#include "runtime/memory_planner.h"

namespace hone {

namespace {

std::string type_text(const ValueType& t) {
  return value_type_to_string(t);
}

int64_t value_bytes(const ValueType& t) {
  return shape_numel(t.shape) * static_cast<int64_t>(dtype_size(t.dtype));
}

const int64_t* int_attr(const Node& node, std::string_view name) {
  auto it = node.attrs.find(name);
  return it == node.attrs.end() ? nullptr : std::get_if<int64_t>(&it->second.value);
}

const std::vector<int64_t>* ints_attr(const Node& node, std::string_view name) {
  auto it = node.attrs.find(name);
  return it == node.attrs.end() ? nullptr : std::get_if<std::vector<int64_t>>(&it->second.value);
}

// The byte offset of each input inside the output (types from `slot_types`, indexed by value
// id: one image's for values inside an image-at-a-time segment) when a Concat's inputs are
// contiguous slices of it (every dimension before the axis is 1, so for NCHW: batch 1 and axis 1),
// or empty. Blocked concats also need every input but the last to fill whole channel blocks.
std::vector<int64_t> concat_slices(const Node& node, const std::vector<ValueType>& slot_types) {
  const bool onnx = node.domain.empty() || node.domain == "ai.onnx";
  const bool blocked = node.domain == "hone" && node.op_type == "ConcatBlocked";
  if (!(onnx && node.op_type == "Concat") && !blocked) return {};
  if (node.outputs.empty() || node.outputs[0] == kNoValue) return {};
  const ValueType& out = slot_types[static_cast<size_t>(node.outputs[0])];
  const int64_t rank = static_cast<int64_t>(out.shape.size());
  int64_t axis = 1;
  if (onnx) {
    const int64_t* a = int_attr(node, "axis");
    if (!a) return {};
    axis = *a < 0 ? *a + rank : *a;
  }
  if (axis < 0 || axis >= rank) return {};
  for (int64_t d = 0; d < axis; ++d)
    if (out.shape[static_cast<size_t>(d)] != 1) return {};
  if (blocked) {
    const int64_t* block = int_attr(node, "block");
    const std::vector<int64_t>* channels = ints_attr(node, "channels");
    if (!block || *block <= 0 || !channels || channels->size() != node.inputs.size()) return {};
    for (size_t k = 0; k + 1 < channels->size(); ++k)
      if ((*channels)[k] % *block != 0) return {};
  }
  std::vector<int64_t> slices;
  int64_t offset = 0;
  for (ValueId id : node.inputs) {
    if (id == kNoValue) return {};
    const ValueType& t = slot_types[static_cast<size_t>(id)];
    if (t.dtype != out.dtype) return {};
    slices.push_back(offset);
    offset += value_bytes(t);
  }
  if (offset != value_bytes(out)) return {};
  return slices;
}

// Frees constants whose every reader packed them (PreparedOp::packed_inputs). Only
// initializers: a constant produced by a folded node keeps that node out of the run and out
// of `hone info`'s histogram.
class ConstantReleaser {
 public:
  ConstantReleaser(Graph& g, const std::vector<bool>& runs, bool enabled) : g_(g) {
    readers_.assign(g.values.size(), 0);
    if (!enabled) return;
    for (size_t n = 0; n < g.nodes.size(); ++n)
      if (runs[n])
        for (ValueId id : g.nodes[n].inputs)
          if (releasable(id)) ++readers_[static_cast<size_t>(id)];
    for (ValueId id : g.outputs) readers_[static_cast<size_t>(id)] = 0;  // kept
  }

  // Called once per node that runs, in order, with what its prepared op packed.
  void prepared(const Node& node, const std::vector<int>& packed_inputs) {
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const ValueId id = node.inputs[i];
      if (id == kNoValue || readers_[static_cast<size_t>(id)] <= 0) continue;
      int& left = readers_[static_cast<size_t>(id)];
      const bool packed = std::find(packed_inputs.begin(), packed_inputs.end(),
                                    static_cast<int>(i)) != packed_inputs.end();
      if (!packed) {
        left = 0;  // this reader reads it at run time: kept
        continue;
      }
      if (--left > 0) continue;
      std::optional<Tensor>& constant = g_.value(id).constant;
      released_bytes_ += static_cast<int64_t>(constant->nbytes());
      constant.reset();
    }
  }

  int64_t released_bytes() const { return released_bytes_; }

 private:
  bool releasable(ValueId id) const {
    if (id == kNoValue) return false;
    const Value& v = g_.value(id);
    return v.constant && v.producer < 0;
  }

  Graph& g_;
  std::vector<int> readers_;  // > 0: packing readers not yet prepared; 0: kept (or freed)
  int64_t released_bytes_ = 0;
};

}  // namespace

Executor::Executor(Graph graph) : Executor(std::move(graph), ExecutorOptions{}) {}

Executor::~Executor() = default;

Executor::Executor(Graph graph, const ExecutorOptions& options) : graph_(std::move(graph)) {
  graph_.validate();
  if (options.threads < 1)
    throw Error("executor: threads must be at least 1 (got " + std::to_string(options.threads) +
                ")");
  threads_ = options.threads;
  if (threads_ > 1) pool_ = std::make_unique<ThreadPool>(threads_);
  KernelOptions kernel = options.kernel;
  kernel.pool = pool_.get();

  // Slot types: graph values first, then one extra slot per output a step writes that the
  // graph does not keep (unused outputs, and outputs already known as constants).
  std::vector<ValueType> slot_types;
  for (const Value& v : graph_.values) slot_types.push_back(v.type);
  std::vector<std::vector<size_t>> in_slots, out_slots;
  std::vector<bool> runs(graph_.nodes.size(), false);
  for (size_t n = 0; n < graph_.nodes.size(); ++n)
    for (ValueId id : graph_.nodes[n].outputs)
      if (id != kNoValue && !graph_.value(id).constant) runs[n] = true;
  ConstantReleaser releaser(graph_, runs, options.release_packed_constants);

  // Which steps may run one image at a time, before their prepare (which may pack weights).
  std::vector<size_t> run_nodes;
  for (size_t n = 0; n < graph_.nodes.size(); ++n)
    if (runs[n]) run_nodes.push_back(n);
  batch_ = graph_batch(graph_);
  std::vector<ImageStep> image_steps;
  std::vector<int> segments(run_nodes.size(), -1);
  if (batch_ > 1 && options.image_at_a_time_bytes > 0) {
    for (size_t n : run_nodes) image_steps.push_back(image_step(graph_, graph_.nodes[n], batch_));
    segments = image_segments(image_steps, options.image_at_a_time_bytes);
  }

  for (size_t k = 0; k < run_nodes.size(); ++k) {
    const size_t n = run_nodes[k];
    const Node& node = graph_.nodes[n];
    bool per_image = segments[k] >= 0;
    PreparedOp prepared;
    if (per_image) {
      // Prepared for one image; a node whose op does not take that stays on the whole batch.
      std::vector<ValueType> types;
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        const ValueId id = node.inputs[i];
        if (id == kNoValue) {
          types.emplace_back();
          continue;
        }
        const ValueType& t = graph_.value(id).type;
        types.push_back(image_steps[k].sliced_inputs[i] ? image_type(t) : t);
      }
      try {
        prepared = prepare_node(graph_, node, types, kernel);
        for (size_t i = 0; i < node.outputs.size() && per_image; ++i) {
          const ValueId id = node.outputs[i];
          if (id != kNoValue && !graph_.value(id).constant)
            per_image = prepared.outputs[i] == image_type(graph_.value(id).type);
        }
      } catch (const Error&) {
        per_image = false;
      }
      if (!per_image) segments[k] = -1;
    }
    if (!per_image) prepared = prepare_node(graph_, node, kernel);
    Step step{n, std::move(prepared), true, {}, {}, -1, {}, {}};
    // Freed as soon as their last reader is prepared: the peak holds one layer twice, not
    // the whole model.
    releaser.prepared(node, step.op.packed_inputs);
    const std::string where = "node '" + node.name + "' (" + node.op_type + ")";
    if (!step.op.run) throw Error(where + ": the op has no kernel");
    step.zero_outputs = step.op.needs_zeroed_outputs;
    std::vector<size_t> outs;
    for (size_t i = 0; i < step.op.outputs.size(); ++i) {
      const ValueType& t = step.op.outputs[i];
      ValueId id = i < node.outputs.size() ? node.outputs[i] : kNoValue;
      if (id == kNoValue || graph_.value(id).constant) {
        // The kernel still needs somewhere to write.
        outs.push_back(slot_types.size());
        slot_types.push_back(t);
        continue;
      }
      Value& v = graph_.value(id);
      if (per_image) {
        // Checked above; the slot holds the whole batch unless the planner finds the value
        // lives inside the segment.
        outs.push_back(static_cast<size_t>(id));
        continue;
      }
      if (v.type.dtype != DType::kUndefined && v.type != t)
        throw Error(where + ": output '" + v.name + "' was inferred as " + type_text(v.type) +
                    " but the op now gives " + type_text(t));
      v.type = t;
      slot_types[static_cast<size_t>(id)] = t;
      outs.push_back(static_cast<size_t>(id));
    }
    std::vector<size_t> ins;
    for (ValueId id : node.inputs)
      ins.push_back(id == kNoValue ? SIZE_MAX : static_cast<size_t>(id));
    in_slots.push_back(std::move(ins));
    out_slots.push_back(std::move(outs));
    steps_.push_back(std::move(step));
  }
  renumber_segments(segments);
  for (size_t i = 0; i < steps_.size(); ++i) steps_[i].segment = segments[i];

  released_constant_bytes_ = releaser.released_bytes();

  // The memory plan.
  std::vector<PlanValue> values(slot_types.size());
  std::vector<bool> produced(slot_types.size(), false);
  for (const auto& outs : out_slots)
    for (size_t s : outs) produced[s] = true;
  for (size_t s = 0; s < slot_types.size(); ++s)
    if (!produced[s]) values[s].kind = PlanValue::Kind::kConstant;  // an input, weight, unused
  for (ValueId id : graph_.inputs)
    values[static_cast<size_t>(id)].kind = PlanValue::Kind::kGraphInput;
  for (ValueId id : graph_.outputs) values[static_cast<size_t>(id)].graph_output = true;
  std::vector<PlanStep> plan_steps;
  for (size_t i = 0; i < steps_.size(); ++i) {
    PlanStep ps;
    for (size_t s : in_slots[i]) ps.inputs.push_back(s == SIZE_MAX ? -1 : static_cast<int>(s));
    for (size_t s : out_slots[i]) ps.outputs.push_back(static_cast<int>(s));
    // Zeroing the outputs first would wipe a shared input.
    if (!steps_[i].zero_outputs) ps.inplace_input = steps_[i].op.inplace_input;
    ps.segment = steps_[i].segment;
    plan_steps.push_back(std::move(ps));
  }
  // Values that live inside one image's pass through a segment hold one image.
  const std::vector<bool> internal = segment_internal_values(values, plan_steps);
  for (size_t s = 0; s < slot_types.size(); ++s) {
    if (internal[s]) slot_types[s] = image_type(slot_types[s]);
    if (produced[s]) values[s].bytes = value_bytes(slot_types[s]);
  }
  for (size_t i = 0; i < steps_.size(); ++i)
    plan_steps[i].concat_slices = concat_slices(graph_.nodes[steps_[i].node], slot_types);
  const MemoryPlan plan = plan_memory(values, plan_steps, options.plan_memory);

  arena_bytes_ = plan.arena_bytes;
  const size_t alloc = static_cast<size_t>(std::max<int64_t>(plan.arena_bytes, kArenaAlignment));
  void* memory = std::aligned_alloc(static_cast<size_t>(kArenaAlignment), alloc);
  if (!memory) throw std::bad_alloc();
  // Zeroed once so padding lanes nobody writes hold finite values.
  std::memset(memory, 0, alloc);
  arena_ = std::shared_ptr<void>(memory, [](void* p) { std::free(p); });
  char* base = static_cast<char*>(memory);

  slots_.resize(slot_types.size());
  for (size_t s = 0; s < slot_types.size(); ++s) {
    if (values[s].kind == PlanValue::Kind::kComputed)
      slots_[s] =
          Tensor::view(slot_types[s].dtype, slot_types[s].shape, arena_, base + plan.offsets[s]);
    else if (s < graph_.values.size() && graph_.values[s].constant)
      slots_[s] = *graph_.values[s].constant;
  }

  std::vector<Step> kept;
  for (size_t i = 0; i < steps_.size(); ++i) {
    if (plan.skip[i]) {
      ++concats_in_place_;
      continue;
    }
    if (plan.in_place[i]) ++in_place_steps_;
    Step& step = steps_[i];
    for (size_t s : in_slots[i]) step.inputs.push_back(s == SIZE_MAX ? nullptr : &slots_[s]);
    for (size_t s : out_slots[i]) step.outputs.push_back(&slots_[s]);
    if (step.segment >= 0) {
      ++image_at_a_time_steps_;
      image_at_a_time_segments_ = std::max(image_at_a_time_segments_, step.segment + 1);
      // Image `image`'s rows of a whole-batch value (a graph input's follow the caller's
      // buffer: bind_inputs re-points them).
      auto image_view = [&](size_t s, int64_t image) -> Tensor* {
        const ValueType image_t = image_type(slot_types[s]);
        const size_t offset = static_cast<size_t>(image * value_bytes(image_t));
        if (values[s].kind == PlanValue::Kind::kGraphInput) {
          Tensor* view = &image_views_.emplace_back(
              Tensor::view(image_t.dtype, image_t.shape, nullptr, nullptr));
          input_image_views_.push_back({s, offset, view});
          return view;
        }
        return &image_views_.emplace_back(slots_[s].slice_rows(image, 1));
      };
      const std::vector<bool>& sliced = image_steps[i].sliced_inputs;
      for (int64_t image = 0; image < batch_; ++image) {
        std::vector<const Tensor*> ins;
        for (size_t k = 0; k < in_slots[i].size(); ++k) {
          const size_t s = in_slots[i][k];
          if (s == SIZE_MAX)
            ins.push_back(nullptr);
          else if (internal[s] || !sliced[k])
            ins.push_back(&slots_[s]);
          else
            ins.push_back(image_view(s, image));
        }
        std::vector<Tensor*> outs;
        for (size_t s : out_slots[i])
          outs.push_back(internal[s] ? &slots_[s] : image_view(s, image));
        step.image_inputs.push_back(std::move(ins));
        step.image_outputs.push_back(std::move(outs));
      }
    }
    kept.push_back(std::move(step));
  }
  steps_ = std::move(kept);

  for (ValueId id : graph_.outputs) {
    const size_t s = static_cast<size_t>(id);
    if (values[s].kind != PlanValue::Kind::kGraphInput) {
      output_views_.push_back(slots_[s]);
      continue;
    }
    // A graph input passed through: the caller's buffer is not ours to hand back as a view.
    output_views_.emplace_back(slot_types[s].dtype, slot_types[s].shape);
    input_copies_.emplace_back(s, output_views_.size() - 1);
  }
  ordered_inputs_.resize(graph_.inputs.size());
  step_ms_.assign(steps_.size(), 0.0);
}

std::vector<std::string> Executor::input_names() const {
  std::vector<std::string> names;
  for (ValueId id : graph_.inputs) names.push_back(graph_.value(id).name);
  return names;
}

std::vector<std::string> Executor::output_names() const {
  std::vector<std::string> names;
  for (ValueId id : graph_.outputs) names.push_back(graph_.value(id).name);
  return names;
}

ValueType Executor::input_type(size_t i) const {
  return graph_.value(graph_.inputs.at(i)).type;
}
ValueType Executor::output_type(size_t i) const {
  return graph_.value(graph_.outputs.at(i)).type;
}

int64_t Executor::total_flops() const {
  int64_t total = 0;
  for (const Step& s : steps_) total += s.op.flops;
  return total;
}

int64_t Executor::packed_bytes() const {
  int64_t total = 0;
  for (const Step& s : steps_) total += s.op.packed_bytes;
  return total;
}

StepInfo Executor::step_info(size_t i) const {
  const Step& step = steps_.at(i);
  const Node& node = graph_.nodes[step.node];
  StepInfo info{node.name, node.op_type, step.op.kernel_name, step.op.flops, {}};
  if (!step.outputs.empty()) info.output = {step.outputs[0]->dtype(), step.outputs[0]->shape()};
  return info;
}

std::vector<Tensor> Executor::run(const std::map<std::string, Tensor>& inputs) {
  for (const auto& [name, tensor] : inputs) {
    ValueId id = graph_.find_value(name);
    if (std::find(graph_.inputs.begin(), graph_.inputs.end(), id) == graph_.inputs.end()) {
      std::string names;
      for (ValueId in : graph_.inputs) names += (names.empty() ? "" : ", ") + graph_.value(in).name;
      throw Error("unknown input '" + name +
                  "'; the model's inputs are: " + (names.empty() ? "(none)" : names));
    }
  }
  for (size_t i = 0; i < graph_.inputs.size(); ++i) {
    const Value& v = graph_.value(graph_.inputs[i]);
    auto it = inputs.find(v.name);
    if (it == inputs.end())
      throw Error("missing input '" + v.name + "' (" + type_text(v.type) + ")");
    ordered_inputs_[i] = it->second;
  }
  const std::vector<Tensor>& views = run_views(ordered_inputs_);
  // The caller's buffers are not kept past this call (run_views keeps them until the next).
  for (Tensor& t : ordered_inputs_) t = Tensor();
  for (ValueId id : graph_.inputs) slots_[static_cast<size_t>(id)] = Tensor();
  for (const InputImageView& v : input_image_views_) v.view->repoint(Tensor(), 0);
  std::vector<Tensor> outputs;
  for (const Tensor& t : views) outputs.push_back(t.clone());
  return outputs;
}

void Executor::bind_inputs(std::span<const Tensor> inputs) {
  if (inputs.size() != graph_.inputs.size())
    throw Error("the model has " + std::to_string(graph_.inputs.size()) + " input(s), " +
                std::to_string(inputs.size()) + " given");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ValueId id = graph_.inputs[i];
    const Value& v = graph_.value(id);
    const Tensor& t = inputs[i];
    if (t.dtype() != v.type.dtype || t.shape() != v.type.shape)
      throw Error("input '" + v.name + "': expected " + type_text(v.type) + ", got " +
                  type_text({t.dtype(), t.shape()}));
    // Shares the caller's buffer; kernels only read it. Assigning into a slot of the same
    // rank reuses its shape storage, so this does not allocate.
    slots_[static_cast<size_t>(id)] = t;
  }
  for (const InputImageView& v : input_image_views_) v.view->repoint(slots_[v.slot], v.byte_offset);
}

const std::vector<Tensor>& Executor::run_views(std::span<const Tensor> inputs) {
  bind_inputs(inputs);
  execute();
  for (const auto& [in, out] : input_copies_)
    if (slots_[in].nbytes() > 0)
      std::memcpy(output_views_[out].raw(), slots_[in].raw(), slots_[in].nbytes());
  return output_views_;
}

void Executor::execute() {
  for (size_t i = 0; i < steps_.size();) {
    const int segment = steps_[i].segment;
    if (segment < 0) {
      run_step(i, steps_[i].inputs, steps_[i].outputs);
      ++i;
      continue;
    }
    size_t end = i;
    while (end < steps_.size() && steps_[end].segment == segment) ++end;
    if (profiling_)
      std::fill(step_ms_.begin() + static_cast<std::ptrdiff_t>(i),
                step_ms_.begin() + static_cast<std::ptrdiff_t>(end), 0.0);
    for (size_t image = 0; image < static_cast<size_t>(batch_); ++image)
      for (size_t j = i; j < end; ++j)
        run_step(j, steps_[j].image_inputs[image], steps_[j].image_outputs[image]);
    i = end;
  }
}

void Executor::run_step(size_t i, TensorsIn inputs, TensorsOut outputs) {
  using Clock = std::chrono::steady_clock;
  Step& step = steps_[i];
  const Clock::time_point start = profiling_ ? Clock::now() : Clock::time_point{};
  // Arena memory held another value before; these kernels rely on zeroed outputs.
  if (step.zero_outputs)
    for (Tensor* out : outputs)
      if (out->nbytes() > 0) std::memset(out->raw(), 0, out->nbytes());
  step.op.run(inputs, outputs);
  if (!profiling_) return;
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  // A step run image by image adds up its images (zeroed before the segment).
  step_ms_[i] = step.segment < 0 ? ms : step_ms_[i] + ms;
}

}  // namespace hone
