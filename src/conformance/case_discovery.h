// Finds ONNX backend test cases on disk: case directories (model.onnx, or data.json for the
// "real" suite whose models must be downloaded) and their test_data_set_N/{input,output}_K.pb.
#pragma once

#include <string>
#include <vector>

namespace hone {

struct CaseDir {
  std::string name;            // the directory's own name, e.g. "test_abs"
  std::string path;            // full path of the directory
  bool has_model = false;      // model.onnx is present
  bool has_data_json = false;  // data.json is present (tolerances, download URL)
};

// True when `dir` is itself a test case (holds model.onnx or data.json).
bool is_case_dir(const std::string& dir);

// The cases under `dir`: `dir` itself when it is a case, else its subdirectories that are
// cases, searched two levels deep. Only cases whose name contains `filter` are kept. Sorted
// by path relative to `dir` (so by name within one suite). Throws hone::Error when `dir` is
// not a directory.
std::vector<CaseDir> discover_cases(const std::string& dir, const std::string& filter = "");

// The test_data_set_N subdirectories of a case, ordered by N.
std::vector<std::string> list_data_sets(const std::string& case_path);

// The files `<prefix>K.pb` of a data set directory (prefix "input_" or "output_"), ordered by
// K. Throws hone::Error when the numbering has a gap (input_0.pb, input_2.pb).
std::vector<std::string> list_numbered_pb_files(const std::string& data_set_path,
                                                const std::string& prefix);

}  // namespace hone
