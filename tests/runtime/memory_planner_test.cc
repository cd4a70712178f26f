// Memory planner: no two simultaneously live values share memory (brute force over random
// lifetimes and random step graphs, simulating the writes), in-place and concat-in-place
// decisions and their refusals.
#include "runtime/memory_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>

namespace hone {
namespace {

using Kind = PlanValue::Kind;

constexpr int64_t kUnit = kArenaAlignment;

bool overlaps(int64_t a, int64_t a_bytes, int64_t b, int64_t b_bytes) {
  return a < b + b_bytes && b < a + a_bytes;
}

TEST(PlanArena, RandomLifetimesNeverShareMemoryWhileLive) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<ArenaRequest> requests(std::uniform_int_distribution<int>(1, 40)(rng));
    for (ArenaRequest& r : requests) {
      r.bytes = std::uniform_int_distribution<int64_t>(0, 5000)(rng);
      r.first = std::uniform_int_distribution<int>(0, 30)(rng);
      r.last = r.first + std::uniform_int_distribution<int>(0, 10)(rng);
    }
    const ArenaLayout layout = plan_arena(requests);
    ASSERT_EQ(layout.offsets.size(), requests.size());
    int64_t sum = 0, peak_live = 0;
    for (size_t i = 0; i < requests.size(); ++i) {
      EXPECT_EQ(layout.offsets[i] % kArenaAlignment, 0);
      EXPECT_LE(layout.offsets[i] + requests[i].bytes, layout.bytes);
      sum += (requests[i].bytes + kUnit - 1) / kUnit * kUnit;
      for (size_t j = i + 1; j < requests.size(); ++j) {
        const bool live_together =
            !(requests[i].last < requests[j].first || requests[j].last < requests[i].first);
        if (live_together && requests[i].bytes > 0 && requests[j].bytes > 0) {
          ASSERT_FALSE(
              overlaps(layout.offsets[i], requests[i].bytes, layout.offsets[j], requests[j].bytes))
              << "trial " << trial << " requests " << i << " and " << j;
        }
      }
    }
    for (int t = 0; t <= 40; ++t) {
      int64_t live = 0;
      for (const ArenaRequest& r : requests)
        if (r.first <= t && t <= r.last) live += r.bytes;
      peak_live = std::max(peak_live, live);
    }
    EXPECT_LE(layout.bytes, sum);  // never worse than no reuse
    EXPECT_GE(layout.bytes, peak_live);
  }
}

TEST(PlanArena, ReusesMemoryAfterLastUse) {
  // A chain: each value dies when the next one is computed from it.
  std::vector<ArenaRequest> chain;
  for (int i = 0; i < 6; ++i) chain.push_back({1000, i, i + 1});
  EXPECT_EQ(plan_arena(chain).bytes, 2 * 1024);
}

// Checks a plan by simulating it: every byte remembers which value last wrote it; each step
// must find its inputs intact, write no output over another input (except output 0 over the
// in-place input), and the graph outputs must be intact at the end.
void simulate(const std::vector<PlanValue>& values, const std::vector<PlanStep>& steps,
              const MemoryPlan& plan) {
  ASSERT_EQ(plan.offsets.size(), values.size());
  std::vector<int> memory(static_cast<size_t>(plan.arena_bytes), -1);
  std::vector<int> concat_of(values.size(), -1);  // value -> skipped step producing it
  for (size_t s = 0; s < steps.size(); ++s)
    if (plan.skip[s]) concat_of[static_cast<size_t>(steps[s].outputs[0])] = static_cast<int>(s);
  auto computed = [&](int v) {
    return v >= 0 && values[static_cast<size_t>(v)].kind == Kind::kComputed;
  };
  std::function<bool(int)> intact = [&](int v) {
    if (!computed(v)) return true;
    const int s = concat_of[static_cast<size_t>(v)];
    if (s >= 0) {
      // Written by its producers: each input must sit at its slice and be intact.
      const PlanStep& step = steps[static_cast<size_t>(s)];
      for (size_t k = 0; k < step.inputs.size(); ++k) {
        if (plan.offsets[static_cast<size_t>(step.inputs[k])] !=
            plan.offsets[static_cast<size_t>(v)] + step.concat_slices[k])
          return false;
        if (!intact(step.inputs[k])) return false;
      }
      return true;
    }
    const int64_t off = plan.offsets[static_cast<size_t>(v)];
    for (int64_t b = off; b < off + values[static_cast<size_t>(v)].bytes; ++b)
      if (memory[static_cast<size_t>(b)] != v) return false;
    return true;
  };
  auto range_overlap = [&](int u, int v) {
    return computed(u) && computed(v) &&
           overlaps(plan.offsets[static_cast<size_t>(u)], values[static_cast<size_t>(u)].bytes,
                    plan.offsets[static_cast<size_t>(v)], values[static_cast<size_t>(v)].bytes);
  };
  for (size_t s = 0; s < steps.size(); ++s) {
    const PlanStep& step = steps[s];
    for (int v : step.inputs) ASSERT_TRUE(intact(v)) << "input " << v << " of step " << s;
    if (plan.skip[s]) continue;
    for (size_t o = 0; o < step.outputs.size(); ++o) {
      for (size_t k = 0; k < step.inputs.size(); ++k) {
        const bool shared = o == 0 && plan.in_place[s] && static_cast<int>(k) == step.inplace_input;
        if (shared)
          ASSERT_EQ(plan.offsets[static_cast<size_t>(step.outputs[o])],
                    plan.offsets[static_cast<size_t>(step.inputs[k])]);
        else
          ASSERT_FALSE(range_overlap(step.outputs[o], step.inputs[k]))
              << "step " << s << " output " << o << " over input " << k;
      }
      for (size_t p = o + 1; p < step.outputs.size(); ++p)
        ASSERT_FALSE(range_overlap(step.outputs[o], step.outputs[p]));
    }
    for (int v : step.outputs) {
      const int64_t off = plan.offsets[static_cast<size_t>(v)];
      for (int64_t b = off; b < off + values[static_cast<size_t>(v)].bytes; ++b)
        memory[static_cast<size_t>(b)] = v;
    }
  }
  for (size_t v = 0; v < values.size(); ++v)
    if (values[v].graph_output) {
      ASSERT_TRUE(intact(static_cast<int>(v))) << "output " << v;
    }
}

// A random step graph: graph inputs and constants, then steps reading earlier values, some
// allowing in place, some Concats of values computed just for them.
void random_graph(std::mt19937& rng, std::vector<PlanValue>& values, std::vector<PlanStep>& steps) {
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  auto size = [&] { return kUnit * (1 + pick(3)) - (pick(2) ? 0 : pick(60)); };
  values.clear();
  steps.clear();
  for (int i = 0; i < 2; ++i) values.push_back({Kind::kGraphInput, size(), false});
  values.push_back({Kind::kConstant, size(), false});
  const int num_steps = 3 + pick(20);
  for (int s = 0; s < num_steps; ++s) {
    PlanStep step;
    const int available = static_cast<int>(values.size());
    if (pick(4) == 0 && available > 3) {
      // A concat of 2-3 earlier values.
      int64_t total = 0;
      for (int k = 0, n = 2 + pick(2); k < n; ++k) {
        const int v = pick(available);
        step.inputs.push_back(v);
        step.concat_slices.push_back(total);
        total += values[static_cast<size_t>(v)].bytes;
      }
      step.outputs.push_back(static_cast<int>(values.size()));
      values.push_back({Kind::kComputed, total, false});
    } else {
      for (int k = 0, n = 1 + pick(3); k < n; ++k)
        step.inputs.push_back(pick(5) == 0 ? -1 : pick(available));
      if (pick(2)) step.inplace_input = pick(static_cast<int>(step.inputs.size()));
      for (int o = 0, n = 1 + (pick(4) == 0); o < n; ++o) {
        step.outputs.push_back(static_cast<int>(values.size()));
        // Often the size of the in-place input, so sharing is legal.
        int64_t bytes = size();
        if (o == 0 && step.inplace_input >= 0 && pick(3) != 0) {
          const int x = step.inputs[static_cast<size_t>(step.inplace_input)];
          if (x >= 0) bytes = values[static_cast<size_t>(x)].bytes;
        }
        values.push_back({Kind::kComputed, bytes, false});
      }
    }
    steps.push_back(std::move(step));
  }
  for (size_t v = 3; v < values.size(); ++v)
    if (pick(6) == 0) values[v].graph_output = true;
  values.back().graph_output = true;
}

TEST(PlanMemory, RandomGraphsSimulateCorrectly) {
  std::mt19937 rng(11);
  int in_place = 0, concats = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    std::vector<PlanValue> values;
    std::vector<PlanStep> steps;
    random_graph(rng, values, steps);
    for (bool reuse : {true, false}) {
      const MemoryPlan plan = plan_memory(values, steps, reuse);
      simulate(values, steps, plan);
      if (HasFatalFailure()) return;
      for (size_t s = 0; s < steps.size(); ++s) {
        in_place += plan.in_place[s];
        concats += plan.skip[s];
        if (!reuse) {
          EXPECT_FALSE(plan.in_place[s] || plan.skip[s]);
        }
      }
    }
  }
  // The generator must exercise both decisions, or the simulation proves little.
  EXPECT_GT(in_place, 100);
  EXPECT_GT(concats, 50);
}

// x (input) -> a = f(x) -> b = relu(a) [in place] -> c = g(b)
TEST(PlanMemory, InPlaceWhenTheInputDiesHere) {
  std::vector<PlanValue> values = {{Kind::kGraphInput, 256, false},
                                   {Kind::kComputed, 256, false},
                                   {Kind::kComputed, 256, false},
                                   {Kind::kComputed, 256, true}};
  std::vector<PlanStep> steps = {{{0}, {1}, -1, {}}, {{1}, {2}, 0, {}}, {{2}, {3}, -1, {}}};
  MemoryPlan plan = plan_memory(values, steps);
  EXPECT_TRUE(plan.in_place[1]);
  EXPECT_EQ(plan.offsets[1], plan.offsets[2]);
  EXPECT_EQ(plan.arena_bytes, 512);

  // a also read later: not in place.
  steps[2].inputs = {2, 1};
  plan = plan_memory(values, steps);
  EXPECT_FALSE(plan.in_place[1]);
  // a is a graph output: not in place.
  steps[2].inputs = {2};
  values[1].graph_output = true;
  EXPECT_FALSE(plan_memory(values, steps).in_place[1]);
  values[1].graph_output = false;
  // Different byte sizes: not in place.
  values[2].bytes = 128;
  EXPECT_FALSE(plan_memory(values, steps).in_place[1]);
  values[2].bytes = 256;
  // The graph input is the caller's: never written.
  steps[0].inplace_input = 0;
  EXPECT_FALSE(plan_memory(values, steps).in_place[0]);
  // Read twice by the step (x + x): not in place.
  steps[1].inputs = {1, 1};
  EXPECT_FALSE(plan_memory(values, steps).in_place[1]);
}

// a = f(x), b = g(x), c = Concat(a, b), d = h(c)
TEST(PlanMemory, ConcatInPlaceWhenEachInputIsOnlyForIt) {
  std::vector<PlanValue> values = {{Kind::kGraphInput, 256, false},
                                   {Kind::kComputed, 128, false},
                                   {Kind::kComputed, 192, false},
                                   {Kind::kComputed, 320, false},
                                   {Kind::kComputed, 64, true}};
  std::vector<PlanStep> steps = {
      {{0}, {1}, -1, {}}, {{0}, {2}, -1, {}}, {{1, 2}, {3}, -1, {0, 128}}, {{3}, {4}, -1, {}}};
  MemoryPlan plan = plan_memory(values, steps);
  EXPECT_TRUE(plan.skip[2]);
  EXPECT_EQ(plan.offsets[1], plan.offsets[3]);
  EXPECT_EQ(plan.offsets[2], plan.offsets[3] + 128);
  simulate(values, steps, plan);

  // a also feeds d: the concat copies.
  steps[3].inputs = {3, 1};
  EXPECT_FALSE(plan_memory(values, steps).skip[2]);
  steps[3].inputs = {3};
  // b is a graph output.
  values[2].graph_output = true;
  EXPECT_FALSE(plan_memory(values, steps).skip[2]);
  values[2].graph_output = false;
  // An input that is the caller's buffer.
  steps[2].inputs = {1, 0};
  values[3].bytes = 384;
  EXPECT_FALSE(plan_memory(values, steps).skip[2]);
  // The caller did not find contiguous slices: no slices, no skipping.
  steps[2] = {{1, 2}, {3}, -1, {}};
  values[3].bytes = 320;
  EXPECT_FALSE(plan_memory(values, steps).skip[2]);
}

TEST(PlanMemory, NestedConcatsComposeOffsets) {
  // c1 = Concat(a, b); c2 = Concat(c1, d); out = f(c2)
  std::vector<PlanValue> values = {{Kind::kGraphInput, 64, false}, {Kind::kComputed, 64, false},
                                   {Kind::kComputed, 128, false},  {Kind::kComputed, 192, false},
                                   {Kind::kComputed, 64, false},   {Kind::kComputed, 256, false},
                                   {Kind::kComputed, 64, true}};
  std::vector<PlanStep> steps = {{{0}, {1}, -1, {}},          {{0}, {2}, -1, {}},
                                 {{1, 2}, {3}, -1, {0, 64}},  {{0}, {4}, -1, {}},
                                 {{3, 4}, {5}, -1, {0, 192}}, {{5}, {6}, -1, {}}};
  const MemoryPlan plan = plan_memory(values, steps);
  EXPECT_TRUE(plan.skip[2]);
  EXPECT_TRUE(plan.skip[4]);
  EXPECT_EQ(plan.offsets[1], plan.offsets[5]);
  EXPECT_EQ(plan.offsets[2], plan.offsets[5] + 64);
  EXPECT_EQ(plan.offsets[4], plan.offsets[5] + 192);
  simulate(values, steps, plan);
}

// Image-at-a-time segments: steps of a segment run once per image, in image order. Values that
// live inside one segment hold one image (reused by the next image); the others hold the whole
// batch and each image uses its own rows. Simulates that schedule over a byte map of
// (value, image) marks and checks every read sees what its writer left.
void simulate_images(const std::vector<PlanValue>& values, const std::vector<PlanStep>& steps,
                     const MemoryPlan& plan, const std::vector<bool>& internal, int images) {
  using Mark = std::pair<int, int>;  // value, image
  std::vector<Mark> memory(static_cast<size_t>(plan.arena_bytes), Mark{-1, -1});
  std::vector<int> concat_of(values.size(), -1);
  for (size_t s = 0; s < steps.size(); ++s)
    if (plan.skip[s]) concat_of[static_cast<size_t>(steps[s].outputs[0])] = static_cast<int>(s);
  auto computed = [&](int v) {
    return v >= 0 && values[static_cast<size_t>(v)].kind == Kind::kComputed;
  };
  // The bytes image `image` of v occupies: all of an internal value, else its rows.
  auto rows = [&](int v, int image) -> std::pair<int64_t, int64_t> {
    const int64_t bytes = values[static_cast<size_t>(v)].bytes;
    if (internal[static_cast<size_t>(v)]) return {plan.offsets[static_cast<size_t>(v)], bytes};
    return {plan.offsets[static_cast<size_t>(v)] + image * (bytes / images), bytes / images};
  };
  std::function<bool(int, int)> intact = [&](int v, int image) {
    if (!computed(v)) return true;
    const int s = concat_of[static_cast<size_t>(v)];
    if (s >= 0) {
      for (int a : steps[static_cast<size_t>(s)].inputs)
        if (!intact(a, image)) return false;
      return true;
    }
    const auto [off, len] = rows(v, image);
    for (int64_t b = off; b < off + len; ++b)
      if (memory[static_cast<size_t>(b)] != Mark{v, image}) return false;
    return true;
  };
  auto run = [&](size_t s, int image) {
    const PlanStep& step = steps[s];
    if (plan.skip[s]) return;
    for (int v : step.inputs) ASSERT_TRUE(intact(v, image)) << "step " << s << " image " << image;
    for (int v : step.outputs) {
      const auto [off, len] = rows(v, image);
      for (int64_t b = off; b < off + len; ++b) memory[static_cast<size_t>(b)] = Mark{v, image};
    }
    // Writing the outputs must not have touched another input (the in-place one excepted).
    for (size_t k = 0; k < step.inputs.size(); ++k) {
      if (plan.in_place[s] && static_cast<int>(k) == step.inplace_input) continue;
      ASSERT_TRUE(intact(step.inputs[k], image)) << "step " << s << " overwrote an input";
    }
  };
  for (size_t s = 0; s < steps.size();) {
    const int segment = steps[s].segment;
    size_t end = s + 1;
    while (segment >= 0 && end < steps.size() && steps[end].segment == segment) ++end;
    if (segment >= 0) {
      for (int image = 0; image < images; ++image)
        for (size_t j = s; j < end; ++j) {
          run(j, image);
          if (::testing::Test::HasFatalFailure()) return;
        }
    } else {
      // A whole-batch step reads every image, then writes every image.
      for (int v : steps[s].inputs)
        for (int image = 0; image < images; ++image) ASSERT_TRUE(intact(v, image));
      for (int image = 0; image < images; ++image) run(s, image);
    }
    s = end;
  }
  for (size_t v = 0; v < values.size(); ++v) {
    if (!values[v].graph_output) continue;
    for (int image = 0; image < images; ++image)
      ASSERT_TRUE(intact(static_cast<int>(v), image)) << "output " << v;
  }
}

TEST(PlanMemory, RandomSegmentsSimulateImageByImage) {
  std::mt19937 rng(13);
  constexpr int kImages = 3;
  int internal_count = 0, in_place = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    std::vector<PlanValue> values;
    std::vector<PlanStep> steps;
    random_graph(rng, values, steps);
    // Random contiguous segments, numbered in order: each step ends the current one, starts
    // a new one or stays.
    int current = -1, next = 0;
    for (PlanStep& step : steps) {
      const int pick = std::uniform_int_distribution<int>(0, 2)(rng);
      if (pick == 0) current = -1;
      if (pick == 1) current = next++;
      step.segment = current;
    }
    const std::vector<bool> internal = segment_internal_values(values, steps);
    for (size_t v = 0; v < values.size(); ++v) {
      if (values[v].kind != Kind::kComputed) continue;
      if (internal[v])
        ++internal_count;
      else
        values[v].bytes *= kImages;  // the whole batch
    }
    // Producers write into a Concat only where each image has its own copy of every part
    // (the executor computes no slices for a batch value).
    for (PlanStep& step : steps) {
      bool all_internal = step.segment >= 0;
      for (int v : step.inputs)
        all_internal = all_internal && v >= 0 && internal[static_cast<size_t>(v)];
      for (int v : step.outputs) all_internal = all_internal && internal[static_cast<size_t>(v)];
      if (!all_internal) step.concat_slices.clear();
    }
    const MemoryPlan plan = plan_memory(values, steps);
    for (size_t s = 0; s < steps.size(); ++s) in_place += plan.in_place[s];
    simulate_images(values, steps, plan, internal, kImages);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(internal_count, 500);
  EXPECT_GT(in_place, 100);
}

// x -> a (whole batch) -> [segment: b = f(a), c = g(b)] -> d = h(c): a must outlive the
// segment (image 2 reads it after image 1 wrote c), b holds one image.
TEST(PlanMemory, SegmentExtendsBatchValuesAndShrinksItsOwn) {
  std::vector<PlanValue> values = {{Kind::kGraphInput, 300, false},
                                   {Kind::kComputed, 300, false},
                                   {Kind::kComputed, 100, false},
                                   {Kind::kComputed, 300, false},
                                   {Kind::kComputed, 300, true}};
  std::vector<PlanStep> steps = {
      {{0}, {1}, -1, {}}, {{1}, {2}, -1, {}}, {{2}, {3}, -1, {}}, {{3}, {4}, -1, {}}};
  steps[1].segment = steps[2].segment = 0;
  EXPECT_EQ(segment_internal_values(values, steps),
            (std::vector<bool>{false, false, true, false, false}));
  const MemoryPlan plan = plan_memory(values, steps);
  auto disjoint = [&](int u, int v) {
    return !overlaps(plan.offsets[static_cast<size_t>(u)], values[static_cast<size_t>(u)].bytes,
                     plan.offsets[static_cast<size_t>(v)], values[static_cast<size_t>(v)].bytes);
  };
  EXPECT_TRUE(disjoint(1, 3));  // without the segment, c could take a's place
  EXPECT_TRUE(disjoint(1, 2));
  EXPECT_TRUE(disjoint(2, 3));
  steps[1].segment = steps[2].segment = -1;
  const MemoryPlan whole = plan_memory(values, steps);
  EXPECT_EQ(whole.offsets[1], whole.offsets[3]);
}

}  // namespace
}  // namespace hone
