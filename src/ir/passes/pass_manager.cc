#include "ir/passes/pass_manager.h"

#include "core/error.h"

namespace hone {

const std::vector<PassInfo>& all_passes() {
  static const std::vector<PassInfo> passes = {};
  return passes;
}

void optimize_graph(Graph& graph, const OptimizeOptions& options) {
  bool matched = options.print_ir_after.empty();
  for (const PassInfo& pass : all_passes()) {
    if (pass.name == options.print_ir_after) matched = true;
    if (options.opt_level < pass.min_level) continue;
    pass.run(graph, options);
    if (pass.name == options.print_ir_after && options.on_print) options.on_print(pass.name, graph);
  }
  if (!matched) {
    std::string names;
    for (const PassInfo& p : all_passes()) names += (names.empty() ? "" : ", ") + std::string(p.name);
    throw Error("--print-ir-after: no pass named '" + options.print_ir_after +
                "'; passes: " + names);
  }
}

}  // namespace hone
