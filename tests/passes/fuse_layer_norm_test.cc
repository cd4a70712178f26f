// fuse-layer-norm alone: torch.onnx's LayerNorm before opset 17 (Pow or Mul square, with and
// without the affine part, axes as attribute or as the opset-18 input, two trailing axes)
// becomes one LayerNormalization with the same outputs; near misses stay as they are.
#include "ir/passes/fuse_layer_norm.h"

#include "pass_test_util.h"

namespace hone::testing {
namespace {

struct Form {
  bool mul_square = false;  // Mul(d, d) instead of Pow(d, 2)
  bool gamma = true, beta = true;
  bool axes_input = false;  // ReduceMean axes as a constant input (opset 18)
  int64_t axes = 1;         // trailing axes normalized
  float eps = 1e-5f;
  float pow = 2.0f;           // the exponent (2 for a LayerNorm)
  bool extra_reader = false;  // d also read by another node
};

Graph layer_norm_graph(const Form& f) {
  GraphBuilder b(f.axes_input ? 18 : 13);
  ValueId x = b.input("x", {2, 7, 3, 40});
  std::vector<int64_t> axes;
  for (int64_t i = 0; i < f.axes; ++i) axes.push_back(-1 - i);
  auto reduce = [&](ValueId v) {
    if (f.axes_input) {
      const auto n = static_cast<int64_t>(axes.size());
      return b.node("ReduceMean", {v, b.constant("axes" + std::to_string(v),
                                                 Tensor::from_vector<int64_t>({n}, axes))});
    }
    return b.node("ReduceMean", {v}, attrs({{"axes", axes}}));
  };
  ValueId mean = reduce(x);
  ValueId d = b.node("Sub", {x, mean});
  ValueId sq = f.mul_square ? b.node("Mul", {d, d})
                            : b.node("Pow", {d, b.constant("two", Tensor::scalar<float>(f.pow))});
  ValueId var = reduce(sq);
  ValueId ve = b.node("Add", {var, b.constant("eps", Tensor::scalar<float>(f.eps))});
  ValueId y = b.node("Div", {d, b.node("Sqrt", {ve})});
  const Shape normalized = f.axes == 1 ? Shape{40} : Shape{3, 40};
  if (f.gamma) y = b.node("Mul", {y, b.random_constant("gamma", normalized, 3, 0.5f, 1.5f)});
  if (f.beta) y = b.node("Add", {b.random_constant("beta", normalized, 4), y});
  b.output(b.node("Identity", {y}, {}, "y"));
  if (f.extra_reader) b.output(b.node("Relu", {d}, {}, "d_relu"));
  return b.finish();
}

TEST(FuseLayerNorm, EveryExportedFormBecomesOneLayerNormalization) {
  std::vector<Form> forms(7);
  forms[1].mul_square = true;
  forms[2].gamma = false;
  forms[3].beta = false;
  forms[4].gamma = forms[4].beta = false;
  forms[5].axes_input = true;
  forms[6].axes = 2;
  for (size_t i = 0; i < forms.size(); ++i) {
    Graph after = check_pass(layer_norm_graph(forms[i]), fuse_layer_norm);
    EXPECT_EQ(count_ops(after, "LayerNormalization"), 1) << "form " << i << "\n"
                                                         << print_graph(after);
    EXPECT_EQ(count_ops(after, "ReduceMean"), 0) << "form " << i;
    EXPECT_EQ(count_ops(after, "Sub") + count_ops(after, "Div") + count_ops(after, "Sqrt"), 0)
        << "form " << i;
    EXPECT_EQ(count_ops(after, "Mul") + count_ops(after, "Add"), 0) << "form " << i;
  }
}

TEST(FuseLayerNorm, NearMissesStay) {
  Form cube;
  cube.pow = 3.0f;  // not a variance
  Form shared;
  shared.extra_reader = true;  // d is needed elsewhere
  for (const Form& f : {cube, shared}) {
    Graph after = check_pass(layer_norm_graph(f), fuse_layer_norm);
    EXPECT_EQ(count_ops(after, "LayerNormalization"), 0) << print_graph(after);
    EXPECT_EQ(count_ops(after, "ReduceMean"), 2);
  }
}

}  // namespace
}  // namespace hone::testing
