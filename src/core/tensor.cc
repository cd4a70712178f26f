#include "core/tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>

namespace hone {

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error("shape " + shape_to_string(shape) + " has a negative dimension");
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      throw Error("shape " + shape_to_string(shape) + " is too large");
    n *= d;
  }
  return n;
}

std::string shape_to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Tensor::Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  if (!dtype_is_storable(dtype))
    throw UnsupportedError("cannot create a tensor of element type " +
                           std::string(dtype_name(dtype)));
  numel_ = shape_numel(shape_);
  constexpr size_t kAlign = 64;
  size_t bytes = nbytes();
  if (bytes > (size_t{1} << 40))
    throw Error("tensor of " + shape_to_string(shape_) + " is too large");
  size_t rounded = (bytes + kAlign - 1) / kAlign * kAlign;
  if (rounded == 0) rounded = kAlign;
  void* p = std::aligned_alloc(kAlign, rounded);
  if (!p) throw Error("out of memory allocating " + std::to_string(bytes) + " bytes");
  std::memset(p, 0, rounded);
  owner_ = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
  data_ = p;
}

Tensor Tensor::view(DType dtype, Shape shape, std::shared_ptr<void> owner, void* data) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numel_ = shape_numel(t.shape_);
  t.owner_ = std::move(owner);
  t.data_ = data;
  return t;
}

Tensor Tensor::slice_rows(int64_t begin, int64_t count) const {
  if (shape_.empty() || begin < 0 || count < 0 || begin + count > shape_[0])
    throw Error("slice_rows [" + std::to_string(begin) + ", " + std::to_string(begin + count) +
                ") of a tensor of shape " + shape_to_string(shape_));
  Shape shape = shape_;
  shape[0] = count;
  const int64_t row_bytes = shape_[0] == 0 ? 0 : static_cast<int64_t>(nbytes()) / shape_[0];
  char* data = data_ ? static_cast<char*>(data_) + begin * row_bytes : nullptr;
  return view(dtype_, std::move(shape), owner_, data);
}

Tensor Tensor::clone() const {
  if (empty()) return {};
  Tensor t(dtype_, shape_);
  if (nbytes()) std::memcpy(t.data_, data_, nbytes());
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  if (shape_numel(shape) != numel_)
    throw Error("cannot reshape " + shape_to_string(shape_) + " to " + shape_to_string(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

void Tensor::check_type(DType expected) const {
  if (expected != dtype_)
    throw Error("tensor holds " + std::string(dtype_name(dtype_)) + ", accessed as " +
                std::string(dtype_name(expected)));
}

}  // namespace hone
