#include "frontend/onnx/file_bytes.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.h"

namespace hone {

std::string read_file_bytes(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path + ": file not found");
  if (fs::is_directory(path, ec)) throw Error(path + ": is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file for reading");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(path + ": error while reading file");
  if (bytes.empty()) throw Error(path + ": file is empty");
  return bytes;
}

}  // namespace hone
