// Crash and hang isolation for the conformance runner: runs one test case in a forked child
// process that sends its CaseResult back through a pipe, so a segfault, an abort or an
// endless loop in a kernel fails that case instead of the whole run.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "conformance/conformance.h"

namespace hone {

// What the parent saw of a finished child.
struct ChildOutcome {
  bool timed_out = false;  // the parent killed it after the timeout
  int wait_status = 0;     // as returned by waitpid
  std::string record;      // the bytes read from the result pipe (may be empty or truncated)
};

// The record a child writes for `result` (status, reason length, reason; the name is known
// to the parent), and its inverse, which returns nullopt for an empty or truncated record.
std::string encode_case_result(const CaseResult& result);
std::optional<CaseResult> decode_case_result(std::string_view record);

// Turns a child's outcome into the case's result: the decoded record when the child exited
// normally after writing a complete one, else failed with "timed out after N s", "crashed
// (signal N: description)" or "exited with status N without a result".
CaseResult interpret_child_outcome(const std::string& name, const ChildOutcome& outcome,
                                   int timeout_seconds);

// Runs `run_case` in a forked child and waits at most `timeout_seconds` for it (then kills it
// with SIGKILL). The child leaves with _exit, so it never flushes or destroys anything of the
// parent's. Never throws for what the child does; a failed fork gives a failed result.
CaseResult run_case_in_child(const std::string& name, const std::function<CaseResult()>& run_case,
                             int timeout_seconds);

}  // namespace hone
