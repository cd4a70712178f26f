// Node attributes: the ONNX attribute kinds hone understands (subgraphs are not supported).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "core/tensor.h"

namespace hone {

using AttributeValue = std::variant<int64_t, float, std::string, Tensor, std::vector<int64_t>,
                                    std::vector<float>, std::vector<std::string>>;

struct Attribute {
  AttributeValue value;
};

using Attributes = std::map<std::string, Attribute, std::less<>>;

}  // namespace hone
