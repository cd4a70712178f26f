#include "conformance/conformance.h"

#include <ostream>

namespace hone {

ConformanceSummary run_conformance(const std::string&, const ConformanceOptions&, std::ostream&) { return {}; }

}  // namespace hone
