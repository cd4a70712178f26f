// `hone conformance [DIR]`: runs ONNX's backend test cases through hone.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/printing.h"
#include "conformance/conformance.h"
#include "core/error.h"

namespace hone {
namespace {

constexpr const char* kDefaultDir = "/usr/share/libonnx-testdata/data";

struct ConformanceCommandOptions {
  std::string dir = kDefaultDir;
  std::string filter;
  bool verbose = false;
  bool json = false;
  bool no_fork = false;
  int timeout_seconds = ConformanceOptions{}.timeout_seconds;
  int opt_level = 0;
};

const char* status_name(CaseStatus s) {
  switch (s) {
    case CaseStatus::kPassed:
      return "passed";
    case CaseStatus::kFailed:
      return "failed";
    case CaseStatus::kSkipped:
      return "skipped";
  }
  return "?";
}

int run_conformance_command(const ConformanceCommandOptions& o) {
  ConformanceOptions options;
  options.filter = o.filter;
  options.verbose = o.verbose;
  options.fork = !o.no_fork;
  if (o.timeout_seconds < 1)
    throw Error("--timeout must be at least 1 second (got " + std::to_string(o.timeout_seconds) +
                ")");
  options.timeout_seconds = o.timeout_seconds;
  options.opt_level = o.opt_level;
  ConformanceSummary summary;
  if (o.json) {
    std::ostringstream progress;  // the JSON replaces the per-case lines
    summary = run_conformance(o.dir, options, progress);
    Json j;
    j["dir"] = o.dir;
    j["filter"] = o.filter;
    j["passed"] = summary.passed;
    j["failed"] = summary.failed;
    j["skipped"] = summary.skipped;
    j["cases"] = Json::array();
    for (const CaseResult& c : summary.cases)
      if (o.verbose || c.status != CaseStatus::kPassed)
        j["cases"].push_back(
            {{"name", c.name}, {"status", status_name(c.status)}, {"reason", c.reason}});
    std::cout << json_text(j);
  } else {
    summary = run_conformance(o.dir, options, std::cout);
    std::cout.flush();
  }
  return summary.failed == 0 ? 0 : 1;
}

}  // namespace

Command add_conformance_command(CLI::App& app) {
  auto o = std::make_shared<ConformanceCommandOptions>();
  CLI::App* sub = app.add_subcommand(
      "conformance",
      "Run ONNX's backend test cases (model.onnx + test_data_set_*/*.pb directories, as "
      "libonnx-testdata ships them) and compare hone's outputs with the expected ones. Prints "
      "one line per failed or skipped case, then 'N passed, N failed, N skipped'. Exit status "
      "0 when no case failed, 1 otherwise.");
  sub->add_option("DIR", o->dir,
                  "A test case directory, or a directory of them (searched two levels deep)")
      ->capture_default_str();
  sub->add_option("--filter", o->filter, "Only run cases whose name contains this substring");
  sub->add_flag("--verbose", o->verbose, "Also list the cases that pass");
  sub->add_option("--timeout", o->timeout_seconds,
                  "Seconds a case may run before it is killed and counted as failed")
      ->capture_default_str();
  sub->add_flag("--no-fork", o->no_fork,
                "Run the cases in this process instead of one child process each (for a "
                "debugger; a crash then ends the whole run and --timeout is not enforced)");
  sub->add_option("--opt-level", o->opt_level,
                  "0 checks the reference kernels; 1..3 run the graph passes of that level and "
                  "the optimized kernels of this CPU's best ISA, as `hone run --opt-level`")
      ->check(CLI::Range(0, 3))
      ->capture_default_str();
  sub->add_flag("--json", o->json,
                "Print one JSON object (counts and the non-passing cases) instead of text");
  return {sub, [o] { return run_conformance_command(*o); }};
}

}  // namespace hone
