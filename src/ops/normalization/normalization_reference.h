// Reference (oracle) kernels for the normalization ops: BatchNormalization (inference),
// InstanceNormalization and LayerNormalization. Statistics are accumulated in double.
#pragma once

#include <cstdint>

namespace hone {

// x is [batch, channels, spatial]; y = (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] +
// bias[c], the per-channel parameters given in double.
template <class T>
void batch_norm_reference(int64_t batch, int64_t channels, int64_t spatial, const T* x,
                          const double* scale, const double* bias, const double* mean,
                          const double* var, double epsilon, T* y);

// x is [batch, channels, spatial]; each (n, c) plane is normalized by its own mean and
// (population) variance, then scaled and shifted by scale[c], bias[c].
template <class T>
void instance_norm_reference(int64_t batch, int64_t channels, int64_t spatial, const T* x,
                             const T* scale, const T* bias, double epsilon, T* y);

// x is [outer, inner]; each row is normalized by its mean and variance, then multiplied by
// scale[inner] and shifted by bias[inner] (bias may be null). mean and inv_std_dev (each
// [outer], may be null) receive the row statistics, 1 / sqrt(var + epsilon) for the latter.
template <class T, class U>
void layer_norm_reference(int64_t outer, int64_t inner, const T* x, const T* scale, const T* bias,
                          double epsilon, T* y, U* mean, U* inv_std_dev);

}  // namespace hone
