#include "runtime/image_schedule.h"

#include <algorithm>
#include <string_view>
#include <variant>

namespace hone {

namespace {

// How an op's inputs relate to the batch when it computes each image alone.
enum class ImageOp {
  kNone,       // mixes images, or not known to keep them apart
  kData,       // its data inputs (below) carry the batch; every other input is a constant
  kBroadcast,  // every input carries the batch (dimension 0 = batch) or broadcasts over it
};

bool is_onnx(const Node& node) {
  return node.domain.empty() || node.domain == "ai.onnx";
}

ImageOp image_op(const Node& node) {
  static constexpr std::string_view kHoneData[] = {"FusedConv",
                                                   "FusedPointwiseDepthwise",
                                                   "ReorderToBlocked",
                                                   "ReorderFromBlocked",
                                                   "MaxPoolBlocked",
                                                   "AveragePoolBlocked",
                                                   "GlobalMaxPoolBlocked",
                                                   "GlobalAveragePoolBlocked",
                                                   "ScaleShift"};
  static constexpr std::string_view kHoneBroadcast[] = {"FusedElementwise", "ConcatBlocked",
                                                        "ChannelGather"};
  static constexpr std::string_view kOnnxData[] = {
      "Conv",        "BatchNormalization", "InstanceNormalization", "MaxPool",
      "AveragePool", "GlobalMaxPool",      "GlobalAveragePool",     "LRN"};
  // Elementwise ops (ONNX broadcasting) and a channel Concat (checked below).
  static constexpr std::string_view kOnnxBroadcast[] = {
      "Relu",      "LeakyRelu", "Elu",        "Selu", "Celu",  "Sigmoid", "Tanh", "HardSigmoid",
      "HardSwish", "Softplus",  "Softsign",   "Clip", "PRelu", "Add",     "Sub",  "Mul",
      "Div",       "Sum",       "Max",        "Min",  "Mean",  "Abs",     "Neg",  "Sqrt",
      "Exp",       "Log",       "Reciprocal", "Erf",  "Concat"};
  auto in = [&](auto& list) {
    return std::find(std::begin(list), std::end(list), node.op_type) != std::end(list);
  };
  if (node.domain == "hone") {
    if (in(kHoneData)) return ImageOp::kData;
    if (in(kHoneBroadcast)) return ImageOp::kBroadcast;
    return ImageOp::kNone;
  }
  if (!is_onnx(node)) return ImageOp::kNone;
  if (in(kOnnxData)) return ImageOp::kData;
  if (in(kOnnxBroadcast)) return ImageOp::kBroadcast;
  return ImageOp::kNone;
}

// The inputs of a kData op that carry the batch: X, and the residual of the fused convs.
bool is_data_input(const Node& node, size_t i) {
  if (i == 0) return true;
  if (node.domain != "hone") return false;
  if (node.op_type == "FusedConv") return i == 3;
  if (node.op_type == "FusedPointwiseDepthwise") return i == 5;
  return false;
}

int64_t type_bytes(const ValueType& t) {
  return shape_numel(t.shape) * static_cast<int64_t>(dtype_size(t.dtype));
}

bool carries_batch(const ValueType& t, int64_t batch) {
  return t.dtype != DType::kUndefined && !t.shape.empty() && t.shape[0] == batch;
}

}  // namespace

int64_t graph_batch(const Graph& g) {
  int64_t batch = 1;
  for (ValueId id : g.inputs) {
    const Shape& shape = g.value(id).type.shape;
    // Scalars and inputs of dimension 0 = 1 are the same for every image.
    if (shape.empty() || shape[0] == 1) continue;
    if (batch != 1 && shape[0] != batch) return 1;
    batch = shape[0];
  }
  return batch;
}

ValueType image_type(const ValueType& t) {
  ValueType image = t;
  if (!image.shape.empty()) image.shape[0] = 1;
  return image;
}

ImageStep image_step(const Graph& g, const Node& node, int64_t batch) {
  ImageStep step;
  step.sliced_inputs.assign(node.inputs.size(), false);
  const ImageOp kind = image_op(node);
  if (batch <= 1 || kind == ImageOp::kNone || node.outputs.empty()) return step;
  size_t rank = 0;  // of the outputs
  for (ValueId id : node.outputs) {
    if (id == kNoValue) continue;
    const Value& v = g.value(id);
    if (v.constant || !carries_batch(v.type, batch)) return step;
    if (rank != 0 && v.type.shape.size() != rank) return step;
    rank = v.type.shape.size();
    step.batch_bytes += type_bytes(v.type);
  }
  if (rank < 2) return step;
  if (is_onnx(node) && node.op_type == "Concat") {
    auto it = node.attrs.find("axis");
    const int64_t* axis =
        it == node.attrs.end() ? nullptr : std::get_if<int64_t>(&it->second.value);
    if (!axis || *axis == 0 || *axis == -static_cast<int64_t>(rank)) return step;
  }
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const ValueId id = node.inputs[i];
    if (id == kNoValue) continue;
    const Value& v = g.value(id);
    if (kind == ImageOp::kData) {
      if (!is_data_input(node, i)) {
        if (!v.constant) return step;  // a computed weight: not known to be per image
        continue;
      }
      // Its rank may differ from the output's (a layout change: NCHW in, NCHWc out).
      if (!carries_batch(v.type, batch) || v.type.shape.size() < 2) return step;
      step.sliced_inputs[i] = true;
    } else {
      const Shape& shape = v.type.shape;
      if (v.type.dtype == DType::kUndefined) return step;
      // Same rank with dimension 0 = batch: one image each; dimension 0 = 1 or a lower rank
      // (aligned from the right) broadcasts the same values to every image.
      if (shape.size() == rank && shape[0] == batch) {
        // A constant differing per image would need each image's prepare to see its rows.
        if (v.constant) return step;
        step.sliced_inputs[i] = true;
      } else if (shape.size() > rank || (shape.size() == rank && shape[0] != 1)) {
        return step;
      }
    }
    if (!v.constant) step.batch_bytes += type_bytes(v.type);
  }
  step.eligible = true;
  return step;
}

std::vector<int> image_segments(const std::vector<ImageStep>& steps, int64_t min_bytes) {
  std::vector<int> segments(steps.size(), -1);
  if (min_bytes <= 0) return segments;
  int next = 0;
  for (size_t begin = 0; begin < steps.size();) {
    if (!steps[begin].eligible) {
      ++begin;
      continue;
    }
    size_t end = begin;
    while (end < steps.size() && steps[end].eligible) ++end;
    // Trim to the large steps: small ones at the ends gain nothing from running per image and
    // lose the batch's reuse of their weights.
    size_t first = begin, last = end;
    while (first < last && steps[first].batch_bytes < min_bytes) ++first;
    while (last > first && steps[last - 1].batch_bytes < min_bytes) --last;
    // One step alone gains nothing: what it writes per image is read whole by the next.
    if (last - first >= 2) {
      for (size_t s = first; s < last; ++s) segments[s] = next;
      ++next;
    }
    begin = end;
  }
  return segments;
}

void renumber_segments(std::vector<int>& segments) {
  int next = -1, previous = -1;
  for (int& segment : segments) {
    const int old = segment;
    if (old >= 0 && old != previous) ++next;
    if (old >= 0) segment = next;
    previous = old;
  }
}

}  // namespace hone
