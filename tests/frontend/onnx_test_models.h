// Builds small ONNX models in tests with the protobuf API, so each test states the exact
// model it imports (shared by tests/frontend and tests/runtime).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/tensor.h"
#include "frontend/onnx/onnx_importer.h"

namespace hone::testing {

using Dim = std::variant<int64_t, std::string>;  // a size or a symbolic name

class ModelBuilder {
 public:
  explicit ModelBuilder(int opset = 13, int64_t ir_version = 8) {
    model.set_ir_version(ir_version);
    model.set_producer_name("hone-tests");
    auto* imp = model.add_opset_import();
    imp->set_domain("");
    imp->set_version(opset);
    model.mutable_graph()->set_name("test_graph");
  }

  onnx::GraphProto& graph() { return *model.mutable_graph(); }

  ModelBuilder& input(const std::string& name, std::vector<Dim> dims,
                      int elem_type = onnx::TensorProto::FLOAT) {
    set_type(graph().add_input(), name, elem_type, &dims);
    return *this;
  }
  ModelBuilder& output(const std::string& name, int elem_type = onnx::TensorProto::FLOAT) {
    set_type(graph().add_output(), name, elem_type, nullptr);
    return *this;
  }
  onnx::NodeProto& node(const std::string& op, std::vector<std::string> inputs,
                        std::vector<std::string> outputs, const std::string& name = "") {
    onnx::NodeProto* n = graph().add_node();
    n->set_op_type(op);
    if (!name.empty()) n->set_name(name);
    for (auto& i : inputs) n->add_input(i);
    for (auto& o : outputs) n->add_output(o);
    return *n;
  }
  // An initializer stored as raw_data.
  ModelBuilder& initializer(const std::string& name, const Tensor& t) {
    onnx::TensorProto* p = graph().add_initializer();
    p->set_name(name);
    p->set_data_type(static_cast<int>(t.dtype()));
    for (int64_t d : t.shape()) p->add_dims(d);
    p->set_raw_data(t.raw(), t.nbytes());
    return *this;
  }
  // An initializer stored in float_data.
  ModelBuilder& float_initializer(const std::string& name, std::vector<int64_t> dims,
                                  std::vector<float> values) {
    onnx::TensorProto* p = graph().add_initializer();
    p->set_name(name);
    p->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) p->add_dims(d);
    for (float v : values) p->add_float_data(v);
    return *this;
  }
  ModelBuilder& int64_initializer(const std::string& name, std::vector<int64_t> dims,
                                  std::vector<int64_t> values) {
    onnx::TensorProto* p = graph().add_initializer();
    p->set_name(name);
    p->set_data_type(onnx::TensorProto::INT64);
    for (int64_t d : dims) p->add_dims(d);
    for (int64_t v : values) p->add_int64_data(v);
    return *this;
  }

  std::string bytes() const { return model.SerializeAsString(); }
  Graph import(const ImportOptions& options = {}) const {
    return import_onnx_bytes(bytes(), "test.onnx", "", options);
  }

  onnx::ModelProto model;

 private:
  static void set_type(onnx::ValueInfoProto* info, const std::string& name, int elem_type,
                       const std::vector<Dim>* dims) {
    info->set_name(name);
    auto* tt = info->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem_type);
    if (!dims) return;
    auto* shape = tt->mutable_shape();
    for (const Dim& d : *dims) {
      auto* dim = shape->add_dim();
      if (const auto* v = std::get_if<int64_t>(&d))
        dim->set_dim_value(*v);
      else
        dim->set_dim_param(std::get<std::string>(d));
    }
  }
};

inline void attr_int(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
inline void attr_float(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
inline void attr_string(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}
inline void attr_ints(onnx::NodeProto& n, const std::string& name, std::vector<int64_t> v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
inline void attr_floats(onnx::NodeProto& n, const std::string& name, std::vector<float> v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOATS);
  for (float x : v) a->add_floats(x);
}

// The error message an import throws, or "" when it succeeds.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace hone::testing
