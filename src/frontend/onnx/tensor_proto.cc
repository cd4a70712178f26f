#include "frontend/onnx/tensor_proto.h"

#include <onnx/onnx_pb.h>
#include <sys/mman.h>

#include <bit>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "frontend/onnx/file_bytes.h"

namespace hone {

// raw_data is little endian by the ONNX spec; hone copies it as is.
static_assert(std::endian::native == std::endian::little, "hone assumes a little-endian host");

namespace {

namespace fs = std::filesystem;

std::string tensor_label(const onnx::TensorProto& proto, const std::string& where) {
  std::string name = proto.name().empty() ? "<unnamed>" : proto.name();
  return (where.empty() ? "" : where + ": ") + "tensor '" + name + "'";
}

Shape proto_shape(const onnx::TensorProto& proto, const std::string& label) {
  Shape shape;
  for (int64_t d : proto.dims()) {
    if (d < 0) throw Error(label + ": negative dimension " + std::to_string(d));
    shape.push_back(d);
  }
  try {
    shape_numel(shape);
  } catch (const Error&) {
    throw Error(label + ": shape " + shape_to_string(shape) + " is too large");
  }
  return shape;
}

// Copies `count` values of a repeated field into the tensor, converting each to T.
template <class T, class Field>
void copy_field(const Field& field, Tensor& out, const std::string& label, const char* field_name) {
  if (field.size() != out.numel())
    throw Error(label + ": " + field_name + " holds " + std::to_string(field.size()) +
                " values, the shape " + shape_to_string(out.shape()) + " needs " +
                std::to_string(out.numel()));
  T* dst = static_cast<T*>(out.raw());
  for (int i = 0; i < field.size(); ++i) dst[i] = static_cast<T>(field.Get(i));
}

// Resolves an external data location against base_dir, refusing paths that leave it.
fs::path external_path(const std::string& location, const std::string& base_dir,
                       const std::string& label) {
  if (location.empty()) throw Error(label + ": external data has no 'location'");
  fs::path rel(location);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory())
    throw Error(label + ": external data location '" + location +
                "' must be relative to the model's directory");
  for (const fs::path& part : rel)
    if (part == "..")
      throw Error(label + ": external data location '" + location +
                  "' must not leave the model's directory");
  return fs::path(base_dir.empty() ? "." : base_dir) / rel;
}

int64_t parse_external_int(const std::string& key, const std::string& text,
                           const std::string& label) {
  size_t used = 0;
  long long v = -1;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || v < 0)
    throw Error(label + ": external data '" + key + "' is not a valid size: '" + text + "'");
  return static_cast<int64_t>(v);
}

void read_external(const onnx::TensorProto& proto, const std::string& base_dir,
                   const std::string& label, Tensor& out) {
  std::string location;
  int64_t offset = 0;
  int64_t length = -1;
  for (const auto& kv : proto.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset")
      offset = parse_external_int("offset", kv.value(), label);
    else if (kv.key() == "length")
      length = parse_external_int("length", kv.value(), label);
  }
  fs::path path = external_path(location, base_dir, label);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw Error(label + ": external data file '" + path.string() + "' does not exist");
  const auto file_size = static_cast<int64_t>(fs::file_size(path, ec));
  if (ec) throw Error(label + ": cannot read external data file '" + path.string() + "'");
  const auto need = static_cast<int64_t>(out.nbytes());
  if (length < 0) length = need;
  if (length != need)
    throw Error(label + ": external data length " + std::to_string(length) + " bytes, the shape " +
                shape_to_string(out.shape()) + " needs " + std::to_string(need));
  if (offset > file_size || length > file_size - offset)
    throw Error(label + ": external data [" + std::to_string(offset) + ", " +
                std::to_string(offset + length) + ") lies beyond the end of '" + path.string() +
                "' (" + std::to_string(file_size) + " bytes)");
  std::ifstream in(path, std::ios::binary);
  in.seekg(offset);
  if (length > 0) in.read(static_cast<char*>(out.raw()), static_cast<std::streamsize>(length));
  if (!in) throw Error(label + ": cannot read external data file '" + path.string() + "'");
}

void read_typed(const onnx::TensorProto& proto, const std::string& label, Tensor& out) {
  switch (out.dtype()) {
    case DType::kFloat32:
      copy_field<float>(proto.float_data(), out, label, "float_data");
      return;
    case DType::kFloat64:
      copy_field<double>(proto.double_data(), out, label, "double_data");
      return;
    case DType::kInt64:
      copy_field<int64_t>(proto.int64_data(), out, label, "int64_data");
      return;
    case DType::kUInt32:
      copy_field<uint32_t>(proto.uint64_data(), out, label, "uint64_data");
      return;
    case DType::kUInt64:
      copy_field<uint64_t>(proto.uint64_data(), out, label, "uint64_data");
      return;
    case DType::kInt32:
      copy_field<int32_t>(proto.int32_data(), out, label, "int32_data");
      return;
    case DType::kInt16:
      copy_field<int16_t>(proto.int32_data(), out, label, "int32_data");
      return;
    case DType::kInt8:
      copy_field<int8_t>(proto.int32_data(), out, label, "int32_data");
      return;
    case DType::kUInt16:
    case DType::kFloat16:
    case DType::kBFloat16:
      // float16/bfloat16 travel as their 16-bit patterns in int32_data.
      copy_field<uint16_t>(proto.int32_data(), out, label, "int32_data");
      return;
    case DType::kUInt8:
      copy_field<uint8_t>(proto.int32_data(), out, label, "int32_data");
      return;
    case DType::kBool: {
      copy_field<uint8_t>(proto.int32_data(), out, label, "int32_data");
      auto* b = static_cast<uint8_t*>(out.raw());
      for (int64_t i = 0; i < out.numel(); ++i) b[i] = b[i] != 0 ? 1 : 0;
      return;
    }
    default:
      break;
  }
  throw UnsupportedError(label + ": element type " + std::string(dtype_name(out.dtype())) +
                         " is not supported");
}

// A tensor whose every byte the caller writes. A large one starts on a 2 MiB boundary with
// transparent huge pages requested for its whole 2 MiB pages: the weights are first touched
// here, and a fault per 4 KiB page costs several times the copy itself (on a VM, about
// 3 ms per MB against 0.1). The tail stays on small pages, so RSS does not grow.
Tensor uninitialized_tensor(DType dtype, Shape shape) {
  constexpr size_t kHugePage = size_t{2} << 20;
  const size_t bytes = static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype);
  if (bytes < 2 * kHugePage) return Tensor(dtype, std::move(shape));
  const size_t reserved = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, reserved);
  if (!p) throw Error("out of memory allocating " + std::to_string(bytes) + " bytes");
  // Advice only: where it is refused the pages are small, which costs time, not correctness.
  ::madvise(p, bytes / kHugePage * kHugePage, MADV_HUGEPAGE);
  return Tensor::view(dtype, std::move(shape),
                      std::shared_ptr<void>(p, [](void* q) { std::free(q); }), p);
}

}  // namespace

Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir,
                         const std::string& where) {
  const std::string label = tensor_label(proto, where);
  const auto dtype = static_cast<DType>(proto.data_type());
  if (!dtype_is_storable(dtype) || dtype_size(dtype) == 0) {
    std::string name = proto.data_type() == 0 ? "undefined" : std::string(dtype_name(dtype));
    if (name.empty()) name = std::string("#") + std::to_string(proto.data_type());
    throw UnsupportedError(label + ": element type " + name + " is not supported");
  }
  if (proto.has_segment()) throw UnsupportedError(label + ": segmented tensors are not supported");
  Tensor out = uninitialized_tensor(dtype, proto_shape(proto, label));
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    read_external(proto, base_dir, label, out);
  } else if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    if (raw.size() != out.nbytes())
      throw Error(label + ": raw_data holds " + std::to_string(raw.size()) + " bytes, the shape " +
                  shape_to_string(out.shape()) + " of " + std::string(dtype_name(dtype)) +
                  " needs " + std::to_string(out.nbytes()));
    if (!raw.empty()) std::memcpy(out.raw(), raw.data(), raw.size());
    if (dtype == DType::kBool) {
      auto* b = static_cast<uint8_t*>(out.raw());
      for (int64_t i = 0; i < out.numel(); ++i) b[i] = b[i] != 0 ? 1 : 0;
    }
  } else {
    read_typed(proto, label, out);
  }
  return out;
}

Tensor read_tensor_pb_file(const std::string& path, std::string* name) {
  std::string bytes = read_file_bytes(path);
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes) || !proto.unknown_fields().empty())
    throw Error(path + ": not a valid serialized ONNX TensorProto");
  if (name) *name = proto.name();
  std::string dir = fs::path(path).parent_path().string();
  return tensor_from_proto(proto, dir, path);
}

}  // namespace hone
