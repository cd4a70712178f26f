#include "ir/passes/fold_batchnorm.h"

#include <cmath>

#include "ir/passes/graph_rewrite.h"

namespace hone {

namespace {

// BN as y = x * scale[c] + shift[c].
struct Affine {
  std::vector<double> scale;
  std::vector<double> shift;
};

// The per-channel affine form of a BN node, or false when its parameters are not constant
// float32 vectors of `channels` entries or it has used training outputs.
bool bn_affine(const Graph& graph, const UseInfo& uses, const Node& bn, int64_t channels,
               Affine& out) {
  if (bn.inputs.size() != 5) return false;
  for (size_t i = 1; i < bn.outputs.size(); ++i) {
    ValueId extra = bn.outputs[i];
    if (extra != kNoValue && (uses.uses(extra) > 0 || uses.is_output(extra))) return false;
  }
  const Tensor* p[4];
  for (size_t i = 0; i < 4; ++i) {
    p[i] = constant_of(graph, bn.inputs[i + 1]);
    if (p[i] == nullptr || p[i]->dtype() != DType::kFloat32 || p[i]->numel() != channels)
      return false;
  }
  const float eps = attr_float(bn, "epsilon", 1e-5f);
  const float* gamma = p[0]->data<float>();
  const float* beta = p[1]->data<float>();
  const float* mean = p[2]->data<float>();
  const float* var = p[3]->data<float>();
  out.scale.resize(static_cast<size_t>(channels));
  out.shift.resize(static_cast<size_t>(channels));
  for (size_t c = 0; c < static_cast<size_t>(channels); ++c) {
    double s = gamma[c] / std::sqrt(static_cast<double>(var[c]) + static_cast<double>(eps));
    out.scale[c] = s;
    out.shift[c] = beta[c] - mean[c] * s;
  }
  return true;
}

bool is_float_constant(const Graph& graph, ValueId id) {
  const Tensor* t = constant_of(graph, id);
  return t != nullptr && t->dtype() == DType::kFloat32;
}

// Conv(X, W, B) -> BN: W[o] *= scale[o], B[o] = B[o] * scale[o] + shift[o].
bool fold_into_conv(Graph& graph, NameGenerator& names, Node& conv, const Affine& bn) {
  const Tensor& w = *constant_of(graph, conv.inputs[1]);
  const int64_t out_ch = w.dim(0);
  const int64_t per_out = w.numel() / out_ch;
  Tensor new_w = w.clone();
  float* pw = new_w.data<float>();
  for (int64_t o = 0; o < out_ch; ++o)
    for (int64_t i = 0; i < per_out; ++i)
      pw[o * per_out + i] =
          static_cast<float>(pw[o * per_out + i] * bn.scale[static_cast<size_t>(o)]);
  Tensor new_b(DType::kFloat32, {out_ch});
  const Tensor* b = constant_of(graph, input_or_none(conv, 2));
  for (int64_t o = 0; o < out_ch; ++o) {
    double old = b ? b->data<float>()[o] : 0.0;
    new_b.data<float>()[o] = static_cast<float>(old * bn.scale[static_cast<size_t>(o)] +
                                                bn.shift[static_cast<size_t>(o)]);
  }
  // New constants: the originals may be shared with other nodes.
  ValueId wid =
      add_constant(graph, names.value(graph.value(conv.inputs[1]).name + "_bn"), std::move(new_w));
  ValueId bid = add_constant(graph, names.value(conv.name + ".bias_bn"), std::move(new_b));
  conv.inputs.resize(3, kNoValue);
  conv.inputs[1] = wid;
  conv.inputs[2] = bid;
  return true;
}

// Gemm(A, B, C) -> BN over the output's columns n: column n of op(B) scaled, C becomes
// beta*C*scale + shift (a vector when C broadcasts along rows, else the full matrix).
bool fold_into_gemm(Graph& graph, NameGenerator& names, Node& gemm, const Affine& bn,
                    const Shape& y_shape) {
  const Tensor& b = *constant_of(graph, gemm.inputs[1]);
  const bool trans_b = attr_int(gemm, "transB", 0) != 0;
  const float beta = attr_float(gemm, "beta", 1.0f);
  const int64_t rows = y_shape[0], cols = y_shape[1];
  const Tensor* c = constant_of(graph, input_or_none(gemm, 2));
  const bool c_present = input_or_none(gemm, 2) != kNoValue;
  if (c_present && c == nullptr) return false;
  if (c != nullptr && c->dtype() != DType::kFloat32) return false;
  // C broadcast to [rows, cols]: its shape right-aligned; a vector form when it has one row.
  Shape c_shape = c ? c->shape() : Shape{};
  if (c_shape.size() > 2) return false;
  while (c_shape.size() < 2) c_shape.insert(c_shape.begin(), 1);
  const bool full = c_shape[0] != 1;
  Tensor new_b = b.clone();
  float* pb = new_b.data<float>();
  const int64_t k = b.numel() / cols;
  for (int64_t n = 0; n < cols; ++n)
    for (int64_t i = 0; i < k; ++i) {
      float& e = trans_b ? pb[n * k + i] : pb[i * cols + n];
      e = static_cast<float>(e * bn.scale[static_cast<size_t>(n)]);
    }
  Tensor new_c(DType::kFloat32, full ? Shape{rows, cols} : Shape{cols});
  float* pc = new_c.data<float>();
  const int64_t out_rows = full ? rows : 1;
  for (int64_t m = 0; m < out_rows; ++m)
    for (int64_t n = 0; n < cols; ++n) {
      double old = 0.0;
      if (c) {
        int64_t cm = c_shape[0] == 1 ? 0 : m;
        int64_t cn = c_shape[1] == 1 ? 0 : n;
        old = static_cast<double>(beta) * c->data<float>()[cm * c_shape[1] + cn];
      }
      pc[m * cols + n] = static_cast<float>(old * bn.scale[static_cast<size_t>(n)] +
                                            bn.shift[static_cast<size_t>(n)]);
    }
  ValueId bid =
      add_constant(graph, names.value(graph.value(gemm.inputs[1]).name + "_bn"), std::move(new_b));
  ValueId cid = add_constant(graph, names.value(gemm.name + ".bias_bn"), std::move(new_c));
  gemm.inputs.resize(3, kNoValue);
  gemm.inputs[1] = bid;
  gemm.inputs[2] = cid;
  set_attr(gemm, "beta", 1.0f);
  return true;
}

}  // namespace

void fold_batchnorm(Graph& graph, const OptimizeOptions& /*options*/) {
  UseInfo uses = analyze_uses(graph);
  NameGenerator names(graph);
  std::vector<bool> remove(graph.nodes.size(), false);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& bn = graph.nodes[n];
    if (!bn.domain.empty() || bn.op_type != "BatchNormalization" || bn.inputs.empty()) continue;
    ValueId x = bn.inputs[0];
    if (x == kNoValue || !uses.single_use(x) || graph.value(x).producer < 0) continue;
    if (graph.value(x).type.dtype != DType::kFloat32) continue;
    Node& prod = graph.nodes[static_cast<size_t>(graph.value(x).producer)];
    if (!prod.domain.empty() || prod.outputs.size() != 1) continue;
    const Shape shape = graph.value(x).type.shape;
    if (shape.size() < 2) continue;
    const int64_t channels = shape[1];
    Affine affine;
    bool folded = false;
    if (prod.op_type == "Conv" && prod.inputs.size() >= 2 &&
        is_float_constant(graph, prod.inputs[1]) &&
        (input_or_none(prod, 2) == kNoValue || is_float_constant(graph, prod.inputs[2])) &&
        bn_affine(graph, uses, bn, channels, affine)) {
      folded = fold_into_conv(graph, names, prod, affine);
    } else if (prod.op_type == "Gemm" && shape.size() == 2 && prod.inputs.size() >= 2 &&
               is_float_constant(graph, prod.inputs[1]) &&
               bn_affine(graph, uses, bn, channels, affine)) {
      folded = fold_into_gemm(graph, names, prod, affine, shape);
    }
    if (!folded) continue;
    // The producer now writes the BN's output value (which keeps its name and type), at
    // the producer's place: everything it reads is defined there.
    Node& p = graph.nodes[static_cast<size_t>(graph.value(x).producer)];
    p.outputs[0] = bn.outputs[0];
    remove[n] = true;
  }
  erase_nodes(graph, remove);
}

}  // namespace hone
