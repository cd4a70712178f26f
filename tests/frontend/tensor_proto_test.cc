// TensorProto -> Tensor: raw and typed fields for every storable dtype, external data, errors.
#include "frontend/onnx/tensor_proto.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "frontend/onnx/onnx_importer.h"
#include "frontend/onnx_test_models.h"

namespace hone {
namespace {

namespace fs = std::filesystem;
using testing::error_of;

onnx::TensorProto proto_of(onnx::TensorProto::DataType type, std::vector<int64_t> dims,
                           const std::string& name = "t") {
  onnx::TensorProto p;
  p.set_name(name);
  p.set_data_type(type);
  for (int64_t d : dims) p.add_dims(d);
  return p;
}

TEST(TensorProto, TypedFieldsOfEveryStorableType) {
  {
    auto p = proto_of(onnx::TensorProto::FLOAT, {2});
    p.add_float_data(1.5f);
    p.add_float_data(-2.0f);
    Tensor t = tensor_from_proto(p, "", "");
    EXPECT_EQ(t.dtype(), DType::kFloat32);
    EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{1.5f, -2.0f}));
  }
  {
    auto p = proto_of(onnx::TensorProto::DOUBLE, {1});
    p.add_double_data(0.25);
    EXPECT_EQ(tensor_from_proto(p, "", "").data<double>()[0], 0.25);
  }
  {
    auto p = proto_of(onnx::TensorProto::INT64, {2});
    p.add_int64_data(int64_t{1} << 40);
    p.add_int64_data(-3);
    EXPECT_EQ(tensor_from_proto(p, "", "").to_vector<int64_t>(),
              (std::vector<int64_t>{int64_t{1} << 40, -3}));
  }
  // int32_data carries int32, int16, int8, uint16, uint8 and bool.
  auto from_int32 = [](onnx::TensorProto::DataType type, std::vector<int32_t> values) {
    auto p = proto_of(type, {static_cast<int64_t>(values.size())});
    for (int32_t v : values) p.add_int32_data(v);
    return tensor_from_proto(p, "", "");
  };
  EXPECT_EQ(from_int32(onnx::TensorProto::INT32, {-7, 9}).data<int32_t>()[0], -7);
  EXPECT_EQ(from_int32(onnx::TensorProto::INT16, {-300, 2}).data<int16_t>()[0], -300);
  EXPECT_EQ(from_int32(onnx::TensorProto::INT8, {-100, 2}).data<int8_t>()[0], -100);
  EXPECT_EQ(from_int32(onnx::TensorProto::UINT16, {65535, 2}).data<uint16_t>()[0], 65535);
  EXPECT_EQ(from_int32(onnx::TensorProto::UINT8, {255, 2}).data<uint8_t>()[0], 255);
  Tensor b = from_int32(onnx::TensorProto::BOOL, {0, 1, 5});
  EXPECT_EQ(b.dtype(), DType::kBool);
  EXPECT_EQ(b.to_vector<int>(), (std::vector<int>{0, 1, 1}));
  Tensor h = from_int32(onnx::TensorProto::FLOAT16, {0x3C00});  // 1.0 in half precision
  EXPECT_EQ(h.dtype(), DType::kFloat16);
  EXPECT_EQ(static_cast<const uint16_t*>(h.raw())[0], 0x3C00);
  Tensor bf = from_int32(onnx::TensorProto::BFLOAT16, {0x3F80});  // 1.0 in bfloat16
  EXPECT_EQ(bf.dtype(), DType::kBFloat16);
  EXPECT_EQ(static_cast<const uint16_t*>(bf.raw())[0], 0x3F80);
  // uint64_data carries uint32 and uint64.
  {
    auto p = proto_of(onnx::TensorProto::UINT32, {1});
    p.add_uint64_data(4000000000u);
    EXPECT_EQ(tensor_from_proto(p, "", "").data<uint32_t>()[0], 4000000000u);
    auto q = proto_of(onnx::TensorProto::UINT64, {1});
    q.add_uint64_data(uint64_t{1} << 63);
    EXPECT_EQ(tensor_from_proto(q, "", "").data<uint64_t>()[0], uint64_t{1} << 63);
  }
}

TEST(TensorProto, RawDataMatchesTypedData) {
  std::vector<float> values = {1, -2, 3.5f, 1e-8f, 7, 8};
  auto typed = proto_of(onnx::TensorProto::FLOAT, {2, 3});
  for (float v : values) typed.add_float_data(v);
  auto raw = proto_of(onnx::TensorProto::FLOAT, {2, 3});
  raw.set_raw_data(values.data(), values.size() * sizeof(float));
  Tensor a = tensor_from_proto(typed, "", ""), b = tensor_from_proto(raw, "", "");
  EXPECT_EQ(a.shape(), (Shape{2, 3}));
  EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>());
  EXPECT_EQ(b.to_vector<float>(), values);

  std::vector<int32_t> ints = {-1, 2, 1 << 30};
  auto raw_int = proto_of(onnx::TensorProto::INT32, {3});
  raw_int.set_raw_data(ints.data(), ints.size() * sizeof(int32_t));
  EXPECT_EQ(tensor_from_proto(raw_int, "", "").to_vector<int32_t>(), ints);
}

TEST(TensorProto, ScalarAndEmptyTensors) {
  auto scalar = proto_of(onnx::TensorProto::INT64, {});
  scalar.add_int64_data(42);
  Tensor s = tensor_from_proto(scalar, "", "");
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.data<int64_t>()[0], 42);
  auto empty = proto_of(onnx::TensorProto::FLOAT, {0, 3});
  Tensor e = tensor_from_proto(empty, "", "");
  EXPECT_EQ(e.numel(), 0);
  EXPECT_EQ(e.shape(), (Shape{0, 3}));
}

TEST(TensorProto, CountMismatchNamesTheTensor) {
  auto p = proto_of(onnx::TensorProto::FLOAT, {2, 2}, "weights");
  p.add_float_data(1);
  EXPECT_EQ(error_of([&] { tensor_from_proto(p, "", "m.onnx"); }),
            "m.onnx: tensor 'weights': float_data holds 1 values, the shape [2,2] needs 4");
  auto r = proto_of(onnx::TensorProto::INT64, {3}, "idx");
  r.set_raw_data(std::string(16, '\0'));
  EXPECT_EQ(error_of([&] { tensor_from_proto(r, "", ""); }),
            "tensor 'idx': raw_data holds 16 bytes, the shape [3] of int64 needs 24");
  auto none = proto_of(onnx::TensorProto::FLOAT, {3}, "nothing");
  EXPECT_NE(error_of([&] { tensor_from_proto(none, "", ""); }).find("holds 0 values"),
            std::string::npos);
}

TEST(TensorProto, BadTypesAndShapes) {
  auto s = proto_of(onnx::TensorProto::STRING, {1}, "names");
  s.add_string_data("a");
  EXPECT_THROW(tensor_from_proto(s, "", ""), UnsupportedError);
  auto u = proto_of(onnx::TensorProto::UNDEFINED, {1}, "u");
  EXPECT_THROW(tensor_from_proto(u, "", ""), UnsupportedError);
  auto c = proto_of(onnx::TensorProto::COMPLEX64, {1}, "c");
  EXPECT_THROW(tensor_from_proto(c, "", ""), UnsupportedError);
  auto neg = proto_of(onnx::TensorProto::FLOAT, {-1}, "neg");
  EXPECT_EQ(error_of([&] { tensor_from_proto(neg, "", ""); }),
            "tensor 'neg': negative dimension -1");
  auto huge = proto_of(onnx::TensorProto::FLOAT, {int64_t{1} << 40, int64_t{1} << 40}, "huge");
  EXPECT_NE(error_of([&] { tensor_from_proto(huge, "", ""); }).find("too large"),
            std::string::npos);
}

class ExternalData : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hone_external_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "sub");
    std::ofstream out(dir_ / "sub" / "weights.bin", std::ios::binary);
    std::vector<float> prefix = {99, 99};
    out.write(reinterpret_cast<const char*>(prefix.data()), 8);
    out.write(reinterpret_cast<const char*>(values_.data()), 16);
  }
  void TearDown() override { fs::remove_all(dir_); }

  onnx::TensorProto external(const std::string& location, const std::string& offset,
                             const std::string& length) {
    auto p = proto_of(onnx::TensorProto::FLOAT, {4}, "w");
    p.set_data_location(onnx::TensorProto::EXTERNAL);
    auto add = [&](const std::string& k, const std::string& v) {
      if (v.empty()) return;
      auto* kv = p.add_external_data();
      kv->set_key(k);
      kv->set_value(v);
    };
    add("location", location);
    add("offset", offset);
    add("length", length);
    return p;
  }

  fs::path dir_;
  std::vector<float> values_ = {1, 2, 3, 4};
};

TEST_F(ExternalData, ReadsWithOffsetAndLength) {
  Tensor t = tensor_from_proto(external("sub/weights.bin", "8", "16"), dir_.string(), "");
  EXPECT_EQ(t.to_vector<float>(), values_);
  // Without length: the tensor's size from the offset.
  Tensor u = tensor_from_proto(external("sub/weights.bin", "8", ""), dir_.string(), "");
  EXPECT_EQ(u.to_vector<float>(), values_);
}

TEST_F(ExternalData, RejectsEscapesAndBadRanges) {
  std::string base = dir_.string();
  EXPECT_NE(error_of([&] {
              tensor_from_proto(external("/etc/passwd", "", ""), base, "");
            }).find("must be relative"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              tensor_from_proto(external("sub/../../x.bin", "", ""), base, "");
            }).find("must not leave"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              tensor_from_proto(external("sub/weights.bin", "16", ""), base, "");
            }).find("beyond the end"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              tensor_from_proto(external("sub/weights.bin", "0", "8"), base, "");
            }).find("length 8 bytes"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              tensor_from_proto(external("sub/none.bin", "", ""), base, "");
            }).find("does not exist"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              tensor_from_proto(external("sub/weights.bin", "x1", ""), base, "");
            }).find("'offset' is not a valid size"),
            std::string::npos);
  EXPECT_NE(
      error_of([&] { tensor_from_proto(external("", "", ""), base, ""); }).find("no 'location'"),
      std::string::npos);
}

TEST_F(ExternalData, ModelWithExternalWeightsImportsAndRuns) {
  testing::ModelBuilder m;
  m.input("x", {int64_t{4}}).output("y");
  *m.graph().add_initializer() = external("sub/weights.bin", "8", "16");
  m.node("Add", {"x", "w"}, {"y"}, "add");
  std::string path = (dir_ / "model.onnx").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << m.bytes();
  }
  Graph g = import_onnx_file(path);
  const Value& w = g.value(g.find_value("w"));
  ASSERT_TRUE(w.constant.has_value());
  EXPECT_EQ(w.constant->to_vector<float>(), values_);

  // The same model elsewhere cannot find its data: the error names the model and the file.
  fs::create_directories(dir_ / "other");
  std::string moved = (dir_ / "other" / "model.onnx").string();
  fs::copy_file(path, moved);
  std::string err = error_of([&] { import_onnx_file(moved); });
  EXPECT_EQ(err.rfind(moved + ": ", 0), 0u) << err;
  EXPECT_NE(err.find("weights.bin' does not exist"), std::string::npos) << err;
}

TEST(TensorPbFile, ReadsNameAndValuesAndRejectsGarbage) {
  fs::path dir = fs::temp_directory_path() / ("hone_pb_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto p = proto_of(onnx::TensorProto::INT32, {2}, "input_name");
  p.add_int32_data(5);
  p.add_int32_data(6);
  {
    std::ofstream out(dir / "input_0.pb", std::ios::binary);
    out << p.SerializeAsString();
    std::ofstream bad(dir / "bad.pb", std::ios::binary);
    bad << "\xff\xff\xff\xff not a proto";
  }
  std::string name;
  Tensor t = read_tensor_pb_file((dir / "input_0.pb").string(), &name);
  EXPECT_EQ(name, "input_name");
  EXPECT_EQ(t.to_vector<int32_t>(), (std::vector<int32_t>{5, 6}));
  std::string bad = (dir / "bad.pb").string();
  EXPECT_EQ(error_of([&] { read_tensor_pb_file(bad); }),
            bad + ": not a valid serialized ONNX TensorProto");
  EXPECT_NE(
      error_of([&] { read_tensor_pb_file((dir / "missing.pb").string()); }).find("file not found"),
      std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hone
