// Registry entries for Resize (opsets 10-18) and the deprecated Upsample (7-9).
#include <cmath>
#include <memory>
#include <optional>

#include "ir/ops/families.h"
#include "ops/resize/resize_fast.h"
#include "ops/resize/resize_reference.h"

namespace hone {

namespace {

// True when input i is given and not an empty tensor (Resize-11+ passes "" or an empty
// tensor for inputs it does not use).
bool present(const OpContext& ctx, size_t i) {
  return ctx.has_input(i) && shape_numel(ctx.input_shape(i)) > 0;
}

ResizeMode parse_mode(const OpContext& ctx) {
  const std::string m = ctx.attr_string("mode", "nearest");
  if (m == "nearest") return ResizeMode::kNearest;
  if (m == "linear" || m == "bilinear") return ResizeMode::kLinear;
  if (m == "cubic") return ResizeMode::kCubic;
  ctx.fail("unknown mode '" + m + "'");
}

ResizeCoordinate parse_coordinate(const OpContext& ctx) {
  const std::string m = ctx.attr_string("coordinate_transformation_mode", "half_pixel");
  if (m == "half_pixel") return ResizeCoordinate::kHalfPixel;
  if (m == "pytorch_half_pixel") return ResizeCoordinate::kPytorchHalfPixel;
  if (m == "align_corners") return ResizeCoordinate::kAlignCorners;
  if (m == "asymmetric") return ResizeCoordinate::kAsymmetric;
  if (m == "tf_half_pixel_for_nn") return ResizeCoordinate::kTfHalfPixelForNn;
  if (m == "tf_crop_and_resize") return ResizeCoordinate::kTfCropAndResize;
  if (m == "half_pixel_symmetric")
    throw UnsupportedError(ctx.where() + ": coordinate_transformation_mode '" + m +
                           "' (opset 19) is not supported");
  ctx.fail("unknown coordinate_transformation_mode '" + m + "'");
}

NearestRounding parse_nearest(const OpContext& ctx) {
  const std::string m = ctx.attr_string("nearest_mode", "round_prefer_floor");
  if (m == "round_prefer_floor") return NearestRounding::kRoundPreferFloor;
  if (m == "round_prefer_ceil") return NearestRounding::kRoundPreferCeil;
  if (m == "floor") return NearestRounding::kFloor;
  if (m == "ceil") return NearestRounding::kCeil;
  ctx.fail("unknown nearest_mode '" + m + "'");
}

// Validates the scales and computes the output shape as floor(input * scale).
Shape shape_from_scales(const OpContext& ctx, const Shape& in, const std::vector<double>& scales) {
  if (scales.size() != in.size())
    ctx.fail("scales has " + std::to_string(scales.size()) + " values for an input of rank " +
             std::to_string(in.size()));
  Shape out(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (!(scales[i] > 0) || !std::isfinite(scales[i]))
      ctx.fail("scale " + std::to_string(scales[i]) + " must be positive and finite");
    const double o = std::floor(static_cast<double>(in[i]) * scales[i]);
    if (o > 1e12) ctx.fail("scale " + std::to_string(scales[i]) + " makes the output too large");
    out[i] = static_cast<int64_t>(o);
  }
  return out;
}

std::vector<double> float_values(const Tensor& t) {
  return t.to_vector<double>();
}

// Shared by Resize and Upsample once the parameters are known.
PreparedOp finish(const OpContext& ctx, const ResizeParams& p, const Shape& out) {
  const Shape& in = ctx.input_shape(0);
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i] == 0 && out[i] > 0) ctx.fail("cannot resize an empty axis to a non-empty one");
  const DType dtype = ctx.input_dtype(0);
  if (p.mode != ResizeMode::kNearest && !dtype_is_float(dtype))
    throw UnsupportedError(ctx.where() +
                           ": linear and cubic modes support float tensors only, "
                           "got " +
                           std::string(dtype_name(dtype)));
  dispatch_dtype(dtype, ctx.where(), [](auto) {});
  int64_t taps = 1;
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i] != out[i] || p.coordinate == ResizeCoordinate::kTfCropAndResize)
      taps *= p.mode == ResizeMode::kNearest ? 1 : p.mode == ResizeMode::kLinear ? 2 : 4;
  PreparedOp op;
  op.outputs = {{dtype, out}};
  op.flops = p.mode == ResizeMode::kNearest ? 0 : 2 * taps * shape_numel(out);
  if (ctx.kernel_options().optimized && dtype == DType::kFloat32) {
    if (std::optional<ResizeFast> fast = ResizeFast::make(in, out, p)) {
      ThreadPool* pool = ctx.kernel_options().pool;
      auto kernel = std::make_shared<const ResizeFast>(std::move(*fast));
      op.run = [kernel, pool](TensorsIn x, TensorsOut y) {
        kernel->run(x[0]->data<float>(), y[0]->data<float>(), pool);
      };
      op.needs_zeroed_outputs = false;
      op.kernel_name = "resize_rows";
      return op;
    }
  }
  op.run = [p](TensorsIn in, TensorsOut y) {
    dispatch_dtype(in[0]->dtype(), "Resize", [&](auto tag) {
      using T = decltype(tag);
      resize_reference<T>(in[0]->data<T>(), in[0]->shape(), y[0]->data<T>(), y[0]->shape(), p);
    });
  };
  return op;
}

PreparedOp prepare_resize(const OpContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  const size_t rank = in.size();
  ResizeParams p;
  p.mode = parse_mode(ctx);
  Shape out;
  if (ctx.opset() < 11) {
    // Resize-10: (X, scales), asymmetric coordinates, nearest rounds like Upsample.
    ctx.expect_inputs(2, 2);
    p.coordinate = ResizeCoordinate::kAsymmetric;
    p.nearest = NearestRounding::kSimple;
    if (p.mode == ResizeMode::kCubic) ctx.fail("mode 'cubic' needs opset 11 or later");
    p.scales = float_values(ctx.constant_input(1, "scales"));
    out = shape_from_scales(ctx, in, p.scales);
    return finish(ctx, p, out);
  }
  ctx.expect_inputs(1, 4);
  if (ctx.has_attr("axes") || ctx.attr_int("antialias", 0) != 0 ||
      ctx.attr_string("keep_aspect_ratio_policy", "stretch") != "stretch")
    throw UnsupportedError(ctx.where() +
                           ": the opset 18 attributes axes, antialias and "
                           "keep_aspect_ratio_policy are not supported");
  p.coordinate = parse_coordinate(ctx);
  p.nearest = parse_nearest(ctx);
  p.cubic_alpha = ctx.attr_float("cubic_coeff_a", -0.75f);
  p.exclude_outside = ctx.attr_int("exclude_outside", 0) != 0;
  p.extrapolation_value = ctx.attr_float("extrapolation_value", 0.0f);
  const bool has_scales = present(ctx, 2), has_sizes = present(ctx, 3);
  if (has_scales == has_sizes)
    ctx.fail("exactly one of scales and sizes must be given (non-empty)");
  if (has_scales) {
    p.scales = float_values(ctx.constant_input(2, "scales"));
    out = shape_from_scales(ctx, in, p.scales);
  } else {
    const Tensor& sizes = ctx.constant_input(3, "sizes");
    if (!dtype_is_integer(sizes.dtype())) ctx.fail("sizes must be an integer tensor");
    out = sizes.to_vector<int64_t>();
    if (out.size() != rank)
      ctx.fail("sizes has " + std::to_string(out.size()) + " values for an input of rank " +
               std::to_string(rank));
    for (size_t i = 0; i < rank; ++i) {
      if (out[i] < 0) ctx.fail("sizes " + shape_to_string(out) + " has a negative value");
      p.scales.push_back(in[i] == 0 ? 1.0
                                    : static_cast<double>(out[i]) / static_cast<double>(in[i]));
    }
  }
  if (p.coordinate == ResizeCoordinate::kTfCropAndResize) {
    if (!present(ctx, 1)) ctx.fail("tf_crop_and_resize needs the roi input");
    p.roi = float_values(ctx.constant_input(1, "roi"));
    if (p.roi.size() != 2 * rank)
      ctx.fail("roi has " + std::to_string(p.roi.size()) + " values, expected " +
               std::to_string(2 * rank));
  }
  return finish(ctx, p, out);
}

PreparedOp prepare_upsample(const OpContext& ctx) {
  ResizeParams p;
  p.mode = parse_mode(ctx);
  if (p.mode == ResizeMode::kCubic) ctx.fail("Upsample supports nearest and linear only");
  p.coordinate = ResizeCoordinate::kAsymmetric;
  p.nearest = NearestRounding::kSimple;
  if (ctx.has_input(1)) {  // opset 9
    ctx.expect_inputs(2, 2);
    p.scales = float_values(ctx.constant_input(1, "scales"));
  } else {  // opset 7: attribute
    ctx.expect_inputs(1, 1);
    if (!ctx.has_attr("scales")) ctx.fail("required attribute 'scales' is missing");
    for (float s : ctx.attr_floats("scales", {})) p.scales.push_back(s);
  }
  for (double s : p.scales)
    if (s < 1) ctx.fail("scale " + std::to_string(s) + " is below 1 (Upsample only enlarges)");
  Shape out = shape_from_scales(ctx, ctx.input_shape(0), p.scales);
  return finish(ctx, p, out);
}

}  // namespace

void register_resize_ops(OpRegistry& r) {
  r.add({"Resize", prepare_resize});
  r.add({"Upsample", prepare_upsample});
}

}  // namespace hone
