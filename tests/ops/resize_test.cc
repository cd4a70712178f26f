// Resize / Upsample through the registry: the ONNX backend node cases (expected values taken
// from ONNX's own test data), hand-computed cases for each mode, and error paths.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/resize/resize_reference.h"

namespace hone {
namespace {

using test::attrs;
using test::max_abs_diff;
using test::OpCall;
using test::run_op;

struct OnnxCase {
  const char* name;
  int opset;
  const char* op_type;
  std::vector<std::pair<std::string, AttributeValue>> attributes;
  std::vector<Tensor> inputs;
  Shape out_shape;
  std::vector<float> expected;
};

// Generated once from /usr/share/libonnx-testdata/data/node/<name>/ (model.onnx attributes,
// test_data_set_0/input_*.pb and output_0.pb), i.e. ONNX's numpy reference results.
std::vector<OnnxCase> onnx_cases() {
  return {
      {"test_resize_downsample_scales_cubic",
       13,
       "Resize",
       {{"mode", std::string("cubic")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(),
        Tensor::from_vector<float>({4}, {1.0f, 1.0f, 0.800000011920929f, 0.800000011920929f})},
       {1, 1, 3, 3},
       {1.47119140625f, 2.78125f, 4.08251953125f, 6.71142578125f, 8.021484375f, 9.32275390625f,
        11.91650390625f, 13.2265625f, 14.52783203125f}},
      {"test_resize_downsample_scales_cubic_A_n0p5_exclude_outside",
       13,
       "Resize",
       {{"cubic_coeff_a", -0.5f}, {"exclude_outside", int64_t{1}}, {"mode", std::string("cubic")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(),
        Tensor::from_vector<float>({4}, {1.0f, 1.0f, 0.800000011920929f, 0.800000011920929f})},
       {1, 1, 3, 3},
       {1.3681267499923706f, 2.669501304626465f, 4.013336658477783f, 6.573625087738037f, 7.875f,
        9.21883487701416f, 11.948966026306152f, 13.250341415405273f, 14.594176292419434f}},
      {"test_resize_downsample_scales_cubic_align_corners",
       13,
       "Resize",
       {{"coordinate_transformation_mode", std::string("align_corners")},
        {"mode", std::string("cubic")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(),
        Tensor::from_vector<float>({4}, {1.0f, 1.0f, 0.800000011920929f, 0.800000011920929f})},
       {1, 1, 3, 3},
       {1.0f, 2.3951916694641113f, 3.7903831005096436f, 6.580766201019287f, 7.975957870483398f,
        9.371149063110352f, 12.161532402038574f, 13.556723594665527f, 14.951915740966797f}},
      {"test_resize_downsample_scales_linear",
       13,
       "Resize",
       {{"mode", std::string("linear")}},
       {Tensor::from_vector<float>({1, 1, 2, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f}),
        Tensor(),
        Tensor::from_vector<float>({4}, {1.0f, 1.0f, 0.6000000238418579f, 0.6000000238418579f})},
       {1, 1, 1, 2},
       {2.6666665077209473f, 4.3333330154418945f}},
      {"test_resize_downsample_scales_linear_align_corners",
       13,
       "Resize",
       {{"coordinate_transformation_mode", std::string("align_corners")},
        {"mode", std::string("linear")}},
       {Tensor::from_vector<float>({1, 1, 2, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f}),
        Tensor(),
        Tensor::from_vector<float>({4}, {1.0f, 1.0f, 0.6000000238418579f, 0.6000000238418579f})},
       {1, 1, 1, 2},
       {1.0f, 3.142857074737549f}},
      {"test_resize_downsample_scales_nearest",
       13,
       "Resize",
       {{"mode", std::string("nearest")}},
       {Tensor::from_vector<float>({1, 1, 2, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f}),
        Tensor(),
        Tensor::from_vector<float>({4}, {1.0f, 1.0f, 0.6000000238418579f, 0.6000000238418579f})},
       {1, 1, 1, 2},
       {1.0f, 3.0f}},
      {"test_resize_downsample_sizes_cubic",
       13,
       "Resize",
       {{"mode", std::string("cubic")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(), Tensor(), Tensor::from_vector<int64_t>({4}, {1, 1, 3, 3})},
       {1, 1, 3, 3},
       {1.6307870149612427f, 3.004629611968994f, 4.378472328186035f, 7.126157283782959f, 8.5f,
        9.873842239379883f, 12.621527671813965f, 13.995369911193848f, 15.369213104248047f}},
      {"test_resize_downsample_sizes_linear_pytorch_half_pixel",
       13,
       "Resize",
       {{"coordinate_transformation_mode", std::string("pytorch_half_pixel")},
        {"mode", std::string("linear")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(), Tensor(), Tensor::from_vector<int64_t>({4}, {1, 1, 3, 1})},
       {1, 1, 3, 1},
       {1.6666666269302368f, 7.0f, 12.333333015441895f}},
      {"test_resize_downsample_sizes_nearest",
       13,
       "Resize",
       {{"mode", std::string("nearest")}},
       {Tensor::from_vector<float>({1, 1, 2, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f}),
        Tensor(), Tensor(), Tensor::from_vector<int64_t>({4}, {1, 1, 1, 3})},
       {1, 1, 1, 3},
       {1.0f, 2.0f, 4.0f}},
      {"test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn",
       11,
       "Resize",
       {{"coordinate_transformation_mode", std::string("tf_half_pixel_for_nn")},
        {"mode", std::string("nearest")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(), Tensor(), Tensor::from_vector<int64_t>({4}, {1, 1, 3, 2})},
       {1, 1, 3, 2},
       {6.0f, 8.0f, 10.0f, 12.0f, 14.0f, 16.0f}},
      {"test_resize_tf_crop_and_resize",
       13,
       "Resize",
       {{"coordinate_transformation_mode", std::string("tf_crop_and_resize")},
        {"extrapolation_value", 10.0f},
        {"mode", std::string("linear")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor::from_vector<float>({8}, {0.0f, 0.0f, 0.4000000059604645f, 0.6000000238418579f, 1.0f,
                                         1.0f, 1.2000000476837158f, 1.7000000476837158f}),
        Tensor(), Tensor::from_vector<int64_t>({4}, {1, 1, 3, 3})},
       {1, 1, 3, 3},
       {7.600000381469727f, 10.0f, 10.0f, 12.40000057220459f, 10.0f, 10.0f, 10.0f, 10.0f, 10.0f}},
      {"test_resize_upsample_scales_cubic",
       13,
       "Resize",
       {{"mode", std::string("cubic")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(), Tensor::from_vector<float>({4}, {1.0f, 1.0f, 2.0f, 2.0f})},
       {1, 1, 8, 8},
       {0.47265625f,  0.76953125f,  1.24609375f,  1.875f,       2.28125f,     2.91015625f,
        3.38671875f,  3.68359375f,  1.66015625f,  1.95703125f,  2.43359375f,  3.0625f,
        3.46875f,     4.09765625f,  4.57421875f,  4.87109375f,  3.56640625f,  3.86328125f,
        4.33984375f,  4.96875f,     5.375f,       6.00390625f,  6.48046875f,  6.77734375f,
        6.08203125f,  6.37890625f,  6.85546875f,  7.484375f,    7.890625f,    8.51953125f,
        8.99609375f,  9.29296875f,  7.70703125f,  8.00390625f,  8.48046875f,  9.109375f,
        9.515625f,    10.14453125f, 10.62109375f, 10.91796875f, 10.22265625f, 10.51953125f,
        10.99609375f, 11.625f,      12.03125f,    12.66015625f, 13.13671875f, 13.43359375f,
        12.12890625f, 12.42578125f, 12.90234375f, 13.53125f,    13.9375f,     14.56640625f,
        15.04296875f, 15.33984375f, 13.31640625f, 13.61328125f, 14.08984375f, 14.71875f,
        15.125f,      15.75390625f, 16.23046875f, 16.52734375f}},
      {"test_resize_upsample_scales_cubic_A_n0p5_exclude_outside",
       13,
       "Resize",
       {{"cubic_coeff_a", -0.5f}, {"exclude_outside", int64_t{1}}, {"mode", std::string("cubic")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(), Tensor::from_vector<float>({4}, {1.0f, 1.0f, 2.0f, 2.0f})},
       {1, 1, 8, 8},
       {0.5588235259056091f,
        0.8149420619010925f,
        1.3569824695587158f,
        1.8970588445663452f,
        2.3970587253570557f,
        2.9371352195739746f,
        3.479175567626953f,
        3.7352941036224365f,
        1.583297610282898f,
        1.8394160270690918f,
        2.3814566135406494f,
        2.9215328693389893f,
        3.4215328693389893f,
        3.961609125137329f,
        4.503649711608887f,
        4.759768009185791f,
        3.7514593601226807f,
        4.007577896118164f,
        4.549618244171143f,
        5.089694499969482f,
        5.589694499969482f,
        6.129770755767822f,
        6.671811580657959f,
        6.927929878234863f,
        5.911764621734619f,
        6.167883396148682f,
        6.70992374420166f,
        7.25f,
        7.75f,
        8.29007625579834f,
        8.832117080688477f,
        9.088234901428223f,
        7.911764621734619f,
        8.167882919311523f,
        8.70992374420166f,
        9.25f,
        9.75f,
        10.29007625579834f,
        10.832117080688477f,
        11.088234901428223f,
        10.072070121765137f,
        10.3281888961792f,
        10.87022876739502f,
        11.41030502319336f,
        11.91030502319336f,
        12.4503812789917f,
        12.992422103881836f,
        13.248540878295898f,
        12.24023151397705f,
        12.496350288391113f,
        13.03839111328125f,
        13.57846736907959f,
        14.07846736907959f,
        14.61854362487793f,
        15.16058349609375f,
        15.416702270507812f,
        13.264705657958984f,
        13.520824432373047f,
        14.062865257263184f,
        14.602941513061523f,
        15.102941513061523f,
        15.643017768859863f,
        16.18505859375f,
        16.441177368164062f}},
      {"test_resize_upsample_scales_cubic_align_corners",
       13,
       "Resize",
       {{"coordinate_transformation_mode", std::string("align_corners")},
        {"mode", std::string("cubic")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(), Tensor::from_vector<float>({4}, {1.0f, 1.0f, 2.0f, 2.0f})},
       {1, 1, 8, 8},
       {1.0f,
        1.3411078453063965f,
        1.8002915382385254f,
        2.3294460773468018f,
        2.6705539226531982f,
        3.1997084617614746f,
        3.6588921546936035f,
        4.0f,
        2.364431381225586f,
        2.7055394649505615f,
        3.1647229194641113f,
        3.6938774585723877f,
        4.034985542297363f,
        4.5641398429870605f,
        5.0233235359191895f,
        5.364431381225586f,
        4.201166152954102f,
        4.542273998260498f,
        5.001457691192627f,
        5.530612468719482f,
        5.871720314025879f,
        6.400874614715576f,
        6.860058307647705f,
        7.201166152954102f,
        6.317784309387207f,
        6.6588921546936035f,
        7.118075847625732f,
        7.64723014831543f,
        7.988337993621826f,
        8.517492294311523f,
        8.976675987243652f,
        9.317784309387207f,
        7.682215690612793f,
        8.023324012756348f,
        8.482507705688477f,
        9.011661529541016f,
        9.35276985168457f,
        9.881924629211426f,
        10.341108322143555f,
        10.682215690612793f,
        9.798833847045898f,
        10.139941215515137f,
        10.599124908447266f,
        11.128279685974121f,
        11.469388008117676f,
        11.998541831970215f,
        12.457725524902344f,
        12.798833847045898f,
        11.635568618774414f,
        11.976675987243652f,
        12.435859680175781f,
        12.965014457702637f,
        13.306122779846191f,
        13.83527660369873f,
        14.29446029663086f,
        14.635568618774414f,
        13.0f,
        13.341108322143555f,
        13.800292015075684f,
        14.329445838928223f,
        14.670554161071777f,
        15.199707984924316f,
        15.658891677856445f,
        16.0f}},
      {"test_resize_upsample_scales_cubic_asymmetric",
       13,
       "Resize",
       {{"coordinate_transformation_mode", std::string("asymmetric")},
        {"mode", std::string("cubic")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(), Tensor::from_vector<float>({4}, {1.0f, 1.0f, 2.0f, 2.0f})},
       {1, 1, 8, 8},
       {1.0f,    1.40625f,  2.0f,    2.5f,    3.0f,    3.59375f,  4.0f,    4.09375f,
        2.625f,  3.03125f,  3.625f,  4.125f,  4.625f,  5.21875f,  5.625f,  5.71875f,
        5.0f,    5.40625f,  6.0f,    6.5f,    7.0f,    7.59375f,  8.0f,    8.09375f,
        7.0f,    7.40625f,  8.0f,    8.5f,    9.0f,    9.59375f,  10.0f,   10.09375f,
        9.0f,    9.40625f,  10.0f,   10.5f,   11.0f,   11.59375f, 12.0f,   12.09375f,
        11.375f, 11.78125f, 12.375f, 12.875f, 13.375f, 13.96875f, 14.375f, 14.46875f,
        13.0f,   13.40625f, 14.0f,   14.5f,   15.0f,   15.59375f, 16.0f,   16.09375f,
        13.375f, 13.78125f, 14.375f, 14.875f, 15.375f, 15.96875f, 16.375f, 16.46875f}},
      {"test_resize_upsample_scales_linear",
       13,
       "Resize",
       {{"mode", std::string("linear")}},
       {Tensor::from_vector<float>({1, 1, 2, 2}, {1.0f, 2.0f, 3.0f, 4.0f}), Tensor(),
        Tensor::from_vector<float>({4}, {1.0f, 1.0f, 2.0f, 2.0f})},
       {1, 1, 4, 4},
       {1.0f, 1.25f, 1.75f, 2.0f, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3.0f, 3.25f,
        3.75f, 4.0f}},
      {"test_resize_upsample_scales_linear_align_corners",
       13,
       "Resize",
       {{"coordinate_transformation_mode", std::string("align_corners")},
        {"mode", std::string("linear")}},
       {Tensor::from_vector<float>({1, 1, 2, 2}, {1.0f, 2.0f, 3.0f, 4.0f}), Tensor(),
        Tensor::from_vector<float>({4}, {1.0f, 1.0f, 2.0f, 2.0f})},
       {1, 1, 4, 4},
       {1.0f, 1.3333333730697632f, 1.6666666269302368f, 2.0f, 1.6666666269302368f, 2.0f,
        2.3333332538604736f, 2.6666667461395264f, 2.3333332538604736f, 2.6666667461395264f, 3.0f,
        3.3333332538604736f, 3.0f, 3.3333332538604736f, 3.6666667461395264f, 4.0f}},
      {"test_resize_upsample_scales_nearest",
       13,
       "Resize",
       {{"mode", std::string("nearest")}},
       {Tensor::from_vector<float>({1, 1, 2, 2}, {1.0f, 2.0f, 3.0f, 4.0f}), Tensor(),
        Tensor::from_vector<float>({4}, {1.0f, 1.0f, 2.0f, 3.0f})},
       {1, 1, 4, 6},
       {1.0f, 1.0f, 1.0f, 2.0f, 2.0f, 2.0f, 1.0f, 1.0f, 1.0f, 2.0f, 2.0f, 2.0f,
        3.0f, 3.0f, 3.0f, 4.0f, 4.0f, 4.0f, 3.0f, 3.0f, 3.0f, 4.0f, 4.0f, 4.0f}},
      {"test_resize_upsample_sizes_cubic",
       13,
       "Resize",
       {{"mode", std::string("cubic")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(), Tensor(), Tensor::from_vector<int64_t>({4}, {1, 1, 9, 10})},
       {1, 1, 9, 10},
       {0.45507922768592834f,
        0.6405792236328125f,
        0.9715791940689087f,
        1.4225791692733765f,
        1.9073292016983032f,
        2.2233293056488037f,
        2.7080790996551514f,
        3.1590793132781982f,
        3.490079164505005f,
        3.675579309463501f,
        1.3943796157836914f,
        1.579879641532898f,
        1.9108796119689941f,
        2.361879587173462f,
        2.8466296195983887f,
        3.1626296043395996f,
        3.6473796367645264f,
        4.098379611968994f,
        4.429379463195801f,
        4.614879608154297f,
        2.9513068199157715f,
        3.1368069648742676f,
        3.467806816101074f,
        3.918807029724121f,
        4.403556823730469f,
        4.71955680847168f,
        5.2043070793151855f,
        5.655306816101074f,
        5.986307144165039f,
        6.171806812286377f,
        5.2052507400512695f,
        5.390750885009766f,
        5.721750736236572f,
        6.172750473022461f,
        6.657500743865967f,
        6.973500728607178f,
        7.458250522613525f,
        7.909250736236572f,
        8.240250587463379f,
        8.425750732421875f,
        6.889750003814697f,
        7.075250148773193f,
        7.40625f,
        7.857250213623047f,
        8.342000007629395f,
        8.657999992370605f,
        9.142749786376953f,
        9.59375f,
        9.924750328063965f,
        10.110250473022461f,
        8.574249267578125f,
        8.759749412536621f,
        9.090749740600586f,
        9.541749000549316f,
        10.02649974822998f,
        10.342499732971191f,
        10.827249526977539f,
        11.278249740600586f,
        11.609249114990234f,
        11.79474925994873f,
        10.828192710876465f,
        11.013692855834961f,
        11.344693183898926f,
        11.795693397521973f,
        12.28044319152832f,
        12.596443176269531f,
        13.081192970275879f,
        13.532193183898926f,
        13.86319351196289f,
        14.04869270324707f,
        12.385120391845703f,
        12.5706205368042f,
        12.901619911193848f,
        13.352620124816895f,
        13.837369918823242f,
        14.153369903564453f,
        14.638120651245117f,
        15.089119911193848f,
        15.420120239257812f,
        15.605620384216309f,
        13.324420928955078f,
        13.509921073913574f,
        13.840920448303223f,
        14.29192066192627f,
        14.776670455932617f,
        15.092670440673828f,
        15.577421188354492f,
        16.02842140197754f,
        16.359420776367188f,
        16.544919967651367f}},
      {"test_resize_upsample_sizes_nearest",
       13,
       "Resize",
       {{"mode", std::string("nearest")}},
       {Tensor::from_vector<float>({1, 1, 2, 2}, {1.0f, 2.0f, 3.0f, 4.0f}), Tensor(), Tensor(),
        Tensor::from_vector<int64_t>({4}, {1, 1, 7, 8})},
       {1, 1, 7, 8},
       {1.0f, 1.0f, 1.0f, 1.0f, 2.0f, 2.0f, 2.0f, 2.0f, 1.0f, 1.0f, 1.0f, 1.0f, 2.0f, 2.0f,
        2.0f, 2.0f, 1.0f, 1.0f, 1.0f, 1.0f, 2.0f, 2.0f, 2.0f, 2.0f, 1.0f, 1.0f, 1.0f, 1.0f,
        2.0f, 2.0f, 2.0f, 2.0f, 3.0f, 3.0f, 3.0f, 3.0f, 4.0f, 4.0f, 4.0f, 4.0f, 3.0f, 3.0f,
        3.0f, 3.0f, 4.0f, 4.0f, 4.0f, 4.0f, 3.0f, 3.0f, 3.0f, 3.0f, 4.0f, 4.0f, 4.0f, 4.0f}},
      {"test_resize_upsample_sizes_nearest_ceil_half_pixel",
       13,
       "Resize",
       {{"coordinate_transformation_mode", std::string("half_pixel")},
        {"mode", std::string("nearest")},
        {"nearest_mode", std::string("ceil")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(), Tensor(), Tensor::from_vector<int64_t>({4}, {1, 1, 8, 8})},
       {1, 1, 8, 8},
       {1.0f,  2.0f,  2.0f,  3.0f,  3.0f,  4.0f,  4.0f,  4.0f,  5.0f,  6.0f,  6.0f,  7.0f,  7.0f,
        8.0f,  8.0f,  8.0f,  5.0f,  6.0f,  6.0f,  7.0f,  7.0f,  8.0f,  8.0f,  8.0f,  9.0f,  10.0f,
        10.0f, 11.0f, 11.0f, 12.0f, 12.0f, 12.0f, 9.0f,  10.0f, 10.0f, 11.0f, 11.0f, 12.0f, 12.0f,
        12.0f, 13.0f, 14.0f, 14.0f, 15.0f, 15.0f, 16.0f, 16.0f, 16.0f, 13.0f, 14.0f, 14.0f, 15.0f,
        15.0f, 16.0f, 16.0f, 16.0f, 13.0f, 14.0f, 14.0f, 15.0f, 15.0f, 16.0f, 16.0f, 16.0f}},
      {"test_resize_upsample_sizes_nearest_floor_align_corners",
       13,
       "Resize",
       {{"coordinate_transformation_mode", std::string("align_corners")},
        {"mode", std::string("nearest")},
        {"nearest_mode", std::string("floor")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(), Tensor(), Tensor::from_vector<int64_t>({4}, {1, 1, 8, 8})},
       {1, 1, 8, 8},
       {1.0f,  1.0f,  1.0f,  2.0f,  2.0f,  3.0f,  3.0f,  4.0f,  1.0f,  1.0f,  1.0f,  2.0f, 2.0f,
        3.0f,  3.0f,  4.0f,  1.0f,  1.0f,  1.0f,  2.0f,  2.0f,  3.0f,  3.0f,  4.0f,  5.0f, 5.0f,
        5.0f,  6.0f,  6.0f,  7.0f,  7.0f,  8.0f,  5.0f,  5.0f,  5.0f,  6.0f,  6.0f,  7.0f, 7.0f,
        8.0f,  9.0f,  9.0f,  9.0f,  10.0f, 10.0f, 11.0f, 11.0f, 12.0f, 9.0f,  9.0f,  9.0f, 10.0f,
        10.0f, 11.0f, 11.0f, 12.0f, 13.0f, 13.0f, 13.0f, 14.0f, 14.0f, 15.0f, 15.0f, 16.0f}},
      {"test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric",
       13,
       "Resize",
       {{"coordinate_transformation_mode", std::string("asymmetric")},
        {"mode", std::string("nearest")},
        {"nearest_mode", std::string("round_prefer_ceil")}},
       {Tensor::from_vector<float>(
            {1, 1, 4, 4}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f,
                           12.0f, 13.0f, 14.0f, 15.0f, 16.0f}),
        Tensor(), Tensor(), Tensor::from_vector<int64_t>({4}, {1, 1, 8, 8})},
       {1, 1, 8, 8},
       {1.0f,  2.0f,  2.0f,  3.0f,  3.0f,  4.0f,  4.0f,  4.0f,  5.0f,  6.0f,  6.0f,  7.0f,  7.0f,
        8.0f,  8.0f,  8.0f,  5.0f,  6.0f,  6.0f,  7.0f,  7.0f,  8.0f,  8.0f,  8.0f,  9.0f,  10.0f,
        10.0f, 11.0f, 11.0f, 12.0f, 12.0f, 12.0f, 9.0f,  10.0f, 10.0f, 11.0f, 11.0f, 12.0f, 12.0f,
        12.0f, 13.0f, 14.0f, 14.0f, 15.0f, 15.0f, 16.0f, 16.0f, 16.0f, 13.0f, 14.0f, 14.0f, 15.0f,
        15.0f, 16.0f, 16.0f, 16.0f, 13.0f, 14.0f, 14.0f, 15.0f, 15.0f, 16.0f, 16.0f, 16.0f}},
      {"test_upsample_nearest",
       9,
       "Upsample",
       {{"mode", std::string("nearest")}},
       {Tensor::from_vector<float>({1, 1, 2, 2}, {1.0f, 2.0f, 3.0f, 4.0f}),
        Tensor::from_vector<float>({4}, {1.0f, 1.0f, 2.0f, 3.0f})},
       {1, 1, 4, 6},
       {1.0f, 1.0f, 1.0f, 2.0f, 2.0f, 2.0f, 1.0f, 1.0f, 1.0f, 2.0f, 2.0f, 2.0f,
        3.0f, 3.0f, 3.0f, 4.0f, 4.0f, 4.0f, 3.0f, 3.0f, 3.0f, 4.0f, 4.0f, 4.0f}},
  };
}

TEST(ResizeOnnx, MatchesBackendNodeTests) {
  for (const OnnxCase& c : onnx_cases()) {
    SCOPED_TRACE(c.name);
    Attributes a;
    for (const auto& [name, value] : c.attributes) a[name] = Attribute{value};
    std::vector<Tensor> y =
        run_op({.op_type = c.op_type, .inputs = c.inputs, .attrs = a, .opset = c.opset});
    Tensor expected = Tensor::from_vector<float>(c.out_shape, c.expected);
    EXPECT_LT(max_abs_diff(y[0], expected), 1e-4) << "got shape " << shape_to_string(y[0].shape());
  }
}

Tensor iota(const Shape& shape, float start = 0.0f) {
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = start + static_cast<float>(i);
  return Tensor::from_vector<float>(shape, v);
}

Tensor scales(std::vector<float> s) {
  return Tensor::from_vector<float>({static_cast<int64_t>(s.size())}, s);
}
Tensor sizes(std::vector<int64_t> s) {
  return Tensor::from_vector<int64_t>({static_cast<int64_t>(s.size())}, s);
}

std::vector<float> values(const Tensor& t) {
  return t.to_vector<float>();
}

TEST(Resize, NearestUpsampleByTwoRepeatsPixels) {
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  auto y = run_op({.op_type = "Resize",
                   .inputs = {x, Tensor(), scales({1, 1, 2, 2})},
                   .attrs = attrs({{"mode", std::string("nearest")}})});
  ASSERT_EQ(y[0].shape(), (Shape{1, 1, 4, 4}));
  EXPECT_EQ(values(y[0]), (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
}

// 1-D helper: resize a row of values with the given attributes to out_len.
std::vector<float> resize_row(std::vector<float> row, int64_t out_len, Attributes a,
                              int opset = 13) {
  const int64_t n = static_cast<int64_t>(row.size());
  auto y = run_op(
      {.op_type = "Resize",
       .inputs = {Tensor::from_vector<float>({n}, row), Tensor(), Tensor(), sizes({out_len})},
       .attrs = std::move(a),
       .opset = opset});
  return values(y[0]);
}

TEST(Resize, NearestModesRoundHalfwayPointsAsNamed) {
  // asymmetric with 4 -> 8 maps o to o/2: halfway points at odd o.
  std::vector<float> row = {10, 20, 30, 40};
  auto with = [&](const char* mode) {
    return resize_row(row, 8,
                      attrs({{"mode", std::string("nearest")},
                             {"coordinate_transformation_mode", std::string("asymmetric")},
                             {"nearest_mode", std::string(mode)}}));
  };
  EXPECT_EQ(with("round_prefer_floor"), (std::vector<float>{10, 10, 20, 20, 30, 30, 40, 40}));
  EXPECT_EQ(with("floor"), (std::vector<float>{10, 10, 20, 20, 30, 30, 40, 40}));
  // Ceil of 3.5 is 4, clamped to the last pixel.
  EXPECT_EQ(with("round_prefer_ceil"), (std::vector<float>{10, 20, 20, 30, 30, 40, 40, 40}));
  EXPECT_EQ(with("ceil"), (std::vector<float>{10, 20, 20, 30, 30, 40, 40, 40}));
}

TEST(Resize, LinearCoordinateModesByHand) {
  std::vector<float> row = {0, 10, 20, 30};
  auto with = [&](const char* mode, int64_t out) {
    return resize_row(row, out,
                      attrs({{"mode", std::string("linear")},
                             {"coordinate_transformation_mode", std::string(mode)}}));
  };
  // half_pixel 4 -> 8: x = (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, ...; clamped at the ends.
  auto hp = with("half_pixel", 8);
  std::vector<float> expect_hp = {0, 2.5, 7.5, 12.5, 17.5, 22.5, 27.5, 30};
  for (size_t i = 0; i < 8; ++i) EXPECT_NEAR(hp[i], expect_hp[i], 1e-5) << i;
  // align_corners 4 -> 7: x = o * 3 / 6 = o / 2, so values 0, 5, 10, ...
  auto ac = with("align_corners", 7);
  for (size_t i = 0; i < 7; ++i) EXPECT_NEAR(ac[i], 5.0f * static_cast<float>(i), 1e-5) << i;
  // asymmetric 4 -> 8: x = o / 2, the last two clamp to 30.
  auto as = with("asymmetric", 8);
  std::vector<float> expect_as = {0, 5, 10, 15, 20, 25, 30, 30};
  for (size_t i = 0; i < 8; ++i) EXPECT_NEAR(as[i], expect_as[i], 1e-5) << i;
  // pytorch_half_pixel with a single output pixel reads coordinate 0, half_pixel reads 1.5.
  EXPECT_NEAR(with("pytorch_half_pixel", 1)[0], 0.0f, 1e-6);
  EXPECT_NEAR(with("half_pixel", 1)[0], 15.0f, 1e-5);
}

TEST(Resize, LinearIsExactOnAffineFunctionsInEveryDim) {
  // Multilinear interpolation reproduces f(i,j,k) = 100 i + 10 j + k; align_corners maps
  // output o to o * (in - 1) / (out - 1) along each dim.
  const Shape in_shape = {2, 3, 4}, out_shape = {3, 5, 7};
  std::vector<float> v;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) v.push_back(static_cast<float>(100 * i + 10 * j + k));
  auto y = run_op(
      {.op_type = "Resize",
       .inputs = {Tensor::from_vector<float>(in_shape, v), Tensor(), Tensor(), sizes(out_shape)},
       .attrs = attrs({{"mode", std::string("linear")},
                       {"coordinate_transformation_mode", std::string("align_corners")}})});
  ASSERT_EQ(y[0].shape(), out_shape);
  std::vector<float> got = values(y[0]);
  size_t e = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j)
      for (int k = 0; k < 7; ++k, ++e) {
        double want = 100.0 * i * 1 / 2 + 10.0 * j * 2 / 4 + k * 3.0 / 6;
        EXPECT_NEAR(got[e], want, 1e-4) << i << "," << j << "," << k;
      }
}

TEST(Resize, CubicWeightsSumToOneAndKeepConstants) {
  for (float a : {-0.75f, -0.5f}) {
    for (int64_t exclude : {0, 1}) {
      Tensor x = Tensor::from_vector<float>({1, 1, 3, 3}, std::vector<float>(9, 7.0f));
      auto y = run_op({.op_type = "Resize",
                       .inputs = {x, Tensor(), scales({1, 1, 2.5f, 1.5f})},
                       .attrs = attrs({{"mode", std::string("cubic")},
                                       {"cubic_coeff_a", a},
                                       {"exclude_outside", exclude}})});
      ASSERT_EQ(y[0].shape(), (Shape{1, 1, 7, 4}));
      for (float f : values(y[0])) EXPECT_NEAR(f, 7.0f, 1e-5);
    }
  }
}

TEST(Resize, CubicOneDimByHand) {
  // asymmetric 4 -> 8: o = 1 maps to x = 0.5; taps at -1 (clamped to 0), 0, 1, 2 with the
  // Keys kernel (a = -0.75) at distances 1.5, 0.5, 0.5, 1.5.
  const double a = -0.75;
  auto w_near = [&](double s) { return ((a + 2) * s - (a + 3)) * s * s + 1; };
  auto w_far = [&](double s) { return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a; };
  std::vector<float> row = {1, 2, 4, 8};
  double want =
      w_far(1.5) * row[0] + w_near(0.5) * row[0] + w_near(0.5) * row[1] + w_far(1.5) * row[2];
  auto y = resize_row(row, 8,
                      attrs({{"mode", std::string("cubic")},
                             {"coordinate_transformation_mode", std::string("asymmetric")}}));
  EXPECT_NEAR(y[1], want, 1e-5);
  EXPECT_NEAR(y[0], 1.0f, 1e-6);  // integer coordinates hit pixels exactly
  EXPECT_NEAR(y[2], 2.0f, 1e-6);
  // exclude_outside drops the tap at -1 and renormalizes the rest.
  auto ex = resize_row(row, 8,
                       attrs({{"mode", std::string("cubic")},
                              {"coordinate_transformation_mode", std::string("asymmetric")},
                              {"exclude_outside", int64_t{1}}}));
  double sum = w_near(0.5) * 2 + w_far(1.5);
  double want_ex = (w_near(0.5) * row[0] + w_near(0.5) * row[1] + w_far(1.5) * row[2]) / sum;
  EXPECT_NEAR(ex[1], want_ex, 1e-5);
}

TEST(Resize, TfCropAndResizeExtrapolatesOutsideTheRoi) {
  // roi [0.5, 1.5] over 3 pixels spans x in [1, 3]; x = 1, 2, 3 -> the last is outside.
  std::vector<float> row = {0, 10, 20};
  auto y =
      run_op({.op_type = "Resize",
              .inputs = {Tensor::from_vector<float>({3}, row),
                         Tensor::from_vector<float>({2}, {0.5f, 1.5f}), Tensor(), sizes({3})},
              .attrs = attrs({{"mode", std::string("linear")},
                              {"coordinate_transformation_mode", std::string("tf_crop_and_resize")},
                              {"extrapolation_value", -1.0f}})});
  EXPECT_EQ(values(y[0]), (std::vector<float>{10, 20, -1}));
}

TEST(Resize, NearestCopiesIntegerTypesExactly) {
  const int64_t big = (int64_t{1} << 60) + 1;  // not representable as a double
  Tensor x = Tensor::from_vector<int64_t>({1, 2}, {big, -3});
  auto y = run_op({.op_type = "Resize", .inputs = {x, Tensor(), scales({1, 2})}});
  EXPECT_EQ(y[0].to_vector<int64_t>(), (std::vector<int64_t>{big, big, -3, -3}));
  Tensor u8 = Tensor::from_vector<uint8_t>({2}, {7, 250});
  auto z = run_op({.op_type = "Resize", .inputs = {u8, Tensor(), Tensor(), sizes({4})}});
  EXPECT_EQ(z[0].to_vector<int>(), (std::vector<int>{7, 7, 250, 250}));
}

TEST(Resize, Opset10UsesScalesInputAndAsymmetricCoordinates) {
  // Resize-10 downsampling 4 -> 2 (scale 0.6 gives floor(2.4) = 2): x = o / 0.6 rounded up.
  auto y = run_op({.op_type = "Resize",
                   .inputs = {Tensor::from_vector<float>({1, 4}, {1, 2, 3, 4}), scales({1, 0.6f})},
                   .opset = 10});
  EXPECT_EQ(values(y[0]), (std::vector<float>{1, 3}));
  auto lin = run_op({.op_type = "Resize",
                     .inputs = {Tensor::from_vector<float>({2}, {0, 10}), scales({2})},
                     .attrs = attrs({{"mode", std::string("linear")}}),
                     .opset = 10});
  EXPECT_EQ(values(lin[0]), (std::vector<float>{0, 5, 10, 10}));
}

TEST(Upsample, Opset7ScalesAttributeAndOpset9Input) {
  Tensor x = Tensor::from_vector<float>({1, 1, 1, 2}, {1, 2});
  auto y7 = run_op({.op_type = "Upsample",
                    .inputs = {x},
                    .attrs = attrs({{"scales", std::vector<float>{1, 1, 2, 2}}}),
                    .opset = 7});
  ASSERT_EQ(y7[0].shape(), (Shape{1, 1, 2, 4}));
  EXPECT_EQ(values(y7[0]), (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2}));
  auto y9 = run_op({.op_type = "Upsample",
                    .inputs = {x, scales({1, 1, 1, 2})},
                    .attrs = attrs({{"mode", std::string("linear")}}),
                    .opset = 9});
  EXPECT_EQ(values(y9[0]), (std::vector<float>{1, 1.5, 2, 2}));
  EXPECT_THROW(
      test::prepare_op({.op_type = "Upsample", .inputs = {x, scales({1, 1, 1, 0.5f})}, .opset = 9}),
      Error);
}

TEST(Resize, ErrorsNameTheNode) {
  Tensor x = iota({1, 1, 2, 2});
  auto expect_error = [&](OpCall call, const char* fragment) {
    try {
      test::prepare_op(call);
      ADD_FAILURE() << "no error for " << fragment;
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find(test::kTestNodeName), std::string::npos) << msg;
      EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    }
  };
  expect_error({.op_type = "Resize", .inputs = {x, Tensor(), scales({1, 1, 2})}}, "scales has 3");
  expect_error(
      {.op_type = "Resize", .inputs = {x, Tensor(), scales({1, 1, 2, 2}), sizes({1, 1, 4, 4})}},
      "exactly one");
  expect_error({.op_type = "Resize", .inputs = {x}}, "exactly one");
  expect_error({.op_type = "Resize",
                .inputs = {x, Tensor(), scales({1, 1, 2, 2})},
                .attrs = attrs({{"mode", std::string("bicubic")}})},
               "unknown mode");
  expect_error({.op_type = "Resize",
                .inputs = {x, Tensor(), scales({1, 1, 2, 2})},
                .attrs = attrs({{"nearest_mode", std::string("up")}})},
               "nearest_mode");
  expect_error({.op_type = "Resize",
                .inputs = {x, Tensor(), scales({1, 1, 2, 2})},
                .attrs = attrs({{"coordinate_transformation_mode", std::string("x")}})},
               "coordinate_transformation_mode");
  expect_error({.op_type = "Resize", .inputs = {x, Tensor(), scales({1, 1, -2, 2})}}, "positive");
  expect_error({.op_type = "Resize", .inputs = {x, Tensor(), Tensor(), sizes({1, 1, -4, 4})}},
               "negative");
  expect_error(
      {.op_type = "Resize",
       .inputs = {x, Tensor(), Tensor(), sizes({1, 1, 4, 4})},
       .attrs = attrs({{"coordinate_transformation_mode", std::string("tf_crop_and_resize")}})},
      "roi");
  // Linear on integers is not implemented (rounding rules differ between runtimes).
  EXPECT_THROW(test::prepare_op(
                   {.op_type = "Resize",
                    .inputs = {Tensor::from_vector<int32_t>({2}, {1, 2}), Tensor(), scales({2})},
                    .attrs = attrs({{"mode", std::string("linear")}})}),
               UnsupportedError);
}

TEST(Resize, NonConstantScalesNeedConstant) {
  Tensor x = iota({1, 1, 2, 2});
  EXPECT_THROW(test::prepare_op({.op_type = "Resize",
                                 .inputs = {x, Tensor(), scales({1, 1, 2, 2})},
                                 .all_inputs_constant = false}),
               NeedsConstantError);
  EXPECT_THROW(test::prepare_op({.op_type = "Resize",
                                 .inputs = {x, Tensor(), Tensor(), sizes({1, 1, 3, 3})},
                                 .all_inputs_constant = false}),
               NeedsConstantError);
  // The data itself need not be constant.
  auto types = test::infer_types({.op_type = "Resize",
                                  .inputs = {x, Tensor(), Tensor(), sizes({1, 1, 3, 3})},
                                  .all_inputs_constant = false,
                                  .constant_inputs = {3}});
  EXPECT_EQ(types[0].shape, (Shape{1, 1, 3, 3}));
}

}  // namespace
}  // namespace hone
