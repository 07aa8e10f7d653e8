// SPDX-License-Identifier: MIT
#pragma once

// Adaptive average and max pooling over 1, 2 or 3 spatial axes, as PyTorch's
// adaptive_{avg,max}_pool{1,2,3}d. Each output position reads the window
// [window_begin, window_end) along every axis (windows.hpp); windows may
// overlap, and `output > input` is allowed.

#include <array>
#include <cstdint>
#include <type_traits>

#include "detail/dispatch.hpp"
#include "simd/arch.hpp"
#include "simd/target.hpp"
#include "tensor.hpp"
#include "tensor_view.hpp"

namespace adapool {

namespace detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {
template <std::size_t S>
bool check_output_size(const char* op, const std::array<std::int64_t, S>& size) {
  for (std::int64_t s : size) {
    if (s < 0) {
      report_error(std::string(op) + ": output_size " + shape_string(size) + " has a negative size");
      return false;
    }
  }
  return true;
}
}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace detail

inline namespace ADAPOOL_TARGET_NAMESPACE {

/// adaptive_avg_pool2d over 1 spatial axis: [N, C, L] -> [N, C, output sizes].
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut>
void adaptive_avg_pool1d(const tensor_view<TIn, 3, LIn>& in, const tensor_view<TOut, 3, LOut>& out) {
  detail::adaptive_avg<Arch>("adaptive_avg_pool1d", in, out, false);
}

/// Allocating form: returns a new tensor of N x C x `output_size`, in the input's memory format.
template <class Arch = default_arch, class T, class Layout>
tensor<std::remove_const_t<T>, 3, detail::owning_layout<Layout>> adaptive_avg_pool1d(
    const tensor_view<T, 3, Layout>& in, const std::array<std::int64_t, 1>& output_size) {
  if (!detail::check_output_size("adaptive_avg_pool1d", output_size)) return {};
  tensor<std::remove_const_t<T>, 3, detail::owning_layout<Layout>> out(detail::pooled_shape(in.shape(), output_size));
  adaptive_avg_pool1d<Arch>(in, out.view());
  return out;
}

/// adaptive_max_pool2d over 1 spatial axis; indices are offsets within one input plane.
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut>
void adaptive_max_pool1d(const tensor_view<TIn, 3, LIn>& in, const tensor_view<TOut, 3, LOut>& out) {
  detail::adaptive_max<Arch>("adaptive_max_pool1d", in, out, static_cast<const tensor_view<std::int64_t, 3>*>(nullptr),
                             false);
}

/// With indices: `indices` has the output's shape.
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut, class LIdx>
void adaptive_max_pool1d(const tensor_view<TIn, 3, LIn>& in, const tensor_view<TOut, 3, LOut>& out,
                         const tensor_view<std::int64_t, 3, LIdx>& indices) {
  detail::adaptive_max<Arch>("adaptive_max_pool1d", in, out, &indices, false);
}

/// Allocating form: the pooled values.
template <class Arch = default_arch, class T, class Layout>
tensor<std::remove_const_t<T>, 3, detail::owning_layout<Layout>> adaptive_max_pool1d(
    const tensor_view<T, 3, Layout>& in, const std::array<std::int64_t, 1>& output_size) {
  if (!detail::check_output_size("adaptive_max_pool1d", output_size)) return {};
  tensor<std::remove_const_t<T>, 3, detail::owning_layout<Layout>> out(detail::pooled_shape(in.shape(), output_size));
  adaptive_max_pool1d<Arch>(in, out.view());
  return out;
}

/// Allocating form: values and indices, as PyTorch's `return_indices=True`.
template <class Arch = default_arch, class T, class Layout>
values_and_indices<std::remove_const_t<T>, 3, detail::owning_layout<Layout>> adaptive_max_pool1d_with_indices(
    const tensor_view<T, 3, Layout>& in, const std::array<std::int64_t, 1>& output_size) {
  if (!detail::check_output_size("adaptive_max_pool1d_with_indices", output_size)) return {};
  const auto shape = detail::pooled_shape(in.shape(), output_size);
  values_and_indices<std::remove_const_t<T>, 3, detail::owning_layout<Layout>> result{decltype(result.values)(shape),
                                                                                      decltype(result.indices)(shape)};
  const auto index_view = result.indices.view();
  detail::adaptive_max<Arch>("adaptive_max_pool1d_with_indices", in, result.values.view(), &index_view, false);
  return result;
}

/// Adaptive average pooling, [N, C, H, W] -> [N, C, output sizes]: each output is the
/// mean of its window (float accumulates in blocks of float, combined in double).
/// Any layout for either view. Throws `adapool::error` (or calls the error
/// handler) on mismatched N or C, overlapping memory, an empty input plane with
/// a non-empty output, or a malformed view; nothing is written then.
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut>
void adaptive_avg_pool2d(const tensor_view<TIn, 4, LIn>& in, const tensor_view<TOut, 4, LOut>& out) {
  detail::adaptive_avg<Arch>("adaptive_avg_pool2d", in, out, false);
}

/// Allocating form: returns a new tensor of N x C x `output_size`, in the input's memory format.
template <class Arch = default_arch, class T, class Layout>
tensor<std::remove_const_t<T>, 4, detail::owning_layout<Layout>> adaptive_avg_pool2d(
    const tensor_view<T, 4, Layout>& in, const std::array<std::int64_t, 2>& output_size) {
  if (!detail::check_output_size("adaptive_avg_pool2d", output_size)) return {};
  tensor<std::remove_const_t<T>, 4, detail::owning_layout<Layout>> out(detail::pooled_shape(in.shape(), output_size));
  adaptive_avg_pool2d<Arch>(in, out.view());
  return out;
}

/// Adaptive max pooling. Each output is the max of its window, scanned in
/// row-major order: ties keep the first position, any NaN makes the output NaN
/// (and its index the last NaN's), a window of -inf gives -inf. Indices are
/// offsets within one input plane, `h * W + w`, as PyTorch returns them. Errors
/// as for adaptive_avg_pool2d, plus indices not shaped as the output.
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut>
void adaptive_max_pool2d(const tensor_view<TIn, 4, LIn>& in, const tensor_view<TOut, 4, LOut>& out) {
  detail::adaptive_max<Arch>("adaptive_max_pool2d", in, out, static_cast<const tensor_view<std::int64_t, 4>*>(nullptr),
                             false);
}

/// With indices: `indices` has the output's shape.
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut, class LIdx>
void adaptive_max_pool2d(const tensor_view<TIn, 4, LIn>& in, const tensor_view<TOut, 4, LOut>& out,
                         const tensor_view<std::int64_t, 4, LIdx>& indices) {
  detail::adaptive_max<Arch>("adaptive_max_pool2d", in, out, &indices, false);
}

/// Allocating form: the pooled values.
template <class Arch = default_arch, class T, class Layout>
tensor<std::remove_const_t<T>, 4, detail::owning_layout<Layout>> adaptive_max_pool2d(
    const tensor_view<T, 4, Layout>& in, const std::array<std::int64_t, 2>& output_size) {
  if (!detail::check_output_size("adaptive_max_pool2d", output_size)) return {};
  tensor<std::remove_const_t<T>, 4, detail::owning_layout<Layout>> out(detail::pooled_shape(in.shape(), output_size));
  adaptive_max_pool2d<Arch>(in, out.view());
  return out;
}

/// Allocating form: values and indices, as PyTorch's `return_indices=True`.
template <class Arch = default_arch, class T, class Layout>
values_and_indices<std::remove_const_t<T>, 4, detail::owning_layout<Layout>> adaptive_max_pool2d_with_indices(
    const tensor_view<T, 4, Layout>& in, const std::array<std::int64_t, 2>& output_size) {
  if (!detail::check_output_size("adaptive_max_pool2d_with_indices", output_size)) return {};
  const auto shape = detail::pooled_shape(in.shape(), output_size);
  values_and_indices<std::remove_const_t<T>, 4, detail::owning_layout<Layout>> result{decltype(result.values)(shape),
                                                                                      decltype(result.indices)(shape)};
  const auto index_view = result.indices.view();
  detail::adaptive_max<Arch>("adaptive_max_pool2d_with_indices", in, result.values.view(), &index_view, false);
  return result;
}

/// adaptive_avg_pool2d over 3 spatial axes: [N, C, D, H, W] -> [N, C, output sizes].
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut>
void adaptive_avg_pool3d(const tensor_view<TIn, 5, LIn>& in, const tensor_view<TOut, 5, LOut>& out) {
  detail::adaptive_avg<Arch>("adaptive_avg_pool3d", in, out, false);
}

/// Allocating form: returns a new tensor of N x C x `output_size`, in the input's memory format.
template <class Arch = default_arch, class T, class Layout>
tensor<std::remove_const_t<T>, 5, detail::owning_layout<Layout>> adaptive_avg_pool3d(
    const tensor_view<T, 5, Layout>& in, const std::array<std::int64_t, 3>& output_size) {
  if (!detail::check_output_size("adaptive_avg_pool3d", output_size)) return {};
  tensor<std::remove_const_t<T>, 5, detail::owning_layout<Layout>> out(detail::pooled_shape(in.shape(), output_size));
  adaptive_avg_pool3d<Arch>(in, out.view());
  return out;
}

/// adaptive_max_pool2d over 3 spatial axes; indices are offsets within one input plane.
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut>
void adaptive_max_pool3d(const tensor_view<TIn, 5, LIn>& in, const tensor_view<TOut, 5, LOut>& out) {
  detail::adaptive_max<Arch>("adaptive_max_pool3d", in, out, static_cast<const tensor_view<std::int64_t, 5>*>(nullptr),
                             false);
}

/// With indices: `indices` has the output's shape.
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut, class LIdx>
void adaptive_max_pool3d(const tensor_view<TIn, 5, LIn>& in, const tensor_view<TOut, 5, LOut>& out,
                         const tensor_view<std::int64_t, 5, LIdx>& indices) {
  detail::adaptive_max<Arch>("adaptive_max_pool3d", in, out, &indices, false);
}

/// Allocating form: the pooled values.
template <class Arch = default_arch, class T, class Layout>
tensor<std::remove_const_t<T>, 5, detail::owning_layout<Layout>> adaptive_max_pool3d(
    const tensor_view<T, 5, Layout>& in, const std::array<std::int64_t, 3>& output_size) {
  if (!detail::check_output_size("adaptive_max_pool3d", output_size)) return {};
  tensor<std::remove_const_t<T>, 5, detail::owning_layout<Layout>> out(detail::pooled_shape(in.shape(), output_size));
  adaptive_max_pool3d<Arch>(in, out.view());
  return out;
}

/// Allocating form: values and indices, as PyTorch's `return_indices=True`.
template <class Arch = default_arch, class T, class Layout>
values_and_indices<std::remove_const_t<T>, 5, detail::owning_layout<Layout>> adaptive_max_pool3d_with_indices(
    const tensor_view<T, 5, Layout>& in, const std::array<std::int64_t, 3>& output_size) {
  if (!detail::check_output_size("adaptive_max_pool3d_with_indices", output_size)) return {};
  const auto shape = detail::pooled_shape(in.shape(), output_size);
  values_and_indices<std::remove_const_t<T>, 5, detail::owning_layout<Layout>> result{decltype(result.values)(shape),
                                                                                      decltype(result.indices)(shape)};
  const auto index_view = result.indices.view();
  detail::adaptive_max<Arch>("adaptive_max_pool3d_with_indices", in, result.values.view(), &index_view, false);
  return result;
}

/// Adaptive average and max of the same windows in one pass over the input
/// (fastai's AdaptiveConcatPool2d is `cat([max, avg], 1)`): `avg` and `max` get
/// exactly what adaptive_avg_pool2d and adaptive_max_pool2d would write. Errors as
/// for those, plus outputs of different shapes or overlapping each other.
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LAvg, class LMax>
void adaptive_avg_max_pool2d(const tensor_view<TIn, 4, LIn>& in, const tensor_view<TOut, 4, LAvg>& avg,
                             const tensor_view<TOut, 4, LMax>& max) {
  detail::adaptive_avg_max<Arch>("adaptive_avg_max_pool2d", in, avg, max,
                                 static_cast<const tensor_view<std::int64_t, 4>*>(nullptr));
}

/// With the max's indices.
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LAvg, class LMax, class LIdx>
void adaptive_avg_max_pool2d(const tensor_view<TIn, 4, LIn>& in, const tensor_view<TOut, 4, LAvg>& avg,
                             const tensor_view<TOut, 4, LMax>& max, const tensor_view<std::int64_t, 4, LIdx>& indices) {
  detail::adaptive_avg_max<Arch>("adaptive_avg_max_pool2d", in, avg, max, &indices);
}

/// Allocating form of fastai's AdaptiveConcatPool2d: N x 2C x `output_size`,
/// channels [0, C) the max and [C, 2C) the average, contiguous NCHW.
template <class Arch = default_arch, class T, class Layout>
tensor<std::remove_const_t<T>, 4> adaptive_concat_pool2d(const tensor_view<T, 4, Layout>& in,
                                                         const std::array<std::int64_t, 2>& output_size) {
  using value = std::remove_const_t<T>;
  if (!detail::check_output_size("adaptive_concat_pool2d", output_size)) return {};
  auto shape = detail::pooled_shape(in.shape(), output_size);
  const std::int64_t channels = shape[1];
  shape[1] = 2 * channels;
  tensor<value, 4> out(shape);
  const tensor_view<value, 4> all = out.view();
  const std::array<std::int64_t, 4> half{shape[0], channels, shape[2], shape[3]};
  detail::adaptive_avg_max<Arch>(
      "adaptive_concat_pool2d", in, make_strided_view(all.data() + channels * all.stride(1), half, all.strides()),
      make_strided_view(all.data(), half, all.strides()), static_cast<const tensor_view<std::int64_t, 4>*>(nullptr));
  return out;
}

/// Several adaptive average poolings of one input at once, as in PSPNet's
/// pyramid pooling module (bins 1, 2, 3 and 6): `outs[k]` receives exactly what
/// adaptive_avg_pool2d(in, outs[k]) would write. With plane-major input each
/// plane is read from memory once for all outputs. Errors as for
/// adaptive_avg_pool2d, for each output, and outputs overlapping each other.
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut, std::size_t Levels>
void adaptive_avg_pool2d_pyramid(const tensor_view<TIn, 4, LIn>& in,
                                 const std::array<tensor_view<TOut, 4, LOut>, Levels>& outs) {
  detail::adaptive_avg_pyramid<Arch>("adaptive_avg_pool2d_pyramid", in, outs);
}

/// Allocating form: square outputs of `bins[k] x bins[k]`, e.g. `adaptive_avg_pool2d_pyramid(x, {1, 2, 3, 6})`.
template <class Arch = default_arch, class T, class Layout, std::size_t Levels>
std::array<tensor<std::remove_const_t<T>, 4, detail::owning_layout<Layout>>, Levels> adaptive_avg_pool2d_pyramid(
    const tensor_view<T, 4, Layout>& in, const std::int64_t (&bins)[Levels]) {
  using result_tensor = tensor<std::remove_const_t<T>, 4, detail::owning_layout<Layout>>;
  std::array<result_tensor, Levels> results;
  std::array<tensor_view<std::remove_const_t<T>, 4, detail::owning_layout<Layout>>, Levels> views;
  for (std::size_t level = 0; level < Levels; ++level) {
    if (!detail::check_output_size("adaptive_avg_pool2d_pyramid",
                                   std::array<std::int64_t, 2>{bins[level], bins[level]})) {
      return {};
    }
    results[level] =
        result_tensor(detail::pooled_shape(in.shape(), std::array<std::int64_t, 2>{bins[level], bins[level]}));
    views[level] = results[level].view();
  }
  adaptive_avg_pool2d_pyramid<Arch>(in, views);
  return results;
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool
