// NumPy .npz archives (a zip of .npy files, as numpy.savez/savez_compressed write them):
// read with stored or deflated entries, written stored or deflated, atomically.
#pragma once

#include <string>
#include <vector>

#include "core/tensor.h"

namespace hone {

// One array of an archive; `name` is the entry name without its ".npy" suffix.
struct NamedTensor {
  std::string name;
  Tensor tensor;
};

enum class NpzCompression { kStored, kDeflated };

// The arrays of an .npz file in archive order. Throws hone::Error naming the file (and the
// entry) for a missing, empty or corrupt archive, an entry whose name does not end in ".npy",
// a duplicate name, a CRC mismatch, or a bad .npy entry.
std::vector<NamedTensor> read_npz_file(const std::string& path);
// Same, from the archive's bytes; `source` names it in error messages.
std::vector<NamedTensor> parse_npz(std::string_view bytes, const std::string& source);

// The bytes of an archive holding `arrays` in order, entries named "<name>.npy".
// Throws for an empty or duplicate name or an array .npy cannot hold.
std::string serialize_npz(const std::vector<NamedTensor>& arrays,
                          NpzCompression compression = NpzCompression::kStored);
void write_npz_file(const std::string& path, const std::vector<NamedTensor>& arrays,
                    NpzCompression compression = NpzCompression::kStored);

}  // namespace hone
