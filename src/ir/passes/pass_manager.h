// The graph optimizer: runs hone's passes in order for an opt-level, as tvmc's
// --opt-level does. Each pass is a function Graph& -> void in its own file in this folder,
// testable alone; this file only orders them.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"

namespace hone {

struct OptimizeOptions {
  // 0: no passes (reference kernels). 1: cleanup (constant folding, Identity/Dropout removal,
  // BatchNorm folding, dead nodes). 2: + common subexpressions and fusion (conv/gemm with
  // bias, activation and residual Add; elementwise chains). 3: + channel-blocked layout and
  // in-place Concat.
  int opt_level = 3;
  // Channel block of the blocked layout (16 with AVX-512, 8 with AVX2 and portable);
  // 0 keeps NCHW even at level 3.
  int block = 16;
  // Called with the graph after the pass of that name runs (`--print-ir-after NAME`); an
  // empty name never matches.
  std::string print_ir_after;
  std::function<void(std::string_view pass, const Graph&)> on_print;
};

struct PassInfo {
  std::string_view name;  // as --print-ir-after spells it, e.g. "fold-batchnorm"
  int min_level;          // the lowest opt-level that runs it
  void (*run)(Graph& graph, const OptimizeOptions& options);
};

// Every pass, in the order optimize_graph runs them.
const std::vector<PassInfo>& all_passes();

// Runs the passes of options.opt_level over the graph. Throws hone::Error when
// print_ir_after names no pass. The graph's outputs keep their names, types and layout.
void optimize_graph(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
