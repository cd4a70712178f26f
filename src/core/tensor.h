// Tensor: a dtype, a static shape and a reference-counted, 64-byte-aligned buffer.
// Copies are shallow (they share the buffer, like ONNX Runtime's OrtValue); clone() copies data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"

namespace hone {

using Shape = std::vector<int64_t>;

// Number of elements of a shape (1 for a scalar, shape {}). Throws on negative dims or overflow.
int64_t shape_numel(const Shape& shape);
// "[1,3,224,224]"
std::string shape_to_string(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;
  // Allocates a zero-filled tensor.
  Tensor(DType dtype, Shape shape);
  // Wraps memory owned by `owner` (for example an mmap'd file); no copy is made.
  static Tensor view(DType dtype, Shape shape, std::shared_ptr<void> owner, void* data);

  template <class T>
  static Tensor from_vector(Shape shape, const std::vector<T>& values);
  template <class T>
  static Tensor scalar(T value) {
    return from_vector<T>({}, {value});
  }

  bool empty() const { return dtype_ == DType::kUndefined; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_.at(static_cast<size_t>(i)); }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }

  void* raw() { return data_; }
  const void* raw() const { return data_; }

  // Typed access; throws hone::Error if T does not match the dtype.
  template <class T>
  T* data() {
    check_type(dtype_of<T>());
    return static_cast<T*>(data_);
  }
  template <class T>
  const T* data() const {
    check_type(dtype_of<T>());
    return static_cast<const T*>(data_);
  }
  // Copies the elements into a vector (any integer or float dtype converted to T).
  template <class T>
  std::vector<T> to_vector() const;

  // Deep copy.
  Tensor clone() const;
  // Same buffer, new shape with the same element count.
  Tensor reshaped(Shape shape) const;
  // Rows [begin, begin + count) of dimension 0, sharing the buffer. Throws on a scalar or a
  // range outside the tensor.
  Tensor slice_rows(int64_t begin, int64_t count) const;
  // Points this tensor, keeping its dtype and shape, at `base`'s buffer from `byte_offset`
  // (an empty base leaves it pointing at nothing). Unlike assigning a new view it allocates
  // nothing, so a view can follow a caller's buffer from run to run.
  void repoint(const Tensor& base, size_t byte_offset) {
    owner_ = base.owner_;
    data_ = base.data_ ? static_cast<char*>(base.data_) + byte_offset : nullptr;
  }

 private:
  void check_type(DType expected) const;

  DType dtype_ = DType::kUndefined;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<void> owner_;
  void* data_ = nullptr;
};

template <class T>
Tensor Tensor::from_vector(Shape shape, const std::vector<T>& values) {
  Tensor t(dtype_of<T>(), std::move(shape));
  if (static_cast<int64_t>(values.size()) != t.numel())
    throw Error("Tensor::from_vector: " + std::to_string(values.size()) + " values for shape " +
                shape_to_string(t.shape()));
  T* out = t.data<T>();
  for (size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  return t;
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  std::vector<T> out(static_cast<size_t>(numel_));
  dispatch_dtype(dtype_, "Tensor::to_vector", [&](auto tag) {
    using S = decltype(tag);
    const S* in = static_cast<const S*>(data_);
    for (int64_t i = 0; i < numel_; ++i) out[static_cast<size_t>(i)] = static_cast<T>(in[i]);
  });
  return out;
}

}  // namespace hone
