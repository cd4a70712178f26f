#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace hone {
namespace {

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string errno_text() {
  return std::strerror(errno);
}

// Creates a unique temporary file next to `path`; returns its descriptor and sets *temp.
int create_temp_beside(const std::string& path, std::string* temp) {
  std::string name = path + ".tmp.XXXXXX";
  std::vector<char> buf(name.begin(), name.end());
  buf.push_back('\0');
  int fd = ::mkstemp(buf.data());
  if (fd < 0) return -1;
  *temp = buf.data();
  return fd;
}

std::string prefix(std::string_view what, const std::string& path) {
  std::string p = what.empty() ? std::string() : std::string(what) + ": ";
  return p + "cannot write '" + path + "'";
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw Error("cannot write a file with an empty path");
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw Error("cannot write '" + path_ + "': it is a directory");
  fd_ = create_temp_beside(path_, &temp_path_);
  if (fd_ < 0)
    throw Error("cannot write '" + path_ + "': cannot create a file in directory '" +
                parent_dir(path_) + "': " + errno_text());
  // mkstemp creates the file 0600; give the result the usual permissions of a new file.
  ::fchmod(fd_, 0644);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void AtomicFileWriter::write(std::string_view bytes) {
  if (fd_ < 0) throw Error("cannot write '" + path_ + "': the file is already committed");
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot write '" + path_ + "': " + errno_text());
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void AtomicFileWriter::commit() {
  if (fd_ < 0) throw Error("cannot write '" + path_ + "': the file is already committed");
  if (::fsync(fd_) != 0) throw Error("cannot write '" + path_ + "': " + errno_text());
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) throw Error("cannot write '" + path_ + "': " + errno_text());
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0)
    throw Error("cannot write '" + path_ + "': rename failed: " + errno_text());
  committed_ = true;
  // Make the rename itself durable; failure here loses nothing already visible.
  int dir = ::open(parent_dir(path_).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
  AtomicFileWriter w(path);
  w.write(bytes);
  w.commit();
}

void check_file_writable(const std::string& path, std::string_view what) {
  if (path.empty()) throw Error(prefix(what, path) + ": the path is empty");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw Error(prefix(what, path) + ": it is a directory");
    if (::access(path.c_str(), W_OK) != 0 && ::access(parent_dir(path).c_str(), W_OK) != 0)
      throw Error(prefix(what, path) + ": permission denied");
  }
  std::string dir = parent_dir(path);
  if (::stat(dir.c_str(), &st) != 0)
    throw Error(prefix(what, path) + ": directory '" + dir + "' does not exist");
  if (!S_ISDIR(st.st_mode)) throw Error(prefix(what, path) + ": '" + dir + "' is not a directory");
  std::string temp;
  int fd = create_temp_beside(path, &temp);
  if (fd < 0) throw Error(prefix(what, path) + ": " + errno_text());
  ::close(fd);
  ::unlink(temp.c_str());
}

}  // namespace hone
