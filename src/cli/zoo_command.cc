// `hone zoo list|make`: the offline model zoo (synthetic weights, real structure).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/printing.h"
#include "core/error.h"
#include "zoo/zoo.h"

namespace hone {
namespace {

struct ZooCommandOptions {
  CLI::App* list = nullptr;
  CLI::App* make = nullptr;
  bool json = false;
  std::string name;
  std::string output;
  int64_t batch = 1;
  uint64_t seed = 0;
  int opset = ZooOptions{}.opset;
};

int run_zoo_list(const ZooCommandOptions& o) {
  const std::vector<ZooModelInfo> models = zoo_models();
  if (o.json) {
    Json j = Json::array();
    for (const ZooModelInfo& m : models)
      j.push_back(
          {{"name", m.name}, {"input_shape", m.input_shape}, {"description", m.description}});
    std::cout << json_text(j);
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const ZooModelInfo& m : models)
    rows.push_back({m.name, shape_to_string(m.input_shape), m.description});
  std::cout
      << "Zoo models (synthetic weights, real structure; `hone zoo make NAME -o FILE.onnx`):\n"
      << format_table({"name", "input", "description"}, rows);
  return 0;
}

int run_zoo_make(const ZooCommandOptions& o) {
  if (o.batch < 1) throw Error("--batch must be at least 1 (got " + std::to_string(o.batch) + ")");
  ZooOptions options;
  options.batch = o.batch;
  options.seed = o.seed;
  options.opset = o.opset;
  zoo_make(o.name, o.output, options);
  std::cout << "Wrote " << o.output << ": " << o.name << ", batch " << o.batch << ", opset "
            << o.opset << ", seed " << o.seed << " (synthetic weights, real structure)\n";
  return 0;
}

}  // namespace

Command add_zoo_command(CLI::App& app) {
  auto o = std::make_shared<ZooCommandOptions>();
  CLI::App* sub = app.add_subcommand(
      "zoo",
      "Write well-known CNN architectures as ONNX files, offline: real layer structure with "
      "deterministic SYNTHETIC (random) weights, so outputs are not meaningful predictions.");
  sub->require_subcommand(1);

  o->list = sub->add_subcommand("list", "List the zoo's models with their input shapes");
  o->list->add_flag("--json", o->json, "Print a JSON array on stdout instead of text");

  o->make = sub->add_subcommand(
      "make", "Write one zoo model to an ONNX file (synthetic weights, real structure)");
  o->make->add_option("NAME", o->name, "Model name, as `hone zoo list` prints it")->required();
  o->make->add_option("-o,--output", o->output, "The ONNX file to write (written atomically)")
      ->required();
  o->make->add_option("--batch", o->batch, "Batch size of the model's input")
      ->capture_default_str();
  o->make->add_option("--seed", o->seed, "Seed of the synthetic weights")->capture_default_str();
  o->make->add_option("--opset", o->opset, "ONNX default-domain opset to write (7 to 17)")
      ->capture_default_str();

  return {sub, [o] { return o->list->parsed() ? run_zoo_list(*o) : run_zoo_make(*o); }};
}

}  // namespace hone
