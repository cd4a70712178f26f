#include "core/npy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "core/atomic_file.h"

namespace hone {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr size_t kAlignment = 64;  // numpy >= 1.16 aligns the data start to 64 bytes

struct DescrInfo {
  std::string_view code;  // kind and size without the byte-order character
  DType dtype;
};

constexpr DescrInfo kDescrs[] = {
    {"f2", DType::kFloat16}, {"f4", DType::kFloat32}, {"f8", DType::kFloat64},
    {"i1", DType::kInt8},    {"i2", DType::kInt16},   {"i4", DType::kInt32},
    {"i8", DType::kInt64},   {"u1", DType::kUInt8},   {"u2", DType::kUInt16},
    {"u4", DType::kUInt32},  {"u8", DType::kUInt64},  {"b1", DType::kBool},
};

// A value of the header dictionary: a string, a bool or a tuple of integers.
struct HeaderValue {
  enum class Kind { kString, kBool, kTuple } kind = Kind::kString;
  std::string text;
  bool flag = false;
  std::vector<int64_t> ints;
};

// Parser of the Python dict literal numpy writes as the header, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& where) : s_(text), where_(where) {}

  std::vector<std::pair<std::string, HeaderValue>> parse_dict() {
    std::vector<std::pair<std::string, HeaderValue>> items;
    skip_space();
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') {
        ++pos_;
        break;
      }
      std::string key = parse_string();
      skip_space();
      expect(':');
      skip_space();
      HeaderValue value = parse_value();
      items.emplace_back(std::move(key), std::move(value));
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      skip_space();
      expect('}');
      break;
    }
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the header dictionary");
    return items;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(where_ + ": malformed .npy header (" + what + " at offset " + std::to_string(pos_) +
                ")");
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r'))
      ++pos_;
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string parse_string() {
    char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted string");
    ++pos_;
    size_t end = s_.find(quote, pos_);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string out(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return out;
  }
  bool starts_with(std::string_view word) const { return s_.substr(pos_).starts_with(word); }
  HeaderValue parse_value() {
    HeaderValue v;
    char c = peek();
    if (c == '\'' || c == '"') {
      v.kind = HeaderValue::Kind::kString;
      v.text = parse_string();
    } else if (starts_with("True") || starts_with("False")) {
      v.kind = HeaderValue::Kind::kBool;
      v.flag = starts_with("True");
      pos_ += v.flag ? 4 : 5;
    } else if (c == '(') {
      v.kind = HeaderValue::Kind::kTuple;
      ++pos_;
      while (true) {
        skip_space();
        if (peek() == ')') {
          ++pos_;
          break;
        }
        v.ints.push_back(parse_int());
        skip_space();
        if (peek() == ',') {
          ++pos_;
        } else {
          expect(')');
          break;
        }
      }
    } else if (c == '[') {
      fail("structured dtypes are not supported");
    } else {
      fail("expected a string, True, False or a tuple");
    }
    return v;
  }
  int64_t parse_int() {
    if (peek() < '0' || peek() > '9') fail("expected a non-negative integer dimension");
    int64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      if (v > (INT64_MAX - 9) / 10) fail("dimension too large");
      v = v * 10 + (peek() - '0');
      ++pos_;
    }
    if (peek() == 'L') ++pos_;  // Python 2 long literal
    return v;
  }

  std::string_view s_;
  size_t pos_ = 0;
  const std::string& where_;
};

uint32_t read_le(std::string_view bytes, size_t offset, size_t width) {
  uint32_t v = 0;
  for (size_t i = 0; i < width; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
  return v;
}

void byteswap_elements(void* data, size_t count, size_t width) {
  auto* p = static_cast<unsigned char*>(data);
  for (size_t i = 0; i < count; ++i) std::reverse(p + i * width, p + (i + 1) * width);
}

std::string shape_tuple(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

}  // namespace

std::string npy_descr(DType dtype) {
  for (const DescrInfo& d : kDescrs)
    if (d.dtype == dtype) {
      std::string descr(1, dtype_size(dtype) == 1 ? '|' : '<');
      descr.append(d.code);
      return descr;
    }
  throw Error("element type " + std::string(dtype_name(dtype)) + " has no NumPy .npy type");
}

Tensor parse_npy(std::string_view bytes, const std::string& where) {
  if (bytes.size() < 10 || bytes.substr(0, kMagic.size()) != kMagic)
    throw Error(where + ": not a .npy file (bad magic string)");
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0)
    throw Error(where + ": unsupported .npy format version " + std::to_string(major) + "." +
                std::to_string(minor));
  const size_t len_width = major == 1 ? 2 : 4;
  const size_t header_start = 8 + len_width;
  if (bytes.size() < header_start) throw Error(where + ": truncated .npy header");
  const size_t header_len = read_le(bytes, 8, len_width);
  if (bytes.size() - header_start < header_len)
    throw Error(where + ": truncated .npy header (" + std::to_string(header_len) +
                " header bytes declared, " + std::to_string(bytes.size() - header_start) +
                " present)");
  std::string_view header = bytes.substr(header_start, header_len);

  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<Shape> shape;
  for (auto& [key, value] : HeaderParser(header, where).parse_dict()) {
    using Kind = HeaderValue::Kind;
    if (key == "descr" && value.kind == Kind::kString) {
      descr = value.text;
    } else if (key == "fortran_order" && value.kind == Kind::kBool) {
      fortran_order = value.flag;
    } else if (key == "shape" && value.kind == Kind::kTuple) {
      shape = value.ints;
    } else {
      throw Error(where + ": malformed .npy header (unexpected key '" + key +
                  "' or value of the wrong kind)");
    }
  }
  if (!descr || !fortran_order || !shape)
    throw Error(where + ": malformed .npy header (needs 'descr', 'fortran_order' and 'shape')");
  if (*fortran_order)
    throw Error(where +
                ": Fortran-order arrays are not supported (save a C-order array, "
                "e.g. numpy.ascontiguousarray)");

  DType dtype = DType::kUndefined;
  bool swap = false;
  if (descr->size() == 3) {
    char order = (*descr)[0];
    std::string_view code = std::string_view(*descr).substr(1);
    for (const DescrInfo& d : kDescrs)
      if (d.code == code) dtype = d.dtype;
    if (order != '<' && order != '>' && order != '|' && order != '=') dtype = DType::kUndefined;
    swap = order == '>' && dtype != DType::kUndefined && dtype_size(dtype) > 1;
  }
  if (dtype == DType::kUndefined) throw Error(where + ": unsupported .npy dtype '" + *descr + "'");

  int64_t numel = 0;
  try {
    numel = shape_numel(*shape);
  } catch (const Error&) {
    throw Error(where + ": .npy shape " + shape_to_string(*shape) + " is too large");
  }
  const size_t width = dtype_size(dtype);
  const size_t data_start = header_start + header_len;
  const size_t have = bytes.size() - data_start;
  if (static_cast<uint64_t>(numel) > (UINT64_MAX / width) ||
      static_cast<uint64_t>(numel) * width != have) {
    const bool too_big = static_cast<uint64_t>(numel) > (UINT64_MAX / width);
    const uint64_t need = too_big ? 0 : static_cast<uint64_t>(numel) * width;
    if (too_big || have < need)
      throw Error(where + ": truncated .npy data (shape " + shape_to_string(*shape) + " needs " +
                  (too_big ? std::string("too many") : std::to_string(need)) + " bytes, " +
                  std::to_string(have) + " present)");
    throw Error(where + ": " + std::to_string(have - need) +
                " unexpected bytes after the .npy data");
  }

  Tensor t(dtype, *shape);
  if (have > 0) std::memcpy(t.raw(), bytes.data() + data_start, have);
  if (swap) byteswap_elements(t.raw(), static_cast<size_t>(numel), width);
  if (dtype == DType::kBool) {
    const auto* b = static_cast<const unsigned char*>(t.raw());
    for (int64_t i = 0; i < numel; ++i)
      if (b[i] > 1)
        throw Error(where + ": bool element " + std::to_string(i) + " has byte value " +
                    std::to_string(b[i]) + " (expected 0 or 1)");
  }
  return t;
}

std::string serialize_npy(const Tensor& t) {
  if (t.empty()) throw Error("cannot write an empty (undefined) tensor as .npy");
  std::string dict = "{'descr': '" + npy_descr(t.dtype()) +
                     "', 'fortran_order': False, 'shape': " + shape_tuple(t.shape()) + ", }";
  // Version 1.0 stores the header length in 2 bytes; longer headers need 2.0 (4 bytes).
  int major = 1;
  size_t prefix = kMagic.size() + 2 + 2;
  if (prefix + dict.size() + 1 > 65535) {
    major = 2;
    prefix = kMagic.size() + 2 + 4;
  }
  size_t total = prefix + dict.size() + 1;
  size_t padded = (total + kAlignment - 1) / kAlignment * kAlignment;
  dict.append(padded - total, ' ');
  dict.push_back('\n');
  const size_t header_len = dict.size();

  std::string out;
  out.reserve(padded + t.nbytes());
  out.append(kMagic);
  out.push_back(static_cast<char>(major));
  out.push_back(0);
  for (size_t i = 0; i < (major == 1 ? 2u : 4u); ++i)
    out.push_back(static_cast<char>((header_len >> (8 * i)) & 0xFF));
  out += dict;
  out.append(static_cast<const char*>(t.raw()), t.nbytes());
  return out;
}

std::string read_whole_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open '" + path + "': " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw Error("cannot read '" + path + "': it is a directory");
  }
  std::string out;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      throw Error("cannot read '" + path + "': " + why);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Tensor read_npy_file(const std::string& path) {
  return parse_npy(read_whole_file(path), "'" + path + "'");
}

void write_npy_file(const std::string& path, const Tensor& t) {
  write_file_atomically(path, serialize_npy(t));
}

}  // namespace hone
