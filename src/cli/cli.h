// The hone command line: `hone info|run|zoo|conformance ...`. Returns the process exit status
// (0 success, 2 bad input or usage, 1 internal error).
#pragma once

namespace hone {

int run_cli(int argc, char** argv);

}  // namespace hone
