#include "cli/input_shapes.h"

#include <cctype>

#include "core/error.h"

namespace hone {
namespace {

constexpr std::string_view kExample = "expected NAME:[D1,D2,...], e.g. \"data:[1,3,224,224]\"";

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

[[noreturn]] void fail(std::string_view entry, const std::string& why) {
  throw Error("--input-shapes: " + why + " in '" + std::string(entry) + "' (" +
              std::string(kExample) + ")");
}

// Parses "[d1, d2, ...]" (the brackets included) of `entry`.
Shape parse_dims(std::string_view dims, std::string_view entry) {
  Shape shape;
  size_t i = 1;  // past '['
  auto skip = [&] {
    while (i < dims.size() && is_space(dims[i])) ++i;
  };
  skip();
  if (dims[i] == ']') return shape;
  while (true) {
    skip();
    if (i < dims.size() && dims[i] == '-')
      fail(entry, "negative dimension (hone needs static shapes)");
    if (i >= dims.size() || !std::isdigit(static_cast<unsigned char>(dims[i])))
      fail(entry, "a dimension is not a non-negative integer");
    int64_t d = 0;
    while (i < dims.size() && std::isdigit(static_cast<unsigned char>(dims[i]))) {
      if (d > (INT64_MAX - 9) / 10) fail(entry, "dimension too large");
      d = d * 10 + (dims[i] - '0');
      ++i;
    }
    shape.push_back(d);
    skip();
    if (dims[i] == ']') return shape;
    if (dims[i] != ',') fail(entry, "expected ',' or ']' after a dimension");
    ++i;
  }
}

}  // namespace

std::map<std::string, Shape> parse_input_shapes(std::string_view text) {
  std::map<std::string, Shape> shapes;
  size_t pos = 0;
  while (true) {
    while (pos < text.size() && is_space(text[pos])) ++pos;
    if (pos >= text.size()) break;
    // An entry runs to the ']' closing its dimension list.
    size_t open = text.find('[', pos);
    size_t end_of_word = pos;
    while (end_of_word < text.size() && !is_space(text[end_of_word])) ++end_of_word;
    std::string_view word = text.substr(pos, end_of_word - pos);
    if (open == std::string_view::npos) fail(word, "no '[...]' dimension list");
    // Only "name: [" may put a space before the '['; anything else is a malformed entry.
    if (end_of_word < open && (word.empty() || word.back() != ':'))
      fail(word, "no '[...]' dimension list");
    for (size_t k = end_of_word; k < open; ++k)
      if (!is_space(text[k])) fail(word, "no '[...]' dimension list");
    size_t close = text.find(']', open);
    if (close == std::string_view::npos) fail(text.substr(pos), "no closing ']'");
    std::string_view entry = text.substr(pos, close + 1 - pos);

    std::string_view head = text.substr(pos, open - pos);  // "name:" (maybe "name: ")
    while (!head.empty() && is_space(head.back())) head.remove_suffix(1);
    if (head.empty() || head.back() != ':') fail(entry, "missing ':' before '['");
    std::string_view name = head.substr(0, head.size() - 1);
    if (name.empty()) fail(entry, "empty input name");
    for (char c : name)
      if (is_space(c) || c == '[' || c == ']' || c == ',')
        fail(entry, "input name contains '" + std::string(1, c) + "'");
    if (text.substr(open + 1, close - open - 1).find('[') != std::string_view::npos)
      fail(entry, "nested '['");

    Shape shape = parse_dims(text.substr(open, close + 1 - open), entry);
    if (!shapes.emplace(std::string(name), shape).second)
      throw Error("--input-shapes: input '" + std::string(name) + "' is given twice");
    pos = close + 1;
    if (pos < text.size() && !is_space(text[pos]))
      fail(text.substr(pos - entry.size()), "inputs must be separated by spaces");
  }
  if (shapes.empty())
    throw Error("--input-shapes: no shapes given (" + std::string(kExample) + ")");
  return shapes;
}

}  // namespace hone
