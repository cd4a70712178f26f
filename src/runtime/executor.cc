#include "runtime/executor.h"

#include <cstring>

namespace hone {

namespace {

std::string type_text(const ValueType& t) {
  return value_type_to_string(t);
}

}  // namespace

Executor::Executor(Graph graph) : graph_(std::move(graph)) {
  graph_.validate();
  slots_.resize(graph_.values.size());
  for (size_t i = 0; i < graph_.values.size(); ++i)
    if (graph_.values[i].constant) slots_[i] = *graph_.values[i].constant;
  for (size_t n = 0; n < graph_.nodes.size(); ++n) {
    const Node& node = graph_.nodes[n];
    bool all_constant = true;
    for (ValueId id : node.outputs)
      if (id != kNoValue && !graph_.value(id).constant) all_constant = false;
    if (all_constant) continue;
    Step step{n, prepare_node(graph_, node), {}, {}, {}};
    const std::string where = "node '" + node.name + "' (" + node.op_type + ")";
    if (!step.op.run) throw Error(where + ": the op has no kernel");
    for (size_t i = 0; i < step.op.outputs.size(); ++i) {
      const ValueType& t = step.op.outputs[i];
      ValueId id = i < node.outputs.size() ? node.outputs[i] : kNoValue;
      if (id == kNoValue) {
        // Outputs the model does not use still need memory for the kernel to write.
        step.scratch.emplace_back(t.dtype, t.shape);
        continue;
      }
      Value& v = graph_.value(id);
      if (v.type.dtype != DType::kUndefined && v.type != t)
        throw Error(where + ": output '" + v.name + "' was inferred as " + type_text(v.type) +
                    " but the op now gives " + type_text(t));
      v.type = t;
      slots_[static_cast<size_t>(id)] = Tensor(t.dtype, t.shape);
    }
    steps_.push_back(std::move(step));
  }
  for (Step& step : steps_) {
    const Node& node = graph_.nodes[step.node];
    size_t scratch = 0;
    for (ValueId id : node.inputs)
      step.inputs.push_back(id == kNoValue ? nullptr : &slots_[static_cast<size_t>(id)]);
    for (size_t i = 0; i < step.op.outputs.size(); ++i) {
      ValueId id = i < node.outputs.size() ? node.outputs[i] : kNoValue;
      step.outputs.push_back(id == kNoValue ? &step.scratch[scratch++]
                                            : &slots_[static_cast<size_t>(id)]);
    }
  }
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

std::vector<Tensor> Executor::run(const std::map<std::string, Tensor>& inputs) {
  std::string names;
  for (ValueId id : graph_.inputs) names += (names.empty() ? "" : ", ") + graph_.value(id).name;
  for (const auto& [name, tensor] : inputs) {
    ValueId id = graph_.find_value(name);
    bool is_input = false;
    for (ValueId in : graph_.inputs) is_input = is_input || in == id;
    if (!is_input)
      throw Error("unknown input '" + name +
                  "'; the model's inputs are: " + (names.empty() ? "(none)" : names));
  }
  for (ValueId id : graph_.inputs) {
    const Value& v = graph_.value(id);
    auto it = inputs.find(v.name);
    if (it == inputs.end())
      throw Error("missing input '" + v.name + "' (" + type_text(v.type) + ")");
    const Tensor& t = it->second;
    ValueType given{t.dtype(), t.shape()};
    if (given != v.type)
      throw Error("input '" + v.name + "': expected " + type_text(v.type) + ", got " +
                  type_text(given));
    slots_[static_cast<size_t>(id)] = t;  // shares the caller's buffer; kernels only read it
  }
  for (Step& step : steps_) {
    // The op contract promises zeroed outputs; a previous run left data in them.
    for (Tensor* out : step.outputs)
      if (out->nbytes() > 0) std::memset(out->raw(), 0, out->nbytes());
    step.op.run(step.inputs, step.outputs);
  }
  std::vector<Tensor> outputs;
  for (ValueId id : graph_.outputs) outputs.push_back(slots_[static_cast<size_t>(id)].clone());
  for (ValueId id : graph_.inputs) slots_[static_cast<size_t>(id)] = Tensor();
  return outputs;
}

}  // namespace hone
