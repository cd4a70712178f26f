#include "ir/ops/families.h"

namespace hone {

void register_pool_ops(OpRegistry& /*r*/) {}

}  // namespace hone
