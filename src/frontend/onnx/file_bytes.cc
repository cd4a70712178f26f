#include "frontend/onnx/file_bytes.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace hone {

namespace {

namespace fs = std::filesystem;

// Throws unless `path` is an existing, non-empty regular file; returns its size.
uintmax_t checked_file_size(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path + ": file not found");
  if (fs::is_directory(path, ec)) throw Error(path + ": is a directory, not a file");
  const auto size = fs::file_size(path, ec);
  if (ec) throw Error(path + ": cannot read file size");
  if (size == 0) throw Error(path + ": file is empty");
  return size;
}

}  // namespace

ReadableFile::ReadableFile(const std::string& path) {
  checked_file_size(path);
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw Error(path + ": cannot open file for reading");
}

ReadableFile::~ReadableFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::string read_file_bytes(const std::string& path) {
  const uintmax_t size = checked_file_size(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file for reading");
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<uintmax_t>(in.gcount()) != size) throw Error(path + ": error while reading file");
  return bytes;
}

}  // namespace hone
