// The subcommands of `hone`. Each add_* function declares its flags on a new subcommand of
// `app` and returns the action that runs it once the command line has been parsed.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace hone {

struct Command {
  CLI::App* app = nullptr;
  // Returns the exit status; throws hone::Error for bad input (the caller prints it).
  std::function<int()> run;
};

Command add_info_command(CLI::App& app);
Command add_run_command(CLI::App& app);
Command add_zoo_command(CLI::App& app);
Command add_conformance_command(CLI::App& app);

}  // namespace hone
