#include "ops/conv/fused_conv_reference.h"

#include <cstdint>
#include <vector>

namespace hone {
namespace {

// Index of element (n, c, p) of an [N, C, P] tensor stored plain (block 0) or blocked.
int64_t element_index(int64_t n, int64_t c, int64_t p, int64_t channels, int64_t spatial,
                      int64_t block) {
  if (block == 0) return (n * channels + c) * spatial + p;
  const int64_t blocks = (channels + block - 1) / block;
  return ((n * blocks + c / block) * spatial + p) * block + c % block;
}

}  // namespace

void fused_conv_reference(const FusedConvReferenceParams& p, const float* x, const float* w,
                          const float* bias, const float* sum, float* y) {
  const ConvParams& c = p.conv;
  const int64_t n_batch = c.window.batch;
  const int64_t in_sp = c.window.in_size(), out_sp = c.window.out_size();
  std::vector<float> plain_x;
  if (p.input_block != 0) {
    plain_x.resize(static_cast<size_t>(n_batch * c.in_channels * in_sp));
    for (int64_t n = 0; n < n_batch; ++n)
      for (int64_t ch = 0; ch < c.in_channels; ++ch)
        for (int64_t i = 0; i < in_sp; ++i)
          plain_x[static_cast<size_t>((n * c.in_channels + ch) * in_sp + i)] =
              x[element_index(n, ch, i, c.in_channels, in_sp, p.input_block)];
    x = plain_x.data();
  }
  std::vector<float> conv(static_cast<size_t>(n_batch * c.out_channels * out_sp));
  conv_reference<float>(c, x, w, bias, conv.data());
  if (p.output_block != 0) {
    // Padding lanes first, so a sum aliasing y is still read below for the real lanes.
    const int64_t b = p.output_block;
    const int64_t blocks = (c.out_channels + b - 1) / b;
    for (int64_t n = 0; n < n_batch; ++n)
      for (int64_t ch = c.out_channels; ch < blocks * b; ++ch)
        for (int64_t i = 0; i < out_sp; ++i) y[element_index(n, ch, i, blocks * b, out_sp, b)] = 0;
  }
  for (int64_t n = 0; n < n_batch; ++n)
    for (int64_t ch = 0; ch < c.out_channels; ++ch)
      for (int64_t i = 0; i < out_sp; ++i) {
        const int64_t at = element_index(n, ch, i, c.out_channels, out_sp, p.output_block);
        float v = conv[static_cast<size_t>((n * c.out_channels + ch) * out_sp + i)];
        if (sum) v += sum[at];
        y[at] = apply_epilogue(v, p.epilogue);
      }
}

}  // namespace hone
