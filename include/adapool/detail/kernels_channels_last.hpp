// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_KERNELS_CHANNELS_LAST_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_KERNELS_CHANNELS_LAST_HPP)
#undef ADAPOOL_DETAIL_KERNELS_CHANNELS_LAST_HPP
#else
#define ADAPOOL_DETAIL_KERNELS_CHANNELS_LAST_HPP
#endif

// Strategy channels_last (plan.hpp): adaptive pooling for channels-last inputs (the channels of a pixel are
// contiguous): every pixel of a window adds a run of channels, lane by lane,
// a column block of channels at a time.

#include <algorithm>
#include <cstdint>

#include "../parallel.hpp"
#include "../simd/target.hpp"
#include "plan.hpp"
#include "reduce.hpp"
#include "reduce_columns.hpp"
#include "view5d.hpp"
#include "window_table.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// Calls body(n, od, oh, ow, wd, wh, ww, c0, len) for every output position and
// run of at most max_run channels [c0, c0 + len), spread over threads. With
// fewer output positions than threads (global pooling), channel runs shrink so
// that threads share them.
template <class In, class Out, class Body>
void for_each_window_and_channels(const view5d<In>& in, const view5d<Out>& out, std::int64_t max_run,
                                  const Body& body) {
  constexpr std::int64_t L = 16;  // a multiple of every lane count, so runs split no vector
  const std::int64_t windows = in.n * out.d * out.h * out.w;
  const std::int64_t work = in.n * in.c * in.plane_size();
  // Results do not depend on the run length (channels are independent lanes).
  std::int64_t run = max_run;
  const std::int64_t threads = useful_threads(work);
  if (windows < threads) run = std::min(max_run, (in.c / threads + L - 1) / L * L);
  const std::int64_t runs = (in.c + run - 1) / run;
  parallel_for(windows * runs, work, [&](std::int64_t task) {
    const std::int64_t c0 = task % runs * run;
    std::int64_t position = task / runs;
    const std::int64_t ow = position % out.w;
    position /= out.w;
    const std::int64_t oh = position % out.h;
    position /= out.h;
    const std::int64_t od = position % out.d;
    const std::int64_t n = position / out.d;
    body(n, od, oh, ow, window_at(od, in.d, out.d), window_at(oh, in.h, out.h), window_at(ow, in.w, out.w), c0,
         std::min(run, in.c - c0));
  });
}

// Whether a window's rows are whole rows, one after another in memory (a
// dense plane): its pixels are then one run, added in one call, so that the
// sums can stay in registers from row to row.
template <class T>
bool whole_rows_adjacent(const view5d<const T>& in, const window& ww) {
  return ww.size() == in.w && in.stride_h == in.w * in.stride_w;
}

// Channels one task of adaptive_avg_channels_last sums when pixels have more
// than a column block of them and a column block's sums do not stay in
// registers (column_sums::sums_in_registers): 8 KB of accumulators. Such a
// pixel's channels are then read whole, one pixel after another, which
// measured faster than a column block at a time across the window's pixels
// with the sums in memory. With the sums in registers, column blocks are the
// faster: W11 (7 x 7 pixels of 2048 floats) with AVX-512 took 1.2x as long
// read whole.
template <class T>
inline constexpr std::int64_t wide_column_block = 8192 / static_cast<std::int64_t>(sizeof(T));

template <class Arch, class T, std::int64_t Capacity>
void adaptive_avg_channels_last(const view5d<const T>& in, const view5d<T>& out) {
  for_each_window_and_channels(in, out, Capacity,
                               [&](std::int64_t n, std::int64_t od, std::int64_t oh, std::int64_t ow, const window& wd,
                                   const window& wh, const window& ww, std::int64_t c0, std::int64_t len) {
                                 column_sums<Arch, T, Capacity> sums(len, 1);
                                 if (whole_rows_adjacent(in, ww)) {
                                   // One run of pixels per depth; windows are never empty.
                                   const std::int64_t pixels = wh.size() * in.w;
                                   for (std::int64_t d = wd.begin; d + 1 < wd.end; ++d)
                                     sums.add_rows(in.at(n, c0, d, wh.begin, 0), in.stride_w, pixels);
                                   sums.finish_with_rows(in.at(n, c0, wd.end - 1, wh.begin, 0), in.stride_w, pixels);
                                 } else {
                                   for (std::int64_t d = wd.begin; d < wd.end; ++d)
                                     for (std::int64_t h = wh.begin; h < wh.end; ++h)
                                       sums.add_rows(in.at(n, c0, d, h, ww.begin), in.stride_w, ww.size());
                                   sums.finish();
                                 }
                                 const double scale = 1.0 / static_cast<double>(wd.size() * wh.size() * ww.size());
                                 store_means<Arch>(sums.totals, len, scale, out.at(n, c0, od, oh, ow), out.stride_c);
                               });
}

template <class Arch, class T>
void adaptive_avg_channels_last(const view5d<const T>& in, const view5d<T>& out) {
  if (in.c > column_block && !column_sums<Arch, T>::sums_in_registers(column_block)) {
    adaptive_avg_channels_last<Arch, T, wide_column_block<T>>(in, out);
  } else {
    adaptive_avg_channels_last<Arch, T, column_block>(in, out);
  }
}

// Pixel ids are in-plane positions, held as T: callers check plane_size < max_exact_position<T>.
template <class Arch, class T>
void adaptive_max_channels_last(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  for_each_window_and_channels(in, out, column_block,
                               [&](std::int64_t n, std::int64_t od, std::int64_t oh, std::int64_t ow, const window& wd,
                                   const window& wh, const window& ww, std::int64_t c0, std::int64_t len) {
                                 column_max<Arch, T> columns(
                                     len, 1, static_cast<T>((wd.begin * in.h + wh.begin) * in.w + ww.begin));
                                 for (std::int64_t d = wd.begin; d < wd.end; ++d)
                                   for (std::int64_t h = wh.begin; h < wh.end; ++h)
                                     columns.add_rows(in.at(n, c0, d, h, ww.begin), in.stride_w, ww.size(),
                                                      static_cast<T>((d * in.h + h) * in.w + ww.begin));
                                 for (std::int64_t j = 0; j < len; ++j) {
                                   *out.at(n, c0 + j, od, oh, ow) = columns.max[j];
                                   if (indices)
                                     *indices->at(n, c0 + j, od, oh, ow) = static_cast<std::int64_t>(columns.winner[j]);
                                 }
                               });
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
