#include "conformance/child_process.h"

#include <poll.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <exception>
#include <thread>

namespace hone {
namespace {

using Clock = std::chrono::steady_clock;

// A reason longer than this is cut, so that the record always fits the pipe buffer and the
// child never blocks writing it.
constexpr size_t kMaxReasonBytes = 4000;

char status_code(CaseStatus s) {
  switch (s) {
    case CaseStatus::kPassed:
      return 'P';
    case CaseStatus::kFailed:
      return 'F';
    case CaseStatus::kSkipped:
      return 'S';
  }
  return 'F';
}

CaseResult failed(const std::string& name, std::string reason) {
  return {name, CaseStatus::kFailed, std::move(reason)};
}

void write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void child_main(int fd, const std::function<CaseResult()>& run_case) {
  CaseResult result;
  try {
    result = run_case();
  } catch (const std::exception& e) {
    result = {"", CaseStatus::kFailed, std::string("exception: ") + e.what()};
  } catch (...) {
    result = {"", CaseStatus::kFailed, "unknown exception"};
  }
  write_all(fd, encode_case_result(result));
  ::close(fd);
  ::_exit(0);
}

int milliseconds_until(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left.count(), 1 << 30));
}

// Reads the pipe until EOF or the deadline; false when the deadline passed first.
bool read_until_eof(int fd, Clock::time_point deadline, std::string* record) {
  char buffer[4096];
  for (;;) {
    const int wait_ms = milliseconds_until(deadline);
    if (wait_ms == 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return ready < 0;  // poll error: stop reading, let waitpid decide
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    record->append(buffer, static_cast<size_t>(n));
  }
}

// Waits for the child until the deadline; false when it is still running then.
bool reap_until(pid_t pid, Clock::time_point deadline, int* status) {
  for (;;) {
    const pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return true;  // already reaped or not ours: nothing to wait for
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

std::string encode_case_result(const CaseResult& result) {
  const std::string reason = result.reason.substr(0, kMaxReasonBytes);
  std::string record(1, status_code(result.status));
  record += std::to_string(reason.size());
  record += ':';
  record += reason;
  return record;
}

std::optional<CaseResult> decode_case_result(std::string_view record) {
  if (record.size() < 3) return std::nullopt;
  CaseResult result;
  switch (record[0]) {
    case 'P':
      result.status = CaseStatus::kPassed;
      break;
    case 'F':
      result.status = CaseStatus::kFailed;
      break;
    case 'S':
      result.status = CaseStatus::kSkipped;
      break;
    default:
      return std::nullopt;
  }
  const size_t colon = record.find(':');
  if (colon == std::string_view::npos || colon == 1) return std::nullopt;
  size_t length = 0;
  for (size_t i = 1; i < colon; ++i) {
    if (record[i] < '0' || record[i] > '9' || length > kMaxReasonBytes) return std::nullopt;
    length = length * 10 + static_cast<size_t>(record[i] - '0');
  }
  if (record.size() - colon - 1 != length) return std::nullopt;
  result.reason = std::string(record.substr(colon + 1));
  return result;
}

CaseResult interpret_child_outcome(const std::string& name, const ChildOutcome& outcome,
                                   int timeout_seconds) {
  if (outcome.timed_out)
    return failed(name, "timed out after " + std::to_string(timeout_seconds) + " s");
  const int status = outcome.wait_status;
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* description = ::strsignal(sig);
    return failed(name, "crashed (signal " + std::to_string(sig) + ": " +
                            (description ? description : "unknown") + ")");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    if (std::optional<CaseResult> result = decode_case_result(outcome.record)) {
      result->name = name;
      return *result;
    }
    return failed(name, "exited without a complete result");
  }
  if (WIFEXITED(status))
    return failed(
        name, "exited with status " + std::to_string(WEXITSTATUS(status)) + " without a result");
  return failed(name, "ended in an unknown way (wait status " + std::to_string(status) + ")");
}

CaseResult run_case_in_child(const std::string& name, const std::function<CaseResult()>& run_case,
                             int timeout_seconds) {
  int fds[2];
  if (::pipe(fds) != 0) return failed(name, std::string("pipe failed: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return failed(name, std::string("fork failed: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], run_case);
  }
  ::close(fds[1]);

  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  ChildOutcome outcome;
  const bool eof = read_until_eof(fds[0], deadline, &outcome.record);
  ::close(fds[0]);
  if (!eof || !reap_until(pid, deadline, &outcome.wait_status)) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &outcome.wait_status, 0) < 0 && errno == EINTR) {
    }
    outcome.timed_out = true;
  }
  return interpret_child_outcome(name, outcome, timeout_seconds);
}

}  // namespace hone
