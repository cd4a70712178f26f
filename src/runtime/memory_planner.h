// Activation memory planning: places every computed value of a step sequence in one
// 64-byte-aligned arena, reusing memory after a value's last use, sharing an input's buffer
// with an op's output where the op allows it, and letting producers write a Concat's slices.
#pragma once

#include <cstdint>
#include <vector>

namespace hone {

constexpr int64_t kArenaAlignment = 64;

// One block of memory needed over the closed step interval [first, last].
struct ArenaRequest {
  int64_t bytes = 0;
  int first = 0;
  int last = 0;
};

// Offsets (multiples of kArenaAlignment) for the requests such that two requests whose
// intervals intersect never overlap in memory. Greedy by size (largest first), each placed in
// the smallest gap that fits among the already placed requests live at the same time.
struct ArenaLayout {
  std::vector<int64_t> offsets;  // one per request
  int64_t bytes = 0;             // the arena size
};
ArenaLayout plan_arena(const std::vector<ArenaRequest>& requests);

// The values of a step sequence, as the planner sees them.
struct PlanValue {
  enum class Kind {
    kComputed,    // written by a step: gets arena memory
    kGraphInput,  // the caller's buffer
    kConstant,    // a weight: its own buffer
  };
  Kind kind = Kind::kComputed;
  int64_t bytes = 0;
  bool graph_output = false;  // live until the end of the run
};

struct PlanStep {
  std::vector<int> inputs;   // value indices; -1 for absent inputs
  std::vector<int> outputs;  // value indices (every output has one, used or not)
  // PreparedOp::inplace_input: output 0 may share this input's buffer.
  int inplace_input = -1;
  // Non-empty when the step is a Concat that can be done by its producers writing in
  // place: the byte offset of each input's slice within output 0 (checked by the caller:
  // axis, batch 1, channel blocks). The planner adds the liveness conditions.
  std::vector<int64_t> concat_slices;
  // The image-at-a-time segment the step runs in (runtime/image_schedule.h), -1 for none.
  // A segment's steps are consecutive and run once per image of the batch.
  int segment = -1;
};

// Per value: computed by a step of a segment and read only by steps of that same segment, and
// not a graph output. Such a value lives within one image's pass through the segment, so it
// needs one image's memory, reused by the next image; every other value a segment touches
// holds the whole batch and stays live across the whole segment.
std::vector<bool> segment_internal_values(const std::vector<PlanValue>& values,
                                          const std::vector<PlanStep>& steps);

struct MemoryPlan {
  int64_t arena_bytes = 0;
  // Byte offset in the arena of every kComputed value (-1 for the other kinds).
  std::vector<int64_t> offsets;
  std::vector<bool> skip;      // per step: a Concat whose producers wrote its output
  std::vector<bool> in_place;  // per step: output 0 shares inplace_input's buffer
};

// `reuse` false gives every computed value its own memory (no reuse, no in-place, no
// concat in place): the plain layout to compare against.
MemoryPlan plan_memory(const std::vector<PlanValue>& values, const std::vector<PlanStep>& steps,
                       bool reuse = true);

}  // namespace hone
