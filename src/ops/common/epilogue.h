// The activation fused into a kernel's epilogue (conv, gemm, scale-shift, elementwise): its
// kind, its parameters and the scalar formula every vectorized variant must agree with.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hone {

enum class Activation {
  kNone,
  kRelu,
  kClip,
  kLeakyRelu,
  kSigmoid,
  kHardSigmoid,
  kHardSwish,
  kTanh,
  kSilu,  // x * sigmoid(x) (Swish), as torch.onnx writes SiLU: Mul(x, Sigmoid(x))
  kGelu,  // x * (1 + erf(x / sqrt(2))) / 2, ONNX Gelu and torch.onnx's Div/Erf/Add/Mul/Mul
};

struct Epilogue {
  Activation kind = Activation::kNone;
  float alpha = 0.0f;  // Clip: min; LeakyRelu, HardSigmoid: alpha
  float beta = 0.0f;   // Clip: max; HardSigmoid: beta
};

// The ONNX op name of the activation ("" for none), as the `activation` attribute spells it.
std::string_view activation_name(Activation kind);

// Builds an epilogue from the `activation` / `activation_params` attributes; nullopt when the
// name is unknown or the parameter count is wrong (the caller names the node in its error).
// Defaults follow ONNX: LeakyRelu alpha 0.01, HardSigmoid 0.2 / 0.5, Clip needs [min, max].
std::optional<Epilogue> make_epilogue(std::string_view name, const std::vector<float>& params);

// The reference formula.
inline float apply_epilogue(float x, const Epilogue& e) {
  switch (e.kind) {
    case Activation::kNone:
      return x;
    case Activation::kRelu:
      return x > 0.0f ? x : 0.0f;
    case Activation::kClip:
      return x < e.alpha ? e.alpha : (x > e.beta ? e.beta : x);
    case Activation::kLeakyRelu:
      return x >= 0.0f ? x : e.alpha * x;
    case Activation::kSigmoid:
      return 1.0f / (1.0f + std::exp(-x));
    case Activation::kHardSigmoid: {
      float y = e.alpha * x + e.beta;
      return y < 0.0f ? 0.0f : (y > 1.0f ? 1.0f : y);
    }
    case Activation::kHardSwish: {
      float y = x / 6.0f + 0.5f;
      return x * (y < 0.0f ? 0.0f : (y > 1.0f ? 1.0f : y));
    }
    case Activation::kTanh:
      return std::tanh(x);
    case Activation::kSilu:
      return x / (1.0f + std::exp(-x));
    case Activation::kGelu:
      return 0.5f * x * (1.0f + std::erf(x * 0.70710678f));
  }
  return x;
}

}  // namespace hone
