// What the fusion passes share: replacing a run of nodes by one node placed where the last
// of them was (everything any of them reads is defined there).
#pragma once

#include <optional>
#include <vector>

#include "ir/graph.h"

namespace hone {

class NodeReplacer {
 public:
  explicit NodeReplacer(const Graph& graph)
      : taken_(graph.nodes.size(), false), replacement_(graph.nodes.size()) {}
  bool taken(int node) const { return taken_[static_cast<size_t>(node)]; }
  // Replaces `nodes` (indices, any order) by `fused`, placed at the largest index.
  void replace(const std::vector<int>& nodes, Node fused);
  // Rebuilds the node list and drops values nothing refers to any more.
  void apply(Graph& graph);

 private:
  std::vector<bool> taken_;
  std::vector<std::optional<Node>> replacement_;
};

// Whether the constant `t` added to a [N, C, ...] tensor of rank `rank` only varies along
// the channel axis (or not at all), so it can join a per-channel bias.
bool is_per_channel(const Tensor& t, size_t rank, int64_t channels);
// Its values as a per-channel vector of `channels` entries.
std::vector<float> per_channel_values(const Tensor& t, int64_t channels);

}  // namespace hone
