#include "cli/model_loading.h"

#include <algorithm>

#include "cli/input_shapes.h"
#include "frontend/onnx/onnx_importer.h"

namespace hone {

Graph load_model(const std::string& path, const std::string& input_shapes, bool given) {
  ImportOptions options;
  if (given) options.input_shapes = parse_input_shapes(input_shapes);
  Graph g = import_onnx_file(path, options);
  // The importer accepts names of initializers that old exporters also list as inputs;
  // overriding a weight's shape is never what the user meant.
  std::string inputs;
  for (ValueId id : g.inputs) inputs += (inputs.empty() ? "" : ", ") + g.value(id).name;
  for (const auto& [name, shape] : options.input_shapes) {
    bool is_input = std::any_of(g.inputs.begin(), g.inputs.end(),
                                [&](ValueId id) { return g.value(id).name == name; });
    if (!is_input)
      throw Error(path + ": --input-shapes names '" + name +
                  "', which is not a graph input (a weight or an unknown name); the inputs "
                  "are: " +
                  (inputs.empty() ? "none" : inputs));
  }
  return g;
}

}  // namespace hone
