#include "ops/layout/concat_blocked.h"

#include <algorithm>
#include <cstring>

#include "ops/layout/reorder_reference.h"

namespace hone {

void concat_blocked_reference(const ConcatBlockedShape& s, const std::vector<const float*>& xs,
                              float* y) {
  int64_t total = 0;
  for (int64_t c : s.channels) total += c;
  std::vector<float> plain(static_cast<size_t>(s.batch * total * s.spatial));
  int64_t offset = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const int64_t c = s.channels[i];
    std::vector<float> part(static_cast<size_t>(s.batch * c * s.spatial));
    reorder_from_blocked_reference({s.batch, c, s.spatial, s.block}, xs[i], part.data());
    for (int64_t n = 0; n < s.batch; ++n)
      std::copy_n(part.data() + n * c * s.spatial, c * s.spatial,
                  plain.data() + (n * total + offset) * s.spatial);
    offset += c;
  }
  reorder_to_blocked_reference({s.batch, total, s.spatial, s.block}, plain.data(), y);
}

ConcatBlocked::ConcatBlocked(ConcatBlockedShape shape) : shape_(std::move(shape)) {
  const int b = shape_.block;
  int64_t offset = 0;
  for (size_t i = 0; i < shape_.channels.size(); ++i) {
    const int64_t c = shape_.channels[i];
    in_blocks_.push_back(channel_blocks(c, b));
    block_offset_.push_back(offset / b);
    // An input that does not start on a block boundary needs its lanes shifted; the last
    // input may end anywhere (its padding lanes become the output's).
    if (offset % b != 0) block_copy_ = false;
    offset += c;
  }
  out_blocks_ = channel_blocks(offset, b);
  if (block_copy_) return;
  // Map every real output lane to its source, then merge neighbouring lanes into runs.
  offset = 0;
  for (size_t i = 0; i < shape_.channels.size(); ++i) {
    for (int64_t c = 0; c < shape_.channels[i]; ++c) {
      const int64_t oc = offset + c;
      Run r{
          oc / b, static_cast<int64_t>(i), c / b, static_cast<int>(oc % b), static_cast<int>(c % b),
          1};
      if (!runs_.empty()) {
        Run& last = runs_.back();
        if (last.dst_block == r.dst_block && last.input == r.input &&
            last.src_block == r.src_block && last.dst_lane + last.length == r.dst_lane &&
            last.src_lane + last.length == r.src_lane) {
          ++last.length;
          continue;
        }
      }
      runs_.push_back(r);
    }
    offset += shape_.channels[i];
  }
  first_run_.assign(static_cast<size_t>(out_blocks_ + 1), static_cast<int64_t>(runs_.size()));
  for (size_t k = runs_.size(); k-- > 0;)
    first_run_[static_cast<size_t>(runs_[k].dst_block)] = static_cast<int64_t>(k);
  for (int64_t ob = out_blocks_; ob-- > 0;)
    first_run_[ob] = std::min(first_run_[ob], first_run_[ob + 1]);
}

void ConcatBlocked::run(const float* const* xs, float* y, ThreadPool* pool) const {
  const int64_t b = shape_.block, plane = shape_.spatial * b;
  if (block_copy_) {
    // One contiguous copy per (batch, input): split those over the threads.
    const int64_t inputs = static_cast<int64_t>(in_blocks_.size());
    parallel_for(pool, static_cast<size_t>(shape_.batch * inputs), [&](size_t item) {
      const int64_t n = static_cast<int64_t>(item) / inputs;
      const int64_t i = static_cast<int64_t>(item) % inputs;
      const int64_t blocks = in_blocks_[i];
      std::memcpy(y + (n * out_blocks_ + block_offset_[i]) * plane, xs[i] + n * blocks * plane,
                  static_cast<size_t>(blocks * plane) * sizeof(float));
    });
    return;
  }
  parallel_for(pool, static_cast<size_t>(shape_.batch * out_blocks_), [&](size_t item) {
    const int64_t n = static_cast<int64_t>(item) / out_blocks_;
    const int64_t ob = static_cast<int64_t>(item) % out_blocks_;
    float* out = y + (n * out_blocks_ + ob) * plane;
    const int64_t r0 = first_run_[ob], r1 = first_run_[ob + 1];
    // Lanes no run covers are the output's padding: zero them once.
    int covered = 0;
    for (int64_t r = r0; r < r1; ++r) covered += runs_[r].length;
    if (covered < b)
      for (int64_t p = 0; p < shape_.spatial; ++p)
        for (int l = covered; l < b; ++l) out[p * b + l] = 0.0f;
    for (int64_t r = r0; r < r1; ++r) {
      const Run& run = runs_[r];
      const float* in = xs[run.input] + (n * in_blocks_[run.input] + run.src_block) * plane;
      for (int64_t p = 0; p < shape_.spatial; ++p)
        std::memcpy(out + p * b + run.dst_lane, in + p * b + run.src_lane,
                    static_cast<size_t>(run.length) * sizeof(float));
    }
  });
}

std::string ConcatBlocked::kernel_name() const {
  return std::string("concat_nchw") + std::to_string(shape_.block) + "c_" +
         (block_copy_ ? "block_copy" : "lane_shift");
}

}  // namespace hone
