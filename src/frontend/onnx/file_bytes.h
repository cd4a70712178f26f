// Reads a whole file into memory for the ONNX frontend, with errors that name the file.
#pragma once

#include <string>

namespace hone {

// Throws hone::Error "PATH: ..." when the file is missing, a directory, unreadable or empty.
std::string read_file_bytes(const std::string& path);

}  // namespace hone
