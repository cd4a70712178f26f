// The number of physical CPU cores this process may run on: the default of --threads
// (hyper-threads share a core's FMA units, so counting them would overstate the parallelism).
#pragma once

namespace hone {

// Physical cores among the CPUs in this process's affinity mask, read from Linux sysfs;
// falls back to the logical CPU count, and to 1.
int physical_core_count();

}  // namespace hone
