// Recognizes the activation that follows a value, in the form the fused kernels' `activation`
// / `activation_params` attributes spell it (docs/decisions/004-internal-ops.md). Shared by
// fuse-conv, fuse-gemm and batchnorm-to-scaleshift.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/passes/graph_rewrite.h"

namespace hone {

struct MatchedActivation {
  std::string name;           // "Relu", "Clip", ...
  std::vector<float> params;  // activation_params
  std::vector<int> nodes;     // the nodes it replaces (one, or the gate + Mul)
  ValueId output = kNoValue;  // the value the fused node produces instead
};

// The activation applied to `v` by its only reader (v must be single-use), or the
// x * HardSigmoid(x) (= HardSwish) or x * Sigmoid(x) (= Silu) pair reading v twice. nullopt when
// there is none or its parameters are not constants.
std::optional<MatchedActivation> match_activation(const Graph& graph, const UseInfo& uses,
                                                  ValueId v);

// Clip's [min, max] from attributes (opset < 11) or constant inputs; nullopt when an input
// bound is not a constant scalar. Absent bounds are the float range's ends.
std::optional<std::pair<float, float>> clip_bounds(const Graph& graph, const Node& clip);

}  // namespace hone
