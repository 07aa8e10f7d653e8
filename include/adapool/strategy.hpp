// SPDX-License-Identifier: MIT
#pragma once

// Which strategy (loop nest) an operation runs for given views: the plan
// adapool makes once per call (detail/plan.hpp lists the strategies and the
// rule that picks each), asked for without running the operation, for the
// forward passes and the backward ones. Tests assert on it; the benchmarks
// print it per workload.

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "detail/dispatch.hpp"
#include "simd/arch.hpp"
#include "simd/target.hpp"
#include "tensor_view.hpp"

namespace adapool {

/// The operations planned_strategy() answers for. The adaptive and global
/// operations of every rank are `average`, `max` and `max_with_indices`;
/// `average_and_max` is adaptive_avg_max_pool2d and adaptive_concat_pool2d;
/// the `channel_` ones are channel_avg_pool, channel_max_pool and
/// channel_max_avg_pool; `power` is GeM and LP pooling.
enum class pooling {
  average,                   ///< adaptive and global average
  max,                       ///< adaptive and global max, without indices
  max_with_indices,          ///< adaptive and global max with indices
  average_and_max,           ///< the fused average and max of the same windows
  channel_average,           ///< channel (depth-wise) average
  channel_max,               ///< channel max, without indices
  channel_max_with_indices,  ///< channel max with indices
  channel_max_and_average,   ///< the fused channel max and mean
  power,                     ///< GeM and LP pooling
};

inline namespace ADAPOOL_TARGET_NAMESPACE {

/// The name of the strategy the operation `op` runs from `in` into `out`
/// (for `average_and_max` and `channel_max_and_average`, `out` is either
/// output), with instruction set Arch: "channels_last", "global_small_planes",
/// "global_planes", "global_chunks", "short_rows", "lane_planes",
/// "plane_columns", "plane_rows", "separate_calls", "narrow_small_planes",
/// "narrow_planes", "narrow_channels", "channel_rows", "channel_passes",
/// "channel_columns" or "power_planes". The views are checked as the
/// operation checks them; nothing is read or written. Names may change
/// between minor versions, as the kernels do.
/// @throws adapool::error when the operation would reject the views
template <class Arch = default_arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut>
const char* planned_strategy(pooling op, const tensor_view<TIn, Rank, LIn>& in,
                             const tensor_view<TOut, Rank, LOut>& out) {
  using T = std::remove_const_t<TOut>;
  detail::check_types<Arch, TIn, T, true>();
  const bool channel = op == pooling::channel_average || op == pooling::channel_max ||
                       op == pooling::channel_max_with_indices || op == pooling::channel_max_and_average;
  const char* name = channel ? "planned_strategy (channel pooling)" : "planned_strategy";
  if (!(channel ? detail::check_channel(name, in, out, detail::no_indices<Rank>)
                : detail::check_adaptive(name, in, out)))
    return "";
  const detail::view5d<const T> i5 = detail::to_5d(tensor_view<const T, Rank, LIn>(in));
  const detail::view5d<const T> o5 = detail::to_5d(tensor_view<const T, Rank, LOut>(out));
  using detail::operation;
  if constexpr (detail::is_narrow_type<T>) {
    return detail::strategy_name(channel ? detail::strategy::narrow_channels : detail::plan_narrow(i5, o5));
  } else {
    switch (op) {
      case pooling::average:
        return detail::planned_spatial<Arch>(operation::average, tensor_view<const T, Rank, LIn>(in),
                                             tensor_view<const T, Rank, LOut>(out));
      case pooling::max:
      case pooling::max_with_indices:
        return detail::planned_spatial<Arch>(operation::max, tensor_view<const T, Rank, LIn>(in),
                                             tensor_view<const T, Rank, LOut>(out));
      case pooling::average_and_max:
        return detail::planned_spatial<Arch>(operation::average_and_max, tensor_view<const T, Rank, LIn>(in),
                                             tensor_view<const T, Rank, LOut>(out));
      case pooling::channel_average:
        return detail::strategy_name(detail::plan_channel(operation::channel_average, i5, o5, false));
      case pooling::channel_max:
      case pooling::channel_max_with_indices:
        return detail::strategy_name(
            detail::plan_channel(operation::channel_max, i5, o5, op == pooling::channel_max_with_indices));
      case pooling::channel_max_and_average:
        // The second output is taken to be laid out like the first.
        return detail::strategy_name(detail::plan_channel(operation::channel_max_and_average, i5, o5, false, &o5));
      case pooling::power:
        return detail::strategy_name(detail::plan_power(i5));
    }
    return "";
  }
}

/// The name of the strategy the backward pass of `op` (average, max or
/// max_with_indices, channel_average, channel_max or
/// channel_max_with_indices) runs from `grad_out` into `grad_in`:
/// "fill_planes", "window_rows", "channels_last", "windows",
/// "scatter_planes" or "channel_runs". The views are checked as the backward
/// pass checks them (indices aside); nothing is read or written.
/// @throws adapool::error for another `op`, or when the backward pass would
/// reject the views
template <class Arch = default_arch, class TOut, class TIn, std::size_t Rank, class LOut, class LIn>
const char* planned_backward_strategy(pooling op, const tensor_view<TOut, Rank, LOut>& grad_out,
                                      const tensor_view<TIn, Rank, LIn>& grad_in) {
  detail::check_backward_types<Arch, TOut, TIn>();
  using detail::operation;
  operation planned = operation::average;
  switch (op) {
    case pooling::average:
      break;
    case pooling::max:
    case pooling::max_with_indices:
      planned = operation::max;
      break;
    case pooling::channel_average:
      planned = operation::channel_average;
      break;
    case pooling::channel_max:
    case pooling::channel_max_with_indices:
      planned = operation::channel_max;
      break;
    default:
      detail::report_error("planned_backward_strategy: op has no backward pass (the fused and power poolings)");
      return "";
  }
  const bool channel = planned == operation::channel_average || planned == operation::channel_max;
  if (!detail::check_backward("planned_backward_strategy", grad_out, grad_in, detail::no_indices<Rank>,
                              channel ? detail::backward_kind::channel : detail::backward_kind::adaptive))
    return "";
  return detail::strategy_name(detail::plan_backward(
      planned, detail::to_5d(tensor_view<const TIn, Rank, LOut>(grad_out)), detail::to_5d(grad_in)));
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool
