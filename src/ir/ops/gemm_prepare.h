// Shared by the Gemm (ONNX) and FusedGemm (hone) registry entries: validation, type
// inference and kernel binding of Gemm with an optional fused activation.
#pragma once

#include "ir/op_registry.h"
#include "ops/common/epilogue.h"

namespace hone {

// Gemm's inputs and attributes (alpha, beta, transA, transB) followed by `epilogue`. Binds the
// packed kernel when kernel_options().optimized, the dtype is float32 and B is constant; the
// reference kernel otherwise.
PreparedOp prepare_gemm_with_epilogue(const OpContext& ctx, const Epilogue& epilogue);

}  // namespace hone
