// Reads files for the ONNX frontend, with errors that name the file.
#pragma once

#include <string>

namespace hone {

// Throws hone::Error "PATH: ..." when the file is missing, a directory, unreadable or empty.
std::string read_file_bytes(const std::string& path);

// An open file descriptor, closed on destruction.
class ReadableFile {
 public:
  // The same checks and messages as read_file_bytes.
  explicit ReadableFile(const std::string& path);
  ~ReadableFile();
  ReadableFile(const ReadableFile&) = delete;
  ReadableFile& operator=(const ReadableFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

}  // namespace hone
