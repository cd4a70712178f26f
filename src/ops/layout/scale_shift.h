// Optimized ScaleShift (y = act(x * scale[c] + shift[c])) on NCHW or NCHW[b]c tensors: one
// streaming pass with the activation fused, AVX-512 / AVX2 (sleef for sigmoid and tanh) or
// portable C++. Elementwise, so x may alias y.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "ops/common/epilogue.h"
#include "ops/layout/blocked_shape.h"

namespace hone {

class ScaleShift {
 public:
  // shape.block 0 means plain NCHW. scale and shift hold shape.channels values (copied).
  ScaleShift(const BlockedShape& shape, const float* scale, const float* shift, Epilogue epilogue,
             Isa isa);
  void run(const float* x, float* y, ThreadPool* pool) const;
  std::string kernel_name() const;
  int64_t packed_bytes() const;

 private:
  BlockedShape shape_;
  Epilogue epilogue_;
  Isa isa_;
  std::vector<float> scale_, shift_;  // padded to whole blocks with zeros
};

// y[i] = act(x[i] * s[i % period] + t[i % period]) for i < len (a multiple of period);
// period is 1, 8 or 16. Only with a CPU that has the ISA.
namespace avx512 {
void scale_shift_span(const float* x, float* y, int64_t len, const float* s, const float* t,
                      int period, const Epilogue& epilogue);
}
namespace avx2 {
void scale_shift_span(const float* x, float* y, int64_t len, const float* s, const float* t,
                      int period, const Epilogue& epilogue);
}

}  // namespace hone
