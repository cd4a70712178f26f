#include "ops/layout/scale_shift.h"

namespace hone {
namespace {

constexpr int64_t kPixelChunk = 1024;  // pixels of one blocked work item

void span_portable(const float* x, float* y, int64_t len, const float* s, const float* t,
                   int period, const Epilogue& e) {
  for (int64_t i = 0; i < len; i += period)
    for (int l = 0; l < period; ++l) y[i + l] = apply_epilogue(x[i + l] * s[l] + t[l], e);
}

}  // namespace

ScaleShift::ScaleShift(const BlockedShape& shape, const float* scale, const float* shift,
                       Epilogue epilogue, Isa isa)
    : shape_(shape), epilogue_(epilogue), isa_(isa) {
  const int64_t padded =
      shape.block == 0 ? shape.channels : channel_blocks(shape.channels, shape.block) * shape.block;
  scale_.assign(static_cast<size_t>(padded), 0.0f);
  shift_.assign(static_cast<size_t>(padded), 0.0f);
  for (int64_t c = 0; c < shape.channels; ++c) {
    scale_[c] = scale[c];
    shift_[c] = shift[c];
  }
}

void ScaleShift::run(const float* x, float* y, ThreadPool* pool) const {
  auto span = isa_ == Isa::kAvx512 ? &avx512::scale_shift_span
              : isa_ == Isa::kAvx2 ? &avx2::scale_shift_span
                                   : &span_portable;
  const BlockedShape& s = shape_;
  if (s.block == 0) {
    parallel_for(pool, static_cast<size_t>(s.batch * s.channels), [&](size_t item) {
      const int64_t c = static_cast<int64_t>(item) % s.channels;
      const int64_t at = static_cast<int64_t>(item) * s.spatial;
      span(x + at, y + at, s.spatial, &scale_[c], &shift_[c], 1, epilogue_);
    });
    return;
  }
  const int64_t cb_count = channel_blocks(s.channels, s.block);
  const int64_t chunks = (s.spatial + kPixelChunk - 1) / kPixelChunk;
  parallel_for(pool, static_cast<size_t>(s.batch * cb_count * chunks), [&](size_t item) {
    const int64_t i = static_cast<int64_t>(item);
    // Pixel chunk outermost: a thread's share is a band of pixels over every channel, the band
    // the same thread's share of the producing conv wrote (conv_nchwc numbers its rows so).
    const int64_t planes = s.batch * cb_count;
    const int64_t chunk = i / planes, plane = i % planes, cb = plane % cb_count;
    const int64_t p0 = chunk * kPixelChunk;
    const int64_t p1 = p0 + kPixelChunk < s.spatial ? p0 + kPixelChunk : s.spatial;
    const int64_t at = (plane * s.spatial + p0) * s.block;
    span(x + at, y + at, (p1 - p0) * s.block, &scale_[cb * s.block], &shift_[cb * s.block], s.block,
         epilogue_);
  });
}

std::string ScaleShift::kernel_name() const {
  std::string layout = shape_.block == 0 ? "nchw" : "nchw" + std::to_string(shape_.block) + "c";
  return "scale_shift_" + layout + "_" + std::string(isa_name(isa_));
}

int64_t ScaleShift::packed_bytes() const {
  return static_cast<int64_t>((scale_.size() + shift_.size()) * sizeof(float));
}

}  // namespace hone
