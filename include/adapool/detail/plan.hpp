// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_PLAN_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_PLAN_HPP)
#undef ADAPOOL_DETAIL_PLAN_HPP
#else
#define ADAPOOL_DETAIL_PLAN_HPP
#endif

// Which loop nest serves a call. Each operation family has one ordered list of
// named strategies below, each with the predicate that accepts a call; the
// first that accepts runs. dispatch.hpp plans once per call, from the checked
// views, then runs the strategy's kernel (kernels_<strategy>.hpp);
// planned_strategy() gives the name to tests and benchmarks.
//
// The size words, each defined once:
//  - plane: the D x H x W elements of one (n, c). Contiguous planes are each
//    one run in row-major order.
//  - lanes: elements of T in one vector of the instruction set (1 for scalar).
//  - small plane: at most small_plane elements (16 vectors); whole-plane sums
//    take `lanes` such planes at a time, one per lane.
//  - small max plane: at most small_max_plane elements (64), so every
//    position of a plane fits one 64-bit mask.
//  - lane plane: at most lane_plane_limit elements (256); windows of such
//    planes are pooled `lanes` planes at a time, one per lane.
//  - plane chunk: plane_chunk elements of one plane, summed as a unit; larger
//    planes are split into chunks that threads share.
//  - plane block: up to plane_block consecutive planes of one image, one task.
//  - column block: up to column_block (reduce.hpp) columns whose running sums
//    or maxima stay on the stack.
//  - wide column block: up to wide_column_block<T> channels (8 KB of T,
//    kernels_channels_last.hpp) that a channels-last average sums at once
//    when pixels have more than a column block of channels, unless a column
//    block's sums stay in registers.
//  - channel sum rows: channel_sum_rows channels (64) of float sums before
//    they are added into double.
//  - short row: an input row longer than one vector and shorter than two,
//    with at most a vector of outputs, and at most short_rows_max_height rows.
//  - spread row: in a backward pass, one output row's shares laid out over
//    the input columns, the k-th window holding each column giving its share.

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../simd/target.hpp"
#include "operation.hpp"
#include "reduce.hpp"
#include "view5d.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

template <class Arch, class T>
inline constexpr std::int64_t small_plane = 16 * simd::ops<T, Arch>::lanes;

// The AVX2 form of an AVX-512 build (AVX-512VL CPUs run it natively), run
// where the 512-bit form measured slower; every other set is its own.
template <class Arch>
struct half_width_set {
  using type = Arch;
};
template <>
struct half_width_set<simd::avx512f> {
  using type = simd::avx2;
};
template <class Arch>
using half_width = typename half_width_set<Arch>::type;

// Whole small planes run in the AVX2 form of an AVX-512 build. Global sums
// and maxima of small planes keep one form per build, so that every path
// summing a small plane gives the same bits.
template <class Arch>
using small_planes_arch = half_width<Arch>;

// The vector form of column_sums and column_max over the rows of
// plane_columns: on rows of at most one strip of 512-bit vectors (four), the
// AVX2 form, which splits such a row into up to eight vectors, measured
// faster. Each column is its own lane in both forms: the bits are the same.
template <class Arch, class T>
bool rows_in_half_width(const view5d<const T>& in) {
  return !std::is_same_v<half_width<Arch>, Arch> && in.w <= 4 * simd::ops<T, Arch>::lanes;
}

// Chunks also make the bits independent of the thread count: W4's three
// planes are shared by any number of threads, their chunk totals added in order.
inline constexpr std::int64_t plane_chunk = 64 * sum_block;

// Planes of more than plane_chunk elements, read from L3 or memory one chunk
// at a time, are summed in the AVX2 form of an AVX-512 build, which measured
// faster there (W4); the 512-bit form stays faster on planes read four side
// by side (W3, W8's 1-bin level). Such planes are summed only by chunk_sum, so
// every path gives them the same bits.
template <class Arch>
using chunks_arch = half_width<Arch>;

// Bounds a lane group's copy on the stack (16 KB for AVX-512) and keeps
// positions exact in float.
inline constexpr std::int64_t lane_plane_limit = 256;

// Maxima of lane planes run in the AVX2 form of an AVX-512 build, whose
// 16-plane groups measured slower than 8-plane ones. Each plane is its own
// lane in both forms: the bits are the same.
template <class Arch>
using lane_max_arch = half_width<Arch>;

inline constexpr std::int64_t plane_block = 64;

// Float sums over channels flush into double this often (see column_sums).
inline constexpr std::int64_t channel_sum_rows = 64;

// The short-rows max kernel keeps one vector per input row on the stack.
inline constexpr std::int64_t short_rows_max_height = 128;

/// The loop nests, by the names planned_strategy() returns.
enum class strategy {
  channels_last,        // channels contiguous: vectors along C (kernels_channels_last.hpp)
  global_small_planes,  // whole small planes, `lanes` planes at once (kernels_global.hpp)
  global_planes,        // whole planes, one stream each, one after another (kernels_global.hpp)
  global_chunks,        // whole planes larger than a chunk, chunks shared by threads (kernels_global.hpp)
  short_rows,           // windows picked from the vectors of short rows (kernels_short_rows.hpp)
  lane_planes,          // lane planes, one per lane (kernels_lane_planes.hpp)
  plane_columns,        // rows within a column block: the window's rows added column by column (kernels_planes.hpp)
  plane_rows,           // anything else: each window row reduced on its own (kernels_planes.hpp)
  separate_calls,       // a fused operation whose outputs are best computed by their own plans
  narrow_small_planes,  // narrow types, whole small max planes (kernels_narrow.hpp)
  narrow_planes,        // narrow types, window by window (kernels_narrow.hpp)
  narrow_channels,      // narrow types, channel pooling (kernels_narrow.hpp)
  channel_rows,         // channel pooling, each pixel's channels one run (kernels_channel.hpp)
  channel_passes,       // channel pooling, contiguous pixel runs reduced in passes over channels (kernels_channel.hpp)
  channel_columns,      // channel pooling, strided pixel runs through column sums and maxima (kernels_channel.hpp)
  power_planes,         // GeM and LP over planes (kernels_power.hpp)
  // Backward passes (kernels_backward.hpp); channels_last serves them too.
  fill_planes,     // global average: each grad_in plane stored from its one share
  window_rows,     // adaptive average: each unit-stride grad_in row summed from its shares, stored once
  windows,         // adaptive average, anything else: window by window
  scatter_planes,  // max: planes zeroed, each grad_out added at its index
  channel_runs,    // channel pooling: every channel of a run of pixels
};

constexpr const char* strategy_name(strategy s) {
  switch (s) {
    case strategy::channels_last:
      return "channels_last";
    case strategy::global_small_planes:
      return "global_small_planes";
    case strategy::global_planes:
      return "global_planes";
    case strategy::global_chunks:
      return "global_chunks";
    case strategy::short_rows:
      return "short_rows";
    case strategy::lane_planes:
      return "lane_planes";
    case strategy::plane_columns:
      return "plane_columns";
    case strategy::plane_rows:
      return "plane_rows";
    case strategy::separate_calls:
      return "separate_calls";
    case strategy::narrow_small_planes:
      return "narrow_small_planes";
    case strategy::narrow_planes:
      return "narrow_planes";
    case strategy::narrow_channels:
      return "narrow_channels";
    case strategy::channel_rows:
      return "channel_rows";
    case strategy::channel_passes:
      return "channel_passes";
    case strategy::channel_columns:
      return "channel_columns";
    case strategy::power_planes:
      return "power_planes";
    case strategy::fill_planes:
      return "fill_planes";
    case strategy::window_rows:
      return "window_rows";
    case strategy::windows:
      return "windows";
    case strategy::scatter_planes:
      return "scatter_planes";
    case strategy::channel_runs:
      return "channel_runs";
  }
  return "unknown";
}

// ------------------------------------------------------------- predicates

template <class T, class U>
bool covers_whole_plane(const view5d<T>& in, const view5d<U>& out) {
  return out.d == 1 && out.h == 1 && out.w == 1 && in.planes_contiguous();
}

// Channels-last loops hold in-plane positions as T for the max.
template <class T>
bool channels_last_fits(const view5d<const T>& in, bool max) {
  return in.channels_contiguous() && (!max || in.plane_size() < max_exact_position<T>);
}

template <class T>
bool planes_in_lanes(const view5d<const T>& in) {
  return in.planes_contiguous() && in.plane_size() <= lane_plane_limit;
}

template <class Arch, class T>
bool small_max_planes(const view5d<const T>& in) {
  constexpr std::int64_t L = simd::ops<T, small_planes_arch<Arch>>::lanes;
  return L > 1 && in.planes_contiguous() && in.plane_size() >= L && in.plane_size() <= small_max_plane;
}

// Narrower rows leave most of each vector idle: lane_planes does better there.
template <class Arch, class T, class U>
bool fits_short_rows(const view5d<const T>& in, const view5d<U>& out) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  return V::fast_pick && L >= 4 && in.d == 1 && out.d == 1 && in.stride_w == 1 && 2 * in.w > L && in.w < 2 * L &&
         out.w <= L && in.h <= short_rows_max_height && out.h <= short_rows_max_height;
}

// Short rows run on the narrowest set of Arch's chain that fits them
// (with_short_rows): wider vectors would only add idle lanes.
template <class Arch, class T, class U>
bool short_rows_fit(const view5d<const T>& in, const view5d<U>& out) {
  using Parent = typename Arch::parent;
  if constexpr (!std::is_void_v<Parent>) {
    if (short_rows_fit<Parent>(in, out)) return true;
  }
  return fits_short_rows<Arch>(in, out);
}

// Rows within a column block are separable; a max also needs its row ids
// exact in T.
template <class T>
bool rows_in_column_block(const view5d<const T>& in, bool max) {
  return in.w <= column_block && (!max || in.d * in.h < max_exact_position<T>);
}

// Whether a run of output pixels is contiguous like the input run it comes
// from, so that it can hold the accumulators itself.
template <class T, class U>
bool accumulates_in_output(const view5d<const T>& in, const view5d<U>& out) {
  return (in.planes_contiguous() && out.planes_contiguous()) || out.stride_w == 1 || out.w == 1;
}

template <class T>
bool pixel_runs_contiguous(const view5d<const T>& in) {
  return in.stride_w == 1 || in.w == 1;
}

// The most windows holding one position: at most 2 when in >= out (one
// when out divides in), more when windows repeat positions (in < out).
inline std::int64_t most_windows_holding(std::int64_t in, std::int64_t out) {
  if (in % out == 0) return 1;
  return in > out ? 2 : (out - 1) / in + 2;
}

// window_rows' tables live on the stack: the shares of one plane, their
// spread over the input columns, and one row's list of spread rows.
inline constexpr std::int64_t backward_share_limit = 1024;
inline constexpr std::int64_t backward_spread_limit = 4096;
inline constexpr std::int64_t backward_parts_limit = 64;
// The spread rows of a group of planes: at least one plane's at the limit.
inline constexpr std::int64_t backward_spread_buffer = 2 * backward_spread_limit;

template <class T, class U>
bool window_rows_fit(const view5d<const T>& go, const view5d<U>& gi) {
  if (gi.stride_w != 1 || gi.w > backward_spread_limit || go.plane_size() == 0 ||
      go.plane_size() >= backward_share_limit)
    return false;
  const std::int64_t across = most_windows_holding(gi.w, go.w);
  const std::int64_t parts = most_windows_holding(gi.d, go.d) * most_windows_holding(gi.h, go.h) * across;
  return parts <= backward_parts_limit && go.d * go.h * across * gi.w <= backward_spread_limit;
}

// ------------------------------------------------------------- the plans

// Adaptive and global pooling of float and double over the spatial axes.
template <class Arch, class T, class U>
strategy plan_spatial(operation op, const view5d<const T>& in, const view5d<U>& out) {
  const bool max = op != operation::average && op != operation::pyramid;
  if (channels_last_fits(in, max)) return strategy::channels_last;
  const bool whole = covers_whole_plane(in, out);
  const std::int64_t size = in.plane_size();
  switch (op) {
    case operation::average:
      if (whole && size > plane_chunk) return strategy::global_chunks;
      if (whole) {
        return size <= small_plane<small_planes_arch<Arch>, T> ? strategy::global_small_planes
                                                               : strategy::global_planes;
      }
      break;
    case operation::max:
      if (whole && small_max_planes<Arch>(in)) return strategy::global_small_planes;
      break;
    case operation::average_and_max:
      // One read gives both for planes small for each; larger whole planes
      // are a stream for each output.
      if (whole && small_max_planes<Arch>(in) && size <= small_plane<small_planes_arch<Arch>, T>)
        return strategy::global_small_planes;
      if (whole) return strategy::separate_calls;
      break;
    case operation::pyramid:
      // A level of short rows shares no read with the others (plan_pyramid).
      if (short_rows_fit<Arch>(in, out)) return strategy::separate_calls;
      break;
    default:
      break;
  }
  // A max over short rows steps through the largest window lane by lane, for
  // a vector of a row's outputs at once. With two windows a row that is half a
  // row of steps with two lanes busy, where the other kernels compare each
  // element once.
  if (op != operation::pyramid && short_rows_fit<Arch>(in, out) && (op != operation::max || out.w > 2))
    return strategy::short_rows;
  if (planes_in_lanes(in)) return strategy::lane_planes;
  if (op == operation::max && whole) return strategy::global_planes;
  return rows_in_column_block(in, op == operation::max) ? strategy::plane_columns : strategy::plane_rows;
}

// Several average levels of one input: every level from one read of each
// plane, unless a level is planned apart.
template <class Arch, class T, class U, std::size_t Levels>
strategy plan_pyramid(const view5d<const T>& in, const std::array<view5d<U>, Levels>& outs) {
  if (channels_last_fits(in, false)) return strategy::separate_calls;
  for (const view5d<U>& out : outs) {
    if (out.plane_size() > 0 && plan_spatial<Arch>(operation::pyramid, in, out) == strategy::separate_calls)
      return strategy::separate_calls;
  }
  if (planes_in_lanes(in)) return strategy::lane_planes;
  return rows_in_column_block(in, false) ? strategy::plane_columns : strategy::plane_rows;
}

// The narrow types (element_types.hpp), average or max.
template <class T, class U>
strategy plan_narrow(const view5d<const T>& in, const view5d<U>& out) {
  return covers_whole_plane(in, out) && in.plane_size() <= small_max_plane ? strategy::narrow_small_planes
                                                                           : strategy::narrow_planes;
}

// GeM and LP: channels-last data feeds column sums; planes go through the
// average's own plan, raised to the power in a buffer (kernels_power.hpp).
template <class T>
strategy plan_power(const view5d<const T>& in) {
  return channels_last_fits(in, false) ? strategy::channels_last : strategy::power_planes;
}

// Channel (depth-wise) pooling over adaptive windows of channels. `second` is
// the fused form's other output (null otherwise).
template <class T, class U>
strategy plan_channel(operation op, const view5d<const T>& in, const view5d<U>& out, bool with_indices,
                      const view5d<U>* second = nullptr) {
  const bool ids_exact = in.c < max_exact_position<T>;
  if (op == operation::channel_average) {
    if (in.channels_contiguous()) return strategy::channel_rows;
    return pixel_runs_contiguous(in) ? strategy::channel_passes : strategy::channel_columns;
  }
  if (in.channels_contiguous() || !ids_exact) return strategy::channel_rows;
  if (!pixel_runs_contiguous(in)) return strategy::channel_columns;
  if (op == operation::channel_max) return with_indices ? strategy::channel_columns : strategy::channel_passes;
  // channel_max_and_average: one pass feeds both where both outputs hold
  // their accumulators and the sums need no flush into double.
  const bool one_pass = in.c <= channel_sum_rows && accumulates_in_output(in, out) && second != nullptr &&
                        accumulates_in_output(in, *second);
  return one_pass ? strategy::channel_passes : strategy::separate_calls;
}

// The backward passes, from grad_out to grad_in: `op` is average, max,
// channel_average or channel_max. A 1 x 1 average is a mean (fill_planes).
template <class T, class U>
strategy plan_backward(operation op, const view5d<const T>& grad_out, const view5d<U>& grad_in) {
  switch (op) {
    case operation::max:
      return strategy::scatter_planes;
    case operation::channel_average:
    case operation::channel_max:
      return strategy::channel_runs;
    default:
      break;
  }
  if (grad_out.d == 1 && grad_out.h == 1 && grad_out.w == 1) return strategy::fill_planes;
  if (grad_in.channels_contiguous()) return strategy::channels_last;
  return window_rows_fit(grad_out, grad_in) ? strategy::window_rows : strategy::windows;
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
