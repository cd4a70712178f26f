// Atomic file writes: data goes to a temporary file in the target's directory, is flushed
// to disk and then renamed over the target, so readers see the old file or the complete new
// one, never a torn write (records, packages, .npz outputs).
#pragma once

#include <string>
#include <string_view>

namespace hone {

// Streams a file into place. Nothing is visible at `path` until commit(); destroying the
// writer without commit() removes the temporary file. Errors are hone::Error naming `path`.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(std::string_view bytes);
  // Flushes, closes and renames the temporary file to the target path.
  void commit();

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

// Writes `bytes` to `path` atomically (AtomicFileWriter in one call).
void write_file_atomically(const std::string& path, std::string_view bytes);

// Fails fast, before any long work, when a file could not be written at `path`: the
// directory is missing or not writable, or `path` is a directory. Creates and removes a probe
// file to be sure. `what` names the path's role in the message ("--outputs").
void check_file_writable(const std::string& path, std::string_view what = "");

}  // namespace hone
