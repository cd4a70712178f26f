// hone's entry point: everything is in the cli module.
#include "cli/cli.h"

int main(int argc, char** argv) { return hone::run_cli(argc, argv); }
