#include "ops/einsum/einsum_equation.h"

#include <algorithm>
#include <array>
#include <string>

#include "core/error.h"

namespace hone {
namespace {

constexpr int kEllipsis = -1;  // marks "..." among a parsed term's letters

bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Built by appending: GCC 12 warns falsely (-Wrestrict) on "'" + std::string(1, c).
std::string quoted(char c) {
  std::string s = "'";
  s += c;
  s += '\'';
  return s;
}

class EquationError {
 public:
  explicit EquationError(std::string_view equation) : equation_(equation) {}
  [[noreturn]] void fail(const std::string& message) const {
    throw Error("equation '" + equation_ + "': " + message);
  }

 private:
  std::string equation_;
};

// A term's letters in order (as char codes), with kEllipsis where "..." stands.
std::vector<int> parse_term(std::string_view term, const EquationError& err) {
  std::vector<int> items;
  bool ellipsis = false;
  for (size_t i = 0; i < term.size(); ++i) {
    const char c = term[i];
    if (is_letter(c)) {
      items.push_back(c);
    } else if (c == '.') {
      if (term.substr(i, 3) != "...")
        err.fail("term '" + std::string(term) + "' has a '.' that does not start '...'");
      if (ellipsis) err.fail("term '" + std::string(term) + "' has more than one '...'");
      ellipsis = true;
      items.push_back(kEllipsis);
      i += 2;
    } else {
      err.fail("term '" + std::string(term) + "' has the character " + quoted(c) +
               " (terms hold letters and '...')");
    }
  }
  return items;
}

size_t letter_count(const std::vector<int>& items) {
  return static_cast<size_t>(
      std::count_if(items.begin(), items.end(), [](int item) { return item != kEllipsis; }));
}

bool has_ellipsis(const std::vector<int>& items) {
  return std::find(items.begin(), items.end(), kEllipsis) != items.end();
}

std::string letter_name(int c) {
  return quoted(static_cast<char>(c));
}

}  // namespace

Shape EinsumPlan::output_shape() const {
  Shape shape;
  for (int l : output_labels) shape.push_back(label_sizes[static_cast<size_t>(l)]);
  return shape;
}

std::vector<int64_t> EinsumPlan::label_strides(size_t i) const {
  std::vector<int64_t> strides(label_sizes.size(), 0);
  const Shape& shape = input_shapes[i];
  int64_t stride = 1;
  for (size_t a = shape.size(); a-- > 0;) {
    const auto l = static_cast<size_t>(input_labels[i][a]);
    if (shape[a] == label_sizes[l]) strides[l] += stride;
    stride *= shape[a];
  }
  return strides;
}

std::vector<bool> EinsumPlan::label_present(size_t i) const {
  std::vector<bool> present(label_sizes.size(), false);
  for (size_t a = 0; a < input_shapes[i].size(); ++a) {
    const auto l = static_cast<size_t>(input_labels[i][a]);
    if (input_shapes[i][a] == label_sizes[l]) present[l] = true;
  }
  return present;
}

EinsumPlan plan_einsum(std::string_view equation, std::span<const Shape> shapes) {
  const EquationError err(equation);
  std::string eq;
  for (char c : equation)
    if (c != ' ') eq.push_back(c);
  const size_t arrow = eq.find("->");
  const bool explicit_output = arrow != std::string::npos;
  const std::string lhs = eq.substr(0, arrow);
  const std::string rhs = explicit_output ? eq.substr(arrow + 2) : "";
  if (rhs.find("->") != std::string::npos) err.fail("has more than one '->'");

  std::vector<std::vector<int>> terms;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(parse_term(std::string_view(lhs).substr(start, comma - start), err));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != shapes.size())
    err.fail("has " + std::to_string(terms.size()) + " input terms for " +
             std::to_string(shapes.size()) + " inputs");

  // Ellipsis dimensions align to the right, as in numpy broadcasting: labels 0..E-1.
  size_t ellipsis_rank = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    const size_t letters = letter_count(terms[i]), rank = shapes[i].size();
    const bool ellipsis = has_ellipsis(terms[i]);
    if (ellipsis ? letters > rank : letters != rank)
      err.fail("input " + std::to_string(i) + " has rank " + std::to_string(rank) + ", its term " +
               (ellipsis ? "has more letters (" : "has ") + std::to_string(letters) +
               (ellipsis ? ")" : " letters"));
    if (ellipsis) ellipsis_rank = std::max(ellipsis_rank, rank - letters);
  }

  EinsumPlan plan;
  plan.label_sizes.assign(ellipsis_rank, 1);
  plan.input_shapes.assign(shapes.begin(), shapes.end());
  std::array<int, 128> letter_label;
  letter_label.fill(-1);
  std::array<int, 128> letter_uses{};
  std::array<size_t, 128> letter_input{};  // the input that set the letter's size
  for (size_t i = 0; i < terms.size(); ++i) {
    const Shape& shape = shapes[i];
    const size_t own_ellipsis = shape.size() - letter_count(terms[i]);
    std::vector<int>& labels = plan.input_labels.emplace_back();
    for (int item : terms[i]) {
      if (item == kEllipsis) {
        for (size_t e = 0; e < own_ellipsis; ++e) {
          const size_t l = ellipsis_rank - own_ellipsis + e;
          const int64_t dim = shape[labels.size()];
          int64_t& size = plan.label_sizes[l];
          if (dim != 1 && size != 1 && dim != size)
            err.fail("the '...' dimensions of the inputs do not broadcast (input " +
                     std::to_string(i) + " has shape " + shape_to_string(shape) + ")");
          if (dim != 1) size = dim;
          labels.push_back(static_cast<int>(l));
        }
        continue;
      }
      const int64_t dim = shape[labels.size()];
      int& label = letter_label[static_cast<size_t>(item)];
      ++letter_uses[static_cast<size_t>(item)];
      if (label < 0) {
        label = static_cast<int>(plan.label_sizes.size());
        plan.label_sizes.push_back(dim);
        letter_input[static_cast<size_t>(item)] = i;
      } else if (plan.label_sizes[static_cast<size_t>(label)] != dim) {
        err.fail("letter " + letter_name(item) + " has size " +
                 std::to_string(plan.label_sizes[static_cast<size_t>(label)]) + " in input " +
                 std::to_string(letter_input[static_cast<size_t>(item)]) + " and size " +
                 std::to_string(dim) + " in input " + std::to_string(i));
      }
      labels.push_back(label);
    }
  }

  if (!explicit_output) {
    for (size_t l = 0; l < ellipsis_rank; ++l) plan.output_labels.push_back(static_cast<int>(l));
    for (size_t c = 0; c < letter_label.size(); ++c)
      if (letter_uses[c] == 1) plan.output_labels.push_back(letter_label[c]);
    return plan;
  }
  const std::vector<int> out = parse_term(rhs, err);
  if (!has_ellipsis(out) && ellipsis_rank > 0)
    err.fail("the inputs have '...' dimensions but the output term '" + rhs + "' has no '...'");
  std::array<bool, 128> seen{};
  for (int item : out) {
    if (item == kEllipsis) {
      for (size_t l = 0; l < ellipsis_rank; ++l) plan.output_labels.push_back(static_cast<int>(l));
      continue;
    }
    const auto c = static_cast<size_t>(item);
    if (letter_label[c] < 0) err.fail("output letter " + letter_name(item) + " is in no input");
    if (seen[c]) err.fail("output letter " + letter_name(item) + " appears more than once");
    seen[c] = true;
    plan.output_labels.push_back(letter_label[c]);
  }
  return plan;
}

}  // namespace hone
