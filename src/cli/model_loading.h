// Loading a model for a subcommand: parses --input-shapes, imports the ONNX file and checks
// every --input-shapes name is a real (non-constant) graph input; then the flags shared by
// `run` and `info` that choose how it is optimized (--opt-level, --isa, --print-ir-after).
#pragma once

#include <string>

#include "core/cpu_features.h"
#include "ir/graph.h"
#include "runtime/executor.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace hone {

// `input_shapes` is the raw --input-shapes text; `given` says whether the flag was used (an
// empty value is then an error, not "no overrides").
Graph load_model(const std::string& path, const std::string& input_shapes, bool given);

// The raw values of the optimization flags.
struct OptimizeFlags {
  int opt_level = 3;
  std::string isa;  // empty: the best this CPU supports
  std::string print_ir_after;
  // ExecutorOptions::image_at_a_time_bytes, in MiB.
  double image_at_a_time_mib =
      static_cast<double>(ExecutorOptions::kDefaultImageAtATimeBytes) / (1 << 20);
};
// Declares --opt-level, --isa, --print-ir-after and --image-at-a-time on `sub`.
void add_optimize_flags(CLI::App* sub, OptimizeFlags& flags);

// The checked choice.
struct OptimizeChoice {
  int opt_level = 3;
  Isa isa = Isa::kPortable;
  int block = 8;  // channel block of the blocked layout: 16 with AVX-512, else 8
  std::string print_ir_after;
  int64_t image_at_a_time_bytes = ExecutorOptions::kDefaultImageAtATimeBytes;
};
// Throws hone::Error (exit 2) for an opt-level outside 0..3, an unknown ISA or one this CPU
// lacks.
OptimizeChoice resolve_optimize_flags(const OptimizeFlags& flags);

// Runs the passes of the choice over `graph` (none at opt-level 0; with --print-ir-after the
// graph after that pass goes to stderr, keeping stdout for results and JSON) and prepares it:
// reference kernels at opt-level 0, else the optimized kernels of the chosen ISA.
Executor build_executor(Graph graph, const OptimizeChoice& choice, int threads);

}  // namespace hone
