// Parsing of tvmc's --input-shapes syntax: "data:[1,3,224,224] mask:[1,10]" (inputs separated
// by spaces; a scalar is "name:[]"; names may themselves contain ':', as in "input:0:[1,3]").
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/tensor.h"

namespace hone {

// Throws hone::Error starting "--input-shapes:" and quoting the offending entry for anything
// else: a missing ':' or bracket, a non-integer or negative dimension, text after ']' that is
// not a space, an empty name, or a name given twice.
std::map<std::string, Shape> parse_input_shapes(std::string_view text);

}  // namespace hone
