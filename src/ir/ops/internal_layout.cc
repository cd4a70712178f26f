// Registry entries of the internal "layout" ops (domain "hone"), see docs/decisions/004-internal-ops.md.
#include "ir/ops/families.h"

namespace hone {

void register_internal_layout_ops(OpRegistry& r) { (void)r; }

}  // namespace hone
