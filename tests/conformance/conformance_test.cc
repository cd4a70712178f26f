// End-to-end tests of run_conformance over small suites written to temp directories: real
// ONNX cases copied from libonnx-testdata (some with corrupted expected outputs) and models
// built here with the ONNX protobuf API.
#include "conformance/conformance.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "conformance/temp_dir.h"
#include "core/error.h"

namespace hone {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

const fs::path kNodeSuite = fs::path(HONE_ONNX_TESTDATA_DIR) / "node";

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

void copy_case(const std::string& name, const fs::path& to) {
  fs::copy(kNodeSuite / name, to / name, fs::copy_options::recursive);
}

template <class Message>
Message read_proto(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  Message m;
  EXPECT_TRUE(m.ParseFromIstream(&in)) << p;
  return m;
}

template <class Message>
void write_proto(const Message& m, const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  ASSERT_TRUE(m.SerializeToOstream(&out)) << p;
}

onnx::TensorProto float_tensor(const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(static_cast<int64_t>(values.size()));
  for (float v : values) t.add_float_data(v);
  return t;
}

void set_float_vector_type(onnx::ValueInfoProto* v, const std::string& name, int64_t n) {
  v->set_name(name);
  auto* tensor = v->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  tensor->mutable_shape()->add_dim()->set_dim_value(n);
}

// A one-node model y = OP(x) on float[2], in opset 13; `domain` other than "" makes a custom
// op that ONNX's checker accepts without knowing it (hone then reports it unsupported).
onnx::ModelProto one_node_model(const std::string& op_type, const std::string& domain = "") {
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto* opset = m.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  if (!domain.empty()) {
    auto* custom = m.add_opset_import();
    custom->set_domain(domain);
    custom->set_version(1);
  }
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto* node = g->add_node();
  node->set_op_type(op_type);
  node->set_domain(domain);
  node->set_name("the_node");
  node->add_input("x");
  node->add_output("y");
  set_float_vector_type(g->add_input(), "x", 2);
  set_float_vector_type(g->add_output(), "y", 2);
  return m;
}

void write_one_node_case(const fs::path& dir, const std::string& op_type,
                         const std::string& domain = "") {
  write_proto(one_node_model(op_type, domain), dir / "model.onnx");
  write_proto(float_tensor({1, 2}), dir / "test_data_set_0" / "input_0.pb");
  write_proto(float_tensor({1, 2}), dir / "test_data_set_0" / "output_0.pb");
}

// Adds `delta` to the first element of a float TensorProto file, whichever field holds it.
void corrupt_first_float(const fs::path& p, float delta) {
  auto t = read_proto<onnx::TensorProto>(p);
  ASSERT_EQ(t.data_type(), onnx::TensorProto::FLOAT);
  if (t.float_data_size() > 0) {
    t.set_float_data(0, t.float_data(0) + delta);
  } else {
    std::string raw = t.raw_data();
    ASSERT_GE(raw.size(), sizeof(float));
    float v;
    std::memcpy(&v, raw.data(), sizeof v);
    v += delta;
    std::memcpy(raw.data(), &v, sizeof v);
    t.set_raw_data(raw);
  }
  write_proto(t, p);
}

const CaseResult& find_case(const ConformanceSummary& s, const std::string& name) {
  for (const auto& c : s.cases)
    if (c.name == name) return c;
  throw Error("no case " + name);
}

std::string last_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line)) last = line;
  return last;
}

TEST(Conformance, RealCasePassesAndCorruptedCopyFails) {
  TempDir d;
  copy_case("test_relu", d.path());
  copy_case("test_sub", d.path());  // two inputs: their order matters
  fs::create_directories(d.path() / "bad");
  copy_case("test_relu", d.path() / "bad");
  fs::rename(d.path() / "bad" / "test_relu", d.path() / "bad" / "test_relu_corrupted");
  corrupt_first_float(d.path() / "bad/test_relu_corrupted/test_data_set_0/output_0.pb", 0.5f);

  std::ostringstream out;
  const ConformanceSummary s = run_conformance(d.str(), {}, out);
  EXPECT_EQ(find_case(s, "test_relu").status, CaseStatus::kPassed) << out.str();
  EXPECT_EQ(find_case(s, "test_sub").status, CaseStatus::kPassed) << out.str();
  const CaseResult& bad = find_case(s, "test_relu_corrupted");
  EXPECT_EQ(bad.status, CaseStatus::kFailed);
  EXPECT_TRUE(contains(bad.reason, "test_data_set_0 output 0 'y': element 0")) << bad.reason;
  EXPECT_TRUE(contains(out.str(), "FAILED test_relu_corrupted: test_data_set_0")) << out.str();
  EXPECT_FALSE(contains(out.str(), "PASSED")) << "passing cases print only when verbose";
  EXPECT_EQ(last_line(out.str()), "2 passed, 1 failed, 0 skipped");
}

TEST(Conformance, UnsupportedOpIsSkippedWithItsName) {
  TempDir d;
  write_one_node_case(d.path() / "test_unknown", "HoneNoSuchOp", "com.hone.test");
  std::ostringstream out;
  const ConformanceSummary s = run_conformance(d.str(), {}, out);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].status, CaseStatus::kSkipped) << s.cases[0].reason;
  EXPECT_TRUE(contains(s.cases[0].reason, "HoneNoSuchOp")) << s.cases[0].reason;
  EXPECT_EQ(last_line(out.str()), "0 passed, 0 failed, 1 skipped");
}

TEST(Conformance, ModelWithoutDataIsSkippedAsNeedsDownload) {
  TempDir d;
  d.write("test_big_model/data.json", R"({"atol": 1e-07, "rtol": 0.001, "url": "x"})");
  std::ostringstream out;
  const ConformanceSummary s = run_conformance(d.str(), {}, out);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].status, CaseStatus::kSkipped);
  EXPECT_EQ(out.str(),
            "SKIPPED test_big_model: model not shipped (needs download)\n"
            "0 passed, 0 failed, 1 skipped\n");
}

TEST(Conformance, SequenceInputIsSkipped) {
  TempDir d;
  onnx::ModelProto m = one_node_model("Identity");
  auto* input = m.mutable_graph()->mutable_input(0);
  input->mutable_type()->Clear();
  input->mutable_type()
      ->mutable_sequence_type()
      ->mutable_elem_type()
      ->mutable_tensor_type()
      ->set_elem_type(onnx::TensorProto::FLOAT);
  write_proto(m, d.path() / "test_seq/model.onnx");
  write_proto(float_tensor({1, 2}), d.path() / "test_seq/test_data_set_0/output_0.pb");
  std::ostringstream out;
  const ConformanceSummary s = run_conformance(d.str(), {}, out);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].status, CaseStatus::kSkipped);
  EXPECT_TRUE(contains(s.cases[0].reason, "sequence input 'x'")) << s.cases[0].reason;
}

TEST(Conformance, TooManyInputFilesFails) {
  TempDir d;
  write_one_node_case(d.path() / "test_extra_input", "Relu");
  write_proto(float_tensor({3, 4}), d.path() / "test_extra_input/test_data_set_0/input_1.pb");
  std::ostringstream out;
  const ConformanceSummary s = run_conformance(d.str(), {}, out);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].status, CaseStatus::kFailed);
  EXPECT_TRUE(contains(s.cases[0].reason, "2 input files for 1 graph inputs")) << s.cases[0].reason;
}

TEST(Conformance, MalformedModelFailsWithoutCrashing) {
  TempDir d;
  d.write("test_garbage/model.onnx", "this is not a protobuf \xff\xff\xff");
  d.write("test_garbage/test_data_set_0/input_0.pb", "also garbage");
  std::ostringstream out;
  const ConformanceSummary s = run_conformance(d.str(), {}, out);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].status, CaseStatus::kFailed);
  EXPECT_TRUE(contains(s.cases[0].reason, "model.onnx")) << s.cases[0].reason;
}

TEST(Conformance, OutputShapeFromInputValueIsRunWithBoundInputs) {
  // Reshape's target shape is a graph input here, so the case can only be planned with the
  // data set's values bound as constants.
  TempDir d;
  copy_case("test_reshape_reordered_all_dims", d.path());
  std::ostringstream out;
  const ConformanceSummary s = run_conformance(d.str(), {}, out);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].status, CaseStatus::kPassed) << s.cases[0].reason;
}

TEST(Conformance, InProcessModeGivesTheSameResults) {
  TempDir d;
  copy_case("test_relu", d.path());
  write_one_node_case(d.path() / "test_unknown", "HoneNoSuchOp", "com.hone.test");
  ConformanceOptions options;
  options.fork = false;
  options.verbose = true;
  std::ostringstream out;
  const ConformanceSummary s = run_conformance(d.str(), options, out);
  EXPECT_EQ(find_case(s, "test_relu").status, CaseStatus::kPassed);
  EXPECT_EQ(find_case(s, "test_unknown").status, CaseStatus::kSkipped);
  EXPECT_TRUE(contains(out.str(), "PASSED test_relu\n")) << out.str();
  EXPECT_EQ(s.passed, 1);
  EXPECT_EQ(s.skipped, 1);
}

TEST(Conformance, FilterSelectsCases) {
  TempDir d;
  write_one_node_case(d.path() / "test_alpha", "HoneNoSuchOp", "com.hone.test");
  write_one_node_case(d.path() / "test_beta", "HoneNoSuchOp", "com.hone.test");
  ConformanceOptions options;
  options.filter = "beta";
  std::ostringstream out;
  const ConformanceSummary s = run_conformance(d.str(), options, out);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].name, "test_beta");
  options.filter = "gamma";
  EXPECT_THROW(run_conformance(d.str(), options, out), Error);
}

TEST(Conformance, NoCasesThrows) {
  TempDir d;
  std::ostringstream out;
  EXPECT_THROW(run_conformance(d.str(), {}, out), Error);
  EXPECT_THROW(run_conformance((d.path() / "missing").string(), {}, out), Error);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace hone
