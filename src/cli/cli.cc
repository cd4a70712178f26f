#include "cli/cli.h"

#include <cstdio>

namespace hone {

int run_cli(int, char**) {
  std::fputs("hone: not implemented yet\n", stderr);
  return 2;
}

}  // namespace hone
