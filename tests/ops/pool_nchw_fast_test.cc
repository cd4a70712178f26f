// The optimized NCHW kernels that MaxPool, AveragePool, Global*Pool and LRN bind when
// KernelOptions.optimized is set: every variant against the reference kernel (the oracle) over
// odd shapes, asymmetric pads, dilations, ceil_mode and count_include_pad, plus the cases that
// must keep the reference (Indices output, 3-D windows, float64).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ops/blocked_test_util.h"
#include "ops/op_test_util.h"

namespace hone::test {
namespace {

using Ints = std::vector<int64_t>;

struct Case {
  Ints kernel, strides, pads, dilations;
  int64_t ceil_mode;
  Shape shape;
};

const std::vector<Case> kCases = {
    {{3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 0, {1, 8, 112, 112}},
    {{2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 0, {2, 3, 9, 8}},
    {{3, 3}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 1, {1, 5, 14, 13}},
    {{3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 1, {1, 3, 6, 7}},
    {{2, 3}, {1, 2}, {0, 1, 1, 0}, {1, 1}, 0, {1, 4, 7, 9}},
    {{3, 3}, {1, 1}, {2, 2, 2, 2}, {2, 2}, 0, {1, 2, 7, 7}},
    {{5, 5}, {3, 3}, {2, 1, 0, 2}, {1, 1}, 1, {2, 3, 11, 10}},
    {{1, 1}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 0, {1, 3, 5, 5}},
    {{3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 0, {1, 3, 1, 1}},
};

OpCall call_for(const std::string& op, const Case& c, int64_t include_pad) {
  Attributes a = attrs({{"kernel_shape", c.kernel},
                        {"strides", c.strides},
                        {"pads", c.pads},
                        {"dilations", c.dilations},
                        {"ceil_mode", c.ceil_mode}});
  if (op == "AveragePool") a["count_include_pad"] = Attribute{include_pad};
  return OpCall{
      .op_type = op, .inputs = {random_tensor(c.shape, 5, -2.0f, 2.0f)}, .attrs = a, .opset = 19};
}

TEST(PoolNchwFast, WindowPoolsMatchReference) {
  for (const Case& c : kCases)
    for (const std::string op : {"MaxPool", "AveragePool"})
      for (int64_t include_pad : {0, 1}) {
        if (op == "MaxPool" && include_pad) continue;
        OpCall call = call_for(op, c, include_pad);
        Tensor expected = run_op(call)[0];
        for (const Variant& v : optimized_variants()) {
          call.kernel_options = v.options;
          EXPECT_EQ(prepare_op(call).kernel_name.find("fast") != std::string::npos, true) << op;
          EXPECT_LT(relative_error(run_op(call)[0], expected), 1e-5)
              << op << " " << shape_to_string(c.shape) << " k" << shape_to_string(c.kernel)
              << " include_pad " << include_pad << " " << v.name;
        }
      }
}

TEST(PoolNchwFast, GlobalPoolsMatchReference) {
  for (Shape shape : {Shape{1, 2048, 7, 7}, Shape{2, 3, 5, 3}, Shape{1, 7, 1, 1},
                      Shape{1, 4, 13, 1}, Shape{1, 3, 2, 3, 4}})
    for (const std::string op : {"GlobalAveragePool", "GlobalMaxPool"}) {
      OpCall call{.op_type = op, .inputs = {random_tensor(shape, 8, -1.0f, 3.0f)}};
      Tensor expected = run_op(call)[0];
      for (const Variant& v : optimized_variants()) {
        call.kernel_options = v.options;
        EXPECT_LT(relative_error(run_op(call)[0], expected), 1e-5)
            << op << " " << shape_to_string(shape) << " " << v.name;
      }
    }
}

TEST(PoolNchwFast, LrnMatchesReference) {
  for (int64_t size : {1, 3, 5, 4})
    for (Shape shape : {Shape{1, 96, 27, 27}, Shape{2, 5, 3, 7}, Shape{1, 2, 300}}) {
      OpCall call{
          .op_type = "LRN",
          .inputs = {random_tensor(shape, 9, -3.0f, 3.0f)},
          .attrs = attrs({{"size", size}, {"alpha", 0.001f}, {"beta", 0.75f}, {"bias", 2.0f}})};
      Tensor expected = run_op(call)[0];
      for (const Variant& v : optimized_variants()) {
        call.kernel_options = v.options;
        EXPECT_LT(relative_error(run_op(call)[0], expected), 1e-5)
            << "size " << size << " " << shape_to_string(shape) << " " << v.name;
      }
    }
}

TEST(PoolNchwFast, KeepsReferenceWhereTheFastKernelDoesNotApply) {
  const KernelOptions fast{true, best_isa(), nullptr};
  // Indices requested: the reference computes them.
  OpCall with_indices{.op_type = "MaxPool",
                      .inputs = {random_tensor({1, 2, 6, 6}, 3)},
                      .attrs = attrs({{"kernel_shape", Ints{2, 2}}}),
                      .num_outputs = 2};
  std::vector<Tensor> ref = run_op(with_indices);
  with_indices.kernel_options = fast;
  std::vector<Tensor> got = run_op(with_indices);
  EXPECT_EQ(max_abs_diff(got[0], ref[0]), 0.0);
  EXPECT_EQ(max_abs_diff(got[1], ref[1]), 0.0);
  // A 3-D window.
  OpCall three_d{.op_type = "AveragePool",
                 .inputs = {random_tensor({1, 2, 4, 5, 6}, 4)},
                 .attrs = attrs({{"kernel_shape", Ints{2, 2, 2}}})};
  Tensor expected = run_op(three_d)[0];
  three_d.kernel_options = fast;
  EXPECT_EQ(max_abs_diff(run_op(three_d)[0], expected), 0.0);
  // Validation still names the node with optimized kernels on.
  OpCall bad{.op_type = "MaxPool",
             .inputs = {random_tensor({1, 2, 4, 4}, 1)},
             .attrs = attrs({{"kernel_shape", Ints{2, 2}}, {"ceil_mode", int64_t{3}}}),
             .kernel_options = fast};
  try {
    prepare_op(bad);
    ADD_FAILURE() << "ceil_mode 3 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(kTestNodeName), std::string::npos);
  }
}

}  // namespace
}  // namespace hone::test
