#include "zoo/zoo.h"

namespace hone {

std::vector<ZooModelInfo> zoo_models() { return {}; }
void zoo_make(const std::string&, const std::string&, const ZooOptions&) {}

}  // namespace hone
