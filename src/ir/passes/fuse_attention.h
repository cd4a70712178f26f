// fuse-attention: a FusedMatMul whose product only a Softmax over its last axis reads, and
// whose softmax only the first operand of a second FusedMatMul reads (scaled dot-product
// attention after fold-matmul-transpose), becomes one hone FusedAttention: softmax(alpha *
// Q · Kᵀ) · V with the scores kept in the kernel, never written as a [heads, tokens, tokens]
// tensor (decision 022). The operands' views and the output's perm_y carry over (the first
// product's _a and _b attributes as _q and _k, the second's _b as _v). Left alone: a first
// product written transposed (perm_y), a second product reading the softmax through a view
// or scaling it (alpha != 1), products whose batch shapes differ, and any intermediate read
// twice. HONE_FUSE_ATTENTION=0 turns the pass off (to measure the fusion with one binary).
#pragma once

#include "ir/graph.h"
#include "ir/passes/pass_manager.h"

namespace hone {

void fuse_attention(Graph& graph, const OptimizeOptions& options);

}  // namespace hone
