#include "core/npz.h"

#include <zip.h>

#include <memory>
#include <set>

#include "core/atomic_file.h"
#include "core/npy.h"

namespace hone {
namespace {

constexpr std::string_view kSuffix = ".npy";

std::string zip_error_text(zip_error_t* err) {
  std::string s = zip_error_strerror(err);
  return s;
}

// Owns a zip_error_t (libzip keeps a malloc'd message in it).
struct ZipError {
  zip_error_t err;
  ZipError() { zip_error_init(&err); }
  ~ZipError() { zip_error_fini(&err); }
  ZipError(const ZipError&) = delete;
  ZipError& operator=(const ZipError&) = delete;
};

struct ZipDiscard {
  void operator()(zip_t* za) const { zip_discard(za); }
};
using ZipArchive = std::unique_ptr<zip_t, ZipDiscard>;

struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

struct ZipSourceFree {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};
using ZipSource = std::unique_ptr<zip_source_t, ZipSourceFree>;

std::string read_entry(zip_t* za, zip_uint64_t index, const zip_stat_t& st,
                       const std::string& where) {
  std::unique_ptr<zip_file_t, ZipFileClose> f(zip_fopen_index(za, index, 0));
  if (!f) throw Error(where + ": cannot open entry: " + zip_strerror(za));
  std::string out;
  // Read in chunks rather than trusting the declared size for one big allocation: a
  // corrupt header could claim terabytes.
  std::string chunk(1 << 20, '\0');
  while (true) {
    zip_int64_t n = zip_fread(f.get(), chunk.data(), chunk.size());
    if (n < 0) throw Error(where + ": corrupt entry: " + zip_file_strerror(f.get()));
    if (n == 0) break;
    out.append(chunk.data(), static_cast<size_t>(n));
    if ((st.valid & ZIP_STAT_SIZE) && out.size() > st.size)
      throw Error(where + ": corrupt entry: more data than its declared size");
  }
  if ((st.valid & ZIP_STAT_SIZE) && out.size() != st.size)
    throw Error(where + ": corrupt entry: " + std::to_string(out.size()) + " bytes read, " +
                std::to_string(st.size) + " declared");
  return out;
}

}  // namespace

std::vector<NamedTensor> parse_npz(std::string_view bytes, const std::string& source) {
  const std::string file = "'" + source + "'";
  if (bytes.empty()) throw Error(file + ": the .npz file is empty");
  ZipError err;
  ZipSource src(zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err.err));
  if (!src) throw Error(file + ": cannot read .npz: " + zip_error_text(&err.err));
  ZipArchive za(zip_open_from_source(src.get(), ZIP_RDONLY | ZIP_CHECKCONS, &err.err));
  if (!za) throw Error(file + ": not a valid .npz (zip) file: " + zip_error_text(&err.err));
  src.release();  // the archive owns the source now

  std::vector<NamedTensor> out;
  std::set<std::string> seen;
  const zip_int64_t n = zip_get_num_entries(za.get(), 0);
  if (n < 0) throw Error(file + ": cannot list the .npz entries");
  for (zip_int64_t i = 0; i < n; ++i) {
    const auto index = static_cast<zip_uint64_t>(i);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za.get(), index, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME))
      throw Error(file + ": cannot read entry " + std::to_string(i) + ": " +
                  zip_strerror(za.get()));
    const std::string entry = st.name;
    const std::string where = file + " entry '" + entry + "'";
    if (entry.size() <= kSuffix.size() || !entry.ends_with(kSuffix))
      throw Error(where + ": not an array (.npz entries must be named NAME.npy)");
    std::string name = entry.substr(0, entry.size() - kSuffix.size());
    if (!seen.insert(name).second) throw Error(where + ": duplicate array name");
    std::string npy = read_entry(za.get(), index, st, where);
    out.push_back({std::move(name), parse_npy(npy, where)});
  }
  return out;
}

std::vector<NamedTensor> read_npz_file(const std::string& path) {
  return parse_npz(read_whole_file(path), path);
}

std::string serialize_npz(const std::vector<NamedTensor>& arrays, NpzCompression compression) {
  // Serialize first: libzip reads the buffers only in zip_close, so they must stay alive.
  std::vector<std::string> blobs;
  std::set<std::string> seen;
  for (const NamedTensor& a : arrays) {
    if (a.name.empty()) throw Error(".npz: an array has an empty name");
    if (!seen.insert(a.name).second) throw Error(".npz: duplicate array name '" + a.name + "'");
    try {
      blobs.push_back(serialize_npy(a.tensor));
    } catch (const Error& e) {
      throw Error(".npz array '" + a.name + "': " + e.what());
    }
  }

  if (arrays.empty()) {
    // libzip deletes an archive left with no entries instead of writing one, so write the
    // empty zip (a bare end-of-central-directory record) ourselves, as numpy.savez() does.
    std::string eocd("PK\x05\x06", 4);
    eocd.append(18, '\0');
    return eocd;
  }

  ZipError err;
  ZipSource buffer(zip_source_buffer_create(nullptr, 0, 0, &err.err));
  if (!buffer) throw Error(".npz: cannot create an archive: " + zip_error_text(&err.err));
  zip_source_keep(buffer.get());  // keep it after zip_close to read the archive out
  ZipArchive za(zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &err.err));
  if (!za) {
    zip_source_free(buffer.get());  // drop the extra reference taken above
    throw Error(".npz: cannot create an archive: " + zip_error_text(&err.err));
  }
  for (size_t i = 0; i < arrays.size(); ++i) {
    zip_source_t* s = zip_source_buffer(za.get(), blobs[i].data(), blobs[i].size(), 0);
    if (!s) throw Error(".npz: " + std::string(zip_strerror(za.get())));
    std::string entry = arrays[i].name + std::string(kSuffix);
    zip_int64_t idx = zip_file_add(za.get(), entry.c_str(), s, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
      zip_source_free(s);
      throw Error(".npz: cannot add '" + entry + "': " + zip_strerror(za.get()));
    }
    const zip_int32_t method =
        compression == NpzCompression::kDeflated ? ZIP_CM_DEFLATE : ZIP_CM_STORE;
    if (zip_set_file_compression(za.get(), static_cast<zip_uint64_t>(idx), method, 0) != 0)
      throw Error(".npz: cannot set compression: " + std::string(zip_strerror(za.get())));
  }
  if (zip_close(za.get()) != 0)
    throw Error(".npz: cannot write the archive: " + std::string(zip_strerror(za.get())));
  za.release();  // zip_close freed it

  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_source_stat(buffer.get(), &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
      zip_source_open(buffer.get()) != 0)
    throw Error(".npz: cannot read back the archive");
  std::string out(static_cast<size_t>(st.size), '\0');
  zip_int64_t got = zip_source_read(buffer.get(), out.data(), out.size());
  zip_source_close(buffer.get());
  if (got < 0 || static_cast<zip_uint64_t>(got) != st.size)
    throw Error(".npz: cannot read back the archive");
  return out;
}

void write_npz_file(const std::string& path, const std::vector<NamedTensor>& arrays,
                    NpzCompression compression) {
  std::string bytes;
  try {
    bytes = serialize_npz(arrays, compression);
  } catch (const Error& e) {
    throw Error("cannot write '" + path + "': " + e.what());
  }
  write_file_atomically(path, bytes);
}

}  // namespace hone
