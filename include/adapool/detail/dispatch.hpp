// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_DISPATCH_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_DISPATCH_HPP)
#undef ADAPOOL_DETAIL_DISPATCH_HPP
#else
#define ADAPOOL_DETAIL_DISPATCH_HPP
#endif

// From the public operations to kernels: check the views, plan once
// (plan.hpp), run the planned strategy (strategies.hpp). Forward passes, then
// the backward ones.

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../simd/arch.hpp"
#include "../simd/target.hpp"
#include "../tensor.hpp"
#include "../tensor_view.hpp"
#include "kernels_power.hpp"
#include "plan.hpp"
#include "strategies.hpp"
#include "validate.hpp"
#include "view5d.hpp"

// After every header above, before the operations below: runtime_dispatch.hpp
// compiles this file again for each instruction set it adds.
#include "runtime_dispatch.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {
template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut>
void adaptive_avg(const char* op, const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out,
                  bool global) {
  if constexpr (std::is_same_v<Arch, simd::dynamic>) {
    ADAPOOL_RUN_ON_CPU(adaptive_avg, op, in, out, global)
  } else {
    check_types<Arch, TIn, TOut, true>();
    if (!check_adaptive(op, in, out, no_indices<Rank>, global)) return;
    if (out.empty()) return;
    const view5d<const TOut> i5 = to_5d(tensor_view<const TOut, Rank, LIn>(in));
    const view5d<TOut> o5 = to_5d(out);
    if constexpr (is_narrow_type<TOut>) {
      run_narrow<Arch, TOut, false>(plan_narrow(i5, o5), i5, o5, nullptr);
    } else {
      pool_average<Arch>(i5, o5);
    }
  }
}

template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut, class LIdx>
void adaptive_max(const char* op, const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out,
                  const tensor_view<std::int64_t, Rank, LIdx>* indices, bool global) {
  if constexpr (std::is_same_v<Arch, simd::dynamic>) {
    ADAPOOL_RUN_ON_CPU(adaptive_max, op, in, out, indices, global)
  } else {
    check_types<Arch, TIn, TOut, true>();
    if (!check_adaptive(op, in, out, indices, global)) return;
    if (out.empty()) return;
    const view5d<const TOut> i5 = to_5d(tensor_view<const TOut, Rank, LIn>(in));
    const view5d<TOut> o5 = to_5d(out);
    view5d<std::int64_t> idx5 = indices ? to_5d(*indices) : view5d<std::int64_t>{};
    if constexpr (is_narrow_type<TOut>) {
      run_narrow<Arch, TOut, true>(plan_narrow(i5, o5), i5, o5, indices ? &idx5 : nullptr);
    } else {
      pool_max<Arch>(i5, o5, indices ? &idx5 : nullptr);
    }
  }
}

template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut, std::size_t Levels>
void adaptive_avg_pyramid(const char* op, const tensor_view<TIn, Rank, LIn>& in,
                          const std::array<tensor_view<TOut, Rank, LOut>, Levels>& outs) {
  if constexpr (std::is_same_v<Arch, simd::dynamic>) {
    ADAPOOL_RUN_ON_CPU(adaptive_avg_pyramid, op, in, outs)
  } else {
    check_types<Arch, TIn, TOut>();
    std::array<byte_span, Levels> spans{};
    for (std::size_t level = 0; level < Levels; ++level) {
      if (!check_adaptive(op, in, outs[level], no_indices<Rank>, false) ||
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
    std::array<view5d<TOut>, Levels> o5;
    for (std::size_t level = 0; level < Levels; ++level) o5[level] = to_5d(outs[level]);
    run_pyramid<Arch>(plan_pyramid<Arch>(i5, o5), i5, o5);
  }
}

template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut>
void channel_avg(const char* op, const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out) {
  if constexpr (std::is_same_v<Arch, simd::dynamic>) {
    ADAPOOL_RUN_ON_CPU(channel_avg, op, in, out)
  } else {
    check_types<Arch, TIn, TOut, true>();
    if (!check_channel(op, in, out, no_indices<Rank>)) return;
    if (out.empty()) return;
    if constexpr (is_narrow_type<TOut>) {
      narrow_channel<Arch, TOut, false>(to_5d(tensor_view<const TOut, Rank, LIn>(in)), to_5d(out), nullptr);
    } else {
      pool_channel_average<Arch>(to_5d(tensor_view<const TOut, Rank, LIn>(in)), to_5d(out));
    }
  }
}

template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut, class LIdx>
void channel_max(const char* op, const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out,
                 const tensor_view<std::int64_t, Rank, LIdx>* indices) {
  if constexpr (std::is_same_v<Arch, simd::dynamic>) {
    ADAPOOL_RUN_ON_CPU(channel_max, op, in, out, indices)
  } else {
    check_types<Arch, TIn, TOut, true>();
    if (!check_channel(op, in, out, indices)) return;
    if (out.empty()) return;
    view5d<std::int64_t> idx5 = indices ? to_5d(*indices) : view5d<std::int64_t>{};
    if constexpr (is_narrow_type<TOut>) {
      narrow_channel<Arch, TOut, true>(to_5d(tensor_view<const TOut, Rank, LIn>(in)), to_5d(out),
                                       indices ? &idx5 : nullptr);
    } else {
      const view5d<const TOut> i5 = to_5d(tensor_view<const TOut, Rank, LIn>(in));
      const view5d<TOut> o5 = to_5d(out);
      run_channel_max<Arch>(plan_channel(operation::channel_max, i5, o5, indices != nullptr), i5, o5,
                            indices ? &idx5 : nullptr);
    }
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
  if constexpr (std::is_same_v<Arch, simd::dynamic>) {
    ADAPOOL_RUN_ON_CPU(adaptive_avg_max, op, in, avg, max, indices)
  } else {
    check_types<Arch, TIn, TOut>();
    if (!check_adaptive(op, in, avg, no_indices<Rank>, false, "avg") ||
        !check_adaptive(op, in, max, indices, false, "max") || !check_second_output<TIn>(op, "avg", avg, "max", max)) {
      return;
    }
    if (avg.empty()) return;
    const view5d<const TOut> i5 = to_5d(tensor_view<const TOut, Rank, LIn>(in));
    view5d<std::int64_t> idx5 = indices ? to_5d(*indices) : view5d<std::int64_t>{};
    const view5d<TOut> avg5 = to_5d(avg), max5 = to_5d(max);
    run_average_and_max<Arch>(plan_spatial<Arch>(operation::average_and_max, i5, avg5), i5, avg5, max5,
                              indices ? &idx5 : nullptr);
  }
}

template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LMax, class LAvg>
void channel_max_avg(const char* op, const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LMax>& max,
                     const tensor_view<TOut, Rank, LAvg>& avg) {
  if constexpr (std::is_same_v<Arch, simd::dynamic>) {
    ADAPOOL_RUN_ON_CPU(channel_max_avg, op, in, max, avg)
  } else {
    check_types<Arch, TIn, TOut>();
    if (!check_channel(op, in, max, no_indices<Rank>, "max") || !check_channel(op, in, avg, no_indices<Rank>, "avg") ||
        !check_second_output<TIn>(op, "max", max, "avg", avg)) {
      return;
    }
    if (max.empty()) return;
    const view5d<const TOut> i5 = to_5d(tensor_view<const TOut, Rank, LIn>(in));
    const view5d<TOut> max5 = to_5d(max), avg5 = to_5d(avg);
    run_channel_max_and_average<Arch>(plan_channel(operation::channel_max_and_average, i5, max5, false, &avg5), i5,
                                      max5, avg5);
  }
}

/// GeM (`gem`: the root of the mean of max(x, eps)^p) or adaptive LP (the root
/// of the sum of x^p) over PyTorch's adaptive windows.
template <class Arch, class TIn, class TOut, std::size_t Rank, class LIn, class LOut>
void adaptive_power(const char* op, const tensor_view<TIn, Rank, LIn>& in, const tensor_view<TOut, Rank, LOut>& out,
                    double p, double eps, bool gem) {
  if constexpr (std::is_same_v<Arch, simd::dynamic>) {
    ADAPOOL_RUN_ON_CPU(adaptive_power, op, in, out, p, eps, gem)
  } else {
    check_types<Arch, TIn, TOut>();
    if (!check_power_argument(op, "p", p) || (gem && !check_power_argument(op, "eps", eps)) ||
        !check_adaptive(op, in, out)) {
      return;
    }
    if (out.empty()) return;
    const power_rule rule(p, gem ? eps : -std::numeric_limits<double>::infinity(), gem);
    const view5d<const TOut> i5 = to_5d(tensor_view<const TOut, Rank, LIn>(in));
    if (plan_power(i5) == strategy::channels_last) {
      power_channels_last<Arch>(rule, i5, to_5d(out));
    } else {
      power_planes<Arch>(rule, i5, to_5d(out));
    }
  }
}

// ------------------------------------------------------------- backward passes

template <class Arch, class TOut, class TIn, std::size_t Rank, class LOut, class LIn>
void adaptive_avg_backward(const char* op, const tensor_view<TOut, Rank, LOut>& grad_out,
                           const tensor_view<TIn, Rank, LIn>& grad_in, bool global) {
  if constexpr (std::is_same_v<Arch, simd::dynamic>) {
    ADAPOOL_RUN_ON_CPU(adaptive_avg_backward, op, grad_out, grad_in, global)
  } else {
    check_backward_types<Arch, TOut, TIn>();
    const auto kind = global ? backward_kind::global : backward_kind::adaptive;
    if (!check_backward(op, grad_out, grad_in, no_indices<Rank>, kind)) return;
    if (grad_in.empty()) return;
    const view5d<const TIn> go = to_5d(tensor_view<const TIn, Rank, LOut>(grad_out));
    const view5d<TIn> gi = to_5d(grad_in);
    if (grad_out.empty()) return zero_backward<Arch>(gi);
    run_average_backward<Arch>(plan_backward(operation::average, go, gi), go, gi);
  }
}

template <class Arch, class TOut, class TIdx, class TIn, std::size_t Rank, class LOut, class LIdx, class LIn>
void adaptive_max_backward(const char* op, const tensor_view<TOut, Rank, LOut>& grad_out,
                           const tensor_view<TIdx, Rank, LIdx>& indices, const tensor_view<TIn, Rank, LIn>& grad_in,
                           bool global) {
  if constexpr (std::is_same_v<Arch, simd::dynamic>) {
    ADAPOOL_RUN_ON_CPU(adaptive_max_backward, op, grad_out, indices, grad_in, global)
  } else {
    check_backward_types<Arch, TOut, TIn, TIdx>();
    const auto kind = global ? backward_kind::global : backward_kind::adaptive;
    if (!check_backward(op, grad_out, grad_in, &indices, kind)) return;
    const view5d<const TIn> go = to_5d(tensor_view<const TIn, Rank, LOut>(grad_out));
    const view5d<const std::int64_t> i5 = to_5d(tensor_view<const std::int64_t, Rank, LIdx>(indices));
    const view5d<TIn> gi = to_5d(grad_in);
    const std::int64_t work = backward_work(go, gi);
    if (!grad_out.empty() && !check_index_range<Arch, Rank>(op, i5, gi.plane_size(), "the input plane", work)) return;
    if (grad_in.empty()) return;
    if (grad_out.empty()) return zero_backward<Arch>(gi);
    scatter_planes_backward<Arch>(go, i5, gi);
  }
}

template <class Arch, class TOut, class TIn, std::size_t Rank, class LOut, class LIn>
void channel_avg_backward(const char* op, const tensor_view<TOut, Rank, LOut>& grad_out,
                          const tensor_view<TIn, Rank, LIn>& grad_in) {
  if constexpr (std::is_same_v<Arch, simd::dynamic>) {
    ADAPOOL_RUN_ON_CPU(channel_avg_backward, op, grad_out, grad_in)
  } else {
    check_backward_types<Arch, TOut, TIn>();
    if (!check_backward(op, grad_out, grad_in, no_indices<Rank>, backward_kind::channel)) return;
    if (grad_in.empty()) return;
    channel_runs_avg_backward<Arch>(to_5d(tensor_view<const TIn, Rank, LOut>(grad_out)), to_5d(grad_in));
  }
}

template <class Arch, class TOut, class TIdx, class TIn, std::size_t Rank, class LOut, class LIdx, class LIn>
void channel_max_backward(const char* op, const tensor_view<TOut, Rank, LOut>& grad_out,
                          const tensor_view<TIdx, Rank, LIdx>& indices, const tensor_view<TIn, Rank, LIn>& grad_in) {
  if constexpr (std::is_same_v<Arch, simd::dynamic>) {
    ADAPOOL_RUN_ON_CPU(channel_max_backward, op, grad_out, indices, grad_in)
  } else {
    check_backward_types<Arch, TOut, TIn, TIdx>();
    if (!check_backward(op, grad_out, grad_in, &indices, backward_kind::channel)) return;
    const view5d<const TIn> go = to_5d(tensor_view<const TIn, Rank, LOut>(grad_out));
    const view5d<const std::int64_t> i5 = to_5d(tensor_view<const std::int64_t, Rank, LIdx>(indices));
    const view5d<TIn> gi = to_5d(grad_in);
    if (!grad_out.empty() && !check_index_range<Arch, Rank>(op, i5, gi.c, "the channels", backward_work(go, gi)))
      return;
    if (grad_in.empty()) return;
    channel_runs_max_backward<Arch>(go, i5, gi);
  }
}

// The name of the strategy an adaptive or global operation runs (strategy.hpp).
template <class Arch, class T, std::size_t Rank, class LIn, class LOut>
const char* planned_spatial(operation op, const tensor_view<const T, Rank, LIn>& in,
                            const tensor_view<const T, Rank, LOut>& out) {
  if constexpr (std::is_same_v<Arch, simd::dynamic>) {
    ADAPOOL_RUN_ON_CPU(planned_spatial, op, in, out)
  } else {
    return strategy_name(plan_spatial<Arch>(op, to_5d(in), to_5d(out)));
  }
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

#endif
