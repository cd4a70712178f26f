// NumPy .npy format (versions 1.0, 2.0, 3.0): reading with strict validation and writing
// (atomically). Little- and big-endian data of bool, (u)int8..64, float16/32/64 in C order.
#pragma once

#include <string>
#include <string_view>

#include "core/tensor.h"

namespace hone {

// Parses the bytes of a .npy file. `where` names the source in error messages, e.g.
// "'x.npy'" or "'in.npz' entry 'data.npy'". Throws hone::Error for a bad magic string or
// version, an unparsable header, an unsupported dtype, fortran_order True, a truncated or
// over-long data section, or bool bytes other than 0 and 1.
Tensor parse_npy(std::string_view bytes, const std::string& where);

// The .npy bytes of `t` (version 1.0, or 2.0 when the header needs it; little-endian; header
// padded so the data starts at a multiple of 64 bytes). Throws for bfloat16, which NumPy
// has no type for.
std::string serialize_npy(const Tensor& t);

// The numpy dtype string of a hone dtype ("<f4", "|b1", ...); throws when there is none.
std::string npy_descr(DType dtype);

Tensor read_npy_file(const std::string& path);
void write_npy_file(const std::string& path, const Tensor& t);

// Reads a whole file into memory; throws hone::Error naming `path` when it cannot be read.
std::string read_whole_file(const std::string& path);

}  // namespace hone
