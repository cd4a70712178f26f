// Runs the built `hone` binary (HONE_BINARY) in a child process for the end-to-end CLI
// tests, capturing its stdout, stderr and exit status; plus a scratch directory per test.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

namespace hone::testing {

struct HoneResult {
  int status = -1;  // exit status; 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

HoneResult run_hone(const std::vector<std::string>& args);

// A fresh directory under the test temp dir, removed on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void write(const std::string& name, const std::string& bytes) const;

 private:
  std::string path_;
};

std::string read_file(const std::string& path);

// ONNX backend test case directories used by the tests.
std::string onnx_case(const std::string& suite, const std::string& name);

}  // namespace hone::testing

namespace hone::testing {

// Checks `r` is a clean bad-input failure: exit status 2 and exactly one stderr line
// "hone: ..." containing every needle.
void expect_bad_input(const HoneResult& r, std::initializer_list<std::string> needles);

}  // namespace hone::testing
