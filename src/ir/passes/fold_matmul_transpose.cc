#include "ir/passes/fold_matmul_transpose.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ir/passes/fusion_util.h"
#include "ir/passes/graph_rewrite.h"
#include "ops/shape/strided_view.h"

namespace hone {
namespace {

bool is_float(const Graph& graph, ValueId v, size_t min_rank) {
  const ValueType& t = graph.value(v).type;
  return t.dtype == DType::kFloat32 && t.shape.size() >= min_rank;
}

// The ONNX node (index) producing v when v is its only output's single use and no earlier
// fusion took it; -1 otherwise.
int foldable_producer(const Graph& graph, const UseInfo& uses, const NodeReplacer& replacer,
                      ValueId v, const char* op_type) {
  const int p = graph.value(v).producer;
  if (p < 0 || replacer.taken(p) || !uses.single_use(v)) return -1;
  const Node& node = graph.nodes[static_cast<size_t>(p)];
  if (!node.domain.empty() || node.op_type != op_type || node.outputs.size() != 1) return -1;
  return p;
}

// A scalar float constant (any rank, one element), or none.
std::optional<float> scalar_constant(const Graph& graph, ValueId v) {
  const Tensor* t = constant_of(graph, v);
  if (t == nullptr || t->dtype() != DType::kFloat32 || t->numel() != 1) return std::nullopt;
  return t->data<float>()[0];
}

// One operand of the MatMul, walked back through a scale, a Transpose and a Slice (under an
// optional Reshape).
struct Operand {
  ValueId value;
  std::vector<int64_t> perm;        // empty: no transpose folded
  std::optional<GroupedView> view;  // the Slice (+ Reshape) read in place, if folded
  int64_t offset = 0;               // of the view's first element
};

// The Slice's parameters when they are constants (opset 10+ inputs or opset 1-9
// attributes), axes normalized; nullopt otherwise.
std::optional<StridedView> constant_slice_view(const Graph& graph, const Node& slice) {
  const Shape& in = graph.value(slice.inputs[0]).type.shape;
  const auto rank = static_cast<int64_t>(in.size());
  std::optional<std::vector<int64_t>> starts, ends, axes, steps;
  if (slice.inputs.size() >= 3) {
    starts = constant_ints(graph, slice.inputs[1]);
    ends = constant_ints(graph, slice.inputs[2]);
    const ValueId a = input_or_none(slice, 3), st = input_or_none(slice, 4);
    axes = a == kNoValue ? std::vector<int64_t>{} : constant_ints(graph, a);
    steps = st == kNoValue ? std::vector<int64_t>{} : constant_ints(graph, st);
  } else if (slice.inputs.size() == 1) {
    starts = attr_ints(slice, "starts", {});
    ends = attr_ints(slice, "ends", {});
    axes = attr_ints(slice, "axes", {});
    steps = std::vector<int64_t>{};
  }
  if (!starts || !ends || !axes || !steps || starts->size() != ends->size()) return std::nullopt;
  if (axes->empty())
    for (size_t i = 0; i < starts->size(); ++i) axes->push_back(static_cast<int64_t>(i));
  if (steps->empty()) steps->assign(starts->size(), 1);
  if (axes->size() != starts->size() || steps->size() != starts->size()) return std::nullopt;
  std::vector<bool> seen(in.size(), false);
  for (size_t i = 0; i < axes->size(); ++i) {
    int64_t& a = (*axes)[i];
    if (a < 0) a += rank;
    // Backward steps would need negative strides, which the GEMM does not read.
    if (a < 0 || a >= rank || seen[static_cast<size_t>(a)] || (*steps)[i] <= 0) return std::nullopt;
    seen[static_cast<size_t>(a)] = true;
  }
  return slice_view(in, *starts, *ends, *axes, *steps);
}

// v read in place from the input of the Slice that makes it, through an optional Reshape
// (attention's packed QKV projection: Slice q, k or v, then split the heads).
std::optional<std::pair<GroupedView, int64_t>> fold_slice(const Graph& graph, const UseInfo& uses,
                                                          const NodeReplacer& replacer, ValueId& v,
                                                          std::vector<int>& absorbed) {
  ValueId sliced = v;
  const int r = foldable_producer(graph, uses, replacer, v, "Reshape");
  if (r >= 0) sliced = graph.nodes[static_cast<size_t>(r)].inputs[0];
  const int s = foldable_producer(graph, uses, replacer, sliced, "Slice");
  if (s < 0) return std::nullopt;
  const Node& slice = graph.nodes[static_cast<size_t>(s)];
  if (slice.inputs.empty() || !is_float(graph, slice.inputs[0], 1) ||
      graph.value(sliced).type.shape.empty())
    return std::nullopt;
  const std::optional<StridedView> view = constant_slice_view(graph, slice);
  if (!view || view->shape != graph.value(sliced).type.shape) return std::nullopt;
  // Without a Reshape, the view as it is (one sub-axis per axis).
  std::optional<GroupedView> grouped =
      reshaped_view(view->shape, view->strides, graph.value(v).type.shape);
  if (!grouped) return std::nullopt;
  if (r >= 0) absorbed.push_back(r);
  absorbed.push_back(s);
  v = slice.inputs[0];
  return std::pair{std::move(*grouped), view->offset};
}

Operand fold_operand(const Graph& graph, const UseInfo& uses, const NodeReplacer& replacer,
                     ValueId v, float& alpha, std::vector<int>& absorbed) {
  for (const char* op : {"Div", "Mul"}) {
    const int p = foldable_producer(graph, uses, replacer, v, op);
    if (p < 0) continue;
    const Node& node = graph.nodes[static_cast<size_t>(p)];
    if (node.inputs.size() != 2) continue;
    // Div by the constant, or Mul by it on either side; the other input has v's type.
    const bool div = node.op_type == "Div";
    for (size_t c = div ? 1 : 0; c < 2; ++c) {
      const std::optional<float> s = scalar_constant(graph, node.inputs[c]);
      const ValueId x = node.inputs[1 - c];
      if (!s || (div && *s == 0.0f) || graph.value(x).type != graph.value(v).type) continue;
      alpha *= div ? 1.0f / *s : *s;
      absorbed.push_back(p);
      v = x;
      break;
    }
    break;
  }
  Operand out{v, {}, std::nullopt};
  const int t = foldable_producer(graph, uses, replacer, v, "Transpose");
  if (t >= 0) {
    const Node& node = graph.nodes[static_cast<size_t>(t)];
    const ValueId src = node.inputs[0];
    const auto rank = static_cast<int64_t>(graph.value(src).type.shape.size());
    std::vector<int64_t> perm(static_cast<size_t>(std::max<int64_t>(rank, 0)));
    std::iota(perm.rbegin(), perm.rend(), 0);  // ONNX's default: reverse the axes
    perm = attr_ints(node, "perm", perm);
    // The source's innermost axis (unit stride) must stay a matrix axis of the view.
    if (rank >= 2 && is_float(graph, src, 2) && static_cast<int64_t>(perm.size()) == rank &&
        (perm[perm.size() - 1] == rank - 1 || perm[perm.size() - 2] == rank - 1)) {
      absorbed.push_back(t);
      out.value = src;
      out.perm = perm;
    }
  }
  // A Slice (and Reshape) under it, if its innermost axis keeps unit stride as a matrix axis
  // of the product (the GEMM reads rows or columns contiguously).
  std::vector<int> slice_nodes;
  ValueId source = out.value;
  auto folded = fold_slice(graph, uses, replacer, source, slice_nodes);
  if (folded && folded->first.shape.size() >= 2) {
    const GroupedView& view = folded->first;
    const size_t rank = view.shape.size();
    // Where each axis's sub-axes start in view.dims / view.strides.
    std::vector<size_t> first(rank, 0);
    for (size_t axis = 1; axis < rank; ++axis)
      first[axis] = first[axis - 1] + static_cast<size_t>(view.groups[axis - 1]);
    // The product's matrix axes must each be one strided axis, one of them of unit stride.
    bool one_each = true, unit = false;
    for (size_t m = rank - 2; m < rank; ++m) {
      const auto axis = out.perm.empty() ? m : static_cast<size_t>(out.perm[m]);
      one_each = one_each && view.groups[axis] == 1;
      unit = unit || (view.strides[first[axis]] == 1 && view.shape[axis] > 1);
    }
    if (one_each && unit) {
      absorbed.insert(absorbed.end(), slice_nodes.begin(), slice_nodes.end());
      out.value = source;
      out.offset = folded->second;
      out.view = std::move(folded->first);
    }
  }
  return out;
}

}  // namespace

void fold_matmul_transpose(Graph& graph, const OptimizeOptions& /*options*/) {
  const UseInfo uses = analyze_uses(graph);
  NodeReplacer replacer(graph);
  const size_t n_nodes = graph.nodes.size();
  for (size_t n = 0; n < n_nodes; ++n) {
    const Node& mm = graph.nodes[n];
    if (replacer.taken(static_cast<int>(n)) || !mm.domain.empty() || mm.op_type != "MatMul" ||
        mm.inputs.size() != 2 || mm.outputs.size() != 1 || !is_float(graph, mm.inputs[0], 2) ||
        !is_float(graph, mm.inputs[1], 2) || constant_of(graph, mm.inputs[1]) != nullptr)
      continue;
    float alpha = 1.0f;
    std::vector<int> absorbed = {static_cast<int>(n)};
    const Operand a = fold_operand(graph, uses, replacer, mm.inputs[0], alpha, absorbed);
    const Operand b = fold_operand(graph, uses, replacer, mm.inputs[1], alpha, absorbed);
    // A Transpose of the product that keeps its rows' elements together (attention's heads
    // back into the sequence's rows): the product is written there in place.
    std::vector<int64_t> perm_y;
    ValueId y = mm.outputs[0];
    if (uses.single_use(y)) {
      const int t = uses.only_consumer(y);
      const Node& tr = graph.nodes[static_cast<size_t>(t)];
      const auto rank = static_cast<int64_t>(graph.value(y).type.shape.size());
      std::vector<int64_t> perm(static_cast<size_t>(rank));
      std::iota(perm.rbegin(), perm.rend(), 0);
      if (!replacer.taken(t) && tr.domain.empty() && tr.op_type == "Transpose" &&
          tr.outputs.size() == 1 && rank >= 3) {
        perm = attr_ints(tr, "perm", perm);
        if (static_cast<int64_t>(perm.size()) == rank && perm.back() == rank - 1) {
          perm_y = perm;
          y = tr.outputs[0];
          absorbed.push_back(t);
        }
      }
    }
    if (absorbed.size() == 1) continue;
    Node fused;
    fused.name = mm.name;
    fused.op_type = "FusedMatMul";
    fused.domain = "hone";
    fused.inputs = {a.value, b.value};
    fused.outputs = {y};
    set_attr(fused, "alpha", alpha);
    if (!a.perm.empty()) set_attr(fused, "perm_a", a.perm);
    if (!b.perm.empty()) set_attr(fused, "perm_b", b.perm);
    if (!perm_y.empty()) set_attr(fused, "perm_y", perm_y);
    for (const auto& [operand, x] : {std::pair{&a, "a"}, {&b, "b"}}) {
      if (!operand->view) continue;
      const GroupedView& view = *operand->view;
      set_attr(fused, std::string("shape_") + x, view.dims);
      set_attr(fused, std::string("strides_") + x, view.strides);
      set_attr(fused, std::string("offset_") + x, operand->offset);
      if (view.dims.size() != view.shape.size())
        set_attr(fused, std::string("groups_") + x, view.groups);
    }
    replacer.replace(absorbed, std::move(fused));
  }
  replacer.apply(graph);
}

}  // namespace hone
