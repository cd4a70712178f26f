#include "ir/passes/fusion_util.h"

#include <algorithm>

#include "ir/passes/graph_rewrite.h"

namespace hone {

void NodeReplacer::replace(const std::vector<int>& nodes, Node fused) {
  int last = *std::max_element(nodes.begin(), nodes.end());
  for (int n : nodes) taken_[static_cast<size_t>(n)] = true;
  replacement_[static_cast<size_t>(last)] = std::move(fused);
}

void NodeReplacer::apply(Graph& graph) {
  std::vector<Node> out;
  out.reserve(graph.nodes.size());
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    if (replacement_[n])
      out.push_back(std::move(*replacement_[n]));
    else if (!taken_[n])
      out.push_back(std::move(graph.nodes[n]));
  }
  graph.nodes = std::move(out);
  recompute_producers(graph);
  remove_unreferenced_values(graph);
}

bool is_per_channel(const Tensor& t, size_t rank, int64_t channels) {
  if (t.dtype() != DType::kFloat32 || t.shape().size() > rank) return false;
  // Right-aligned against [N, C, spatial...]: every dim but C's must be 1.
  const size_t offset = rank - t.shape().size();
  for (size_t i = 0; i < t.shape().size(); ++i) {
    const size_t axis = i + offset;
    const int64_t d = t.shape()[i];
    if (d != 1 && !(axis == 1 && d == channels)) return false;
  }
  return true;
}

std::vector<float> per_channel_values(const Tensor& t, int64_t channels) {
  std::vector<float> v = t.to_vector<float>();
  if (v.size() == 1) return std::vector<float>(static_cast<size_t>(channels), v[0]);
  return v;
}

}  // namespace hone
