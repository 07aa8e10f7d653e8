// SPDX-License-Identifier: MIT
#pragma once

// From checked views to kernels: the one place that decides which loop nest
// serves a given memory layout.

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../simd/arch.hpp"
#include "../simd/target.hpp"
#include "../tensor.hpp"
#include "../tensor_view.hpp"
#include "kernels_channel.hpp"
#include "kernels_narrow.hpp"
#include "kernels_nchw.hpp"
#include "kernels_nhwc.hpp"
#include "validate.hpp"
#include "view5d.hpp"

namespace adapool::detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {

// The basic average and max operations also take the narrow types
// (element_types.hpp); the others take float and double.
template <class Arch, class TIn, class TOut, bool NarrowTypes = false>
constexpr void check_types() {
  static_assert(Arch::enabled, "adapool: this instruction set is not enabled by the compiler flags");
  static_assert(std::is_same_v<std::remove_const_t<TIn>, TOut>,
                "adapool: input and output views must have the same element type");
  static_assert(!std::is_const_v<TOut>, "adapool: the output view must be writable");
  if constexpr (NarrowTypes) {
    static_assert(std::is_same_v<TOut, float> || std::is_same_v<TOut, double> || is_narrow_type<TOut>,
                  "adapool: element type must be float or double, or float16, bfloat16, int8_t or uint8_t");
  } else {
    static_assert(std::is_same_v<TOut, float> || std::is_same_v<TOut, double>,
                  "adapool: element type must be float or double for this operation");
  }
}

// Channels-last loops need contiguous channels, and (for max) in-plane
// positions exact in T; everything else goes plane by plane.
template <class T>
bool channels_inner(const view5d<const T>& in, bool with_positions) {
  return in.stride_c == 1 && in.c > 1 && in.stride_w != 1 &&
         (!with_positions || in.plane_size() < max_exact_position<T>);
}

template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut>
void adaptive_avg(const char* op, const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out,
                  bool global) {
  check_types<Arch, TIn, TOut, true>();
  if (!check_adaptive(op, in, out, static_cast<const tensor_view<std::int64_t, Rank>*>(nullptr), global)) return;
  if (out.empty()) return;
  const view5d<const TOut> i5 = to_5d(tensor_view<const TOut, Rank, LIn>(in));
  if constexpr (is_narrow_type<TOut>) {
    narrow_adaptive<Arch, TOut, false>(i5, to_5d(out), nullptr);
  } else if (channels_inner(i5, false)) {
    adaptive_avg_channels_last<Arch>(i5, to_5d(out));
  } else {
    adaptive_avg_planes<Arch>(i5, to_5d(out));
  }
}

template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut, class LIdx>
void adaptive_max(const char* op, const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out,
                  const tensor_view<std::int64_t, Rank, LIdx>* indices, bool global) {
  check_types<Arch, TIn, TOut, true>();
  if (!check_adaptive(op, in, out, indices, global)) return;
  if (out.empty()) return;
  const view5d<const TOut> i5 = to_5d(tensor_view<const TOut, Rank, LIn>(in));
  view5d<std::int64_t> idx5 = indices ? to_5d(*indices) : view5d<std::int64_t>{};
  if constexpr (is_narrow_type<TOut>) {
    narrow_adaptive<Arch, TOut, true>(i5, to_5d(out), indices ? &idx5 : nullptr);
  } else if (channels_inner(i5, true)) {
    adaptive_max_channels_last<Arch>(i5, to_5d(out), indices ? &idx5 : nullptr);
  } else {
    adaptive_max_planes<Arch>(i5, to_5d(out), indices ? &idx5 : nullptr);
  }
}

template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut, std::size_t Levels>
void adaptive_avg_pyramid(const char* op, const tensor_view<TIn, Rank, LIn>& in,
                          const std::array<tensor_view<TOut, Rank, LOut>, Levels>& outs) {
  check_types<Arch, TIn, TOut>();
  std::array<byte_span, Levels> spans{};
  for (std::size_t level = 0; level < Levels; ++level) {
    if (!check_adaptive(op, in, outs[level], static_cast<const tensor_view<std::int64_t, Rank>*>(nullptr), false) ||
        !check_view(op, "output", outs[level], &spans[level])) {
      return;
    }
    for (std::size_t other = 0; other < level; ++other) {
      if (!check_disjoint(op, "output", outs[other], spans[other], "output", outs[level], spans[level])) return;
    }
  }
  // Nothing to write: the input may be empty too (null data), and its planes
  // must not be walked.
  bool all_empty = true;
  for (const auto& out : outs) all_empty = all_empty && out.empty();
  if (all_empty) return;
  const view5d<const TOut> i5 = to_5d(tensor_view<const TOut, Rank, LIn>(in));
  if (channels_inner(i5, false)) {
    // Channels-last data has no plane to keep in cache: one pass per output.
    for (const auto& out : outs) adaptive_avg_channels_last<Arch>(i5, to_5d(out));
    return;
  }
  std::array<view5d<TOut>, Levels> o5;
  for (std::size_t level = 0; level < Levels; ++level) o5[level] = to_5d(outs[level]);
  adaptive_avg_pyramid_planes<Arch>(i5, o5);
}

template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut>
void channel_avg(const char* op, const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out) {
  check_types<Arch, TIn, TOut, true>();
  if (!check_channel(op, in, out, static_cast<const tensor_view<std::int64_t, Rank>*>(nullptr))) return;
  if (out.empty()) return;
  if constexpr (is_narrow_type<TOut>) {
    narrow_channel<Arch, TOut, false>(to_5d(tensor_view<const TOut, Rank, LIn>(in)), to_5d(out), nullptr);
  } else {
    channel_avg_kernel<Arch>(to_5d(tensor_view<const TOut, Rank, LIn>(in)), to_5d(out));
  }
}

template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut, class LIdx>
void channel_max(const char* op, const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out,
                 const tensor_view<std::int64_t, Rank, LIdx>* indices) {
  check_types<Arch, TIn, TOut, true>();
  if (!check_channel(op, in, out, indices)) return;
  if (out.empty()) return;
  view5d<std::int64_t> idx5 = indices ? to_5d(*indices) : view5d<std::int64_t>{};
  if constexpr (is_narrow_type<TOut>) {
    narrow_channel<Arch, TOut, true>(to_5d(tensor_view<const TOut, Rank, LIn>(in)), to_5d(out),
                                     indices ? &idx5 : nullptr);
  } else {
    channel_max_kernel<Arch>(to_5d(tensor_view<const TOut, Rank, LIn>(in)), to_5d(out), indices ? &idx5 : nullptr);
  }
}

// Two outputs of one input (fused operations): each valid on its own, the same
// shape, and not overlapping each other. Messages name them as the operation's
// parameters do ("avg", "max"), so a user knows which view to fix.
template <class In, class First, class Second>
bool check_second_output(const char* op, const char* first_name, const First& first, const char* second_name,
                         const Second& second) {
  if (first.shape() != second.shape()) {
    report_error(std::string(op) + ": " + first_name + " has shape " + shape_string(first.shape()) + " and " +
                 second_name + " has shape " + shape_string(second.shape()) + ", expected the same");
    return false;
  }
  byte_span first_span, second_span;
  return check_view(op, first_name, first, &first_span) && check_view(op, second_name, second, &second_span) &&
         check_disjoint(op, first_name, first, first_span, second_name, second, second_span);
}

template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LAvg, class LMax, class LIdx>
void adaptive_avg_max(const char* op, const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LAvg>& avg,
                      const tensor_view<TOut, Rank, LMax>& max, const tensor_view<std::int64_t, Rank, LIdx>* indices) {
  check_types<Arch, TIn, TOut>();
  if (!check_adaptive(op, in, avg, static_cast<const tensor_view<std::int64_t, Rank>*>(nullptr), false, "avg") ||
      !check_adaptive(op, in, max, indices, false, "max") || !check_second_output<TIn>(op, "avg", avg, "max", max)) {
    return;
  }
  if (avg.empty()) return;
  const view5d<const TOut> i5 = to_5d(tensor_view<const TOut, Rank, LIn>(in));
  view5d<std::int64_t> idx5 = indices ? to_5d(*indices) : view5d<std::int64_t>{};
  if (channels_inner(i5, true)) {
    adaptive_avg_channels_last<Arch>(i5, to_5d(avg));
    adaptive_max_channels_last<Arch>(i5, to_5d(max), indices ? &idx5 : nullptr);
  } else {
    adaptive_avg_max_planes<Arch>(i5, to_5d(avg), to_5d(max), indices ? &idx5 : nullptr);
  }
}

template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LMax, class LAvg>
void channel_max_avg(const char* op, const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LMax>& max,
                     const tensor_view<TOut, Rank, LAvg>& avg) {
  check_types<Arch, TIn, TOut>();
  const auto* no_indices = static_cast<const tensor_view<std::int64_t, Rank>*>(nullptr);
  if (!check_channel(op, in, max, no_indices, "max") || !check_channel(op, in, avg, no_indices, "avg") ||
      !check_second_output<TIn>(op, "max", max, "avg", avg)) {
    return;
  }
  if (max.empty()) return;
  channel_max_avg_kernel<Arch>(to_5d(tensor_view<const TOut, Rank, LIn>(in)), to_5d(max), to_5d(avg));
}

// Output shape of an allocating overload: N and C of the input, then `spatial`.
template <std::size_t Rank, class SpatialSizes>
std::array<std::int64_t, Rank> pooled_shape(const std::array<std::int64_t, Rank>& in, const SpatialSizes& spatial) {
  std::array<std::int64_t, Rank> shape = in;
  for (std::size_t axis = 2; axis < Rank; ++axis) shape[axis] = spatial[axis - 2];
  return shape;
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail
