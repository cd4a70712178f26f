// Tests of the model zoo: structure (ONNX checker + shape inference, shapes, torchvision's
// published parameter counts, torchvision naming), weight statistics, determinism, every
// opset form, errors, and running two models through hone's frontend and executor.
#include "zoo/zoo.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "frontend/onnx/onnx_importer.h"
#include "onnx/checker.h"
#include "onnx/shape_inference/implementation.h"
#include "runtime/executor.h"
#include "zoo/onnx_builder.h"
#include "zoo/zoo_model.h"

namespace hone {
namespace {

namespace fs = std::filesystem;

struct Expected {
  const char* name;
  int64_t image_size;
  int64_t trainable_parameters;  // torchvision's published counts
};

const Expected kExpected[] = {
    {"alexnet", 224, 61'100'840},     {"vgg16", 224, 138'357'544},
    {"resnet18", 224, 11'689'512},    {"resnet50", 224, 25'557'032},
    {"resnet101", 224, 44'549'160},   {"densenet121", 224, 7'978'856},
    {"mobilenet_v2", 224, 3'504'872}, {"squeezenet1_0", 224, 1'248'424},
    {"googlenet", 224, 6'624'904},    {"inception_v3", 299, 23'834'568},
};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<int64_t> dims_of(const onnx::ValueInfoProto& vi) {
  std::vector<int64_t> dims;
  for (const auto& d : vi.type().tensor_type().shape().dim()) dims.push_back(d.dim_value());
  return dims;
}

int64_t numel(const onnx::TensorProto& t) {
  int64_t n = 1;
  for (int64_t d : t.dims()) n *= d;
  return n;
}

std::vector<float> floats_of(const onnx::TensorProto& t) {
  std::vector<float> v(static_cast<size_t>(numel(t)));
  EXPECT_EQ(t.raw_data().size(), v.size() * sizeof(float)) << t.name();
  std::memcpy(v.data(), t.raw_data().data(), std::min(t.raw_data().size(), v.size() * 4));
  return v;
}

const onnx::TensorProto* find_initializer(const onnx::ModelProto& m, const std::string& name) {
  for (const auto& t : m.graph().initializer())
    if (t.name() == name) return &t;
  return nullptr;
}

const onnx::NodeProto* find_node(const onnx::ModelProto& m, const std::string& name) {
  for (const auto& n : m.graph().node())
    if (n.name() == name) return &n;
  return nullptr;
}

const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

// onnx::checker plus strict shape inference (which also checks the declared output shape
// against the inferred one).
void check_with_onnx(onnx::ModelProto model) {
  onnx::checker::check_model(model);
  onnx::ShapeInferenceOptions options(/*check_type=*/true, /*strict_mode=*/1);
  onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("hone_zoo_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(Zoo, ListsTheTenModelsWithTheirInputShapes) {
  auto models = zoo_models();
  ASSERT_EQ(models.size(), std::size(kExpected));
  for (const auto& e : kExpected) {
    auto it = std::find_if(models.begin(), models.end(),
                           [&](const ZooModelInfo& m) { return m.name == e.name; });
    ASSERT_NE(it, models.end()) << e.name;
    EXPECT_EQ(it->input_shape, (std::vector<int64_t>{1, 3, e.image_size, e.image_size}));
    EXPECT_FALSE(it->description.empty());
  }
}

class ZooModel : public ::testing::TestWithParam<Expected> {};

TEST_P(ZooModel, IsValidOnnxWithTorchvisionParameterCountAndShapes) {
  const Expected& e = GetParam();
  ZooOptions options;
  options.batch = 2;
  onnx::ModelProto model = zoo_build_model(e.name, options);
  ASSERT_NO_THROW(check_with_onnx(model)) << e.name;

  const auto& g = model.graph();
  ASSERT_EQ(g.input_size(), 1);
  EXPECT_EQ(g.input(0).name(), "data");
  EXPECT_EQ(dims_of(g.input(0)), (std::vector<int64_t>{2, 3, e.image_size, e.image_size}));
  ASSERT_EQ(g.output_size(), 1);
  EXPECT_EQ(g.output(0).name(), "logits");
  EXPECT_EQ(dims_of(g.output(0)), (std::vector<int64_t>{2, 1000}));

  // Trainable = every state_dict tensor except BN's running statistics.
  int64_t trainable = 0, bn_nodes = 0, running_stats = 0;
  for (const auto& t : g.initializer()) {
    EXPECT_EQ(t.data_type(), onnx::TensorProto::FLOAT) << t.name();
    if (ends_with(t.name(), ".running_mean") || ends_with(t.name(), ".running_var"))
      ++running_stats;
    else
      trainable += numel(t);
  }
  std::set<std::string> node_names;
  for (const auto& n : g.node()) {
    EXPECT_TRUE(node_names.insert(n.name()).second) << "duplicate node name " << n.name();
    if (n.op_type() == "BatchNormalization") ++bn_nodes;
    EXPECT_NE(n.op_type(), "Dropout");
  }
  EXPECT_EQ(trainable, e.trainable_parameters) << e.name;
  EXPECT_EQ(running_stats, 2 * bn_nodes) << e.name;
}

INSTANTIATE_TEST_SUITE_P(All, ZooModel, ::testing::ValuesIn(kExpected),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Zoo, NamesFollowTorchvisionModulesAndStateDict) {
  onnx::ModelProto m = zoo_build_model("resnet18", {});
  for (const char* name : {"conv1", "bn1", "maxpool", "layer1.0.conv1", "layer2.0.downsample.0",
                           "layer4.1.bn2", "avgpool", "fc"})
    EXPECT_NE(find_node(m, name), nullptr) << name;
  for (const char* name : {"conv1.weight", "bn1.running_var", "layer1.0.bn1.running_mean",
                           "layer2.0.downsample.1.weight", "layer4.1.conv2.weight", "fc.bias"})
    EXPECT_NE(find_initializer(m, name), nullptr) << name;
  EXPECT_EQ(find_initializer(m, "conv1.bias"), nullptr);  // convs before BN have no bias
  const auto* fc = find_node(m, "fc");
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(fc->op_type(), "Gemm");
  ASSERT_NE(find_attr(*fc, "transB"), nullptr);
  EXPECT_EQ(find_attr(*fc, "transB")->i(), 1);
  EXPECT_EQ(find_node(m, "flatten")->op_type(), "Flatten");
  // The op histogram of torch.onnx.export (eval) for resnet18, with BN left unfolded.
  std::map<std::string, int> ops;
  for (const auto& n : m.graph().node()) ++ops[n.op_type()];
  EXPECT_EQ(ops, (std::map<std::string, int>{{"Conv", 20},
                                             {"BatchNormalization", 20},
                                             {"Relu", 17},
                                             {"MaxPool", 1},
                                             {"Add", 8},
                                             {"GlobalAveragePool", 1},
                                             {"Flatten", 1},
                                             {"Gemm", 1}}));

  onnx::ModelProto d = zoo_build_model("densenet121", {});
  EXPECT_NE(find_initializer(d, "features.denseblock3.denselayer24.conv2.weight"), nullptr);
  EXPECT_NE(find_initializer(d, "features.transition2.norm.running_mean"), nullptr);
  onnx::ModelProto i = zoo_build_model("inception_v3", {});
  EXPECT_NE(find_initializer(i, "Mixed_7c.branch3x3dbl_3b.conv.weight"), nullptr);
  EXPECT_EQ(find_initializer(i, "AuxLogits.fc.weight"), nullptr);
}

TEST(Zoo, WeightStatisticsAreHeScaledWithNearIdentityBatchNorm) {
  onnx::ModelProto m = zoo_build_model("resnet50", {});
  // He uniform: variance 2 / fan_in. layer3.0.conv2 is 256x256x3x3, fan_in 2304.
  const auto* w = find_initializer(m, "layer3.0.conv2.weight");
  ASSERT_NE(w, nullptr);
  std::vector<float> v = floats_of(*w);
  double sum = 0, sq = 0;
  for (float x : v) {
    sum += x;
    sq += static_cast<double>(x) * x;
  }
  double mean = sum / static_cast<double>(v.size());
  double var = sq / static_cast<double>(v.size()) - mean * mean;
  EXPECT_NEAR(mean, 0.0, 1e-3);
  EXPECT_NEAR(var / (2.0 / 2304.0), 1.0, 0.02);
  for (const auto& t : m.graph().initializer()) {
    if (ends_with(t.name(), ".running_var")) {
      for (float x : floats_of(t)) {
        ASSERT_GE(x, 1.0f) << t.name();
        ASSERT_LT(x, 1.2f) << t.name();
      }
    }
  }
  std::vector<float> gamma = floats_of(*find_initializer(m, "layer1.0.bn1.weight"));
  for (float x : gamma) {
    EXPECT_GT(x, 0.9f);
    EXPECT_LT(x, 1.2f);
  }
}

TEST(Zoo, SameSeedSameBytesDifferentSeedDifferentWeights) {
  TempDir dir;
  ZooOptions a;
  a.seed = 7;
  zoo_make("squeezenet1_0", dir / "a.onnx", a);
  zoo_make("squeezenet1_0", dir / "b.onnx", a);
  ZooOptions c = a;
  c.seed = 8;
  zoo_make("squeezenet1_0", dir / "c.onnx", c);
  std::string bytes_a = read_file(dir / "a.onnx");
  EXPECT_GT(bytes_a.size(), 4'000'000u);  // 1.2M float weights
  EXPECT_EQ(bytes_a, read_file(dir / "b.onnx"));
  std::string bytes_c = read_file(dir / "c.onnx");
  EXPECT_NE(bytes_a, bytes_c);

  onnx::ModelProto ma, mc;
  ASSERT_TRUE(ma.ParseFromString(bytes_a));
  ASSERT_TRUE(mc.ParseFromString(bytes_c));
  ASSERT_EQ(ma.graph().initializer_size(), mc.graph().initializer_size());
  for (int i = 0; i < ma.graph().initializer_size(); ++i) {
    EXPECT_EQ(ma.graph().initializer(i).name(), mc.graph().initializer(i).name());
    EXPECT_NE(ma.graph().initializer(i).raw_data(), mc.graph().initializer(i).raw_data())
        << ma.graph().initializer(i).name();
  }
  // Only the weights (and the doc string naming the seed) differ.
  ma.mutable_graph()->clear_initializer();
  mc.mutable_graph()->clear_initializer();
  ma.clear_doc_string();
  mc.clear_doc_string();
  EXPECT_EQ(zoo_serialize(ma), zoo_serialize(mc));
  // No temporary files are left next to the outputs.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 3);
}

TEST(Zoo, EveryOpsetFromSevenToSeventeenIsValid) {
  for (int opset = 7; opset <= 17; ++opset) {
    for (const char* name : {"squeezenet1_0", "mobilenet_v2", "googlenet"}) {
      ZooOptions options;
      options.opset = opset;
      onnx::ModelProto m = zoo_build_model(name, options);
      ASSERT_EQ(m.opset_import_size(), 1);
      EXPECT_EQ(m.opset_import(0).version(), opset);
      EXPECT_NO_THROW(check_with_onnx(m)) << name << " opset " << opset;
      for (const auto& n : m.graph().node()) {
        if (n.op_type() == "Clip") {
          // Clip-6 takes min/max as attributes; Clip-11 as inputs.
          EXPECT_EQ(n.input_size(), opset < 11 ? 1 : 3) << n.name();
          EXPECT_EQ(find_attr(n, "max") != nullptr, opset < 11) << n.name();
        }
        if (n.op_type() == "MaxPool") {
          EXPECT_EQ(find_attr(n, "ceil_mode") != nullptr, opset >= 10) << n.name();
        }
      }
    }
  }
}

TEST(Zoo, CeilModeBelowOpsetTenBecomesEndPadding) {
  ZooOptions old_opts, new_opts;
  old_opts.opset = 9;
  new_opts.opset = 10;
  onnx::ModelProto old_m = zoo_build_model("squeezenet1_0", old_opts);
  onnx::ModelProto new_m = zoo_build_model("squeezenet1_0", new_opts);
  // features.6 pools 54x54 with k3 s2: ceil gives 27 outputs, floor 26; one more row and
  // column of padding at the end gives 27 with floor.
  const auto* pool_old = find_node(old_m, "features.6");
  const auto* pool_new = find_node(new_m, "features.6");
  ASSERT_NE(pool_old, nullptr);
  ASSERT_NE(pool_new, nullptr);
  auto ints = [](const onnx::AttributeProto* a) {
    return std::vector<int64_t>(a->ints().begin(), a->ints().end());
  };
  EXPECT_EQ(ints(find_attr(*pool_old, "pads")), (std::vector<int64_t>{0, 0, 1, 1}));
  EXPECT_EQ(ints(find_attr(*pool_new, "pads")), (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(find_attr(*pool_new, "ceil_mode")->i(), 1);
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no hone::Error>";
}

TEST(Zoo, ErrorsAreClear) {
  TempDir dir;
  std::string out = (dir / "m.onnx").string();
  std::string msg = error_of([&] { zoo_make("resnet5", out, {}); });
  EXPECT_NE(msg.find("unknown model 'resnet5'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("resnet50"), std::string::npos) << msg;
  EXPECT_NE(msg.find("inception_v3"), std::string::npos) << msg;

  for (int opset : {6, 18}) {
    ZooOptions o;
    o.opset = opset;
    msg = error_of([&] { zoo_make("resnet18", out, o); });
    EXPECT_NE(msg.find("opset " + std::to_string(opset)), std::string::npos) << msg;
    EXPECT_NE(msg.find("7..17"), std::string::npos) << msg;
  }
  ZooOptions bad_batch;
  bad_batch.batch = 0;
  msg = error_of([&] { zoo_make("resnet18", out, bad_batch); });
  EXPECT_NE(msg.find("batch"), std::string::npos) << msg;
  EXPECT_THROW(zoo_build_model("resnet18", bad_batch), Error);

  std::string missing_dir = (dir / "no_such_dir" / "m.onnx").string();
  msg = error_of([&] { zoo_make("squeezenet1_0", missing_dir, {}); });
  EXPECT_NE(msg.find(missing_dir), std::string::npos) << msg;
  msg = error_of([&] { zoo_make("squeezenet1_0", dir.path().string(), {}); });
  EXPECT_NE(msg, "<no hone::Error>");
  EXPECT_FALSE(fs::exists(out));  // nothing written by the failed calls
}

TEST(SplitMix64, MatchesTheReferenceSequence) {
  // First outputs of splitmix64 seeded with 0 (Vigna's reference implementation).
  zoo::SplitMix64 rng(0);
  EXPECT_EQ(rng.next(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(rng.next(), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(rng.next(), 0x06C45D188009454FULL);
  zoo::SplitMix64 u(42);
  for (int i = 0; i < 1000; ++i) {
    double x = u.uniform();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
  }
}

// Imports and runs a zoo model through hone's frontend and reference executor.
void run_through_hone(const std::string& name) {
  TempDir dir;
  std::string path = (dir / (name + ".onnx")).string();
  zoo_make(name, path, {});
  std::vector<Tensor> outputs;
  try {
    Executor executor(import_onnx_file(path));
    ASSERT_EQ(executor.input_names(), std::vector<std::string>{"data"});
    Tensor data(DType::kFloat32, {1, 3, 224, 224});
    float* x = data.data<float>();
    zoo::SplitMix64 rng(123);
    for (int64_t i = 0; i < data.numel(); ++i) x[i] = static_cast<float>(rng.uniform() * 2 - 1);
    outputs = executor.run({{"data", data}});
  } catch (const UnsupportedError& e) {
    GTEST_SKIP() << "hone cannot run " << name << " yet: " << e.what();
  }
  ASSERT_EQ(outputs.size(), 1u);
  ASSERT_EQ(outputs[0].shape(), (Shape{1, 1000}));
  const float* y = outputs[0].data<float>();
  float lo = y[0], hi = y[0];
  for (int64_t i = 0; i < 1000; ++i) {
    ASSERT_TRUE(std::isfinite(y[i])) << name << " logit " << i;
    lo = std::min(lo, y[i]);
    hi = std::max(hi, y[i]);
  }
  EXPECT_GT(hi - lo, 0.1f) << name << ": logits are (nearly) constant";
  EXPECT_LT(hi - lo, 1000.0f) << name << ": activations blew up";
}

TEST(ZooRun, Squeezenet1_0RunsThroughHone) {
  run_through_hone("squeezenet1_0");
}
TEST(ZooRun, Resnet18RunsThroughHone) {
  run_through_hone("resnet18");
}

}  // namespace
}  // namespace hone
