#include "ir/passes/batchnorm_to_scaleshift.h"

#include <cmath>

#include "ir/passes/activation_match.h"
#include "ir/passes/fusion_util.h"
#include "ir/passes/graph_rewrite.h"

namespace hone {

void batchnorm_to_scaleshift(Graph& graph, const OptimizeOptions& /*options*/) {
  const UseInfo uses = analyze_uses(graph);
  NameGenerator names(graph);
  NodeReplacer replacer(graph);
  const size_t n_nodes = graph.nodes.size();
  for (size_t n = 0; n < n_nodes; ++n) {
    const Node& bn = graph.nodes[n];
    if (replacer.taken(static_cast<int>(n)) || !bn.domain.empty() ||
        bn.op_type != "BatchNormalization" || bn.inputs.size() != 5 || bn.outputs.empty() ||
        bn.outputs[0] == kNoValue)
      continue;
    const ValueType& x = graph.value(bn.inputs[0]).type;
    if (x.dtype != DType::kFloat32 || x.shape.size() != 4) continue;
    bool training_outputs = false;
    for (size_t i = 1; i < bn.outputs.size(); ++i)
      if (bn.outputs[i] != kNoValue &&
          (uses.uses(bn.outputs[i]) > 0 || uses.is_output(bn.outputs[i])))
        training_outputs = true;
    if (training_outputs) continue;
    const int64_t channels = x.shape[1];
    const Tensor* p[4];
    bool ok = true;
    for (size_t i = 0; i < 4; ++i) {
      p[i] = constant_of(graph, bn.inputs[i + 1]);
      ok = ok && p[i] != nullptr && p[i]->dtype() == DType::kFloat32 && p[i]->numel() == channels;
    }
    if (!ok) continue;
    const double eps = attr_float(bn, "epsilon", 1e-5f);
    std::vector<float> scale(static_cast<size_t>(channels)), shift(scale.size());
    for (size_t c = 0; c < scale.size(); ++c) {
      double s = p[0]->data<float>()[c] / std::sqrt(p[3]->data<float>()[c] + eps);
      scale[c] = static_cast<float>(s);
      shift[c] = static_cast<float>(p[1]->data<float>()[c] - p[2]->data<float>()[c] * s);
    }
    std::vector<int> absorbed = {static_cast<int>(n)};
    ValueId out = bn.outputs[0];
    MatchedActivation act;
    if (auto m = match_activation(graph, uses, out)) {
      act = *m;
      absorbed.insert(absorbed.end(), m->nodes.begin(), m->nodes.end());
      out = m->output;
    }
    Node ss;
    ss.name = bn.name;
    ss.op_type = "ScaleShift";
    ss.domain = "hone";
    ValueId s_id = add_constant(graph, names.value(bn.name + ".scale"),
                                Tensor::from_vector<float>({channels}, scale));
    ValueId t_id = add_constant(graph, names.value(bn.name + ".shift"),
                                Tensor::from_vector<float>({channels}, shift));
    ss.inputs = {bn.inputs[0], s_id, t_id};
    ss.outputs = {out};
    set_attr(ss, "block", int64_t{0});
    set_attr(ss, "activation", act.name);
    set_attr(ss, "activation_params", act.params);
    replacer.replace(absorbed, std::move(ss));
  }
  replacer.apply(graph);
}

}  // namespace hone
