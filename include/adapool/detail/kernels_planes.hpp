// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_KERNELS_PLANES_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_KERNELS_PLANES_HPP)
#undef ADAPOOL_DETAIL_KERNELS_PLANES_HPP
#else
#define ADAPOOL_DETAIL_KERNELS_PLANES_HPP
#endif

// Strategies plane_columns and plane_rows (plan.hpp): any strides, one (n, c)
// plane per task. Rows within a column block are separable: the window's rows
// are first added (or maxed) column by column, then each output takes its
// columns. Longer rows are reduced window row by window row.

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "../parallel.hpp"
#include "../simd/target.hpp"
#include "kernels_global.hpp"
#include "plan.hpp"
#include "reduce.hpp"
#include "reduce_columns.hpp"
#include "view5d.hpp"
#include "window_table.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// Calls body(Columns{}), Columns being the set whose vectors column_sums and
// column_max run over these planes' rows (rows_in_half_width); Arch runs the rest.
template <class Arch, class T, class Body>
void with_columns_form(const view5d<const T>& in, const Body& body) {
  if constexpr (!std::is_same_v<half_width<Arch>, Arch>) {
    if (rows_in_half_width<Arch>(in)) return body(half_width<Arch>{});
  }
  body(Arch{});
}

// The plane the task after (n, c) reads, or null after the last.
template <class T>
const T* next_plane(const view5d<const T>& in, std::int64_t n, std::int64_t c) {
  if (c + 1 < in.c) return in.at(n, c + 1, 0, 0, 0);
  return n + 1 < in.n ? in.at(n + 1, 0, 0, 0, 0) : nullptr;
}

// Asks for the rows of window band (wd, wh) of `plane` to be loaded. Callers
// that spend long on each plane in cache (every level of a pyramid, an average
// then a max) ask for the next plane's band as they reach the same band of the
// current one: with no misses to follow, the hardware prefetcher stops between
// planes. A single level is not asked ahead: its loads miss all along, the
// hardware prefetcher follows them, and extra requests only compete with its
// own (the CHANGELOG has the measurements).
// Unit-stride rows only, where every line fetched is read.
template <class T>
void prefetch_band(const view5d<const T>& in, const T* plane, const window& wd, const window& wh) {
  if constexpr (simd::prefetch_available) {
    if (!plane || in.stride_w != 1) return;
    const std::int64_t row_bytes = in.w * static_cast<std::int64_t>(sizeof(T));
    for (std::int64_t d = wd.begin; d < wd.end; ++d) {
      for (std::int64_t h = wh.begin; h < wh.end; ++h) {
        simd::prefetch_bytes(plane + d * in.stride_d + h * in.stride_h, row_bytes);
      }
    }
  }
}

// Every output of plane (n, c). Windows on rows of up to column_block elements
// are separable: the window's rows are added column by column, then each
// output adds its columns. Longer rows are summed window row by window row.
// Columns is the set column_sums runs with. The rows of `ahead`, when not
// null, are asked for band by band (prefetch_band).
template <class Arch, class Columns, class T>
void average_plane(const view5d<const T>& in, const view5d<T>& out, const window_table& columns_of, std::int64_t n,
                   std::int64_t c, const T* ahead = nullptr) {
  const T* plane = in.at(n, c, 0, 0, 0);
  if (covers_whole_plane(in, out)) {
    *out.at(n, c, 0, 0, 0) =
        static_cast<T>(plane_sum<Arch>(plane, in.plane_size()) * (1.0 / static_cast<double>(in.plane_size())));
    return;
  }
  for (std::int64_t od = 0; od < out.d; ++od) {
    const window wd = window_at(od, in.d, out.d);
    for (std::int64_t oh = 0; oh < out.h; ++oh) {
      const window wh = window_at(oh, in.h, out.h);
      const auto rows = static_cast<double>(wd.size() * wh.size());
      const auto average = [&](std::int64_t ow, double sum, const window& ww) {
        *out.at(n, c, od, oh, ow) = static_cast<T>(sum / (rows * static_cast<double>(ww.size())));
      };
      if (rows_in_column_block(in, false)) {
        column_sums<Columns, T> columns(in.w, in.stride_w);
        prefetch_band(in, ahead, wd, wh);
        for (std::int64_t d = wd.begin; d < wd.end; ++d)
          columns.add_rows(plane + d * in.stride_d + wh.begin * in.stride_h, in.stride_h, wh.size());
        columns.finish();
        for (std::int64_t ow = 0; ow < out.w; ++ow) {
          const window ww = columns_of[ow];
          // Four chains of adds, not one add waiting on the last per column.
          average(ow, sum_block_contiguous<simd::scalar>(columns.totals + ww.begin, ww.size()), ww);
        }
        continue;
      }
      for (std::int64_t ow = 0; ow < out.w; ++ow) {
        const window ww = columns_of[ow];
        double sum = 0;
        for (std::int64_t d = wd.begin; d < wd.end; ++d) {
          for (std::int64_t h = wh.begin; h < wh.end; ++h) {
            sum += sum_row<Arch>(plane + d * in.stride_d + h * in.stride_h + ww.begin * in.stride_w, ww.size(),
                                 in.stride_w);
          }
        }
        average(ow, sum, ww);
      }
    }
  }
}

// Every output of plane (n, c); `indices` may be null. Separable like
// average_plane when the rows fit a column block and row ids are exact in T.
// Columns is the set column_max runs with.
template <class Arch, class Columns, class T>
void max_plane(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices,
               const window_table& columns_of, std::int64_t n, std::int64_t c) {
  const auto store = [&](std::int64_t od, std::int64_t oh, std::int64_t ow, const max_and_position<T>& best) {
    *out.at(n, c, od, oh, ow) = best.value;
    if (indices) *indices->at(n, c, od, oh, ow) = best.position;
  };
  const T* plane = in.at(n, c, 0, 0, 0);
  const bool by_columns = rows_in_column_block(in, true);
  for (std::int64_t od = 0; od < out.d; ++od) {
    const window wd = window_at(od, in.d, out.d);
    for (std::int64_t oh = 0; oh < out.h; ++oh) {
      const window wh = window_at(oh, in.h, out.h);
      if (by_columns) {
        // Each column keeps its first max (or last NaN) over the window's rows;
        // the columns of a window then merge by their in-plane positions.
        column_max<Columns, T> columns(in.w, in.stride_w, static_cast<T>(wd.begin * in.h + wh.begin));
        for (std::int64_t d = wd.begin; d < wd.end; ++d)
          columns.add_rows(plane + d * in.stride_d + wh.begin * in.stride_h, in.stride_h, wh.size(),
                           static_cast<T>(d * in.h + wh.begin));
        for (std::int64_t ow = 0; ow < out.w; ++ow) {
          const window ww = columns_of[ow];
          max_and_position<T> best{columns.max[ww.begin],
                                   static_cast<std::int64_t>(columns.winner[ww.begin]) * in.w + ww.begin};
          for (std::int64_t w = ww.begin + 1; w < ww.end; ++w) {
            merge_unordered(best, columns.max[w], static_cast<std::int64_t>(columns.winner[w]) * in.w + w);
          }
          store(od, oh, ow, best);
        }
        continue;
      }
      for (std::int64_t ow = 0; ow < out.w; ++ow) {
        const window ww = columns_of[ow];
        max_and_position<T> best{-std::numeric_limits<T>::infinity(), (wd.begin * in.h + wh.begin) * in.w + ww.begin};
        // Rows merge by the element rule, so the result is that of one scan in row-major order.
        for (std::int64_t d = wd.begin; d < wd.end; ++d) {
          for (std::int64_t h = wh.begin; h < wh.end; ++h) {
            const max_and_position<T> row = max_index_row<Arch>(
                plane + d * in.stride_d + h * in.stride_h + ww.begin * in.stride_w, ww.size(), in.stride_w);
            if (replaces(row.value, best.value)) best = {row.value, (d * in.h + h) * in.w + ww.begin + row.position};
          }
        }
        store(od, oh, ow, best);
      }
    }
  }
}

template <class Arch, class T>
void average_planes(const view5d<const T>& in, const view5d<T>& out) {
  const window_table columns_of(in.w, out.w);
  with_columns_form<Arch>(in, [&](auto form) {
    parallel_for(in.n * in.c, in.n * in.c * in.plane_size(), [&](std::int64_t task) {
      const std::int64_t n = task / in.c, c = task % in.c;
      average_plane<Arch, decltype(form)>(in, out, columns_of, n, c);
    });
  });
}

// `indices` may be null (max without indices).
template <class Arch, class T>
void max_planes(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  const window_table columns_of(in.w, out.w);
  with_columns_form<Arch>(in, [&](auto form) {
    parallel_for(in.n * in.c, in.n * in.c * in.plane_size(), [&](std::int64_t task) {
      max_plane<Arch, decltype(form)>(in, out, indices, columns_of, task / in.c, task % in.c);
    });
  });
}

// Average and max of each plane one after the other, the max reading it from cache.
template <class Arch, class T>
void average_and_max_planes(const view5d<const T>& in, const view5d<T>& avg, const view5d<T>& max,
                            const view5d<std::int64_t>* indices) {
  const window_table columns_of(in.w, avg.w);
  with_columns_form<Arch>(in, [&](auto form) {
    parallel_for(in.n * in.c, 2 * in.n * in.c * in.plane_size(), [&](std::int64_t task) {
      const std::int64_t n = task / in.c, c = task % in.c;
      average_plane<Arch, decltype(form)>(in, avg, columns_of, n, c, next_plane(in, n, c));
      max_plane<Arch, decltype(form)>(in, max, indices, columns_of, n, c);
    });
  });
}

// Every level of each plane one after the other, the plane read from memory once.
// Empty levels are skipped: their data may be null.
template <class Arch, class T, std::size_t Levels>
void pyramid_planes(const view5d<const T>& in, const std::array<view5d<T>, Levels>& outs) {
  std::array<window_table, Levels> columns_of;
  for (std::size_t level = 0; level < Levels; ++level) columns_of[level] = window_table(in.w, outs[level].w);
  with_columns_form<Arch>(in, [&](auto form) {
    parallel_for(in.n * in.c, in.n * in.c * in.plane_size() * static_cast<std::int64_t>(Levels),
                 [&](std::int64_t task) {
                   const std::int64_t n = task / in.c, c = task % in.c;
                   // The first level read by bands asks for the whole next plane: a
                   // level's bands cover all its rows.
                   const T* ahead = next_plane(in, n, c);
                   for (std::size_t level = 0; level < Levels; ++level) {
                     if (outs[level].plane_size() == 0) continue;
                     average_plane<Arch, decltype(form)>(in, outs[level], columns_of[level], n, c, ahead);
                     if (!covers_whole_plane(in, outs[level])) ahead = nullptr;
                   }
                 });
  });
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
