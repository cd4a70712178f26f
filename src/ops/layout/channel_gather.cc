#include "ops/layout/channel_gather.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "ops/layout/blocked_shape.h"
#include "ops/layout/reorder_reference.h"

namespace hone {

namespace {

// Pixels one work item of the blocked kernel covers at most (keeps both threads busy on
// late, small-channel layers).
constexpr int64_t kPixelsPerItem = 256;

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

}  // namespace

void channel_gather_reference(const ChannelGatherShape& s, const std::vector<const float*>& xs,
                              float* y) {
  // Plain copies of the inputs (un-blocked if need be), gathered plane by plane.
  std::vector<std::vector<float>> plain(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) {
    const int64_t c = s.channels[i];
    plain[i].resize(static_cast<size_t>(s.batch * c * s.spatial));
    if (s.block == 0)
      std::copy_n(xs[i], plain[i].size(), plain[i].data());
    else
      reorder_from_blocked_reference({s.batch, c, s.spatial, s.block}, xs[i], plain[i].data());
  }
  const int64_t cout = s.out_channels();
  std::vector<float> out(static_cast<size_t>(s.batch * cout * s.spatial));
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t j = 0; j < cout; ++j) {
      const auto i = static_cast<size_t>(s.source_inputs[static_cast<size_t>(j)]);
      const int64_t c = s.source_channels[static_cast<size_t>(j)];
      std::copy_n(plain[i].data() + (n * s.channels[i] + c) * s.spatial, s.spatial,
                  out.data() + (n * cout + j) * s.spatial);
    }
  if (s.block == 0)
    std::copy(out.begin(), out.end(), y);
  else
    reorder_to_blocked_reference({s.batch, cout, s.spatial, s.block}, out.data(), y);
}

ChannelGather::ChannelGather(ChannelGatherShape shape, Isa isa)
    : shape_(std::move(shape)), isa_(Isa::kPortable) {
  const int b = shape_.block;
  if (b == 0) return;
  // Blocks of 16 take AVX-512's 16-lane permutes where there are any, else AVX2's 8-lane ones
  // on both halves; blocks of 8 run AVX2's on either CPU.
  if (b == 16 && isa == Isa::kAvx512) isa_ = Isa::kAvx512;
  if (isa_ == Isa::kPortable && isa != Isa::kPortable) isa_ = Isa::kAvx2;
  for (int64_t c : shape_.channels) in_blocks_.push_back(channel_blocks(c, b));
  const int64_t cout = shape_.out_channels();
  out_blocks_ = channel_blocks(cout, b);
  // Group each output block's lanes by source block, in order of first use.
  for (int64_t ob = 0; ob < out_blocks_; ++ob) {
    const auto first = static_cast<int64_t>(source_input_.size());
    first_.push_back(first);
    for (int lane = 0; lane < b && ob * b + lane < cout; ++lane) {
      const auto j = static_cast<size_t>(ob * b + lane);
      const int input = shape_.source_inputs[j];
      const int64_t channel = shape_.source_channels[j];
      const int64_t block = channel / b;
      auto k = static_cast<int64_t>(source_input_.size());
      for (int64_t q = first; q < k; ++q)
        if (source_input_[static_cast<size_t>(q)] == input &&
            source_block_[static_cast<size_t>(q)] == block)
          k = q;
      if (k == static_cast<int64_t>(source_input_.size())) {
        source_input_.push_back(input);
        source_block_.push_back(block);
        lane_index_.insert(lane_index_.end(), static_cast<size_t>(b), 0);
        lane_mask_.push_back(0);
      }
      lane_index_[static_cast<size_t>(k * b + lane)] = static_cast<int32_t>(channel % b);
      lane_mask_[static_cast<size_t>(k)] |= 1u << lane;
    }
  }
  first_.push_back(static_cast<int64_t>(source_input_.size()));
}

void ChannelGather::run(const float* const* xs, float* y, ThreadPool* pool) const {
  if (shape_.block != 0) return run_blocked(xs, y, pool);
  // Plain: one plane copy per (image, output channel).
  const int64_t cout = shape_.out_channels(), plane = shape_.spatial;
  parallel_for(pool, static_cast<size_t>(shape_.batch * cout), [&](size_t item) {
    const int64_t n = static_cast<int64_t>(item) / cout;
    const auto j = static_cast<size_t>(static_cast<int64_t>(item) % cout);
    const auto i = static_cast<size_t>(shape_.source_inputs[j]);
    const float* src = xs[i] + (n * shape_.channels[i] + shape_.source_channels[j]) * plane;
    std::memcpy(y + static_cast<int64_t>(item) * plane, src,
                static_cast<size_t>(plane) * sizeof(float));
  });
}

void ChannelGather::run_blocked(const float* const* xs, float* y, ThreadPool* pool) const {
  const int b = shape_.block;
  const int64_t plane = shape_.spatial * b;
  const int64_t pieces = ceil_div(shape_.spatial, kPixelsPerItem);
  const int64_t items = shape_.batch * out_blocks_ * pieces;
  parallel_for(pool, static_cast<size_t>(items), [&](size_t item) {
    const int64_t piece = static_cast<int64_t>(item) % pieces;
    const int64_t ob = static_cast<int64_t>(item) / pieces % out_blocks_;
    const int64_t n = static_cast<int64_t>(item) / pieces / out_blocks_;
    const int64_t p0 = piece * kPixelsPerItem;
    const int64_t p1 = std::min(shape_.spatial, p0 + kPixelsPerItem);
    const int64_t k0 = first_[static_cast<size_t>(ob)], k1 = first_[static_cast<size_t>(ob + 1)];
    std::array<const float*, 16> planes{};
    for (int64_t k = k0; k < k1; ++k) {
      const auto i = static_cast<size_t>(source_input_[static_cast<size_t>(k)]);
      planes[static_cast<size_t>(k - k0)] =
          xs[i] + (n * in_blocks_[i] + source_block_[static_cast<size_t>(k)]) * plane;
    }
    float* out = y + (n * out_blocks_ + ob) * plane;
    const int32_t* lanes = lane_index_.data() + k0 * b;
    const uint32_t* masks = lane_mask_.data() + k0;
    const int count = static_cast<int>(k1 - k0);
    switch (isa_) {
      case Isa::kAvx512:
        return avx512::channel_gather_pixels(planes.data(), lanes, masks, count, out, p0, p1);
      case Isa::kAvx2:
        if (b == 16)
          return avx2::channel_gather_pixels16(planes.data(), lanes, masks, count, out, p0, p1);
        return avx2::channel_gather_pixels(planes.data(), lanes, masks, count, out, p0, p1);
      case Isa::kPortable:
        break;
    }
    for (int64_t p = p0; p < p1; ++p) {
      float* o = out + p * b;
      std::fill(o, o + b, 0.0f);
      for (int k = 0; k < count; ++k)
        for (int lane = 0; lane < b; ++lane)
          if (masks[k] >> lane & 1u)
            o[lane] = planes[static_cast<size_t>(k)][p * b + lanes[k * b + lane]];
    }
  });
}

std::string ChannelGather::kernel_name() const {
  if (shape_.block == 0) return "channel_gather_nchw";
  return "channel_gather_nchw" + std::to_string(shape_.block) + "c_" + std::string(isa_name(isa_));
}

}  // namespace hone
