#include "conformance/child_process.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace hone {
namespace {

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The wait status of a real child that ends with `how` (a genuine status, not hand-made bits).
template <class F>
int wait_status_of(F how) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    how();
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(ChildProcess, RecordRoundTrips) {
  for (CaseStatus s : {CaseStatus::kPassed, CaseStatus::kFailed, CaseStatus::kSkipped}) {
    const CaseResult in{"ignored", s, "reason: with colons: 12:3"};
    const auto out = decode_case_result(encode_case_result(in));
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->status, s);
    EXPECT_EQ(out->reason, in.reason);
  }
  const auto empty_reason = decode_case_result(encode_case_result({"", CaseStatus::kPassed, ""}));
  ASSERT_TRUE(empty_reason.has_value());
  EXPECT_EQ(empty_reason->reason, "");
}

TEST(ChildProcess, TruncatedOrGarbledRecordIsRejected) {
  const std::string record = encode_case_result({"", CaseStatus::kFailed, "some reason"});
  EXPECT_FALSE(decode_case_result(record.substr(0, record.size() - 1)).has_value());
  EXPECT_FALSE(decode_case_result("").has_value());
  EXPECT_FALSE(decode_case_result("X3:abc").has_value());
  EXPECT_FALSE(decode_case_result("F:abc").has_value());
  EXPECT_FALSE(decode_case_result("F3abc").has_value());
  EXPECT_FALSE(decode_case_result(record + "extra").has_value());
}

TEST(ChildProcess, LongReasonIsCut) {
  const auto out =
      decode_case_result(encode_case_result({"", CaseStatus::kFailed, std::string(100000, 'x')}));
  ASSERT_TRUE(out.has_value());
  EXPECT_LT(out->reason.size(), 10000u);
}

TEST(ChildProcess, InterpretsCleanExitWithRecord) {
  ChildOutcome o;
  o.wait_status = wait_status_of([] {});
  o.record = encode_case_result({"", CaseStatus::kSkipped, "unsupported op Foo"});
  const CaseResult r = interpret_child_outcome("test_x", o, 60);
  EXPECT_EQ(r.name, "test_x");
  EXPECT_EQ(r.status, CaseStatus::kSkipped);
  EXPECT_EQ(r.reason, "unsupported op Foo");
}

TEST(ChildProcess, InterpretsSignalAsCrash) {
  ChildOutcome o;
  // SIGABRT rather than SIGSEGV: AddressSanitizer turns a SIGSEGV into exit status 1.
  o.wait_status = wait_status_of([] { ::raise(SIGABRT); });
  o.record = encode_case_result({"", CaseStatus::kPassed, ""});  // ignored: it crashed
  const CaseResult r = interpret_child_outcome("test_x", o, 60);
  EXPECT_EQ(r.status, CaseStatus::kFailed);
  EXPECT_TRUE(contains(r.reason, "crashed (signal " + std::to_string(SIGABRT))) << r.reason;
}

TEST(ChildProcess, InterpretsExitWithoutRecord) {
  ChildOutcome o;
  o.wait_status = wait_status_of([] { ::_exit(3); });
  CaseResult r = interpret_child_outcome("test_x", o, 60);
  EXPECT_EQ(r.status, CaseStatus::kFailed);
  EXPECT_TRUE(contains(r.reason, "status 3")) << r.reason;

  o.wait_status = wait_status_of([] {});
  o.record = "P5:ab";  // truncated
  r = interpret_child_outcome("test_x", o, 60);
  EXPECT_EQ(r.status, CaseStatus::kFailed);
  EXPECT_TRUE(contains(r.reason, "without a complete result")) << r.reason;
}

TEST(ChildProcess, InterpretsTimeout) {
  ChildOutcome o;
  o.timed_out = true;
  o.wait_status = wait_status_of([] { ::raise(SIGKILL); });
  const CaseResult r = interpret_child_outcome("test_x", o, 7);
  EXPECT_EQ(r.status, CaseStatus::kFailed);
  EXPECT_EQ(r.reason, "timed out after 7 s");
}

TEST(ChildProcess, RunsCaseAndReturnsItsResult) {
  const CaseResult r = run_case_in_child(
      "test_ok",
      [] {
        return CaseResult{"x", CaseStatus::kFailed, "wrong"};
      },
      10);
  EXPECT_EQ(r.name, "test_ok");
  EXPECT_EQ(r.status, CaseStatus::kFailed);
  EXPECT_EQ(r.reason, "wrong");
}

TEST(ChildProcess, ExceptionInChildFails) {
  const CaseResult r = run_case_in_child(
      "test_throw", []() -> CaseResult { throw std::runtime_error("boom"); }, 10);
  EXPECT_EQ(r.status, CaseStatus::kFailed);
  EXPECT_TRUE(contains(r.reason, "boom")) << r.reason;
}

TEST(ChildProcess, CrashInChildFailsOnlyThatCase) {
  const CaseResult r = run_case_in_child(
      "test_abort", []() -> CaseResult { std::abort(); }, 10);
  EXPECT_EQ(r.status, CaseStatus::kFailed);
  EXPECT_TRUE(contains(r.reason, "crashed (signal " + std::to_string(SIGABRT))) << r.reason;
}

TEST(ChildProcess, HangingChildIsKilledAfterTimeout) {
  const auto start = std::chrono::steady_clock::now();
  const CaseResult r = run_case_in_child(
      "test_hang",
      []() -> CaseResult {
        for (;;) ::pause();
      },
      1);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.status, CaseStatus::kFailed);
  EXPECT_EQ(r.reason, "timed out after 1 s");
  EXPECT_LT(seconds, 5.0);
}

}  // namespace
}  // namespace hone
