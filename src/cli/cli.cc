#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/version.h"
#include "core/error.h"

namespace hone {
namespace {

// Messages are printed on one line: a multi-line message would read like a stack trace.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

void print_error(const std::string& message) {
  std::cout.flush();
  std::fprintf(stderr, "hone: %s\n", one_line(message).c_str());
}

// CLI11 reports a misspelt command as "A subcommand is required"; name the word instead.
// Walks the leading words of the command line down the tree of subcommands.
void check_command_words(CLI::App& app, int argc, char** argv) {
  CLI::App* level = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-') return;
    const std::vector<CLI::App*> subs = level->get_subcommands([](CLI::App*) { return true; });
    if (subs.empty()) return;
    std::string known;
    CLI::App* next = nullptr;
    for (CLI::App* s : subs) {
      known += (known.empty() ? "" : ", ") + s->get_name();
      if (s->get_name() == word) next = s;
    }
    if (!next)
      throw Error("unknown command '" + word + "' (commands" +
                  (level == &app ? "" : " of '" + level->get_name() + "'") + ": " + known +
                  "; run `hone --help` for usage)");
    level = next;
  }
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{
      "hone: a deep-learning model compiler and runtime. Loads ONNX models, reports what is in "
      "them, runs and times them on the CPU.",
      "hone"};
  app.set_version_flag("--version", "hone " + std::string(kHoneVersion));
  app.require_subcommand(1);
  app.footer(
      "Run `hone COMMAND --help` for the flags of a command. Exit status: 0 success, "
      "1 internal error or failed conformance cases, 2 bad input or usage.");

  std::vector<Command> commands;
  try {
    commands.push_back(add_info_command(app));
    commands.push_back(add_run_command(app));
    commands.push_back(add_zoo_command(app));
    commands.push_back(add_conformance_command(app));
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    try {
      check_command_words(app, argc, argv);
    } catch (const Error& word_error) {
      print_error(word_error.what());
      return 2;
    }
    print_error(std::string(e.what()) + " (run `hone --help` for usage)");
    return 2;
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
    return 1;
  }

  try {
    for (const Command& c : commands)
      if (c.app->parsed()) return c.run();
    print_error("no command given (run `hone --help` for usage)");
    return 2;
  } catch (const CLI::ParseError& e) {
    print_error(e.what());
    return 2;
  } catch (const Error& e) {
    print_error(e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    // Nearly always caused by the input (a huge --input-shapes or model), so it is reported
    // as bad input rather than as a bug.
    print_error("out of memory (is the model or an --input-shapes dimension too large?)");
    return 2;
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
    return 1;
  }
}

}  // namespace hone
