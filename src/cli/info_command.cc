// `hone info MODEL`: what a model holds (inputs, outputs, ops, parameters, FLOPs).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "cli/model_loading.h"
#include "cli/printing.h"
#include "core/cpu_features.h"
#include "ir/op_registry.h"

namespace hone {
namespace {

struct InfoOptions {
  std::string model;
  std::string input_shapes;
  bool json = false;
  OptimizeFlags optimize;
  CLI::Option* input_shapes_flag = nullptr;
};

bool all_outputs_constant(const Graph& g, const Node& node) {
  for (ValueId id : node.outputs)
    if (id != kNoValue && !g.value(id).constant) return false;
  return true;
}

// Op histogram, most frequent first (ties by name).
std::vector<std::pair<std::string, int64_t>> op_histogram(const Graph& g, bool skip_constant) {
  std::map<std::string, int64_t> counts;
  for (const Node& node : g.nodes)
    if (!skip_constant || !all_outputs_constant(g, node)) ++counts[node.op_type];
  std::vector<std::pair<std::string, int64_t>> ops(counts.begin(), counts.end());
  std::stable_sort(ops.begin(), ops.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return ops;
}

int run_info(const InfoOptions& o) {
  const OptimizeChoice choice = resolve_optimize_flags(o.optimize);
  const Graph g = load_model(o.model, o.input_shapes, o.input_shapes_flag->count() > 0);
  // The graph as `hone run` would execute it at this opt-level: its ops and memory.
  const Executor ex = build_executor(g, choice, 1);
  const Graph& opt = ex.graph();
  const std::vector<std::pair<std::string, int64_t>> opt_ops = op_histogram(opt, true);
  int64_t opt_nodes = 0;
  for (const auto& [op, n] : opt_ops) opt_nodes += n;

  // FLOPs of the nodes that run in the model as imported (nodes folded to constants at
  // import cost nothing at run time).
  const std::vector<std::pair<std::string, int64_t>> ops = op_histogram(g, false);
  int64_t flops = 0;
  for (const Node& node : g.nodes)
    if (!all_outputs_constant(g, node)) flops += prepare_node(g, node).flops;
  const double gflop = static_cast<double>(flops) / 1e9;

  if (o.json) {
    Json j;
    j["model"] = o.model;
    j["graph_name"] = g.name;
    j["opset"] = g.opset;
    j["inputs"] = Json::array();
    for (ValueId id : g.inputs)
      j["inputs"].push_back(value_json(g.value(id).name, g.value(id).type));
    j["outputs"] = Json::array();
    for (ValueId id : g.outputs)
      j["outputs"].push_back(value_json(g.value(id).name, g.value(id).type));
    j["num_nodes"] = g.nodes.size();
    j["ops"] = Json::object();
    for (const auto& [op, n] : ops) j["ops"][op] = n;
    j["parameters"] = g.parameter_count();
    j["parameter_bytes"] = g.parameter_bytes();
    j["flops"] = flops;
    j["gflop"] = gflop;
    j["opt_level"] = choice.opt_level;
    j["isa"] = std::string(isa_name(choice.isa));
    j["optimized_num_nodes"] = opt_nodes;
    j["optimized_ops"] = Json::object();
    for (const auto& [op, n] : opt_ops) j["optimized_ops"][op] = n;
    j["peak_activation_bytes"] = ex.arena_bytes();
    j["packed_weight_bytes"] = ex.packed_bytes();
    j["in_place_steps"] = ex.in_place_steps();
    j["concats_in_place"] = ex.concats_in_place();
    j["batch"] = ex.batch();
    j["image_at_a_time_steps"] = ex.image_at_a_time_steps();
    j["image_at_a_time_segments"] = ex.image_at_a_time_segments();
    std::cout << json_text(j);
    return 0;
  }

  std::string out = "Model: " + o.model;
  if (!g.name.empty()) out += " (graph '" + g.name + "'";
  out += (g.name.empty() ? " (" : ", ") + std::string("opset ") + std::to_string(g.opset) + ")\n";
  std::vector<std::vector<std::string>> rows;
  for (ValueId id : g.inputs)
    rows.push_back({"input", g.value(id).name, std::string(dtype_name(g.value(id).type.dtype)),
                    shape_to_string(g.value(id).type.shape)});
  for (ValueId id : g.outputs)
    rows.push_back({"output", g.value(id).name, std::string(dtype_name(g.value(id).type.dtype)),
                    shape_to_string(g.value(id).type.shape)});
  out += format_table({"", "name", "dtype", "shape"}, rows);
  out += "Operators (" + format_count(static_cast<int64_t>(g.nodes.size())) + " nodes):\n";
  rows.clear();
  for (const auto& [op, n] : ops) rows.push_back({op, std::to_string(n)});
  out += format_table({"op", "count"}, rows, {false, true});
  out += "Parameters: " + format_count(g.parameter_count()) + " (" +
         format_bytes(g.parameter_bytes()) + ")\n";
  out += "Compute: " + format_fixed(gflop, 3) + " GFLOP per run (" + format_count(flops) +
         " FLOP, multiply-add = 2)\n";
  out += "Optimized graph (opt-level " + std::to_string(choice.opt_level) + ", " +
         std::string(isa_name(choice.isa)) + "): " + format_count(opt_nodes) + " nodes that run\n";
  rows.clear();
  for (const auto& [op, n] : opt_ops) rows.push_back({op, std::to_string(n)});
  out += format_table({"op", "count"}, rows, {false, true});
  out += "Memory: " + format_bytes(ex.arena_bytes()) + " peak activations (arena), " +
         format_bytes(ex.packed_bytes()) + " packed weights; " +
         std::to_string(ex.in_place_steps()) + " step(s) write over an input, " +
         std::to_string(ex.concats_in_place()) + " Concat(s) written in place by their producers\n";
  if (ex.batch() > 1)
    out += "Batch " + std::to_string(ex.batch()) + ": " +
           std::to_string(ex.image_at_a_time_steps()) + " of " + std::to_string(ex.num_steps()) +
           " step(s) run one image at a time, in " + std::to_string(ex.image_at_a_time_segments()) +
           " stretch(es) (--image-at-a-time)\n";
  std::cout << out;
  return 0;
}

}  // namespace

Command add_info_command(CLI::App& app) {
  auto o = std::make_shared<InfoOptions>();
  CLI::App* sub = app.add_subcommand(
      "info",
      "Show a model's inputs, outputs, operator histogram, parameters and GFLOP, and what "
      "`hone run` executes at an opt-level: the optimized graph's ops and its memory (peak "
      "activation arena, packed weights).");
  sub->add_option("MODEL", o->model, "The ONNX model file (.onnx)")->required();
  o->input_shapes_flag =
      sub->add_option("--input-shapes", o->input_shapes,
                      "Override input shapes, tvmc syntax: \"data:[1,3,224,224] mask:[1,10]\" "
                      "(inputs separated by spaces). Needed for inputs with symbolic dimensions.");
  add_optimize_flags(sub, o->optimize);
  sub->add_flag("--json", o->json, "Print one JSON object on stdout instead of text");
  return {sub, [o] { return run_info(*o); }};
}

}  // namespace hone
