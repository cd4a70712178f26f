// The CPU's instruction-set level and cache sizes (via cpuinfo), which select the optimized
// kernel variant at run time: AVX-512, AVX2+FMA, or the portable C++ path.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace hone {

enum class Isa {
  kPortable,  // plain C++, correct on any CPU
  kAvx2,      // AVX2 + FMA (Haswell / Zen 1 and later)
  kAvx512,    // AVX-512 F, BW, DQ, VL (Skylake-X / Zen 4 and later)
};

std::string_view isa_name(Isa isa);  // "portable", "avx2", "avx512"
// Parses isa_name's output; throws hone::Error listing the choices otherwise.
Isa parse_isa(std::string_view name);
// Whether this CPU (and OS) can execute the variant.
bool isa_supported(Isa isa);
// The fastest variant this CPU supports.
Isa best_isa();
// Every variant this CPU supports, portable first (tests run each one).
std::vector<Isa> supported_isas();
// The channel block of the blocked activation layout for the variant: 16 with AVX-512 and with
// AVX2 (two ymm vectors per block: its register tiles cover 16 channels either way, and whole
// 64-byte lines per pixel measured faster on Zen 3, decision 019); 8 for portable code, so
// both blocks stay exercised.
int layout_block(Isa isa);

struct CacheSizes {
  int64_t l1d = 32 * 1024;        // per core
  int64_t l2 = 1024 * 1024;       // per core
  int64_t l3 = 16 * 1024 * 1024;  // shared
};
// From cpuinfo; the defaults above when it cannot tell.
CacheSizes cache_sizes();

}  // namespace hone
