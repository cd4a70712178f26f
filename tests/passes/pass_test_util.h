// Helpers for the pass tests: build small graphs through the Graph API, run a graph with the
// reference kernels, and check that a pass keeps the outputs while rewriting the graph.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/random_fill.h"
#include "ir/op_registry.h"
#include "ir/passes/graph_rewrite.h"
#include "ir/passes/pass_manager.h"
#include "ir/printer.h"
#include "ir/shape_inference.h"
#include "runtime/executor.h"

namespace hone::testing {

// Skips the test while an op it needs has no registry entry (internal ops land separately).
#define HONE_REQUIRE_OP(domain, op)            \
  if (!::hone::op_registry().find(op, domain)) \
  GTEST_SKIP() << "op " << (domain) << ":" << (op) << " not registered yet"

// Builds a graph node by node; types come from infer_shapes in finish().
class GraphBuilder {
 public:
  explicit GraphBuilder(int opset = 13) {
    g_.name = "test";
    g_.opset = opset;
  }
  ValueId input(const std::string& name, Shape shape) {
    ValueId id = g_.add_value(name, {DType::kFloat32, std::move(shape)});
    g_.inputs.push_back(id);
    return id;
  }
  ValueId constant(const std::string& name, Tensor t) {
    ValueId id = g_.add_value(name, {t.dtype(), t.shape()});
    g_.value(id).constant = std::move(t);
    return id;
  }
  // A float constant with values uniform in [lo, hi), deterministic in `seed`.
  ValueId random_constant(const std::string& name, Shape shape, uint64_t seed, float lo = -1.0f,
                          float hi = 1.0f) {
    Tensor t = make_filled_tensor(DType::kFloat32, shape, FillMode::kRandom, seed);
    float* p = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = lo + (hi - lo) * p[i];
    return constant(name, std::move(t));
  }
  ValueId node(const std::string& op, std::vector<ValueId> inputs, Attributes attrs = {},
               const std::string& out = "", const std::string& domain = "") {
    return nodes(op, std::move(inputs), 1, std::move(attrs), out, domain)[0];
  }
  std::vector<ValueId> nodes(const std::string& op, std::vector<ValueId> inputs, int n_out,
                             Attributes attrs = {}, const std::string& out = "",
                             const std::string& domain = "") {
    Node n;
    n.name = op + "_" + std::to_string(g_.nodes.size());
    n.op_type = op;
    n.domain = domain;
    n.inputs = std::move(inputs);
    std::vector<ValueId> outs;
    for (int i = 0; i < n_out; ++i) {
      std::string name = out.empty() ? n.name + "_out" + std::to_string(i)
                                     : (i == 0 ? out : out + std::to_string(i));
      ValueId id = g_.add_value(name);
      g_.value(id).producer = static_cast<int>(g_.nodes.size());
      outs.push_back(id);
    }
    n.outputs = outs;
    n.attrs = std::move(attrs);
    g_.nodes.push_back(std::move(n));
    return outs;
  }
  void output(ValueId id) { g_.outputs.push_back(id); }
  Graph finish() {
    infer_shapes(g_);
    g_.validate();
    return g_;
  }

 private:
  Graph g_;
};

inline Attributes attrs(std::initializer_list<std::pair<const std::string, AttributeValue>> kv) {
  Attributes a;
  for (const auto& [k, v] : kv) a[k] = Attribute{v};
  return a;
}

// Random inputs in [-1, 1) for every graph input, deterministic in `seed`.
inline std::map<std::string, Tensor> random_inputs(const Graph& g, uint64_t seed = 7) {
  std::map<std::string, Tensor> in;
  for (ValueId id : g.inputs) {
    const Value& v = g.value(id);
    Tensor t = make_filled_tensor(v.type.dtype, v.type.shape, FillMode::kRandom, seed++);
    if (t.dtype() == DType::kFloat32) {
      float* p = t.data<float>();
      for (int64_t i = 0; i < t.numel(); ++i) p[i] = 2.0f * p[i] - 1.0f;
    }
    in[v.name] = t;
  }
  return in;
}

inline std::vector<Tensor> run_graph(const Graph& g, const std::map<std::string, Tensor>& in) {
  Executor ex{Graph(g)};
  return ex.run(in);
}

inline int count_ops(const Graph& g, const std::string& op) {
  return static_cast<int>(std::count_if(g.nodes.begin(), g.nodes.end(),
                                        [&](const Node& n) { return n.op_type == op; }));
}

// Expects equal shapes and |a - b| <= rel * max|b| elementwise (floats), exact otherwise.
inline void expect_close(const Tensor& got, const Tensor& want, double rel,
                         const std::string& what) {
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  ASSERT_EQ(got.shape(), want.shape()) << what;
  std::vector<double> a = got.to_vector<double>(), b = want.to_vector<double>();
  double scale = 0.0;
  for (double x : b) scale = std::max(scale, std::fabs(x));
  double tol = rel * std::max(scale, 1e-30);
  double worst = 0.0;
  size_t at = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double d = std::fabs(a[i] - b[i]);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  EXPECT_LE(worst, tol) << what << ": max difference " << worst << " at element " << at << " (got "
                        << a[at] << ", want " << b[at] << "; output scale " << scale << ")";
}

// The first op of the graph without a registry entry ("" when all have one).
inline std::string unregistered_op(const Graph& g) {
  for (const Node& n : g.nodes)
    if (!op_registry().find(n.op_type, n.domain)) return n.domain + ":" + n.op_type;
  return "";
}

// Ends a test whose structural checks ran but whose graph could not run yet.
#define HONE_SKIP_IF_UNREGISTERED(graph)                                     \
  if (std::string op = ::hone::testing::unregistered_op(graph); !op.empty()) \
  GTEST_SKIP() << "outputs not compared: op " << op << " not registered yet"

// A copy of `g` optimized at `level` with channel block `block` (0: plain layout).
inline Graph optimized(const Graph& g, int level, int block) {
  Graph out = g;
  OptimizeOptions o;
  o.opt_level = level;
  o.block = block;
  optimize_graph(out, o);
  return out;
}

// The rewritten graph keeps the outputs' names and types and, when every op it uses is
// registered, gives outputs within `rel` of the original's (reference kernels).
inline void expect_same_outputs(const Graph& before, const Graph& after, double rel) {
  ASSERT_EQ(before.outputs.size(), after.outputs.size());
  for (size_t i = 0; i < before.outputs.size(); ++i) {
    EXPECT_EQ(after.value(after.outputs[i]).name, before.value(before.outputs[i]).name);
    EXPECT_EQ(after.value(after.outputs[i]).type, before.value(before.outputs[i]).type);
  }
  if (!unregistered_op(after).empty()) return;
  auto in = random_inputs(before);
  std::vector<Tensor> want = run_graph(before, in), got = run_graph(after, in);
  for (size_t i = 0; i < want.size(); ++i)
    expect_close(got[i], want[i], rel, "output " + std::to_string(i) + "\n" + print_graph(after));
}

// Runs the graph before and after `pass`, checking the rewritten graph validates, keeps its
// output names and types, and gives the same outputs (when every op it uses is registered).
// Returns the rewritten graph.
inline Graph check_pass(const Graph& before, void (*pass)(Graph&, const OptimizeOptions&),
                        OptimizeOptions options = {}, double rel = 1e-5) {
  Graph after = before;
  pass(after, options);
  EXPECT_NO_THROW(after.validate()) << print_graph(after);
  EXPECT_EQ(after.outputs.size(), before.outputs.size());
  for (size_t i = 0; i < before.outputs.size() && i < after.outputs.size(); ++i) {
    EXPECT_EQ(after.value(after.outputs[i]).name, before.value(before.outputs[i]).name);
    EXPECT_EQ(after.value(after.outputs[i]).type, before.value(before.outputs[i]).type);
  }
  EXPECT_EQ(after.inputs.size(), before.inputs.size());
  if (!unregistered_op(after).empty()) return after;  // see HONE_SKIP_IF_UNREGISTERED
  auto in = random_inputs(before);
  std::vector<Tensor> want = run_graph(before, in);
  std::vector<Tensor> got = run_graph(after, in);
  EXPECT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size() && i < got.size(); ++i)
    expect_close(got[i], want[i], rel, "output " + std::to_string(i) + "\n" + print_graph(after));
  return after;
}

}  // namespace hone::testing
