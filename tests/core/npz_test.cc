// Tests of the .npz reader/writer: round trips (stored and deflated), numpy-written
// archives, and corrupt or unexpected archives.
#include "core/npz.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/npy.h"

namespace hone {
namespace {

const std::string kFixtures = std::string(HONE_TEST_DATA_DIR) + "/npz/";

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

class NpzTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/hone_npz_test_" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  void write_raw(const std::string& name, const std::string& bytes) const {
    std::ofstream(path(name), std::ios::binary) << bytes;
  }
  std::string dir_;
};

std::vector<NamedTensor> sample_arrays() {
  std::vector<NamedTensor> v;
  v.push_back({"zeta", Tensor::from_vector<float>({2, 2}, {1, -2, 3.5f, 4})});
  v.push_back({"alpha", Tensor::scalar<int64_t>(-9)});
  v.push_back({"mask", Tensor::from_vector<bool>({3}, {true, false, true})});
  v.push_back({"empty", Tensor(DType::kFloat64, {0, 4})});
  v.push_back({"bytes", Tensor::from_vector<uint8_t>({2}, {0, 255})});
  return v;
}

void expect_same(const std::vector<NamedTensor>& a, const std::vector<NamedTensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, b[i].name);  // order is preserved, not sorted
    EXPECT_EQ(a[i].tensor.dtype(), b[i].tensor.dtype());
    EXPECT_EQ(a[i].tensor.shape(), b[i].tensor.shape());
    ASSERT_EQ(a[i].tensor.nbytes(), b[i].tensor.nbytes());
    EXPECT_EQ(std::memcmp(a[i].tensor.raw(), b[i].tensor.raw(), a[i].tensor.nbytes()), 0);
  }
}

TEST_F(NpzTest, RoundTripsStoredAndDeflated) {
  auto arrays = sample_arrays();
  write_npz_file(path("s.npz"), arrays, NpzCompression::kStored);
  write_npz_file(path("d.npz"), arrays, NpzCompression::kDeflated);
  expect_same(read_npz_file(path("s.npz")), arrays);
  expect_same(read_npz_file(path("d.npz")), arrays);
}

TEST_F(NpzTest, DeflateShrinksRepetitiveData) {
  std::vector<NamedTensor> big{{"z", Tensor(DType::kFloat32, {10000})}};
  EXPECT_LT(serialize_npz(big, NpzCompression::kDeflated).size(),
            serialize_npz(big, NpzCompression::kStored).size() / 10);
}

TEST_F(NpzTest, EmptyArchiveRoundTrips) {
  write_npz_file(path("e.npz"), {});
  EXPECT_TRUE(read_npz_file(path("e.npz")).empty());
}

TEST_F(NpzTest, ReadsNumpySavezAndSavezCompressed) {
  for (const char* name : {"stored.npz", "deflated.npz"}) {
    SCOPED_TRACE(name);
    auto arrays = read_npz_file(kFixtures + name);
    ASSERT_EQ(arrays.size(), 3u);
    EXPECT_EQ(arrays[0].name, "a");
    EXPECT_EQ(arrays[0].tensor.shape(), (Shape{1, 3}));
    EXPECT_EQ(arrays[0].tensor.to_vector<float>(), (std::vector<float>{1.5f, -2.0f, 3.25f}));
    EXPECT_EQ(arrays[1].name, "b");
    EXPECT_EQ(arrays[1].tensor.dtype(), DType::kInt32);
    EXPECT_EQ(arrays[1].tensor.to_vector<int>(), (std::vector<int>{1, 2, 3, 4}));
    EXPECT_EQ(arrays[2].name, "c");
    EXPECT_EQ(arrays[2].tensor.shape(), Shape{});
    EXPECT_EQ(arrays[2].tensor.data<uint8_t>()[0], 200);
  }
}

TEST_F(NpzTest, MissingEmptyAndNonZipFiles) {
  expect_error([&] { read_npz_file(path("nope.npz")); }, {"nope.npz"});
  write_raw("empty.npz", "");
  expect_error([&] { read_npz_file(path("empty.npz")); }, {"empty.npz", "empty"});
  write_raw("junk.npz", std::string(300, '\x5a'));
  expect_error([&] { read_npz_file(path("junk.npz")); }, {"junk.npz", "not a valid .npz"});
}

TEST_F(NpzTest, TruncatedArchive) {
  std::string bytes = serialize_npz(sample_arrays());
  write_raw("cut.npz", bytes.substr(0, bytes.size() / 2));
  expect_error([&] { read_npz_file(path("cut.npz")); }, {"cut.npz"});
}

TEST_F(NpzTest, CorruptedEntryDataFailsItsCrc) {
  std::vector<NamedTensor> arrays{{"x", Tensor::from_vector<float>({4}, {1, 2, 3, 4})}};
  std::string bytes = serialize_npz(arrays, NpzCompression::kStored);
  // Flip a byte of the stored float data (the last float before the central directory).
  std::string npy = serialize_npy(arrays[0].tensor);
  size_t at = bytes.find(npy);
  ASSERT_NE(at, std::string::npos);
  bytes[at + npy.size() - 1] ^= 0x40;
  write_raw("crc.npz", bytes);
  expect_error([&] { read_npz_file(path("crc.npz")); }, {"crc.npz", "entry 'x.npy'"});
}

TEST_F(NpzTest, CorruptNpyInsideNamesTheEntry) {
  std::vector<NamedTensor> arrays{{"x", Tensor::from_vector<float>({4}, {1, 2, 3, 4})}};
  std::string bytes = serialize_npz(arrays, NpzCompression::kStored);
  size_t at = bytes.find("\x93NUMPY");
  ASSERT_NE(at, std::string::npos);
  // Break the .npy magic and fix nothing else: the CRC check or the .npy parser must catch it.
  bytes[at + 1] = 'X';
  write_raw("bad.npz", bytes);
  expect_error([&] { read_npz_file(path("bad.npz")); }, {"bad.npz", "entry 'x.npy'"});
}

TEST_F(NpzTest, RejectsUnexpectedNamesAndDuplicates) {
  std::vector<NamedTensor> dup{{"a", Tensor::scalar<float>(1)}, {"a", Tensor::scalar<float>(2)}};
  expect_error([&] { serialize_npz(dup); }, {"duplicate", "'a'"});
  std::vector<NamedTensor> unnamed{{"", Tensor::scalar<float>(1)}};
  expect_error([&] { serialize_npz(unnamed); }, {"empty name"});
}

TEST_F(NpzTest, WriteFailsCleanlyForMissingDirectory) {
  expect_error([&] { write_npz_file(path("no/such/dir/o.npz"), sample_arrays()); },
               {"no/such/dir/o.npz"});
}

TEST_F(NpzTest, MutatedArchivesOnlyEverThrowHoneErrors) {
  // Random byte flips and truncations of a valid archive: each read must succeed or throw
  // hone::Error (never crash, hang or throw anything else). Run under ASan in CI.
  for (NpzCompression c : {NpzCompression::kStored, NpzCompression::kDeflated}) {
    const std::string good = serialize_npz(sample_arrays(), c);
    uint32_t state = 2463534242u;
    auto next = [&] {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      return state;
    };
    for (int trial = 0; trial < 300; ++trial) {
      std::string bytes = good;
      if (trial % 3 == 0) bytes.resize(next() % bytes.size());
      for (int k = 0; k < 1 + trial % 4; ++k)
        if (!bytes.empty()) bytes[next() % bytes.size()] = static_cast<char>(next());
      try {
        parse_npz(bytes, "mutated.npz");
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("mutated.npz"), std::string::npos) << e.what();
      }
    }
  }
}

}  // namespace
}  // namespace hone
