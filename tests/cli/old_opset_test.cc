// A model below the canonical opset goes through ONNX's version converter, with its large
// initializers set aside while it runs: the same network written at opset 9 and at opset 13
// must give the same outputs.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/npz.h"
#include "hone_process.h"

namespace hone::testing {
namespace {

std::vector<float> outputs_at_opset(const ScratchDir& dir, const std::string& opset) {
  const std::string model = dir.file("sq" + opset + ".onnx");
  const std::string out = dir.file("out" + opset + ".npz");
  HoneResult made =
      run_hone({"zoo", "make", "squeezenet1_0", "-o", model, "--opset", opset, "--seed", "5"});
  EXPECT_EQ(made.status, 0) << made.err;
  HoneResult r = run_hone({"run", model, "--input-shapes", "data:[1,3,64,64]", "--seed", "3",
                           "--repeat", "1", "--outputs", out});
  EXPECT_EQ(r.status, 0) << r.err;
  if (r.status != 0) return {};
  return read_npz_file(out).at(0).tensor.to_vector<float>();
}

TEST(CliOldOpset, ConvertedModelGivesTheCanonicalModelsOutputs) {
  ScratchDir dir;
  const std::vector<float> old_out = outputs_at_opset(dir, "9");
  const std::vector<float> new_out = outputs_at_opset(dir, "13");
  ASSERT_FALSE(new_out.empty());
  ASSERT_EQ(old_out.size(), new_out.size());
  double scale = 0, diff = 0;
  for (size_t i = 0; i < new_out.size(); ++i) {
    scale = std::max(scale, std::fabs(static_cast<double>(new_out[i])));
    diff = std::max(diff, std::fabs(static_cast<double>(old_out[i]) - new_out[i]));
  }
  EXPECT_GT(scale, 0.0);
  EXPECT_LE(diff, 1e-5 * scale);
}

}  // namespace
}  // namespace hone::testing
