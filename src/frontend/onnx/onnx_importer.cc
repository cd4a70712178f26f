#include "frontend/onnx/onnx_importer.h"

#include <filesystem>
#include <new>
#include <optional>

#include "frontend/onnx/graph_builder.h"
#include "frontend/onnx/legacy_forms.h"
#include "frontend/onnx/model_loader.h"
#include "ir/shape_inference.h"

namespace hone {

namespace {

std::string with_source(const std::string& source, const std::string& message) {
  if (message.rfind(source + ":", 0) == 0) return message;
  return source + ": " + message;
}

// Re-throws the exception being handled with the file named in front, keeping its type so
// callers can still tell unsupported ops and shape-deciding inputs apart.
[[noreturn]] void rethrow_with_source(const std::string& source) {
  try {
    throw;
  } catch (const NeedsConstantError& e) {
    throw NeedsConstantError(with_source(source, e.what()));
  } catch (const UnsupportedError& e) {
    throw UnsupportedError(with_source(source, e.what()));
  } catch (const Error& e) {
    throw Error(with_source(source, e.what()));
  } catch (const std::bad_alloc&) {
    throw Error(source + ": out of memory while importing the model");
  } catch (const std::exception& e) {
    throw Error(source + ": cannot import the model: " + e.what());
  }
}

// ModelProto -> Graph in the canonical input forms, shapes inferred, validated. `last` frees
// each initializer's bytes in the proto once copied (nothing reads the proto afterwards), so
// the weights are not held twice.
Graph build(LoadedModel& loaded, const ImportOptions& options, const std::string& base_dir,
            bool last) {
  Graph graph = last ? build_graph_consuming(loaded.model, loaded.opset, options, base_dir)
                     : build_graph(loaded.model, loaded.opset, options, base_dir);
  normalize_legacy_forms(graph);
  check_ops_supported(graph);
  infer_shapes(graph);
  graph.validate();
  return graph;
}

Graph import_loaded(LoadedModel& loaded, const ImportOptions& options,
                    const std::string& base_dir) {
  if (loaded.opset >= kCanonicalOpset) return build(loaded, options, base_dir, true);
  // hone's own pass over the model at its opset validates every node before libonnx's
  // shape inference and converter see it, and is the result when they fail. Below opset 7
  // (outside the supported range) a model hone cannot read at its own opset still goes to
  // the converter: it is the only way to read such models.
  std::optional<Graph> legacy;
  try {
    legacy = build(loaded, options, base_dir, false);
  } catch (const Error&) {
    if (loaded.opset >= kMinOpset) throw;
  }
  if (!convert_to_canonical(loaded)) {
    if (legacy) return std::move(*legacy);
    throw UnsupportedError("opset " + std::to_string(loaded.original_opset) +
                           " is older than hone supports (" + std::to_string(kMinOpset) + " to " +
                           std::to_string(kMaxOpset) +
                           ") and ONNX's version converter failed: " + loaded.conversion_error);
  }
  try {
    return build(loaded, options, base_dir, true);
  } catch (const Error&) {
    if (legacy) return std::move(*legacy);
    throw;
  }
}

}  // namespace

Graph import_onnx_bytes(std::string_view bytes, const std::string& source,
                        const std::string& base_dir, const ImportOptions& options) {
  try {
    LoadedModel loaded = load_model(bytes, source, base_dir, options.input_shapes);
    return import_loaded(loaded, options, base_dir);
  } catch (...) {
    rethrow_with_source(source);
  }
}

Graph import_onnx_file(const std::string& path, const ImportOptions& options) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  try {
    LoadedModel loaded = load_model_file(path, dir, options.input_shapes);
    return import_loaded(loaded, options, dir);
  } catch (...) {
    rethrow_with_source(path);
  }
}

}  // namespace hone
