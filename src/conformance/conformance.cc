#include "conformance/conformance.h"

#include <ostream>

#include "conformance/case_discovery.h"
#include "conformance/case_runner.h"
#include "conformance/child_process.h"
#include "core/error.h"
#include "ir/op_registry.h"

namespace hone {

ConformanceSummary run_conformance(const std::string& dir, const ConformanceOptions& options,
                                   std::ostream& out) {
  const std::vector<CaseDir> cases = discover_cases(dir, options.filter);
  if (cases.empty())
    throw Error("conformance: no test case" +
                (options.filter.empty() ? "" : " matching '" + options.filter + "'") + " in " +
                dir);
  if (options.timeout_seconds <= 0)
    throw Error("conformance: the timeout must be positive, got " +
                std::to_string(options.timeout_seconds));

  // Built once here so every forked child inherits it instead of building its own.
  op_registry();

  ConformanceSummary summary;
  for (const CaseDir& c : cases) {
    // Flushed before forking so that nothing buffered is ever written twice.
    out.flush();
    CaseResult result = options.fork ? run_case_in_child(
                                           c.name, [&] { return run_case(c, options.opt_level); },
                                           options.timeout_seconds)
                                     : run_case(c, options.opt_level);
    switch (result.status) {
      case CaseStatus::kPassed:
        ++summary.passed;
        if (options.verbose) out << "PASSED " << result.name << "\n";
        break;
      case CaseStatus::kFailed:
        ++summary.failed;
        out << "FAILED " << result.name << ": " << result.reason << "\n";
        break;
      case CaseStatus::kSkipped:
        ++summary.skipped;
        out << "SKIPPED " << result.name << ": " << result.reason << "\n";
        break;
    }
    summary.cases.push_back(std::move(result));
  }
  out << summary.passed << " passed, " << summary.failed << " failed, " << summary.skipped
      << " skipped\n";
  out.flush();
  return summary;
}

}  // namespace hone
