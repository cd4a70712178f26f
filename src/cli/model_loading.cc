#include "cli/model_loading.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <sstream>

#include "cli/input_shapes.h"
#include "frontend/onnx/onnx_importer.h"
#include "ir/passes/pass_manager.h"
#include "ir/printer.h"

namespace hone {

Graph load_model(const std::string& path, const std::string& input_shapes, bool given) {
  ImportOptions options;
  if (given) options.input_shapes = parse_input_shapes(input_shapes);
  Graph g = import_onnx_file(path, options);
  // The importer accepts names of initializers that old exporters also list as inputs;
  // overriding a weight's shape is never what the user meant.
  std::string inputs;
  for (ValueId id : g.inputs) inputs += (inputs.empty() ? "" : ", ") + g.value(id).name;
  for (const auto& [name, shape] : options.input_shapes) {
    bool is_input = std::any_of(g.inputs.begin(), g.inputs.end(),
                                [&](ValueId id) { return g.value(id).name == name; });
    if (!is_input)
      throw Error(path + ": --input-shapes names '" + name +
                  "', which is not a graph input (a weight or an unknown name); the inputs "
                  "are: " +
                  (inputs.empty() ? "none" : inputs));
  }
  return g;
}

void add_optimize_flags(CLI::App* sub, OptimizeFlags& flags) {
  sub->add_option("--opt-level", flags.opt_level,
                  "Optimization level, as tvmc's: 0 runs the model as imported on the reference "
                  "kernels; 1 adds cleanup passes (constant folding, Identity/Dropout removal, "
                  "BatchNorm folding, dead nodes) and optimized kernels; 2 adds fusion; 3 adds "
                  "the channel-blocked layout and in-place Concat")
      ->capture_default_str();
  sub->add_option("--isa", flags.isa,
                  "Kernel variant: portable, avx2 or avx512 (default: the best this CPU "
                  "supports, " +
                      std::string(isa_name(best_isa())) +
                      " here). Also picks the layout block: 16 for avx512, else 8");
  sub->add_option("--print-ir-after", flags.print_ir_after,
                  "Print the graph (text IR) on stderr after the pass of this name, e.g. "
                  "fold-batchnorm, to find the pass that changed a result");
  sub->add_option("--image-at-a-time", flags.image_at_a_time_mib,
                  "With a batch above 1, run each stretch of layers that keep the images apart "
                  "and whose activations over the batch reach this many MiB one image at a "
                  "time, so each image's tensors stay in cache between layers; 0: the whole "
                  "batch through every layer")
      ->capture_default_str();
}

OptimizeChoice resolve_optimize_flags(const OptimizeFlags& flags) {
  OptimizeChoice c;
  if (flags.opt_level < 0 || flags.opt_level > 3)
    throw Error("--opt-level must be 0, 1, 2 or 3 (got " + std::to_string(flags.opt_level) + ")");
  c.opt_level = flags.opt_level;
  if (!(flags.image_at_a_time_mib >= 0) || flags.image_at_a_time_mib > 1 << 20) {
    std::ostringstream got;
    got << flags.image_at_a_time_mib;
    throw Error("--image-at-a-time must be a size in MiB from 0 to 1048576 (got " + got.str() +
                ")");
  }
  c.image_at_a_time_bytes = static_cast<int64_t>(flags.image_at_a_time_mib * (1 << 20));
  if (flags.isa.empty()) {
    c.isa = best_isa();
  } else {
    try {
      c.isa = parse_isa(flags.isa);
    } catch (const Error& e) {
      throw Error(std::string("--isa: ") + e.what());
    }
    if (!isa_supported(c.isa)) {
      std::string supported;
      for (Isa i : supported_isas())
        supported += (supported.empty() ? "" : ", ") + std::string(isa_name(i));
      throw Error("--isa " + flags.isa + ": this CPU does not support it (supported: " + supported +
                  ")");
    }
  }
  c.block = layout_block(c.isa);
  c.print_ir_after = flags.print_ir_after;
  return c;
}

Executor build_executor(Graph graph, const OptimizeChoice& choice, int threads) {
  if (choice.opt_level > 0 || !choice.print_ir_after.empty()) {
    OptimizeOptions options;
    options.opt_level = choice.opt_level;
    options.block = choice.block;
    options.print_ir_after = choice.print_ir_after;
    options.on_print = [&](std::string_view pass, const Graph& g) {
      std::cout.flush();
      std::cerr << "// IR after " << pass << " (opt-level " << choice.opt_level << ", "
                << isa_name(choice.isa) << ")\n"
                << print_graph(g) << std::flush;
    };
    optimize_graph(graph, options);
  }
  ExecutorOptions options;
  options.kernel.optimized = choice.opt_level > 0;
  options.kernel.isa = choice.isa;
  options.threads = threads;
  options.image_at_a_time_bytes = choice.image_at_a_time_bytes;
  return Executor(std::move(graph), options);
}

}  // namespace hone
