// Typed errors: every user-facing failure is an hone::Error whose message names the file,
// node or op it concerns. The CLI prints what() on one line and exits with status 2.
#pragma once

#include <stdexcept>
#include <string>

namespace hone {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Thrown while preparing a node whose output shape depends on an input value that is not a
// compile-time constant (hone plans static shapes). Callers that can bind more values as
// constants (the conformance runner) catch it and retry.
class NeedsConstantError : public Error {
 public:
  using Error::Error;
};

// Thrown for an operator (or an operator form) hone does not implement.
class UnsupportedError : public Error {
 public:
  using Error::Error;
};

}  // namespace hone
