// `hone run` end to end: outputs match ONNX's expected tensors, JSON fields, inputs from
// .npz, fills, timing flags, and every kind of bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/npz.h"
#include "frontend/onnx/tensor_proto.h"
#include "hone_process.h"

namespace hone::testing {
namespace {

const std::string kRelu = onnx_case("node", "test_relu");
const std::string kConv = onnx_case("node", "test_conv_with_strides_padding");
const std::string kAdd = onnx_case("node", "test_add");

void expect_close(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.dtype(), want.dtype());
  ASSERT_EQ(got.shape(), want.shape());
  std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  for (size_t i = 0; i < g.size(); ++i)
    ASSERT_NEAR(g[i], w[i], 1e-5 + 1e-4 * std::fabs(w[i])) << "element " << i;
}

// Writes the ONNX test case's inputs into an .npz named after the graph inputs.
void write_case_inputs(const std::string& case_dir, const std::vector<std::string>& names,
                       const std::string& npz) {
  std::vector<NamedTensor> arrays;
  for (size_t i = 0; i < names.size(); ++i)
    arrays.push_back({names[i], read_tensor_pb_file(case_dir + "/test_data_set_0/input_" +
                                                    std::to_string(i) + ".pb")});
  write_npz_file(npz, arrays);
}

TEST(CliRun, OutputsMatchOnnxExpectedValues) {
  ScratchDir dir;
  for (const auto& [case_dir, names] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{
           {kRelu, {"x"}}, {kConv, {"x", "W"}}, {kAdd, {"x", "y"}}}) {
    SCOPED_TRACE(case_dir);
    write_case_inputs(case_dir, names, dir.file("in.npz"));
    HoneResult r = run_hone({"run", case_dir + "/model.onnx", "--inputs", dir.file("in.npz"),
                             "--outputs", dir.file("out.npz")});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    std::vector<NamedTensor> out = read_npz_file(dir.file("out.npz"));
    ASSERT_EQ(out.size(), 1u);
    std::string expected_name;
    Tensor expected =
        read_tensor_pb_file(case_dir + "/test_data_set_0/output_0.pb", &expected_name);
    EXPECT_EQ(out[0].name, case_dir == kAdd ? "sum" : "y");
    expect_close(out[0].tensor, expected);
  }
}

TEST(CliRun, JsonHasTheDocumentedFields) {
  HoneResult r = run_hone({"run", kRelu + "/model.onnx", "--json", "--repeat", "3", "--number", "2",
                           "--warmup", "0", "--threads", "1"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);  // exactly one JSON document
  for (const char* k : {"model", "mean_ms", "median_ms", "max_ms", "min_ms", "std_ms", "repeat",
                        "number", "threads", "outputs", "inputs", "opt_level", "isa",
                        "peak_activation_bytes", "packed_weight_bytes"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["repeat"], 3);
  EXPECT_EQ(j["number"], 2);
  EXPECT_EQ(j["threads"], 1);
  EXPECT_FALSE(j.contains("executor_threads"));
  EXPECT_EQ(j["opt_level"], 3);
  EXPECT_GT(j["peak_activation_bytes"].get<int64_t>(), 0);
  EXPECT_GE(j["packed_weight_bytes"].get<int64_t>(), 0);
  EXPECT_EQ(j["samples_ms"].size(), 3u);
  EXPECT_LE(j["min_ms"].get<double>(), j["median_ms"].get<double>());
  EXPECT_LE(j["median_ms"].get<double>(), j["max_ms"].get<double>());
  EXPECT_GE(j["std_ms"].get<double>(), 0);
  ASSERT_EQ(j["outputs"].size(), 1u);
  EXPECT_EQ(j["outputs"][0]["name"], "y");
  EXPECT_EQ(j["outputs"][0]["shape"], nlohmann::json::array({3, 4, 5}));
  EXPECT_EQ(j["inputs"][0]["source"], "random");
}

TEST(CliRun, PrintTimeAndPrintTop) {
  ScratchDir dir;
  // ones in, Relu: every output is 1, so the top entries are the lowest indices.
  HoneResult r = run_hone({"run", kRelu + "/model.onnx", "--fill-mode", "ones", "--print-time",
                           "--print-top", "3", "--repeat", "4"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* s : {"mean (ms)", "median (ms)", "max (ms)", "min (ms)", "std (ms)"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  EXPECT_NE(r.out.find("Top 3 of output 'y'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0  1.000000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2  1.000000"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("3  1.000000"), std::string::npos) << r.out;
}

TEST(CliRun, PrintTopFindsTheLargestValue) {
  ScratchDir dir;
  // x = 0..59 minus 30, Relu -> max at index 59 (29), then 58 (28).
  std::vector<float> x(60);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i) - 30;
  write_npz_file(dir.file("in.npz"), {{"x", Tensor::from_vector<float>({3, 4, 5}, x)}});
  HoneResult r = run_hone(
      {"run", kRelu + "/model.onnx", "--inputs", dir.file("in.npz"), "--print-top", "2", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["top"].size(), 2u);
  EXPECT_EQ(j["top"][0]["index"], 59);
  EXPECT_EQ(j["top"][0]["value"], 29.0);
  EXPECT_EQ(j["top"][1]["index"], 58);
}

TEST(CliRun, FillModesAndSeedAreDeterministic) {
  ScratchDir dir;
  auto run_with = [&](std::vector<std::string> extra, const std::string& out) {
    std::vector<std::string> args{"run", kRelu + "/model.onnx", "--outputs", dir.file(out)};
    args.insert(args.end(), extra.begin(), extra.end());
    HoneResult r = run_hone(args);
    EXPECT_EQ(r.status, 0) << r.err;
    return read_npz_file(dir.file(out)).at(0).tensor.to_vector<float>();
  };
  std::vector<float> zeros = run_with({"--fill-mode", "zeros"}, "z.npz");
  EXPECT_EQ(zeros, std::vector<float>(60, 0.0f));
  std::vector<float> a = run_with({"--seed", "5"}, "a.npz");
  std::vector<float> b = run_with({"--seed", "5"}, "b.npz");
  std::vector<float> c = run_with({"--seed", "6"}, "c.npz");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  for (float v : a) {
    EXPECT_GE(v, 0.0f);  // random fill is uniform [0,1), unchanged by Relu
    EXPECT_LT(v, 1.0f);
  }
}

TEST(CliRun, PartialInputsAreFilled) {
  ScratchDir dir;
  // test_add: give x, let y be filled with ones -> sum = x + 1.
  std::vector<float> x(60, 2.5f);
  write_npz_file(dir.file("in.npz"), {{"x", Tensor::from_vector<float>({3, 4, 5}, x)}});
  HoneResult r = run_hone({"run", kAdd + "/model.onnx", "--inputs", dir.file("in.npz"),
                           "--fill-mode", "ones", "--outputs", dir.file("o.npz")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_npz_file(dir.file("o.npz")).at(0).tensor.to_vector<float>(),
            std::vector<float>(60, 3.5f));
}

TEST(CliRun, InputShapesOverride) {
  // Relu's declared input is [3,4,5]; an override gives another static shape.
  HoneResult r = run_hone({"run", kRelu + "/model.onnx", "--input-shapes", "x:[2,7]", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outputs"][0]["shape"], nlohmann::json::array({2, 7}));
}

// ---- bad input: exit status 2 and one line naming the culprit ----

TEST(CliRunBadInput, BadNumericFlags) {
  const std::string m = kRelu + "/model.onnx";
  expect_bad_input(run_hone({"run", m, "--repeat", "0"}), {"--repeat"});
  expect_bad_input(run_hone({"run", m, "--number", "0"}), {"--number"});
  expect_bad_input(run_hone({"run", m, "--threads", "-2"}), {"--threads"});
  expect_bad_input(run_hone({"run", m, "--threads", "0"}), {"--threads"});
  expect_bad_input(run_hone({"run", m, "--warmup", "-1"}), {"--warmup"});
  expect_bad_input(run_hone({"run", m, "--print-top", "0"}), {"--print-top"});
}

TEST(CliRunBadInput, UnknownFillMode) {
  expect_bad_input(run_hone({"run", kRelu + "/model.onnx", "--fill-mode", "gaussian"}),
                   {"--fill-mode", "gaussian"});
}

TEST(CliRunBadInput, MalformedInputShapes) {
  const std::string m = kRelu + "/model.onnx";
  for (const char* bad : {"x:1x3x4", "x[1,2]", "x:[1,2", "x:[1,a]", "x:[1,-1]", ":[1]",
                          "x:[1],y:[2]", "x:[1] x:[2]", ""})
    expect_bad_input(run_hone({"run", m, "--input-shapes", bad}), {"--input-shapes"});
}

TEST(CliRunBadInput, InputShapesNameNotAnInput) {
  expect_bad_input(run_hone({"run", kRelu + "/model.onnx", "--input-shapes", "data:[1,2]"}),
                   {"data", "x"});
}

TEST(CliRunBadInput, NpzEntryNotAnInput) {
  ScratchDir dir;
  write_npz_file(dir.file("in.npz"), {{"bogus", Tensor(DType::kFloat32, {3, 4, 5})}});
  expect_bad_input(run_hone({"run", kRelu + "/model.onnx", "--inputs", dir.file("in.npz")}),
                   {"in.npz", "'bogus'", "x"});
}

TEST(CliRunBadInput, NpzWrongShape) {
  ScratchDir dir;
  write_npz_file(dir.file("in.npz"), {{"x", Tensor(DType::kFloat32, {3, 4})}});
  expect_bad_input(run_hone({"run", kRelu + "/model.onnx", "--inputs", dir.file("in.npz")}),
                   {"in.npz", "'x'", "[3,4]", "[3,4,5]"});
}

TEST(CliRunBadInput, NpzWrongDtype) {
  ScratchDir dir;
  write_npz_file(dir.file("in.npz"), {{"x", Tensor(DType::kFloat64, {3, 4, 5})}});
  expect_bad_input(run_hone({"run", kRelu + "/model.onnx", "--inputs", dir.file("in.npz")}),
                   {"in.npz", "'x'", "float64", "float32"});
}

TEST(CliRunBadInput, MissingAndCorruptNpz) {
  ScratchDir dir;
  const std::string m = kRelu + "/model.onnx";
  expect_bad_input(run_hone({"run", m, "--inputs", dir.file("none.npz")}),
                   {"--inputs", "none.npz"});
  dir.write("junk.npz", std::string(1000, '\x01'));
  expect_bad_input(run_hone({"run", m, "--inputs", dir.file("junk.npz")}),
                   {"--inputs", "junk.npz"});
  std::string good = serialize_npz({{"x", Tensor(DType::kFloat32, {3, 4, 5})}});
  dir.write("cut.npz", good.substr(0, good.size() - 30));
  expect_bad_input(run_hone({"run", m, "--inputs", dir.file("cut.npz")}), {"cut.npz"});
  dir.write("empty.npz", "");
  expect_bad_input(run_hone({"run", m, "--inputs", dir.file("empty.npz")}), {"empty.npz"});
}

TEST(CliRunBadInput, UnwritableOutputsFailsBeforeRunning) {
  ScratchDir dir;
  const std::string m = kRelu + "/model.onnx";
  // --repeat large: if the check came after running, this test would take long.
  HoneResult r =
      run_hone({"run", m, "--outputs", dir.file("no/such/dir/out.npz"), "--repeat", "100000000"});
  expect_bad_input(r, {"--outputs", "no/such/dir/out.npz"});
  expect_bad_input(run_hone({"run", m, "--outputs", dir.path()}), {"--outputs", "directory"});
}

TEST(CliRunBadInput, BadModelFiles) {
  ScratchDir dir;
  expect_bad_input(run_hone({"run", dir.file("missing.onnx")}), {"missing.onnx"});
  dir.write("empty.onnx", "");
  expect_bad_input(run_hone({"run", dir.file("empty.onnx")}), {"empty.onnx"});
  std::string model = read_file(kConv + "/model.onnx");
  ASSERT_GT(model.size(), 40u);
  dir.write("cut.onnx", model.substr(0, model.size() / 2));
  expect_bad_input(run_hone({"run", dir.file("cut.onnx")}), {"cut.onnx"});
  std::string noise;
  uint32_t s = 12345;
  for (int i = 0; i < 4096; ++i) {
    s = s * 1103515245u + 12345u;
    noise.push_back(static_cast<char>(s >> 24));
  }
  dir.write("noise.onnx", noise);
  expect_bad_input(run_hone({"run", dir.file("noise.onnx")}), {"noise.onnx"});
  expect_bad_input(run_hone({"run", dir.path()}), {dir.path()});
}

}  // namespace
}  // namespace hone::testing
