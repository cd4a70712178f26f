// One registration function per op family; op_registry() calls them all. Adding an op means
// adding its OpDef in its family's file (src/ir/ops/<family>.cc).
#pragma once

#include "ir/op_registry.h"

namespace hone {

void register_conv_ops(OpRegistry& r);           // Conv, ConvTranspose
void register_pool_ops(OpRegistry& r);           // MaxPool, AveragePool, Global*Pool, LRN
void register_normalization_ops(OpRegistry& r);  // BatchNormalization, InstanceNormalization
void register_gemm_ops(OpRegistry& r);           // Gemm, MatMul
void register_einsum_ops(OpRegistry& r);         // Einsum
void register_elementwise_ops(OpRegistry& r);    // unary/binary math, comparisons, Where, Cast
void register_activation_ops(OpRegistry& r);     // Relu, Sigmoid, Softmax, Clip, ...
void register_reduce_ops(OpRegistry& r);         // Reduce*, ArgMax/ArgMin
void register_shape_ops(OpRegistry& r);          // Reshape, Transpose, Concat, Slice, Gather, ...
void register_resize_ops(OpRegistry& r);         // Resize, Upsample

// Internal ops (domain "hone") that graph passes create; docs/decisions/004-internal-ops.md.
void register_internal_attention_ops(OpRegistry& r);  // FusedAttention
void register_internal_conv_ops(OpRegistry& r);       // FusedConv
void register_internal_layout_ops(OpRegistry& r);     // Reorder*, blocked pools/concat, ScaleShift
void register_internal_elementwise_ops(OpRegistry& r);          // FusedElementwise
void register_internal_gemm_ops(OpRegistry& r);                 // FusedGemm
void register_internal_matmul_ops(OpRegistry& r);               // FusedMatMul
void register_internal_pointwise_depthwise_ops(OpRegistry& r);  // FusedPointwiseDepthwise

}  // namespace hone
