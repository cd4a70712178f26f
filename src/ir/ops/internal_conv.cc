// Registry entries of the internal "conv" ops (domain "hone"), see docs/decisions/004-internal-ops.md.
#include "ir/ops/families.h"

namespace hone {

void register_internal_conv_ops(OpRegistry& r) { (void)r; }

}  // namespace hone
