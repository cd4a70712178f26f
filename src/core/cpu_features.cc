#include "core/cpu_features.h"

#include <cpuinfo.h>

#include <string>

#include "core/error.h"

namespace hone {

namespace {

bool cpuinfo_ready() {
  static const bool ready = cpuinfo_initialize();
  return ready;
}

}  // namespace

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::kPortable:
      return "portable";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

Isa parse_isa(std::string_view name) {
  for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512})
    if (name == isa_name(isa)) return isa;
  throw Error("unknown instruction set '" + std::string(name) +
              "'; choose one of: portable, avx2, avx512");
}

bool isa_supported(Isa isa) {
  if (isa == Isa::kPortable) return true;
  if (!cpuinfo_ready()) return false;
  const bool avx2 = cpuinfo_has_x86_avx2() && cpuinfo_has_x86_fma3();
  if (isa == Isa::kAvx2) return avx2;
  return avx2 && cpuinfo_has_x86_avx512f() && cpuinfo_has_x86_avx512bw() &&
         cpuinfo_has_x86_avx512dq() && cpuinfo_has_x86_avx512vl();
}

Isa best_isa() {
  if (isa_supported(Isa::kAvx512)) return Isa::kAvx512;
  if (isa_supported(Isa::kAvx2)) return Isa::kAvx2;
  return Isa::kPortable;
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512})
    if (isa_supported(isa)) out.push_back(isa);
  return out;
}

int layout_block(Isa isa) {
  return isa == Isa::kPortable ? 8 : 16;
}

CacheSizes cache_sizes() {
  CacheSizes sizes;
  if (!cpuinfo_ready() || cpuinfo_get_processors_count() == 0) return sizes;
  const cpuinfo_processor* p = cpuinfo_get_processor(0);
  if (p->cache.l1d && p->cache.l1d->size) sizes.l1d = p->cache.l1d->size;
  if (p->cache.l2 && p->cache.l2->size) sizes.l2 = p->cache.l2->size;
  if (p->cache.l3 && p->cache.l3->size) sizes.l3 = p->cache.l3->size;
  return sizes;
}

}  // namespace hone
