// Tests of atomic writes and the early writability check.
#include "core/atomic_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace hone {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/hone_atomic_test_" + std::to_string(::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  size_t entries() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }
  std::string dir_;
};

TEST_F(AtomicFileTest, WritesAndReplaces) {
  write_file_atomically(path("f"), "first");
  EXPECT_EQ(slurp(path("f")), "first");
  write_file_atomically(path("f"), std::string("sec\0nd", 6));
  EXPECT_EQ(slurp(path("f")), std::string("sec\0nd", 6));
  EXPECT_EQ(entries(), 1u) << "no temporary file may be left behind";
}

TEST_F(AtomicFileTest, NothingVisibleBeforeCommit) {
  write_file_atomically(path("f"), "old");
  {
    AtomicFileWriter w(path("f"));
    w.write("new data");
    EXPECT_EQ(slurp(path("f")), "old");
    w.commit();
  }
  EXPECT_EQ(slurp(path("f")), "new data");
}

TEST_F(AtomicFileTest, AbandonedWriterLeavesTargetAndNoTemp) {
  write_file_atomically(path("f"), "old");
  {
    AtomicFileWriter w(path("f"));
    w.write("partial");
  }
  EXPECT_EQ(slurp(path("f")), "old");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFileTest, WriteAfterCommitThrows) {
  AtomicFileWriter w(path("f"));
  w.commit();
  EXPECT_THROW(w.write("x"), Error);
  EXPECT_THROW(w.commit(), Error);
}

TEST_F(AtomicFileTest, ErrorsNameThePath) {
  try {
    write_file_atomically(path("missing/dir/f"), "x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing/dir/f"), std::string::npos) << e.what();
  }
  EXPECT_THROW(write_file_atomically(dir_, "x"), Error);  // a directory
}

TEST_F(AtomicFileTest, CheckWritable) {
  EXPECT_NO_THROW(check_file_writable(path("new.bin"), "--outputs"));
  EXPECT_FALSE(fs::exists(path("new.bin"))) << "the check must not create the file";
  EXPECT_EQ(entries(), 0u);
  try {
    check_file_writable(path("nodir/out.npz"), "--outputs");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("--outputs"), std::string::npos) << m;
    EXPECT_NE(m.find("does not exist"), std::string::npos) << m;
  }
  EXPECT_THROW(check_file_writable(dir_, "--outputs"), Error);
  EXPECT_THROW(check_file_writable("", "--outputs"), Error);
}

}  // namespace
}  // namespace hone
