#include "runtime/memory_planner.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "core/error.h"

namespace hone {
namespace {

int64_t align_up(int64_t bytes) {
  return (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

// Values that share memory form trees: each value sits at a byte offset inside its parent,
// and the root owns the arena block.
class AliasForest {
 public:
  explicit AliasForest(size_t n) : parent_(n), offset_(n, 0) {
    std::iota(parent_.begin(), parent_.end(), 0);
  }
  // The root of v and v's offset inside it.
  std::pair<int, int64_t> find(int v) const {
    int64_t offset = 0;
    while (parent_[static_cast<size_t>(v)] != v) {
      offset += offset_[static_cast<size_t>(v)];
      v = parent_[static_cast<size_t>(v)];
    }
    return {v, offset};
  }
  void attach(int root, int parent, int64_t offset) {
    parent_[static_cast<size_t>(root)] = parent;
    offset_[static_cast<size_t>(root)] = offset;
  }

 private:
  std::vector<int> parent_;
  std::vector<int64_t> offset_;
};

}  // namespace

ArenaLayout plan_arena(const std::vector<ArenaRequest>& requests) {
  ArenaLayout layout;
  layout.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });
  std::vector<size_t> placed;
  std::vector<size_t> live;  // placed requests whose interval meets the current one
  for (size_t i : order) {
    const ArenaRequest& r = requests[i];
    const int64_t size = align_up(r.bytes);
    if (size == 0) continue;
    live.clear();
    for (size_t j : placed)
      if (!(requests[j].last < r.first || r.last < requests[j].first)) live.push_back(j);
    std::sort(live.begin(), live.end(),
              [&](size_t a, size_t b) { return layout.offsets[a] < layout.offsets[b]; });
    int64_t cursor = 0, best = -1, best_gap = std::numeric_limits<int64_t>::max();
    for (size_t j : live) {
      const int64_t gap = layout.offsets[j] - cursor;
      if (gap >= size && gap < best_gap) {
        best = cursor;
        best_gap = gap;
      }
      cursor = std::max(cursor, layout.offsets[j] + align_up(requests[j].bytes));
    }
    if (best < 0) best = cursor;
    layout.offsets[i] = best;
    layout.bytes = std::max(layout.bytes, best + size);
    placed.push_back(i);
  }
  return layout;
}

std::vector<bool> segment_internal_values(const std::vector<PlanValue>& values,
                                          const std::vector<PlanStep>& steps) {
  const size_t n = values.size();
  std::vector<int> defined_in(n, -1);
  for (const PlanStep& step : steps)
    for (int v : step.outputs)
      if (v >= 0) defined_in[static_cast<size_t>(v)] = step.segment;
  std::vector<bool> internal(n, false);
  for (size_t v = 0; v < n; ++v)
    internal[v] = values[v].kind == PlanValue::Kind::kComputed && defined_in[v] >= 0 &&
                  !values[v].graph_output;
  for (const PlanStep& step : steps)
    for (int v : step.inputs)
      if (v >= 0 && step.segment != defined_in[static_cast<size_t>(v)])
        internal[static_cast<size_t>(v)] = false;
  return internal;
}

MemoryPlan plan_memory(const std::vector<PlanValue>& values, const std::vector<PlanStep>& steps,
                       bool reuse) {
  const int num_steps = static_cast<int>(steps.size());
  const size_t n = values.size();
  MemoryPlan plan;
  plan.offsets.assign(n, -1);
  plan.skip.assign(steps.size(), false);
  plan.in_place.assign(steps.size(), false);
  auto computed = [&](int v) {
    return v >= 0 && values[static_cast<size_t>(v)].kind == PlanValue::Kind::kComputed;
  };

  // Lifetimes over the step order; graph outputs live past the last step.
  std::vector<int> def(n, -1), last(n, -1), uses(n, 0);
  for (int s = 0; s < num_steps; ++s) {
    for (int v : steps[static_cast<size_t>(s)].inputs) {
      if (v < 0) continue;
      last[static_cast<size_t>(v)] = s;
      ++uses[static_cast<size_t>(v)];
    }
    for (int v : steps[static_cast<size_t>(s)].outputs) {
      if (v < 0) continue;
      if (def[static_cast<size_t>(v)] >= 0)
        throw Error("memory plan: value " + std::to_string(v) + " is written by two steps");
      def[static_cast<size_t>(v)] = s;
    }
  }
  for (size_t v = 0; v < n; ++v) {
    if (values[v].graph_output) {
      last[v] = num_steps;
      ++uses[v];
    }
    if (values[v].kind == PlanValue::Kind::kComputed && def[v] < 0)
      throw Error("memory plan: value " + std::to_string(v) + " is computed by no step");
    last[v] = std::max(last[v], def[v]);
  }

  if (!reuse) {
    int64_t offset = 0;
    for (size_t v = 0; v < n; ++v) {
      if (values[v].kind != PlanValue::Kind::kComputed) continue;
      plan.offsets[v] = offset;
      offset += align_up(values[v].bytes);
    }
    plan.arena_bytes = offset;
    return plan;
  }

  // A segment runs its steps once per image, so a value that holds the whole batch and is
  // touched by a segment is live over all of it: image 1 reads an input after image 0 ran the
  // segment's last step, and image 0 wrote an output before image 1 ran the first.
  const std::vector<int> last_use = last;  // in step order, for the in-place test
  const std::vector<bool> internal = segment_internal_values(values, steps);
  {
    std::vector<int> first_of, last_of;
    for (int s = 0; s < num_steps; ++s) {
      const int g = steps[static_cast<size_t>(s)].segment;
      if (g < 0) continue;
      if (static_cast<size_t>(g) >= first_of.size()) {
        first_of.resize(static_cast<size_t>(g) + 1, s);
        last_of.resize(static_cast<size_t>(g) + 1, s);
      }
      last_of[static_cast<size_t>(g)] = s;
    }
    for (int s = 0; s < num_steps; ++s) {
      const PlanStep& step = steps[static_cast<size_t>(s)];
      if (step.segment < 0) continue;
      const size_t g = static_cast<size_t>(step.segment);
      for (int v : step.inputs)
        if (computed(v) && !internal[static_cast<size_t>(v)])
          last[static_cast<size_t>(v)] = std::max(last[static_cast<size_t>(v)], last_of[g]);
      for (int v : step.outputs)
        if (computed(v) && !internal[static_cast<size_t>(v)])
          def[static_cast<size_t>(v)] = std::min(def[static_cast<size_t>(v)], first_of[g]);
    }
  }

  AliasForest forest(n);
  auto bytes_of = [&](int v) { return values[static_cast<size_t>(v)].bytes; };
  for (int s = 0; s < num_steps; ++s) {
    const PlanStep& step = steps[static_cast<size_t>(s)];
    if (step.outputs.empty() || !computed(step.outputs[0])) continue;
    const int y = step.outputs[0];

    if (!step.concat_slices.empty() && step.concat_slices.size() == step.inputs.size()) {
      // Each input must be computed only for this concat and fill a whole block of its own,
      // so its producer can write straight into the slice.
      bool ok = true;
      std::vector<int> roots;
      for (size_t k = 0; k < step.inputs.size() && ok; ++k) {
        const int a = step.inputs[k];
        ok = computed(a) && uses[static_cast<size_t>(a)] == 1 &&
             internal[static_cast<size_t>(a)] == internal[static_cast<size_t>(y)] &&
             !values[static_cast<size_t>(a)].graph_output && bytes_of(a) > 0 &&
             step.concat_slices[k] >= 0 && step.concat_slices[k] + bytes_of(a) <= bytes_of(y);
        if (!ok) break;
        auto [root, offset] = forest.find(a);
        ok = offset == 0 && bytes_of(root) == bytes_of(a) && root != y &&
             std::find(roots.begin(), roots.end(), root) == roots.end();
        roots.push_back(root);
      }
      if (ok) {
        for (size_t k = 0; k < roots.size(); ++k) forest.attach(roots[k], y, step.concat_slices[k]);
        plan.skip[static_cast<size_t>(s)] = true;
        continue;
      }
    }

    const int k = step.inplace_input;
    if (k >= 0 && static_cast<size_t>(k) < step.inputs.size()) {
      const int x = step.inputs[static_cast<size_t>(k)];
      // x dies here, is read only through input k, and has exactly the output's size.
      const bool ok = computed(x) && last_use[static_cast<size_t>(x)] == s &&
                      !values[static_cast<size_t>(x)].graph_output &&
                      std::count(step.inputs.begin(), step.inputs.end(), x) == 1 &&
                      bytes_of(x) == bytes_of(y) && bytes_of(y) > 0 && forest.find(y).first == y &&
                      // one image's memory never takes over a whole batch's, nor the reverse
                      internal[static_cast<size_t>(x)] == internal[static_cast<size_t>(y)];
      if (ok) {
        auto [root, offset] = forest.find(x);
        forest.attach(y, root, offset);
        plan.in_place[static_cast<size_t>(s)] = true;
      }
    }
  }

  // One arena request per root, live over the union of its members' lifetimes.
  std::vector<int> request_of(n, -1);
  std::vector<ArenaRequest> requests;
  for (size_t v = 0; v < n; ++v) {
    if (!computed(static_cast<int>(v))) continue;
    const int root = forest.find(static_cast<int>(v)).first;
    int& r = request_of[static_cast<size_t>(root)];
    if (r < 0) {
      r = static_cast<int>(requests.size());
      requests.push_back(
          {bytes_of(root), def[static_cast<size_t>(root)], last[static_cast<size_t>(root)]});
    }
    ArenaRequest& req = requests[static_cast<size_t>(r)];
    req.first = std::min(req.first, def[v]);
    req.last = std::max(req.last, last[v]);
  }
  const ArenaLayout layout = plan_arena(requests);
  plan.arena_bytes = layout.bytes;
  for (size_t v = 0; v < n; ++v) {
    if (!computed(static_cast<int>(v))) continue;
    auto [root, offset] = forest.find(static_cast<int>(v));
    plan.offsets[v] =
        layout.offsets[static_cast<size_t>(request_of[static_cast<size_t>(root)])] + offset;
  }
  return plan;
}

}  // namespace hone
