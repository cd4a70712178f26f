// Counts the heap allocations of the whole test binary (operator new is replaced in
// allocation_counter.cc), so a test can check that a section of code makes none.
#pragma once

namespace hone::testing {

long allocation_count();

}  // namespace hone::testing
