#include "frontend/onnx/file_bytes.h"

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace hone {

std::string read_file_bytes(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path + ": file not found");
  if (fs::is_directory(path, ec)) throw Error(path + ": is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file for reading");
  const auto size = fs::file_size(path, ec);
  if (ec) throw Error(path + ": cannot read file size");
  if (size == 0) throw Error(path + ": file is empty");
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<uintmax_t>(in.gcount()) != size) throw Error(path + ": error while reading file");
  return bytes;
}

}  // namespace hone
