// Helpers of the executor tests: zoo models at a small input, optimized executors, and the
// closeness check against a reference run.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "frontend/onnx/onnx_importer.h"
#include "ir/passes/pass_manager.h"
#include "runtime/executor.h"
#include "zoo/zoo_model.h"

namespace hone::testing {

// A `hone zoo` model with input "data" of shape [batch, 3, size, size].
inline Graph zoo_graph(const std::string& name, int64_t size, int64_t batch = 1) {
  const std::string bytes = zoo_serialize(zoo_build_model(name, ZooOptions{}));
  ImportOptions options;
  options.input_shapes["data"] = {batch, 3, size, size};
  return import_onnx_bytes(bytes, name, ".", options);
}

// `graph` through the opt-level-3 passes for `isa`, on that ISA's optimized kernels.
inline Executor optimized_executor(Graph graph, Isa isa, ExecutorOptions options = {}) {
  optimize_graph(graph, {3, layout_block(isa), "", {}});
  options.kernel.optimized = true;
  options.kernel.isa = isa;
  return Executor(std::move(graph), options);
}

// max |a - b| <= tolerance * max |reference|
inline void expect_close(const Tensor& got, const Tensor& want, double tolerance) {
  ASSERT_EQ(got.shape(), want.shape());
  const std::vector<float> g = got.to_vector<float>(), w = want.to_vector<float>();
  double scale = 0, diff = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    scale = std::max(scale, std::fabs(static_cast<double>(w[i])));
    diff = std::max(diff, std::fabs(static_cast<double>(g[i]) - w[i]));
  }
  EXPECT_LE(diff, tolerance * std::max(scale, 1e-30)) << "scale " << scale;
}

}  // namespace hone::testing
