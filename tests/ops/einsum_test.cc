// Einsum through the registry against a naive evaluator written here (one loop over every
// assignment of every letter), on matmul, attention, diagonal, reduction, broadcast and
// multi-operand equations; element types; and the errors, which must name the node.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace hone::test {
namespace {

// The output of an explicit equation ("ab,bc->ac") whose every dimension is a letter; a
// dimension of 1 broadcasts against a larger one of the same letter (how the cases below
// spell out "..."). Visits every assignment of the letters and adds each product of input
// elements to the output element the assignment names.
Tensor naive_einsum(const std::string& equation, const std::vector<Tensor>& inputs) {
  const size_t arrow = equation.find("->");
  const std::string lhs = equation.substr(0, arrow), rhs = equation.substr(arrow + 2);
  std::vector<std::string> terms(1);
  for (char c : lhs) {
    if (c == ',')
      terms.emplace_back();
    else
      terms.back().push_back(c);
  }
  std::map<char, int64_t> size;
  for (size_t i = 0; i < inputs.size(); ++i)
    for (size_t a = 0; a < terms[i].size(); ++a)
      size[terms[i][a]] = std::max(size[terms[i][a]], inputs[i].dim(static_cast<int64_t>(a)));
  Shape out_shape;
  for (char c : rhs) out_shape.push_back(size[c]);
  Tensor out(DType::kFloat64, out_shape);
  std::vector<std::vector<double>> values;
  for (const Tensor& t : inputs) values.push_back(t.to_vector<double>());
  std::vector<char> letters;
  for (const auto& [c, n] : size) letters.push_back(c);
  std::map<char, int64_t> at;
  for (char c : letters) at[c] = 0;
  // Row-major offset of the element that `term` names in a tensor of `shape`.
  auto offset = [&](const std::string& term, const Shape& shape) {
    int64_t off = 0;
    for (size_t a = 0; a < term.size(); ++a)
      off = off * shape[a] + (shape[a] == 1 ? 0 : at[term[a]]);
    return off;
  };
  for (const auto& [c, n] : size)
    if (n == 0) return out;
  while (true) {
    double product = 1;
    for (size_t i = 0; i < inputs.size(); ++i)
      product *= values[i][static_cast<size_t>(offset(terms[i], inputs[i].shape()))];
    out.data<double>()[offset(rhs, out_shape)] += product;
    size_t d = letters.size();
    while (d > 0 && ++at[letters[d - 1]] == size[letters[d - 1]]) at[letters[--d]] = 0;
    if (d == 0) break;
  }
  return out;
}

Tensor run_einsum(const std::string& equation, const std::vector<Tensor>& inputs) {
  return run_op({.op_type = "Einsum",
                 .inputs = inputs,
                 .attrs = attrs({{"equation", equation}}),
                 .opset = 12})[0];
}

struct Case {
  std::string equation;        // given to the op
  std::string naive_equation;  // the same contraction, explicit, "..." spelled with letters
  std::vector<Shape> shapes;
};

const std::vector<Case> kCases = {
    {"ij,jk->ik", "ij,jk->ik", {{3, 4}, {4, 5}}},
    {"bij,bjk->bik", "bij,bjk->bik", {{2, 3, 4}, {2, 4, 5}}},
    {"ij,jk->ki", "ij,jk->ki", {{3, 4}, {4, 5}}},
    {"bij,bjk->bki", "bij,bjk->bki", {{2, 3, 4}, {2, 4, 5}}},
    {"bhqd,bhkd->bhqk", "bhqd,bhkd->bhqk", {{2, 3, 4, 5}, {2, 3, 6, 5}}},
    {"bhqk,bhkd->bhqd", "bhqk,bhkd->bhqd", {{2, 3, 4, 6}, {2, 3, 6, 5}}},
    {"i,j->ij", "i,j->ij", {{3}, {4}}},
    {"i,i", "i,i->", {{5}, {5}}},
    {"ii", "ii->", {{4, 4}}},
    {"ii->i", "ii->i", {{4, 4}}},
    {"...ii->...i", "abii->abi", {{2, 3, 4, 4}}},
    {"ij->", "ij->", {{3, 4}}},
    {"ij->ji", "ij->ji", {{3, 4}}},
    {"ij,jk", "ij,jk->ik", {{3, 4}, {4, 5}}},
    {"...ij,...jk->...ik", "xyij,yjk->xyik", {{2, 1, 3, 4}, {5, 4, 2}}},
    {"...ij,...jk", "yij,yjk->yik", {{1, 3, 4}, {2, 4, 5}}},
    {"i...j,j...->i...", "iej,je->ie", {{2, 3, 4}, {4, 3}}},
    {"ij,k->i", "ij,k->i", {{3, 4}, {5}}},
    {"ij,jk,kl->il", "ij,jk,kl->il", {{2, 3}, {3, 4}, {4, 5}}},
    {"i,i,i->i", "i,i,i->i", {{4}, {4}, {4}}},
    {"...i,...i,i->...", "abi,bi,i->ab", {{2, 3, 4}, {1, 4}, {4}}},
    {"BIJ,BJK->BIK", "BIJ,BJK->BIK", {{2, 3, 4}, {2, 4, 5}}},
    {"Ab,bC->CA", "Ab,bC->CA", {{3, 4}, {4, 5}}},
    {"bA", "bA->Ab", {{2, 3}}},  // implicit order is by character code: 'A' before 'b'
    {"bij, bjk -> bik", "bij,bjk->bik", {{2, 3, 4}, {2, 4, 5}}},
    // torchvision's MaxViT attention, as its ONNX export spells it.
    {"B G H I D, B G H J D -> B G H I J", "BGHID,BGHJD->BGHIJ", {{1, 2, 2, 3, 4}, {1, 2, 2, 5, 4}}},
    {"B G H I J, B G H J D -> B G H I D", "BGHIJ,BGHJD->BGHID", {{1, 2, 2, 3, 5}, {1, 2, 2, 5, 4}}},
    {"iij,jk->ik", "iij,jk->ik", {{3, 3, 4}, {4, 2}}},
    {"ij,ij->ij", "ij,ij->ij", {{3, 4}, {3, 4}}},
    {"ij,ij->", "ij,ij->", {{3, 4}, {3, 4}}},
    {"bij,bjk->ik", "bij,bjk->ik", {{2, 3, 4}, {2, 4, 5}}},
    {"abc,cd->dba", "abc,cd->dba", {{2, 3, 4}, {4, 5}}},
    {"ij,jk->ik", "ij,jk->ik", {{3, 0}, {0, 4}}},
};

TEST(Einsum, MatchesNaiveEvaluator) {
  uint32_t seed = 1;
  for (const Case& c : kCases) {
    std::vector<Tensor> inputs;
    for (const Shape& shape : c.shapes) inputs.push_back(random_tensor(shape, seed++));
    Tensor expected = naive_einsum(c.naive_equation, inputs);
    Tensor y = run_einsum(c.equation, inputs);
    EXPECT_EQ(y.dtype(), DType::kFloat32) << c.equation;
    EXPECT_EQ(y.shape(), expected.shape()) << c.equation;
    EXPECT_LT(max_abs_diff(y, expected), 1e-4) << c.equation;
  }
}

// The packed GEMM (B packed per run) for float32 products of two operands, every ISA the CPU
// has, with and without threads.
TEST(Einsum, OptimizedKernelsMatchNaiveEvaluator) {
  ThreadPool two(2);
  for (Isa isa : supported_isas())
    for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two}) {
      uint32_t seed = 100;
      for (const Case& c : kCases) {
        std::vector<Tensor> inputs;
        for (const Shape& shape : c.shapes) inputs.push_back(random_tensor(shape, seed++));
        Tensor expected = naive_einsum(c.naive_equation, inputs);
        Tensor y = run_op({.op_type = "Einsum",
                           .inputs = inputs,
                           .attrs = attrs({{"equation", c.equation}}),
                           .all_inputs_constant = false,
                           .kernel_options = {true, isa, pool}})[0];
        EXPECT_LT(max_abs_diff(y, expected), 1e-4)
            << c.equation << " " << isa_name(isa) << (pool ? " 2 threads" : "");
      }
    }
  const PreparedOp attention =
      prepare_op({.op_type = "Einsum",
                  .inputs = {random_tensor({2, 3, 4, 5}, 1), random_tensor({2, 3, 6, 5}, 2)},
                  .attrs = attrs({{"equation", std::string("bhqd,bhkd->bhqk")}}),
                  .kernel_options = {true, best_isa(), nullptr}});
  EXPECT_NE(attention.kernel_name.find("gemm_f32"), std::string::npos) << attention.kernel_name;
}

TEST(Einsum, InfersBroadcastOutputShape) {
  std::vector<ValueType> types =
      infer_types({.op_type = "Einsum",
                   .inputs = {random_tensor({2, 1, 3, 4}, 1), random_tensor({5, 4, 2}, 2)},
                   .attrs = attrs({{"equation", std::string("...ij,...jk->...ik")}})});
  EXPECT_EQ(types[0].shape, (Shape{2, 5, 3, 2}));
}

// Integer tensors with small values: the op must match the naive sums exactly.
template <class T>
Tensor small_ints(Shape shape, int seed) {
  Tensor t(dtype_of<T>(), shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<T>()[i] = static_cast<T>((i * 7 + seed) % 5);
  return t;
}

TEST(Einsum, OtherElementTypes) {
  for (const std::string eq : {"ij,jk->ik", "ij,jk,kl->il", "ii->i", "bij,bkj->bki"}) {
    const bool three = eq == "ij,jk,kl->il";
    const bool one = eq == "ii->i";
    const bool batched = eq == "bij,bkj->bki";
    std::vector<Shape> shapes = one       ? std::vector<Shape>{{3, 3}}
                                : three   ? std::vector<Shape>{{2, 3}, {3, 4}, {4, 2}}
                                : batched ? std::vector<Shape>{{2, 3, 4}, {2, 5, 4}}
                                          : std::vector<Shape>{{2, 3}, {3, 4}};
    std::vector<Tensor> i64, i32, u64, f64;
    for (size_t i = 0; i < shapes.size(); ++i) {
      const int seed = static_cast<int>(i) + 1;
      i64.push_back(small_ints<int64_t>(shapes[i], seed));
      i32.push_back(small_ints<int32_t>(shapes[i], seed));
      u64.push_back(small_ints<uint64_t>(shapes[i], seed));
      f64.push_back(small_ints<double>(shapes[i], seed));
    }
    const std::vector<double> expected = naive_einsum(eq, i64).to_vector<double>();
    Tensor y64 = run_einsum(eq, i64), y32 = run_einsum(eq, i32), yu = run_einsum(eq, u64),
           yd = run_einsum(eq, f64);
    EXPECT_EQ(y64.dtype(), DType::kInt64);
    EXPECT_EQ(y32.dtype(), DType::kInt32);
    EXPECT_EQ(yu.dtype(), DType::kUInt64);
    EXPECT_EQ(yd.dtype(), DType::kFloat64);
    EXPECT_EQ(y64.to_vector<double>(), expected) << eq;
    EXPECT_EQ(y32.to_vector<double>(), expected) << eq;
    EXPECT_EQ(yu.to_vector<double>(), expected) << eq;
    EXPECT_EQ(yd.to_vector<double>(), expected) << eq;
  }
}

TEST(Einsum, ErrorsNameTheNode) {
  Tensor m23 = random_tensor({2, 3}, 1), m34 = random_tensor({3, 4}, 2),
         m45 = random_tensor({4, 5}, 3), m33 = random_tensor({3, 3}, 4);
  auto expect_error = [&](const std::string& equation, std::vector<Tensor> inputs,
                          const char* fragment) {
    try {
      prepare_op({.op_type = "Einsum",
                  .inputs = std::move(inputs),
                  .attrs = attrs({{"equation", equation}})});
      ADD_FAILURE() << "no error for " << equation;
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(kTestNodeName), std::string::npos) << msg;
      EXPECT_NE(msg.find("Einsum"), std::string::npos) << msg;
      EXPECT_NE(msg.find(fragment), std::string::npos) << equation << ": " << msg;
    }
  };
  // Malformed equations.
  expect_error("ij,jk->i-k", {m23, m34}, "character '-'");
  expect_error("ij->i->j", {m23}, "more than one '->'");
  expect_error("i.j", {m23}, "'...'");
  expect_error("...i...", {m23}, "more than one '...'");
  expect_error("i1", {m23}, "character '1'");
  // Terms against inputs.
  expect_error("ij->ij", {m23, m34}, "1 input terms for 2 inputs");
  expect_error("ij,jk,kl->il", {m23, m34}, "3 input terms for 2 inputs");
  expect_error("ijk,jk->ik", {m23, m34}, "input 0 has rank 2");
  expect_error("i,jk->ik", {m23, m34}, "input 0 has rank 2");
  expect_error("...ijk->k", {m23}, "input 0 has rank 2");
  // Sizes.
  expect_error("ij,jk->ik", {m23, m45}, "letter 'j' has size 3 in input 0 and size 4");
  expect_error("ii->i", {m23}, "letter 'i' has size 2 in input 0 and size 3 in input 0");
  expect_error("...j,...j->...", {random_tensor({2, 3}, 5), random_tensor({4, 3}, 6)},
               "do not broadcast");
  // Output term.
  expect_error("ij,jk->iz", {m23, m34}, "output letter 'z' is in no input");
  expect_error("ij->ii", {m33}, "output letter 'i' appears more than once");
  expect_error("...ij->ij", {random_tensor({2, 3, 4}, 7)}, "has no '...'");
  // Attributes and element types.
  try {
    prepare_op({.op_type = "Einsum", .inputs = {m23}});
    ADD_FAILURE() << "no error without an equation";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(kTestNodeName), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("equation"), std::string::npos) << e.what();
  }
  try {
    prepare_op({.op_type = "Einsum",
                .inputs = {m23, small_ints<int64_t>({3, 4}, 1)},
                .attrs = attrs({{"equation", std::string("ij,jk->ik")}})});
    ADD_FAILURE() << "no error for mixed element types";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(kTestNodeName), std::string::npos) << e.what();
  }
  try {
    Tensor flags(DType::kBool, {2, 2});
    prepare_op({.op_type = "Einsum",
                .inputs = {flags},
                .attrs = attrs({{"equation", std::string("ij->ji")}})});
    ADD_FAILURE() << "no error for a bool input";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(kTestNodeName), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hone::test
