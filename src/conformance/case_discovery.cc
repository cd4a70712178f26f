#include "conformance/case_discovery.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <optional>
#include <system_error>
#include <utility>

#include "core/error.h"

namespace hone {
namespace {

namespace fs = std::filesystem;

bool file_exists(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool dir_exists(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// Subdirectories of `dir`, sorted by name; unreadable directories give an empty list.
std::vector<fs::path> subdirectories(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (dir_exists(it->path())) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

CaseDir make_case(const fs::path& dir) {
  CaseDir c;
  c.path = dir.string();
  c.name = dir.filename().string();
  if (c.name.empty()) c.name = dir.parent_path().filename().string();  // "dir/" spelling
  c.has_model = file_exists(dir / "model.onnx");
  c.has_data_json = file_exists(dir / "data.json");
  return c;
}

// Parses the decimal number that `name` holds after `prefix` and before `suffix`.
std::optional<int> parse_numbered(const std::string& name, const std::string& prefix,
                                  const std::string& suffix) {
  if (name.size() <= prefix.size() + suffix.size()) return std::nullopt;
  if (name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return std::nullopt;
  const char* first = name.data() + prefix.size();
  const char* last = name.data() + name.size() - suffix.size();
  int value = 0;
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr != last || value < 0) return std::nullopt;
  return value;
}

}  // namespace

bool is_case_dir(const std::string& dir) {
  const fs::path p(dir);
  return file_exists(p / "model.onnx") || file_exists(p / "data.json");
}

std::vector<CaseDir> discover_cases(const std::string& dir, const std::string& filter) {
  const fs::path root(dir);
  if (!dir_exists(root)) throw Error("conformance: '" + dir + "' is not a directory");

  std::vector<std::pair<std::string, CaseDir>> found;  // (relative path, case)
  auto add = [&](const fs::path& p) {
    CaseDir c = make_case(p);
    if (c.name.find(filter) == std::string::npos) return;
    std::error_code ec;
    std::string rel = fs::relative(p, root, ec).generic_string();
    found.emplace_back(ec ? p.generic_string() : rel, std::move(c));
  };

  if (is_case_dir(dir)) {
    add(root);
  } else {
    for (const fs::path& sub : subdirectories(root)) {
      if (is_case_dir(sub.string())) {
        add(sub);
        continue;
      }
      for (const fs::path& subsub : subdirectories(sub)) {
        if (is_case_dir(subsub.string())) add(subsub);
      }
    }
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<CaseDir> out;
  out.reserve(found.size());
  for (auto& [rel, c] : found) out.push_back(std::move(c));
  return out;
}

std::vector<std::string> list_data_sets(const std::string& case_path) {
  std::vector<std::pair<int, std::string>> sets;
  for (const fs::path& sub : subdirectories(case_path)) {
    if (auto n = parse_numbered(sub.filename().string(), "test_data_set_", ""))
      sets.emplace_back(*n, sub.string());
  }
  std::sort(sets.begin(), sets.end());
  std::vector<std::string> out;
  for (auto& [n, path] : sets) out.push_back(std::move(path));
  return out;
}

std::vector<std::string> list_numbered_pb_files(const std::string& data_set_path,
                                                const std::string& prefix) {
  std::vector<std::pair<int, std::string>> files;
  std::error_code ec;
  for (fs::directory_iterator it(data_set_path, ec), end; !ec && it != end; it.increment(ec)) {
    if (!file_exists(it->path())) continue;
    if (auto n = parse_numbered(it->path().filename().string(), prefix, ".pb"))
      files.emplace_back(*n, it->path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].first != static_cast<int>(i))
      throw Error("conformance: " + data_set_path + " has " + prefix +
                  std::to_string(files[i].first) + ".pb but no " + prefix + std::to_string(i) +
                  ".pb");
    out.push_back(std::move(files[i].second));
  }
  return out;
}

}  // namespace hone
