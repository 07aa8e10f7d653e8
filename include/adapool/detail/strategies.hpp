// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_STRATEGIES_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_STRATEGIES_HPP)
#undef ADAPOOL_DETAIL_STRATEGIES_HPP
#else
#define ADAPOOL_DETAIL_STRATEGIES_HPP
#endif

// Every strategy's kernels by name: run_* takes a plan (plan.hpp) and calls
// the kernel that carries it out; pool_* plans and runs. One switch per
// operation family, so that a strategy and its code are found in one place.

#include <array>
#include <cstddef>
#include <cstdint>

#include "../simd/target.hpp"
#include "kernels_backward.hpp"
#include "kernels_channel.hpp"
#include "kernels_channel_backward.hpp"
#include "kernels_channels_last.hpp"
#include "kernels_global.hpp"
#include "kernels_lane_planes.hpp"
#include "kernels_narrow.hpp"
#include "kernels_planes.hpp"
#include "kernels_short_rows.hpp"
#include "plan.hpp"
#include "view5d.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// Strategies a plan never gives an operation fall to its plane-by-plane
// kernels, which take any views.

template <class Arch, class T>
void run_average(strategy s, const view5d<const T>& in, const view5d<T>& out) {
  switch (s) {
    case strategy::channels_last:
      return adaptive_avg_channels_last<Arch>(in, out);
    case strategy::global_small_planes:
      return global_avg_small_planes<Arch>(in, out);
    case strategy::global_planes:
      return global_avg_planes<Arch>(in, out);
    case strategy::global_chunks:
      return global_avg_chunks<Arch>(in, out);
    case strategy::short_rows:
      return short_rows_average<Arch>(in, out);
    case strategy::lane_planes:
      return average_lane_planes<Arch>(in, out);
    default:
      return average_planes<Arch>(in, out);
  }
}

template <class Arch, class T>
void pool_average(const view5d<const T>& in, const view5d<T>& out) {
  run_average<Arch>(plan_spatial<Arch>(operation::average, in, out), in, out);
}

// `indices` may be null (max without indices).
template <class Arch, class T>
void run_max(strategy s, const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  switch (s) {
    case strategy::channels_last:
      return adaptive_max_channels_last<Arch>(in, out, indices);
    case strategy::global_small_planes:
      return global_max_small_planes<Arch>(in, out, indices, static_cast<const view5d<T>*>(nullptr));
    case strategy::global_planes:
      return global_max_planes<Arch>(in, out, indices);
    case strategy::short_rows:
      return short_rows_max<Arch>(in, out, indices);
    case strategy::lane_planes:
      return max_lane_planes<lane_max_arch<Arch>>(in, out, indices);
    default:
      return max_planes<Arch>(in, out, indices);
  }
}

template <class Arch, class T>
void pool_max(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  run_max<Arch>(plan_spatial<Arch>(operation::max, in, out), in, out, indices);
}

// Each output gets exactly the arithmetic of its own call.
template <class Arch, class T>
void run_average_and_max(strategy s, const view5d<const T>& in, const view5d<T>& avg, const view5d<T>& max,
                         const view5d<std::int64_t>* indices) {
  switch (s) {
    case strategy::channels_last:
      adaptive_avg_channels_last<Arch>(in, avg);
      return adaptive_max_channels_last<Arch>(in, max, indices);
    case strategy::global_small_planes:
      return global_max_small_planes<Arch>(in, max, indices, &avg);
    case strategy::separate_calls:
      pool_average<Arch>(in, avg);
      return pool_max<Arch>(in, max, indices);
    case strategy::short_rows:
      return short_rows_average_and_max<Arch>(in, avg, max, indices);
    case strategy::lane_planes:
      return average_and_max_lane_planes<Arch>(in, avg, max, indices);
    default:
      return average_and_max_planes<Arch>(in, avg, max, indices);
  }
}

// Each level gets exactly the arithmetic of its own call; empty levels are
// skipped (their data may be null).
template <class Arch, class T, std::size_t Levels>
void run_pyramid(strategy s, const view5d<const T>& in, const std::array<view5d<T>, Levels>& outs) {
  switch (s) {
    case strategy::separate_calls:
      for (const view5d<T>& out : outs)
        if (out.plane_size() > 0) pool_average<Arch>(in, out);
      return;
    case strategy::lane_planes:
      return pyramid_lane_planes<Arch>(in, outs);
    default:
      return pyramid_planes<Arch>(in, outs);
  }
}

template <class Arch, class T, bool Max>
void run_narrow(strategy s, const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  if (s == strategy::narrow_small_planes) return narrow_global_small<Arch, T, Max>(in, out, indices);
  narrow_adaptive<Arch, T, Max>(in, out, indices);
}

template <class Arch, class T>
void run_channel_average(strategy s, const view5d<const T>& in, const view5d<T>& out) {
  switch (s) {
    case strategy::channel_rows:
      return channel_avg_rows<Arch>(in, out);
    case strategy::channel_passes:
      return channel_avg_passes<Arch>(in, out);
    default:
      return channel_avg_columns<Arch>(in, out);
  }
}

template <class Arch, class T>
void pool_channel_average(const view5d<const T>& in, const view5d<T>& out) {
  run_channel_average<Arch>(plan_channel(operation::channel_average, in, out, false), in, out);
}

template <class Arch, class T>
void run_channel_max(strategy s, const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  switch (s) {
    case strategy::channel_rows:
      return channel_max_rows<Arch>(in, out, indices);
    case strategy::channel_passes:
      return channel_max_passes<Arch>(in, out);
    default:
      return channel_max_columns<Arch>(in, out, indices);
  }
}

template <class Arch, class T>
void run_channel_max_and_average(strategy s, const view5d<const T>& in, const view5d<T>& max, const view5d<T>& avg) {
  switch (s) {
    case strategy::channel_rows:
      channel_max_avg_rows<Arch>(in, max, avg);
      // Plane-major with too many channels for exact ids: the mean on its own.
      if (!in.channels_contiguous()) pool_channel_average<Arch>(in, avg);
      return;
    case strategy::channel_passes:
      return channel_max_avg_passes<Arch>(in, max, avg);
    case strategy::separate_calls:
      run_channel_max<Arch>(plan_channel(operation::channel_max, in, max, false), in, max, nullptr);
      return pool_channel_average<Arch>(in, avg);
    default:
      return channel_max_avg_columns<Arch>(in, max, avg);
  }
}

// The backward passes of the adaptive and global averages; a max backward
// always scatters, a channel backward always runs pixel runs.
template <class Arch, class T>
void run_average_backward(strategy s, const view5d<const T>& grad_out, const view5d<T>& grad_in) {
  switch (s) {
    case strategy::fill_planes:
      return fill_planes_backward<Arch>(grad_out, grad_in);
    case strategy::channels_last:
      return channels_last_avg_backward<Arch>(grad_out, grad_in);
    case strategy::window_rows:
      return window_rows_avg_backward<Arch>(grad_out, grad_in);
    default:
      return windows_avg_backward(grad_out, grad_in);
  }
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
