// SPDX-License-Identifier: MIT
#pragma once

// Depth-wise (channel) pooling: [N, C, S...] -> [N, C', S...], the max or mean
// over adaptive windows of channels at every pixel. C' = 1 is global depth-wise
// pooling (CBAM's spatial attention input), which PyTorch users write as
// x.amax(1, keepdim=True) or a permute + max_pool1d over C. Channel windows
// follow the same rule as spatial ones (windows.hpp).

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
std::array<std::int64_t, Rank> channel_pooled_shape(const char* op, const std::array<std::int64_t, Rank>& in,
                                                    std::int64_t out_channels, bool* ok) {
  std::array<std::int64_t, Rank> shape = in;
  shape[1] = out_channels;
  *ok = out_channels >= 0;
  if (!*ok) report_error(std::string(op) + ": out_channels is " + std::to_string(out_channels) + ", a negative size");
  return shape;
}
}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace detail

inline namespace ADAPOOL_TARGET_NAMESPACE {

/// Mean over channel windows. `out` has the input's N and spatial sizes; its C
/// is the number of windows. Errors: other N or spatial sizes, C == 0 with a
/// non-empty output, overlapping memory, a malformed view.
template <class Arch = default_arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut>
void channel_avg_pool(const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out) {
  detail::channel_avg<Arch>("channel_avg_pool", in, out);
}

/// Allocating form: [N, out_channels, S...] in the input's memory format.
template <class Arch = default_arch, class T, std::size_t Rank, class Layout>
tensor<std::remove_const_t<T>, Rank, detail::owning_layout<Layout>> channel_avg_pool(
    const tensor_view<T, Rank, Layout>& in, std::int64_t out_channels = 1) {
  bool ok = false;
  const auto shape = detail::channel_pooled_shape("channel_avg_pool", in.shape(), out_channels, &ok);
  if (!ok) return {};
  tensor<std::remove_const_t<T>, Rank, detail::owning_layout<Layout>> out(shape);
  channel_avg_pool<Arch>(in, out.view());
  return out;
}

/// Max over channel windows, scanning channels in order: ties keep the first
/// channel, any NaN gives NaN (index: the last NaN's channel).
template <class Arch = default_arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut>
void channel_max_pool(const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out) {
  detail::channel_max<Arch>("channel_max_pool", in, out, detail::no_indices<Rank>);
}

/// With indices: the winning channel `c` in [0, C), shaped as the output.
template <class Arch = default_arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut, class LIdx>
void channel_max_pool(const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out,
                      const tensor_view<std::int64_t, Rank, LIdx>& indices) {
  detail::channel_max<Arch>("channel_max_pool", in, out, &indices);
}

/// Allocating form: [N, out_channels, S...].
template <class Arch = default_arch, class T, std::size_t Rank, class Layout>
tensor<std::remove_const_t<T>, Rank, detail::owning_layout<Layout>> channel_max_pool(
    const tensor_view<T, Rank, Layout>& in, std::int64_t out_channels = 1) {
  bool ok = false;
  const auto shape = detail::channel_pooled_shape("channel_max_pool", in.shape(), out_channels, &ok);
  if (!ok) return {};
  tensor<std::remove_const_t<T>, Rank, detail::owning_layout<Layout>> out(shape);
  channel_max_pool<Arch>(in, out.view());
  return out;
}

/// Allocating form: maxima and winning channels.
template <class Arch = default_arch, class T, std::size_t Rank, class Layout>
values_and_indices<std::remove_const_t<T>, Rank, detail::owning_layout<Layout>> channel_max_pool_with_indices(
    const tensor_view<T, Rank, Layout>& in, std::int64_t out_channels = 1) {
  bool ok = false;
  const auto shape = detail::channel_pooled_shape("channel_max_pool_with_indices", in.shape(), out_channels, &ok);
  if (!ok) return {};
  values_and_indices<std::remove_const_t<T>, Rank, detail::owning_layout<Layout>> result{
      decltype(result.values)(shape), decltype(result.indices)(shape)};
  const auto index_view = result.indices.view();
  detail::channel_max<Arch>("channel_max_pool_with_indices", in, result.values.view(), &index_view);
  return result;
}

/// Channel max and channel mean of the same windows in one pass (CBAM's
/// spatial-attention input): `max` and `avg` get exactly what channel_max_pool
/// and channel_avg_pool would write. Errors as for those, plus outputs of
/// different shapes or overlapping each other.
template <class Arch = default_arch, class TIn, class TOut, std::size_t Rank, class LIn, class LMax, class LAvg>
void channel_max_avg_pool(const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LMax>& max,
                          const tensor_view<TOut, Rank, LAvg>& avg) {
  detail::channel_max_avg<Arch>("channel_max_avg_pool", in, max, avg);
}

/// Allocating form: [N, 2, S...], channel 0 the max and channel 1 the mean over
/// all channels (CBAM's `cat([x.amax(1, keepdim=True), x.mean(1, keepdim=True)], 1)`),
/// contiguous.
template <class Arch = default_arch, class T, std::size_t Rank, class Layout>
tensor<std::remove_const_t<T>, Rank> channel_max_avg_pool(const tensor_view<T, Rank, Layout>& in) {
  using value = std::remove_const_t<T>;
  bool ok = false;
  auto shape = detail::channel_pooled_shape("channel_max_avg_pool", in.shape(), 2, &ok);
  tensor<value, Rank> out(shape);
  const tensor_view<value, Rank> all = out.view();
  shape[1] = 1;
  detail::channel_max_avg<Arch>("channel_max_avg_pool", in, make_strided_view(all.data(), shape, all.strides()),
                                make_strided_view(all.data() + all.stride(1), shape, all.strides()));
  return out;
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool
