// Runs one ONNX backend test case in the current process: imports model.onnx, runs every
// test_data_set_N through the executor and compares with the expected outputs.
#pragma once

#include <string>

#include "conformance/case_discovery.h"
#include "conformance/conformance.h"
#include "conformance/tensor_compare.h"

namespace hone {

// The tolerance for a case: the defaults, with the rtol/atol keys of its data.json if any.
// Throws hone::Error when data.json exists but is not valid JSON.
Tolerance case_tolerance(const CaseDir& c);

// Never throws: UnsupportedError (unknown op, unsupported dtype or form) and values hone
// cannot hold (sequences, optionals, maps) give skipped; every other error, exception or
// mismatch gives failed with a one-line reason.
CaseResult run_case(const CaseDir& c, int opt_level = 0);

}  // namespace hone
