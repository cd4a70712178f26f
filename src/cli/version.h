// hone's version string for `hone --version` (kept equal to project(VERSION) in
// CMakeLists.txt; a CLI test checks that).
#pragma once

#include <string_view>

namespace hone {

inline constexpr std::string_view kHoneVersion = "0.1.0";

}  // namespace hone
