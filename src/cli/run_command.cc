// `hone run MODEL`: runs a model on given or generated inputs, times it like tvmc
// (repeat x number after warm-up) and prints/saves the outputs.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>

#include "cli/commands.h"
#include "cli/cpu_cores.h"
#include "cli/input_shapes.h"
#include "cli/model_loading.h"
#include "cli/printing.h"
#include "core/atomic_file.h"
#include "core/npz.h"
#include "core/random_fill.h"
#include "core/stats.h"
#include "runtime/executor.h"

namespace hone {
namespace {

struct RunOptions {
  std::string model;
  std::string input_shapes;
  std::string inputs;
  std::string fill_mode = "random";
  std::string outputs;
  int repeat = 1;
  int number = 1;
  int warmup = 1;
  int threads = 0;  // 0 until resolved: the physical core count unless --threads is given
  int print_top = 0;
  bool print_time = false;
  bool profile = false;
  bool json = false;
  OptimizeFlags optimize;
  OptimizeChoice choice;  // resolved from `optimize`
  uint64_t seed = 0;
  CLI::Option* threads_flag = nullptr;
  CLI::Option* input_shapes_flag = nullptr;
  CLI::Option* print_top_flag = nullptr;
};

struct TopEntry {
  int64_t index;
  double value;
};

// The `n` largest elements of `t` (flattened), largest first, ties by lower index; NaNs last.
std::vector<TopEntry> top_elements(const Tensor& t, int n) {
  std::vector<double> v = t.to_vector<double>();
  std::vector<int64_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  auto greater = [&](int64_t a, int64_t b) {
    double x = v[static_cast<size_t>(a)], y = v[static_cast<size_t>(b)];
    if (std::isnan(x) != std::isnan(y)) return std::isnan(y);
    if (x != y && !std::isnan(x)) return x > y;
    return a < b;
  };
  const size_t k = std::min(order.size(), static_cast<size_t>(n));
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    greater);
  std::vector<TopEntry> out;
  for (size_t i = 0; i < k; ++i) out.push_back({order[i], v[static_cast<size_t>(order[i])]});
  return out;
}

// Checks the flags that need no model, so mistakes are reported before any slow work.
void validate_flags(RunOptions& o) {
  if (o.repeat < 1)
    throw Error("--repeat must be at least 1 (got " + std::to_string(o.repeat) + ")");
  if (o.number < 1)
    throw Error("--number must be at least 1 (got " + std::to_string(o.number) + ")");
  if (o.warmup < 0)
    throw Error("--warmup must not be negative (got " + std::to_string(o.warmup) + ")");
  if (o.threads_flag->count() > 0 && o.threads < 1)
    throw Error("--threads must be at least 1 (got " + std::to_string(o.threads) + ")");
  if (o.threads_flag->count() == 0) o.threads = physical_core_count();
  if (o.print_top_flag->count() > 0 && o.print_top < 1)
    throw Error("--print-top must be at least 1 (got " + std::to_string(o.print_top) + ")");
  try {
    parse_fill_mode(o.fill_mode);
  } catch (const Error& e) {
    throw Error(std::string("--fill-mode: ") + e.what());
  }
  if (!o.outputs.empty()) check_file_writable(o.outputs, "--outputs");
  o.choice = resolve_optimize_flags(o.optimize);
}

// One row of --profile: a step's median time over the measured runs.
struct ProfileRow {
  StepInfo info;
  double median_ms = 0;
};

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double gflops_of(const ProfileRow& r) {
  return r.median_ms > 0 ? static_cast<double>(r.info.flops) / (r.median_ms * 1e6) : 0;
}

// Matches the arrays of --inputs to the graph inputs; each must name an input and have its
// exact dtype and shape.
std::map<std::string, Tensor> match_given_inputs(const std::vector<NamedTensor>& arrays,
                                                 const Executor& ex, const std::string& file) {
  const std::vector<std::string> names = ex.input_names();
  std::string listed;
  for (const std::string& n : names) listed += (listed.empty() ? "" : ", ") + n;
  std::map<std::string, Tensor> given;
  for (const NamedTensor& a : arrays) {
    auto it = std::find(names.begin(), names.end(), a.name);
    if (it == names.end())
      throw Error("--inputs '" + file + "': array '" + a.name +
                  "' is not an input of the model (its inputs are: " +
                  (listed.empty() ? "none" : listed) + ")");
    const ValueType want = ex.input_type(static_cast<size_t>(it - names.begin()));
    const ValueType have{a.tensor.dtype(), a.tensor.shape()};
    if (have != want)
      throw Error(
          "--inputs '" + file + "': array '" + a.name + "' is " + value_type_to_string(have) +
          " but the model's input '" + a.name + "' is " + value_type_to_string(want) +
          (have.dtype == want.dtype ? " (use --input-shapes to change the input shape)" : ""));
    given[a.name] = a.tensor;
  }
  return given;
}

int run_run(RunOptions& o) {
  validate_flags(o);
  const FillMode fill = parse_fill_mode(o.fill_mode);
  if (o.input_shapes_flag->count() > 0) parse_input_shapes(o.input_shapes);  // fail fast
  std::vector<NamedTensor> arrays;
  if (!o.inputs.empty()) {
    try {
      arrays = read_npz_file(o.inputs);
    } catch (const Error& e) {
      throw Error(std::string("--inputs: ") + e.what());
    }
  }

  Executor ex = build_executor(
      load_model(o.model, o.input_shapes, o.input_shapes_flag->count() > 0), o.choice, o.threads);
  std::map<std::string, Tensor> inputs = match_given_inputs(arrays, ex, o.inputs);
  std::vector<std::pair<std::string, std::string>> sources;  // input name -> where from
  const std::vector<std::string> input_names = ex.input_names();
  for (size_t i = 0; i < input_names.size(); ++i) {
    const std::string& name = input_names[i];
    if (inputs.count(name)) {
      sources.emplace_back(name, "--inputs");
      continue;
    }
    const ValueType t = ex.input_type(i);
    // Each input gets its own stream of values, reproducible from --seed.
    inputs[name] = make_filled_tensor(t.dtype, t.shape, fill, o.seed + (uint64_t{i} << 32));
    sources.emplace_back(name, std::string(fill_mode_name(fill)));
  }

  // The timed loop uses the allocation-free form: inputs in order, outputs as views into
  // the executor's memory, copied once at the end.
  std::vector<Tensor> ordered;
  for (const std::string& name : input_names) ordered.push_back(inputs.at(name));
  using Clock = std::chrono::steady_clock;
  ex.set_profiling(o.profile);
  for (int i = 0; i < o.warmup; ++i) ex.run_views(ordered);
  const size_t runs = static_cast<size_t>(o.repeat) * static_cast<size_t>(o.number);
  std::vector<std::vector<double>> step_samples(o.profile ? ex.num_steps() : 0);
  for (std::vector<double>& s : step_samples) s.reserve(runs);
  std::vector<double> samples_ms;
  samples_ms.reserve(static_cast<size_t>(o.repeat));
  const std::vector<Tensor>* views = nullptr;
  for (int r = 0; r < o.repeat; ++r) {
    auto start = Clock::now();
    for (int k = 0; k < o.number; ++k) {
      views = &ex.run_views(ordered);
      if (o.profile)
        for (size_t i = 0; i < step_samples.size(); ++i)
          step_samples[i].push_back(ex.last_step_ms()[i]);
    }
    std::chrono::duration<double, std::milli> elapsed = Clock::now() - start;
    samples_ms.push_back(elapsed.count() / o.number);
  }
  std::vector<Tensor> outputs;
  for (const Tensor& t : *views) outputs.push_back(t.clone());
  const LatencyStats st = compute_latency_stats(samples_ms);

  std::vector<ProfileRow> profile;
  double profile_total_ms = 0;
  for (size_t i = 0; i < step_samples.size(); ++i) {
    profile.push_back({ex.step_info(i), median_of(step_samples[i])});
    profile_total_ms += profile.back().median_ms;
  }
  std::stable_sort(profile.begin(), profile.end(), [](const ProfileRow& a, const ProfileRow& b) {
    return a.median_ms > b.median_ms;
  });
  const bool optimized = o.choice.opt_level > 0;
  const std::vector<std::string> output_names = ex.output_names();
  if (!o.outputs.empty()) {
    std::vector<NamedTensor> out;
    for (size_t i = 0; i < outputs.size(); ++i) out.push_back({output_names[i], outputs[i]});
    write_npz_file(o.outputs, out);
  }
  std::vector<TopEntry> top;
  if (o.print_top > 0 && !outputs.empty()) {
    try {
      top = top_elements(outputs[0], o.print_top);
    } catch (const Error& e) {
      throw Error("--print-top: output '" + output_names[0] + "': " + e.what());
    }
  }

  if (o.json) {
    Json j;
    j["model"] = o.model;
    j["mean_ms"] = st.mean;
    j["median_ms"] = st.median;
    j["max_ms"] = st.max;
    j["min_ms"] = st.min;
    j["std_ms"] = st.std;
    j["repeat"] = o.repeat;
    j["number"] = o.number;
    j["warmup"] = o.warmup;
    j["threads"] = o.threads;
    j["opt_level"] = o.choice.opt_level;
    j["isa"] = std::string(isa_name(o.choice.isa));
    j["executor"] = optimized ? "optimized" : "reference";
    j["peak_activation_bytes"] = ex.arena_bytes();
    j["packed_weight_bytes"] = ex.packed_bytes();
    j["flops"] = ex.total_flops();
    j["fill_mode"] = o.fill_mode;
    j["seed"] = o.seed;
    j["samples_ms"] = samples_ms;
    j["inputs"] = Json::array();
    for (size_t i = 0; i < input_names.size(); ++i) {
      Json in = value_json(input_names[i], ex.input_type(i));
      in["source"] = sources[i].second;
      j["inputs"].push_back(in);
    }
    j["outputs"] = Json::array();
    for (size_t i = 0; i < outputs.size(); ++i)
      j["outputs"].push_back(value_json(output_names[i], {outputs[i].dtype(), outputs[i].shape()}));
    if (!o.outputs.empty()) j["outputs_file"] = o.outputs;
    if (o.print_top > 0) {
      j["top"] = Json::array();
      for (const TopEntry& e : top) j["top"].push_back({{"index", e.index}, {"value", e.value}});
    }
    if (o.profile) {
      j["profile"] = Json::array();
      for (const ProfileRow& r : profile)
        j["profile"].push_back({{"node", r.info.node},
                                {"op", r.info.op},
                                {"kernel", r.info.kernel},
                                {"flops", r.info.flops},
                                {"median_ms", r.median_ms},
                                {"gflops", gflops_of(r)},
                                {"output", value_json("", r.info.output)["shape"]}});
    }
    std::cout << json_text(j);
    return 0;
  }

  std::string out = "Ran " + o.model + ": repeat " + std::to_string(o.repeat) + " x number " +
                    std::to_string(o.number) + " after " + std::to_string(o.warmup) +
                    " warm-up run(s); opt-level " + std::to_string(o.choice.opt_level) + ", " +
                    (optimized ? std::string(isa_name(o.choice.isa)) + " kernels"
                               : std::string("reference kernels")) +
                    ", " + std::to_string(o.threads) + " thread(s)\n";
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < input_names.size(); ++i)
    rows.push_back(
        {"input", input_names[i], value_type_to_string(ex.input_type(i)),
         sources[i].second == "--inputs" ? "from " + o.inputs : sources[i].second + " fill"});
  for (size_t i = 0; i < outputs.size(); ++i)
    rows.push_back({"output", output_names[i],
                    value_type_to_string({outputs[i].dtype(), outputs[i].shape()}),
                    o.outputs.empty() ? "" : "saved to " + o.outputs});
  out += format_table({"", "name", "type", ""}, rows);
  if (o.print_time) {
    out += "Execution time summary:\n";
    out +=
        format_table({"mean (ms)", "median (ms)", "max (ms)", "min (ms)", "std (ms)"},
                     {{format_fixed(st.mean, 4), format_fixed(st.median, 4),
                       format_fixed(st.max, 4), format_fixed(st.min, 4), format_fixed(st.std, 4)}},
                     {true, true, true, true, true}, 1);
  }
  out += "Memory: " + format_bytes(ex.arena_bytes()) + " peak activations (arena), " +
         format_bytes(ex.packed_bytes()) + " packed weights\n";
  if (o.profile) {
    out += "Profile (median per step over " + std::to_string(runs) + " run(s)):\n";
    rows.clear();
    for (const ProfileRow& r : profile)
      rows.push_back(
          {r.info.node, r.info.op, r.info.kernel, shape_to_string(r.info.output.shape),
           format_fixed(r.median_ms, 4),
           format_fixed(profile_total_ms > 0 ? 100 * r.median_ms / profile_total_ms : 0, 1),
           format_fixed(gflops_of(r), 2)});
    out += format_table({"node", "op", "kernel", "output", "median (ms)", "%", "GFLOP/s"}, rows,
                        {false, false, false, false, true, true, true});
  }
  if (o.print_top > 0 && !outputs.empty()) {
    out += "Top " + std::to_string(top.size()) + " of output '" + output_names[0] + "':\n";
    rows.clear();
    for (const TopEntry& e : top)
      rows.push_back({std::to_string(e.index), format_fixed(e.value, 6)});
    out += format_table({"index", "value"}, rows, {true, true});
  }
  std::cout << out;
  return 0;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* sub = app.add_subcommand(
      "run",
      "Run a model on the CPU: optimize it (--opt-level), run it on optimized kernels and "
      "threads, inputs from an .npz file or filled with zeros/ones/random values; time it "
      "(repeat x number runs after warm-up); print or save the outputs.");
  sub->add_option("MODEL", o->model, "The ONNX model file (.onnx)")->required();
  o->input_shapes_flag =
      sub->add_option("--input-shapes", o->input_shapes,
                      "Override input shapes, tvmc syntax: \"data:[1,3,224,224] mask:[1,10]\" "
                      "(inputs separated by spaces). Needed for inputs with symbolic dimensions.");
  sub->add_option("--inputs", o->inputs,
                  "NumPy .npz file of input arrays, each named after a graph input and of its "
                  "exact dtype and shape. Inputs it lacks are filled by --fill-mode.");
  sub->add_option("--fill-mode", o->fill_mode,
                  "How to fill inputs not given in --inputs: zeros, ones or random (uniform "
                  "[0,1) floats, integers in [0,10), random bools; reproducible with --seed)")
      ->capture_default_str();
  sub->add_option("--outputs", o->outputs,
                  "Write every graph output into this .npz file, named after the graph output "
                  "(checked for writability before running; written atomically)");
  sub->add_option("--repeat", o->repeat,
                  "Number of measurements; each is the mean time of --number consecutive runs")
      ->capture_default_str();
  sub->add_option("--number", o->number, "Runs averaged into one measurement")
      ->capture_default_str();
  sub->add_option("--warmup", o->warmup, "Untimed runs before the measurements")
      ->capture_default_str();
  o->threads_flag = sub->add_option("--threads", o->threads,
                                    "Threads to run with (default: the number of physical cores, " +
                                        std::to_string(physical_core_count()) +
                                        " here), the calling thread included");
  add_optimize_flags(sub, o->optimize);
  sub->add_option("--seed", o->seed, "Seed of --fill-mode random")->capture_default_str();
  sub->add_flag("--print-time", o->print_time,
                "Print the timing table: mean, median, max, min and std (population) in ms");
  o->print_top_flag =
      sub->add_option("--print-top", o->print_top,
                      "Print the N largest elements (flat index, value) of the first output");
  sub->add_flag("--profile", o->profile,
                "Time every step of the measured runs and print a per-node table sorted by time "
                "(node, op, kernel, output shape, median ms, % of total, GFLOP/s); with --json a "
                "'profile' array of {node, op, kernel, flops, median_ms, gflops, output}");
  sub->add_flag("--json", o->json,
                "Print one JSON object on stdout (model, mean_ms, median_ms, max_ms, min_ms, "
                "std_ms, repeat, number, warmup, threads, opt_level, isa, "
                "peak_activation_bytes, packed_weight_bytes, inputs, outputs, ...) instead of "
                "text");
  return {sub, [o] { return run_run(*o); }};
}

}  // namespace hone
