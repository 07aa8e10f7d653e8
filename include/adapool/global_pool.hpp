// SPDX-License-Identifier: MIT
#pragma once

// Global pooling: one value per (n, c) plane, for 1, 2 or 3 spatial axes
// (PyTorch's AdaptiveAvgPool2d((1, 1)) and AdaptiveMaxPool2d((1, 1))). The
// output is N x C x 1 (x 1 (x 1)), the same rank as the input.

#include <array>
#include <cstddef>
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
template <std::size_t Rank>
std::array<std::int64_t, Rank> global_shape(const std::array<std::int64_t, Rank>& in) {
  std::array<std::int64_t, Rank> shape{};
  shape.fill(1);
  shape[0] = in[0];
  shape[1] = in[1];
  return shape;
}
}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace detail

inline namespace ADAPOOL_TARGET_NAMESPACE {

/// Mean of every plane: [N, C, S...] -> [N, C, 1...]. The sum runs in float
/// blocks combined in double, within a few ulps on 1024 x 1024 planes.
/// Errors as for adaptive_avg_pool2d, and an output spatial size other than 1.
template <class Arch = default_arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut>
void global_avg_pool(const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out) {
  detail::adaptive_avg<Arch>("global_avg_pool", in, out, true);
}

/// Allocating form: returns N x C x 1... in the input's memory format.
template <class Arch = default_arch, class T, std::size_t Rank, class Layout>
tensor<std::remove_const_t<T>, Rank, detail::owning_layout<Layout>> global_avg_pool(
    const tensor_view<T, Rank, Layout>& in) {
  tensor<std::remove_const_t<T>, Rank, detail::owning_layout<Layout>> out(detail::global_shape(in.shape()));
  global_avg_pool<Arch>(in, out.view());
  return out;
}

/// Max of every plane, with PyTorch's tie and NaN rules (see adaptive_max_pool2d).
template <class Arch = default_arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut>
void global_max_pool(const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out) {
  detail::adaptive_max<Arch>("global_max_pool", in, out, detail::no_indices<Rank>, true);
}

/// With indices: the in-plane offset of each max, shaped as the output.
template <class Arch = default_arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut, class LIdx>
void global_max_pool(const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out,
                     const tensor_view<std::int64_t, Rank, LIdx>& indices) {
  detail::adaptive_max<Arch>("global_max_pool", in, out, &indices, true);
}

/// Allocating form: the maxima, N x C x 1...
template <class Arch = default_arch, class T, std::size_t Rank, class Layout>
tensor<std::remove_const_t<T>, Rank, detail::owning_layout<Layout>> global_max_pool(
    const tensor_view<T, Rank, Layout>& in) {
  tensor<std::remove_const_t<T>, Rank, detail::owning_layout<Layout>> out(detail::global_shape(in.shape()));
  global_max_pool<Arch>(in, out.view());
  return out;
}

/// Allocating form: maxima and their in-plane indices.
template <class Arch = default_arch, class T, std::size_t Rank, class Layout>
values_and_indices<std::remove_const_t<T>, Rank, detail::owning_layout<Layout>> global_max_pool_with_indices(
    const tensor_view<T, Rank, Layout>& in) {
  const auto shape = detail::global_shape(in.shape());
  values_and_indices<std::remove_const_t<T>, Rank, detail::owning_layout<Layout>> result{
      decltype(result.values)(shape), decltype(result.indices)(shape)};
  const auto index_view = result.indices.view();
  detail::adaptive_max<Arch>("global_max_pool_with_indices", in, result.values.view(), &index_view, true);
  return result;
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool
