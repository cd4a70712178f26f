// Text tables, number formatting and JSON conversions shared by the subcommands' output.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace hone {

using Json = nlohmann::ordered_json;  // keeps fields in the order they are written

// Columns padded to their widest cell; the columns flagged in `right` are right-aligned
// (numbers). Every line starts with `indent` spaces and ends with '\n'.
std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right = {}, int indent = 2);

std::string format_count(int64_t n);               // 25557032 -> "25,557,032"
std::string format_bytes(int64_t n);               // 102228128 -> "97.49 MiB"
std::string format_fixed(double v, int decimals);  // printf("%.*f")

// {"name": ..., "dtype": "float32", "shape": [1, 3, 224, 224]}
Json value_json(const std::string& name, const ValueType& type);

// The text of a JSON document and a newline, for stdout.
std::string json_text(const Json& j);

}  // namespace hone
