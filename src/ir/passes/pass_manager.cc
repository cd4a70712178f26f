#include "ir/passes/pass_manager.h"

#include "core/error.h"
#include "ir/passes/batchnorm_to_scaleshift.h"
#include "ir/passes/blocked_layout.h"
#include "ir/passes/eliminate_common_subexpressions.h"
#include "ir/passes/eliminate_dead_nodes.h"
#include "ir/passes/fold_batchnorm.h"
#include "ir/passes/fold_constants.h"
#include "ir/passes/fold_matmul_transpose.h"
#include "ir/passes/fold_pad.h"
#include "ir/passes/fuse_attention.h"
#include "ir/passes/fuse_conv.h"
#include "ir/passes/fuse_elementwise.h"
#include "ir/passes/fuse_gemm.h"
#include "ir/passes/fuse_layer_norm.h"
#include "ir/passes/fuse_pointwise_depthwise.h"
#include "ir/passes/gather_channels.h"
#include "ir/passes/remove_identity.h"

namespace hone {

const std::vector<PassInfo>& all_passes() {
  static const std::vector<PassInfo> passes = {
      // Level 1: cleanup. Constants first so that identity and BN checks see folded values.
      {"fold-constants", 1, fold_constants},
      {"remove-identity", 1, remove_identity},
      {"fold-pad", 1, fold_pad},
      {"fold-batchnorm", 1, fold_batchnorm},
      {"eliminate-dead-nodes", 1, eliminate_dead_nodes},
      // Level 2: CSE before fusion, so that fused patterns see one node per computation.
      {"eliminate-common-subexpressions", 2, eliminate_common_subexpressions},
      // Before any elementwise fusion takes the decomposed LayerNorm's Sub/Div/Mul/Add apart.
      {"fuse-layer-norm", 2, fuse_layer_norm},
      // Conv and gemm fusion take their activations first; BN left over after folding
      // becomes ScaleShift (taking its activation); only then do the remaining elementwise
      // chains fuse, so that no chain swallows an activation a kernel epilogue could apply.
      {"fuse-conv", 2, fuse_conv},
      {"fuse-gemm", 2, fuse_gemm},
      // Attention's transposed and scaled MatMul operands, before elementwise fusion takes
      // the scale.
      {"fold-matmul-transpose", 2, fold_matmul_transpose},
      // Then the softmax between attention's two products joins them.
      {"fuse-attention", 2, fuse_attention},
      {"batchnorm-to-scaleshift", 2, batchnorm_to_scaleshift},
      {"fuse-elementwise", 2, fuse_elementwise},
      // Channel shuffles, slices and splits as gathers, read through Concats.
      {"gather-channels", 2, gather_channels},
      // Level 3: layout last, over the fused graph (it only moves FusedConv to blocked).
      {"blocked-layout", 3, blocked_layout},
      // Needs the blocked FusedConvs: an expansion and its depthwise conv become one node.
      {"fuse-pointwise-depthwise", 3, fuse_pointwise_depthwise},
  };
  return passes;
}

void optimize_graph(Graph& graph, const OptimizeOptions& options) {
  bool matched = options.print_ir_after.empty();
  for (const PassInfo& p : all_passes())
    if (p.name == options.print_ir_after) matched = true;
  if (!matched) {
    std::string names;
    for (const PassInfo& p : all_passes())
      names += (names.empty() ? "" : ", ") + std::string(p.name);
    throw Error("--print-ir-after: no pass named '" + options.print_ir_after +
                "'; passes: " + names);
  }
  for (const PassInfo& pass : all_passes()) {
    if (options.opt_level < pass.min_level) continue;
    pass.run(graph, options);
    // Cheap next to any pass; catches a broken rewrite at the pass that made it.
    try {
      graph.validate();
    } catch (const Error& e) {
      throw Error("after pass " + std::string(pass.name) + ": " + e.what());
    }
    if (pass.name == options.print_ir_after && options.on_print) options.on_print(pass.name, graph);
  }
}

}  // namespace hone
