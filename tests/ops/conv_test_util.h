// Helpers shared by the tests of the blocked convolution kernels (direct, Winograd, depthwise,
// fused): random data, the expected output act(conv(x) + bias + sum) from the reference conv in
// double, and the relative error of a result.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "ops/common/epilogue.h"
#include "ops/conv/conv_nchwc.h"
#include "ops/conv/conv_reference.h"

namespace hone::test {

// Every fused activation, with parameters that make each one bend inside [-1, 1].
inline const Epilogue kActivations[] = {
    {Activation::kNone},
    {Activation::kRelu},
    {Activation::kClip, -0.5f, 0.5f},
    {Activation::kLeakyRelu, 0.1f},
    {Activation::kSigmoid},
    {Activation::kHardSigmoid, 0.2f, 0.5f},
    {Activation::kHardSwish},
    {Activation::kTanh},
    {Activation::kSilu},
    {Activation::kGelu},
};

inline std::vector<float> random_floats(int64_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& f : v) f = dist(rng);
  return v;
}

// The reference conv's parameters for a geometry (pads_end follows from the output size).
inline ConvParams conv_params_of(const ConvGeometry& g, int64_t group = 1) {
  ConvParams p;
  p.in_channels = g.in_channels;
  p.out_channels = g.out_channels;
  p.group = group;
  p.window.batch = g.batch;
  p.window.in = {g.in_h, g.in_w};
  p.window.out = {g.out_h, g.out_w};
  p.window.kernel = {g.kernel_h, g.kernel_w};
  p.window.strides = {g.stride_h, g.stride_w};
  p.window.dilations = {g.dilation_h, g.dilation_w};
  p.window.pads_begin = {g.pad_top, g.pad_left};
  p.window.pads_end = {0, 0};  // the reference derives rows from `out`
  return p;
}

// max |got - expect| / max(1, max |expect|); infinity when got holds a NaN.
inline double max_relative_error(const std::vector<float>& got, const std::vector<float>& expect) {
  double scale = 1.0, worst = 0.0;
  for (size_t i = 0; i < expect.size(); ++i) {
    scale = std::max(scale, std::fabs(double(expect[i])));
    const double d = std::fabs(double(got[i]) - double(expect[i]));
    if (std::isnan(d)) return INFINITY;
    worst = std::max(worst, d);
  }
  return worst / scale;
}

// act(conv(x) + bias + sum) in NCHW (bias and sum nullable). When `scale` is given, it is
// raised to the largest |conv(x) + bias + sum|, the scale before the activation.
inline std::vector<float> expected_conv(const ConvGeometry& g, const std::vector<float>& x,
                                        const std::vector<float>& w, const std::vector<float>* bias,
                                        const std::vector<float>* sum, Epilogue e,
                                        double* scale = nullptr) {
  const ConvParams p = conv_params_of(g);
  std::vector<double> xd(x.begin(), x.end()), wd(w.begin(), w.end()), bd;
  if (bias) bd.assign(bias->begin(), bias->end());
  std::vector<double> yd(static_cast<size_t>(g.batch * g.out_channels * g.out_h * g.out_w));
  conv_reference<double>(p, xd.data(), wd.data(), bias ? bd.data() : nullptr, yd.data());
  std::vector<float> y(yd.size());
  for (size_t i = 0; i < y.size(); ++i) {
    double v = yd[i];
    if (sum) v += (*sum)[i];
    if (scale) *scale = std::max(*scale, std::fabs(v));
    y[i] = apply_epilogue(static_cast<float>(v), e);
  }
  return y;
}

}  // namespace hone::test
