#include "ops/common/epilogue.h"

namespace hone {

std::string_view activation_name(Activation kind) {
  switch (kind) {
    case Activation::kNone:
      return "";
    case Activation::kRelu:
      return "Relu";
    case Activation::kClip:
      return "Clip";
    case Activation::kLeakyRelu:
      return "LeakyRelu";
    case Activation::kSigmoid:
      return "Sigmoid";
    case Activation::kHardSigmoid:
      return "HardSigmoid";
    case Activation::kHardSwish:
      return "HardSwish";
    case Activation::kTanh:
      return "Tanh";
    case Activation::kSilu:
      return "Silu";
    case Activation::kGelu:
      return "Gelu";
  }
  return "";
}

std::optional<Epilogue> make_epilogue(std::string_view name, const std::vector<float>& params) {
  Epilogue e;
  auto want = [&](size_t n) { return params.size() == n; };
  if (name.empty() || name == "None") return want(0) ? std::optional(e) : std::nullopt;
  if (name == "Relu")
    e.kind = Activation::kRelu;
  else if (name == "Sigmoid")
    e.kind = Activation::kSigmoid;
  else if (name == "HardSwish")
    e.kind = Activation::kHardSwish;
  else if (name == "Tanh")
    e.kind = Activation::kTanh;
  else if (name == "Silu")
    e.kind = Activation::kSilu;
  else if (name == "Gelu")
    e.kind = Activation::kGelu;
  else if (name == "Clip") {
    if (!want(2) || !(params[0] <= params[1])) return std::nullopt;
    e = {Activation::kClip, params[0], params[1]};
    return e;
  } else if (name == "LeakyRelu") {
    if (params.size() > 1) return std::nullopt;
    e = {Activation::kLeakyRelu, params.empty() ? 0.01f : params[0], 0.0f};
    return e;
  } else if (name == "HardSigmoid") {
    if (!params.empty() && !want(2)) return std::nullopt;
    e = {Activation::kHardSigmoid, params.empty() ? 0.2f : params[0],
         params.empty() ? 0.5f : params[1]};
    return e;
  } else {
    return std::nullopt;
  }
  return want(0) ? std::optional(e) : std::nullopt;
}

}  // namespace hone
