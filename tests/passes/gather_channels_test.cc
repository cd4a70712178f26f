// gather-channels alone (channel shuffles, channel Slices and Splits become ChannelGather
// nodes reading through Concats) and with the blocked layout after it: outputs equal to the
// unoptimized graph's, the ONNX ops gone, non-channel moves left alone.
#include "ir/passes/gather_channels.h"

#include "pass_test_util.h"

namespace hone::testing {
namespace {

using Ints = std::vector<int64_t>;

ValueId ints(GraphBuilder& b, const std::string& name, Ints v) {
  const auto n = static_cast<int64_t>(v.size());
  return b.constant(name, Tensor::from_vector<int64_t>({n}, v));
}

ValueId conv1x1(GraphBuilder& b, ValueId x, int64_t in_c, int64_t out_c, uint64_t seed) {
  const std::string p = "c" + std::to_string(seed);
  ValueId w = b.random_constant(p + ".w", {out_c, in_c, 1, 1}, seed, -0.5f, 0.5f);
  return b.node("Relu", {b.node("Conv", {x, w, b.random_constant(p + ".b", {out_c}, seed + 1)})});
}

// Reshape [N,C,H,W] -> [N,groups,C/groups,H,W], Transpose (0,2,1,3,4), Reshape back.
ValueId shuffle(GraphBuilder& b, ValueId x, const Shape& s, int64_t groups, const std::string& p) {
  ValueId r =
      b.node("Reshape", {x, ints(b, p + ".split", {s[0], groups, s[1] / groups, s[2], s[3]})});
  ValueId t = b.node("Transpose", {r}, attrs({{"perm", Ints{0, 2, 1, 3, 4}}}));
  return b.node("Reshape", {t, ints(b, p + ".merge", {s[0], s[1], s[2], s[3]})});
}

// ShuffleNet-v2's units: split the channels in halves, one half through convs, concat,
// shuffle; `units` of them on `channels` channels (an odd half needs lane shifts).
Graph shufflenet_like(int64_t channels, int units, int64_t batch = 1) {
  GraphBuilder b;
  const Shape s{batch, channels, 6, 5};
  const int64_t half = channels / 2;
  ValueId x = conv1x1(b, b.input("x", {batch, 16, 6, 5}), 16, channels, 100);
  for (int u = 0; u < units; ++u) {
    const std::string p = "u" + std::to_string(u);
    ValueId keep = b.node(
        "Slice", {x, ints(b, p + ".s0", {0}), ints(b, p + ".e0", {half}), ints(b, p + ".a0", {1})});
    ValueId work = b.node("Slice", {x, ints(b, p + ".s1", {half}), ints(b, p + ".e1", {channels}),
                                    ints(b, p + ".a1", {1}), ints(b, p + ".st1", {1})});
    work = conv1x1(b, conv1x1(b, work, half, half, 200 + 10 * u), half, half, 205 + 10 * u);
    ValueId cat = b.node("Concat", {keep, work}, attrs({{"axis", int64_t{1}}}));
    x = shuffle(b, cat, s, 2, p);
  }
  b.output(b.node("Identity", {conv1x1(b, x, channels, 8, 900)}, {}, "y"));
  return b.finish();
}

// The optimized kernels give the same results when every step that can runs image by image
// (the gathers among them) as with the whole batch.
void expect_same_image_by_image(const Graph& g, int block) {
  ExecutorOptions whole, by_image;
  for (ExecutorOptions* o : {&whole, &by_image}) {
    o->kernel.optimized = true;
    o->kernel.isa = block == 16 ? best_isa() : Isa::kPortable;
  }
  whole.image_at_a_time_bytes = 0;
  by_image.image_at_a_time_bytes = 1;
  Executor a{Graph(g), whole}, b{Graph(g), by_image};
  EXPECT_GT(b.image_at_a_time_steps(), count_ops(g, "ChannelGather"));
  auto in = random_inputs(g);
  const std::vector<Tensor> want = a.run(in), got = b.run(in);
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(got[i].to_vector<float>(), want[i].to_vector<float>()) << "output " << i;
}

TEST(GatherChannels, ShuffleUnitsBecomeGathersFromTheConcatInputs) {
  for (int64_t channels : {24, 58}) {
    Graph g = shufflenet_like(channels, 3);
    Graph after = check_pass(g, gather_channels);
    for (const char* op : {"Slice", "Reshape", "Transpose", "Concat"})
      EXPECT_EQ(count_ops(after, op), 0) << op << "\n" << print_graph(after);
    // The half that passes through is never copied: each unit gathers the half its convs
    // read, and the last shuffle is gathered whole for the head. Each reads halves made by
    // the units' convs, or the stem conv.
    EXPECT_EQ(count_ops(after, "ChannelGather"), 3 + 1) << print_graph(after);
    for (const Node& n : after.nodes)
      if (n.op_type == "ChannelGather") {
        for (ValueId id : n.inputs) {
          const int64_t c = after.value(id).type.shape[1];
          EXPECT_TRUE(c == channels / 2 || c == channels) << c;
        }
      }
  }
}

TEST(GatherChannels, BlockedGathersNeedNoReorders) {
  for (int64_t batch : {1, 2})
    for (int64_t channels : {24, 58})
      for (int block : {8, 16}) {
        Graph g = shufflenet_like(channels, 2, batch);
        Graph after = optimized(g, 3, block);
        // Only the graph input (16 channels) is reordered; the head conv writes NCHW.
        EXPECT_EQ(count_ops(after, "ReorderToBlocked"), 1) << print_graph(after);
        EXPECT_EQ(count_ops(after, "ReorderFromBlocked"), 0) << print_graph(after);
        for (const Node& n : after.nodes)
          if (n.op_type == "ChannelGather") {
            EXPECT_EQ(attr_int(n, "block", -1), block);
          }
        expect_same_outputs(g, after, 1e-5);
        expect_same_outputs(g, optimized(g, 2, block), 1e-5);  // plain gathers
        if (batch > 1) expect_same_image_by_image(after, block);
      }
}

TEST(GatherChannels, SplitsSlicesAndOldOpsets) {
  {  // Split in three (sizes from its input), a strided Slice with a negative start.
    GraphBuilder b;
    ValueId x = conv1x1(b, b.input("x", {1, 16, 4, 3}), 16, 24, 10);
    auto parts =
        b.nodes("Split", {x, ints(b, "sizes", {5, 7, 12})}, 3, attrs({{"axis", int64_t{1}}}));
    ValueId odd = b.node("Slice", {x, ints(b, "s", {-23}), ints(b, "e", {100}), ints(b, "a", {-3}),
                                   ints(b, "st", {2})});
    ValueId cat = b.node("Concat", {parts[2], odd, parts[0]}, attrs({{"axis", int64_t{1}}}));
    b.output(b.node("Identity", {conv1x1(b, cat, 29, 4, 20)}, {}, "y"));
    b.output(b.node("Identity", {parts[1]}, {}, "middle"));
    Graph after = check_pass(b.finish(), gather_channels);
    EXPECT_EQ(count_ops(after, "Split"), 0);
    EXPECT_EQ(count_ops(after, "Slice"), 0);
    // The Concat stays (its inputs are gathers, it is not read by one).
    EXPECT_EQ(count_ops(after, "Concat"), 1);
    EXPECT_EQ(count_ops(after, "ChannelGather"), 4);
  }
  {  // Opset 9: Slice bounds are attributes.
    GraphBuilder b(9);
    ValueId x = conv1x1(b, b.input("x", {2, 8, 3, 3}), 8, 10, 30);
    ValueId s =
        b.node("Slice", {x}, attrs({{"starts", Ints{2}}, {"ends", Ints{9}}, {"axes", Ints{1}}}));
    b.output(b.node("Identity", {s}, {}, "y"));
    Graph after = check_pass(b.finish(), gather_channels);
    EXPECT_EQ(count_ops(after, "ChannelGather"), 1);
  }
}

TEST(GatherChannels, OtherMovesStay) {
  GraphBuilder b;
  ValueId x = conv1x1(b, b.input("x", {1, 8, 4, 6}), 8, 12, 40);
  // A spatial Slice, a Slice on two axes, a Transpose that is not a shuffle.
  ValueId rows = b.node("Slice", {x, ints(b, "s", {1}), ints(b, "e", {3}), ints(b, "a", {2})});
  ValueId both =
      b.node("Slice", {x, ints(b, "s2", {0, 1}), ints(b, "e2", {6, 3}), ints(b, "a2", {1, 2})});
  ValueId r = b.node("Reshape", {x, ints(b, "split", {1, 3, 4, 4, 6})});
  ValueId t = b.node("Transpose", {r}, attrs({{"perm", Ints{0, 1, 2, 4, 3}}}));
  ValueId back = b.node("Reshape", {t, ints(b, "merge", {1, 12, 6, 4})});
  b.output(b.node("Identity", {rows}, {}, "rows"));
  b.output(b.node("Identity", {both}, {}, "both"));
  b.output(b.node("Identity", {back}, {}, "back"));
  Graph after = check_pass(b.finish(), gather_channels);
  EXPECT_EQ(count_ops(after, "ChannelGather"), 0) << print_graph(after);
  EXPECT_EQ(count_ops(after, "Slice"), 2);
  EXPECT_EQ(count_ops(after, "Transpose"), 1);
}

}  // namespace
}  // namespace hone::testing
