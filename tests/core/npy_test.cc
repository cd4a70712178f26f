// Tests of the .npy reader/writer: round trips of every dtype, numpy-written fixtures,
// and each kind of malformed file.
#include "core/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/error.h"

namespace hone {
namespace {

const std::string kFixtures = std::string(HONE_TEST_DATA_DIR) + "/npz/";

// Runs `f` and checks it throws hone::Error whose message contains every needle.
template <class F>
void expect_error(F&& f, std::initializer_list<std::string> needles) {
  try {
    f();
    ADD_FAILURE() << "expected hone::Error";
  } catch (const Error& e) {
    for (const std::string& n : needles)
      EXPECT_NE(std::string(e.what()).find(n), std::string::npos)
          << "message '" << e.what() << "' lacks '" << n << "'";
  }
}

template <class T>
void expect_round_trip(const std::vector<T>& values, const Shape& shape) {
  Tensor t = Tensor::from_vector<T>(shape, values);
  std::string bytes = serialize_npy(t);
  EXPECT_EQ(bytes.size() % 64, t.nbytes() % 64) << "data must start 64-byte aligned";
  Tensor back = parse_npy(bytes, "'mem'");
  EXPECT_EQ(back.dtype(), t.dtype());
  EXPECT_EQ(back.shape(), shape);
  ASSERT_EQ(back.nbytes(), t.nbytes());
  EXPECT_EQ(std::memcmp(back.raw(), t.raw(), t.nbytes()), 0);
}

TEST(Npy, RoundTripsEveryNumericDtype) {
  expect_round_trip<float>({1.5f, -2.f, 3.f, 1e30f, -0.f, 7.f}, {2, 3});
  expect_round_trip<double>({1e-300, -2.5}, {2});
  expect_round_trip<int8_t>({-128, 127, 0}, {3, 1});
  expect_round_trip<uint8_t>({0, 255}, {1, 2});
  expect_round_trip<int16_t>({-32768, 32767}, {2});
  expect_round_trip<uint16_t>({0, 65535}, {2});
  expect_round_trip<int32_t>({INT32_MIN, INT32_MAX, 5}, {3});
  expect_round_trip<uint32_t>({0, UINT32_MAX}, {2});
  expect_round_trip<int64_t>({INT64_MIN, INT64_MAX}, {2, 1, 1});
  expect_round_trip<uint64_t>({UINT64_MAX}, {1});
  expect_round_trip<bool>({true, false, true}, {3});
}

TEST(Npy, RoundTripsScalarsAndZeroSizeArrays) {
  expect_round_trip<float>({42.f}, {});
  expect_round_trip<int64_t>({}, {0});
  expect_round_trip<float>({}, {2, 0, 3});
}

TEST(Npy, RoundTripsFloat16AsRawWords) {
  Tensor t(DType::kFloat16, {2});
  auto* w = static_cast<uint16_t*>(t.raw());
  w[0] = 0x3C00;  // 1.0
  w[1] = 0xC100;  // -2.5
  Tensor back = parse_npy(serialize_npy(t), "'mem'");
  EXPECT_EQ(back.dtype(), DType::kFloat16);
  EXPECT_EQ(static_cast<const uint16_t*>(back.raw())[1], 0xC100);
}

TEST(Npy, HeaderIsTheDictNumpyWrites) {
  std::string bytes = serialize_npy(Tensor::from_vector<float>({3}, {1, 2, 3}));
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_NE(bytes.find("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"),
            std::string::npos);
  std::string scalar = serialize_npy(Tensor::scalar<int64_t>(1));
  EXPECT_NE(scalar.find("'shape': ()"), std::string::npos);
  EXPECT_NE(serialize_npy(Tensor::scalar<bool>(true)).find("'|b1'"), std::string::npos);
}

TEST(Npy, LongHeadersUseVersion2) {
  // A rank-25000 shape of ones needs a header longer than version 1.0's 65535 bytes.
  Shape shape(25000, 1);
  Tensor t(DType::kUInt8, shape);
  std::string bytes = serialize_npy(t);
  EXPECT_EQ(bytes[6], 2);
  EXPECT_EQ(parse_npy(bytes, "'mem'").shape(), shape);
}

TEST(Npy, ReadsNumpyWrittenFiles) {
  Tensor f = read_npy_file(kFixtures + "f32_2x3.npy");
  EXPECT_EQ(f.shape(), (Shape{2, 3}));
  EXPECT_EQ(f.to_vector<float>(), (std::vector<float>{0, 0.25f, 0.5f, 0.75f, 1, 1.25f}));

  Tensor s = read_npy_file(kFixtures + "i64_scalar.npy");
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.data<int64_t>()[0], -7);

  Tensor b = read_npy_file(kFixtures + "bool_4.npy");
  EXPECT_EQ(b.to_vector<int>(), (std::vector<int>{1, 0, 0, 1}));

  Tensor h = read_npy_file(kFixtures + "f16_3.npy");
  EXPECT_EQ(h.dtype(), DType::kFloat16);
  const auto* hw = static_cast<const uint16_t*>(h.raw());
  EXPECT_EQ(hw[0], 0x3C00);
  EXPECT_EQ(hw[1], 0xC100);
  EXPECT_EQ(hw[2], 0x0000);

  Tensor e = read_npy_file(kFixtures + "f32_empty_0x3.npy");
  EXPECT_EQ(e.shape(), (Shape{0, 3}));
  EXPECT_EQ(e.numel(), 0);
}

TEST(Npy, ByteSwapsBigEndianData) {
  Tensor t = read_npy_file(kFixtures + "u16_be_2x2.npy");
  EXPECT_EQ(t.dtype(), DType::kUInt16);
  EXPECT_EQ(t.to_vector<int>(), (std::vector<int>{1, 2, 258, 65535}));
}

TEST(Npy, RejectsFortranOrder) {
  expect_error([] { read_npy_file(kFixtures + "f64_fortran.npy"); },
               {"f64_fortran.npy", "Fortran"});
}

// A well-formed file with the given header dict and `data_bytes` bytes of zeros.
std::string npy_with_header(const std::string& dict, size_t data_bytes) {
  std::string header = dict + "\n";
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xFF));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  out.append(data_bytes, '\0');
  return out;
}

TEST(Npy, AcceptsHeaderVariants) {
  // Double quotes, no trailing comma, keys in another order, "=" native order.
  Tensor t = parse_npy(
      npy_with_header("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"=i4\"}", 8),
      "'mem'");
  EXPECT_EQ(t.dtype(), DType::kInt32);
  EXPECT_EQ(t.shape(), Shape{2});
}

TEST(Npy, RejectsCorruptFiles) {
  const std::string good = serialize_npy(Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4}));
  expect_error([] { parse_npy("", "'e.npy'"); }, {"'e.npy'", "magic"});
  expect_error([] { parse_npy("PK\x03\x04 this is a zip", "'z.npy'"); }, {"'z.npy'", "magic"});
  std::string bad_version = good;
  bad_version[6] = 7;
  expect_error([&] { parse_npy(bad_version, "'v.npy'"); }, {"'v.npy'", "version 7.0"});
  expect_error([&] { parse_npy(good.substr(0, 40), "'h.npy'"); }, {"'h.npy'", "truncated"});
  expect_error([&] { parse_npy(good.substr(0, good.size() - 1), "'t.npy'"); },
               {"'t.npy'", "truncated .npy data", "needs 16 bytes, 15 present"});
  expect_error([&] { parse_npy(good + "xx", "'x.npy'"); }, {"'x.npy'", "2 unexpected bytes"});
  expect_error(
      [] {
        parse_npy(npy_with_header("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8),
                  "'c.npy'");
      },
      {"'c.npy'", "unsupported .npy dtype '<c8'"});
  expect_error(
      [] { parse_npy(npy_with_header("{'descr': '<f4', 'shape': (1,), }", 4), "'k.npy'"); },
      {"'k.npy'", "fortran_order"});
  expect_error(
      [] {
        parse_npy(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,-2), }", 4),
                  "'n.npy'");
      },
      {"'n.npy'", "malformed"});
  expect_error(
      [] {
        parse_npy(npy_with_header("{'descr': [('a', '<f4')], 'fortran_order': False, "
                                  "'shape': (1,), }",
                                  4),
                  "'s.npy'");
      },
      {"'s.npy'", "structured"});
  expect_error(
      [] {
        parse_npy(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), "
                                  "'extra': 'x'}",
                                  4),
                  "'x.npy'");
      },
      {"'x.npy'", "'extra'"});
  expect_error(
      [] {
        parse_npy(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': "
                                  "(4294967296, 4294967296, 4294967296), }",
                                  4),
                  "'big.npy'");
      },
      {"'big.npy'"});
}

TEST(Npy, RejectsBoolBytesOtherThanZeroOrOne) {
  std::string bytes = serialize_npy(Tensor::from_vector<bool>({2}, {true, false}));
  bytes.back() = 7;
  expect_error([&] { parse_npy(bytes, "'b.npy'"); }, {"'b.npy'", "element 1", "byte value 7"});
}

TEST(Npy, MutatedFilesOnlyEverThrowHoneErrors) {
  const std::string good = serialize_npy(Tensor::from_vector<int16_t>({2, 3}, {1, 2, 3, 4, 5, 6}));
  uint32_t state = 88172645u;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  };
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bytes = good;
    if (trial % 4 == 0) bytes.resize(next() % bytes.size());
    // Mostly mutate the header, where the parser does the most work.
    for (int k = 0; k < 1 + trial % 3; ++k)
      if (!bytes.empty())
        bytes[next() % std::min<size_t>(bytes.size(), 80)] = static_cast<char>(next());
    try {
      parse_npy(bytes, "'m.npy'");
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("'m.npy'"), std::string::npos) << e.what();
    }
  }
}

TEST(Npy, RefusesBFloat16) {
  expect_error([] { serialize_npy(Tensor(DType::kBFloat16, {1})); }, {"bfloat16"});
}

TEST(Npy, FileRoundTripAndMissingFile) {
  std::string dir = ::testing::TempDir() + "/hone_npy_test_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  Tensor t = Tensor::from_vector<int32_t>({2}, {5, -6});
  write_npy_file(dir + "/a.npy", t);
  EXPECT_EQ(read_npy_file(dir + "/a.npy").to_vector<int>(), (std::vector<int>{5, -6}));
  expect_error([&] { read_npy_file(dir + "/missing.npy"); }, {"missing.npy"});
  expect_error([&] { read_npy_file(dir); }, {"directory"});
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hone
