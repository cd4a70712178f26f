// The ONNX backend conformance runner: runs the test cases shipped by libonnx-testdata
// (each a directory with model.onnx and test_data_set_*/{input,output}_*.pb) through the
// importer and executor and compares with the expected outputs.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace hone {

enum class CaseStatus { kPassed, kFailed, kSkipped };

struct CaseResult {
  std::string name;  // directory name, e.g. "test_conv_with_strides_padding"
  CaseStatus status = CaseStatus::kPassed;
  std::string reason;  // why it failed or was skipped
};

struct ConformanceSummary {
  std::vector<CaseResult> cases;
  int passed = 0, failed = 0, skipped = 0;
};

struct ConformanceOptions {
  std::string filter;    // substring a case name must contain ("" = all)
  bool verbose = false;  // also print passing cases
  // Run each case in a forked child so a crash or hang fails only that case. Off runs the
  // cases in this process (for a debugger); a crash then ends the whole run.
  bool fork = true;
  int timeout_seconds = 60;  // per case, when forking; the child is killed after it
  // As `hone run --opt-level`: 0 runs the reference kernels on the imported graph; 1..3 run
  // the graph passes of that level and the optimized kernels of the best ISA.
  int opt_level = 0;
};

// `dir` is either one case directory or a directory of case directories (searched one or two
// levels deep, so /usr/share/libonnx-testdata/data works as well as .../data/node). Prints one
// line per non-passing case to `out` as it goes, and the closing line
// "N passed, N failed, N skipped". Throws hone::Error when `dir` holds no test case (or no
// case matches the filter).
ConformanceSummary run_conformance(const std::string& dir, const ConformanceOptions& options,
                                   std::ostream& out);

}  // namespace hone
