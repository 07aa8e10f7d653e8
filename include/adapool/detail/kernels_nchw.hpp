// SPDX-License-Identifier: MIT
#pragma once

// Adaptive pooling plane by plane, for inputs whose (n, c) planes are read row
// by row (contiguous NCHW, and strided views without contiguous channels).
//  - global pooling of contiguous planes: one run per plane, several small
//    planes reduced together;
//  - windows on rows that fit a column block: separable, the window's rows are
//    first added (or maxed) column by column, then each output takes its columns;
//  - anything else: each window row reduced on its own (any strides, any size).

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../parallel.hpp"
#include "../windows.hpp"
#include "reduce.hpp"
#include "view5d.hpp"

namespace adapool::detail {

struct window {
  std::int64_t begin, end;
  std::int64_t size() const { return end - begin; }
};

inline window window_at(std::int64_t i, std::int64_t in, std::int64_t out) {
  return {window_begin(i, in, out), window_end(i, in, out)};
}

// Windows along one axis, computed once per call rather than per element
// (each costs integer divisions). Holds the first `size` windows.
class window_table {
  static constexpr std::int64_t size = 256;

 public:
  window_table() = default;
  window_table(std::int64_t in, std::int64_t out) : in_(in), out_(out) {
    for (std::int64_t i = 0; i < std::min(out, size); ++i) table_[i] = window_at(i, in, out);
  }
  window operator[](std::int64_t i) const { return i < size ? table_[i] : window_at(i, in_, out_); }

 private:
  std::int64_t in_ = 1, out_ = 1;
  window table_[size] = {};
};

template <class T, class U>
bool covers_whole_plane(const view5d<T>& in, const view5d<U>& out) {
  return out.d == 1 && out.h == 1 && out.w == 1 && in.planes_contiguous();
}

// Planes up to this size are summed `lanes` at a time (sum_small_planes); the
// result for a plane does not depend on which planes share its group.
template <class Arch, class T>
inline constexpr std::int64_t small_plane = 16 * simd::ops<T, Arch>::lanes;

// The whole-plane sum of global pooling, for one plane.
template <class Arch, class T>
double plane_sum(const T* plane, std::int64_t size) {
  if (size > small_plane<Arch, T>) return sum_row<Arch>(plane, size, 1);
  double sum = 0;
  sum_small_planes<Arch>(plane, size, size, 1, &sum);
  return sum;
}

template <class Arch, class T>
void global_avg_planes(const view5d<const T>& in, const view5d<T>& out) {
  constexpr std::int64_t planes_per_task = 64;
  const std::int64_t size = in.plane_size();
  const std::int64_t blocks = (in.c + planes_per_task - 1) / planes_per_task;
  const double scale = 1.0 / static_cast<double>(size);
  parallel_for(in.n * blocks, in.n * in.c * size, [&](std::int64_t task) {
    const std::int64_t n = task / blocks;
    const std::int64_t c0 = task % blocks * planes_per_task;
    const std::int64_t count = std::min(planes_per_task, in.c - c0);
    double sums[planes_per_task];
    if (size <= small_plane<Arch, T>) {
      sum_small_planes<Arch>(in.at(n, c0, 0, 0, 0), size, in.stride_c, count, sums);
    } else {
      for (std::int64_t j = 0; j < count; ++j) sums[j] = sum_row<Arch>(in.at(n, c0 + j, 0, 0, 0), size, 1);
    }
    for (std::int64_t j = 0; j < count; ++j) *out.at(n, c0 + j, 0, 0, 0) = static_cast<T>(sums[j] * scale);
  });
}

// Every output of plane (n, c). Windows on rows of up to column_block elements
// are separable: the window's rows are added column by column, then each
// output adds its columns. Longer rows are summed window row by window row.
template <class Arch, class T>
void average_plane(const view5d<const T>& in, const view5d<T>& out, const window_table& columns_of, std::int64_t n,
                   std::int64_t c) {
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
      if (in.w <= column_block) {
        column_sums<Arch, T> columns(in.w, in.stride_w);
        for (std::int64_t d = wd.begin; d < wd.end; ++d)
          columns.add_rows(plane + d * in.stride_d + wh.begin * in.stride_h, in.stride_h, wh.size());
        columns.finish();
        for (std::int64_t ow = 0; ow < out.w; ++ow) {
          const window ww = columns_of[ow];
          double sum = 0;
          for (std::int64_t w = ww.begin; w < ww.end; ++w) sum += columns.totals[w];
          average(ow, sum, ww);
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

template <class Arch, class T>
void adaptive_avg_planes(const view5d<const T>& in, const view5d<T>& out) {
  if (covers_whole_plane(in, out)) return global_avg_planes<Arch>(in, out);
  const window_table columns_of(in.w, out.w);
  parallel_for(in.n * in.c, in.n * in.c * in.plane_size(),
               [&](std::int64_t task) { average_plane<Arch>(in, out, columns_of, task / in.c, task % in.c); });
}

/// Several adaptive averages of the same input, plane by plane, so that each
/// plane is read from memory once and from cache for the other outputs. Each
/// output gets exactly the arithmetic of its own adaptive_avg_planes call.
template <class Arch, class T, std::size_t Levels>
void adaptive_avg_pyramid_planes(const view5d<const T>& in, const std::array<view5d<T>, Levels>& outs) {
  std::array<window_table, Levels> columns_of;
  for (std::size_t level = 0; level < Levels; ++level) columns_of[level] = window_table(in.w, outs[level].w);
  parallel_for(in.n * in.c, in.n * in.c * in.plane_size() * static_cast<std::int64_t>(Levels), [&](std::int64_t task) {
    for (std::size_t level = 0; level < Levels; ++level) {
      average_plane<Arch>(in, outs[level], columns_of[level], task / in.c, task % in.c);
    }
  });
}

// Every output of plane (n, c); `indices` may be null. Separable like
// average_plane when the rows fit a column block and row ids are exact in T.
template <class Arch, class T>
void max_plane(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices,
               const window_table& columns_of, std::int64_t n, std::int64_t c) {
  const auto store = [&](std::int64_t od, std::int64_t oh, std::int64_t ow, const max_and_position<T>& best) {
    *out.at(n, c, od, oh, ow) = best.value;
    if (indices) *indices->at(n, c, od, oh, ow) = best.position;
  };
  const T* plane = in.at(n, c, 0, 0, 0);
  if (covers_whole_plane(in, out)) return store(0, 0, 0, max_index_row<Arch>(plane, in.plane_size(), 1));
  const bool by_columns = in.w <= column_block && in.d * in.h < max_exact_position<T>;
  for (std::int64_t od = 0; od < out.d; ++od) {
    const window wd = window_at(od, in.d, out.d);
    for (std::int64_t oh = 0; oh < out.h; ++oh) {
      const window wh = window_at(oh, in.h, out.h);
      if (by_columns) {
        // Each column keeps its first max (or last NaN) over the window's rows;
        // the columns of a window then merge by their in-plane positions.
        column_max<Arch, T> columns(in.w, in.stride_w, static_cast<T>(wd.begin * in.h + wh.begin));
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

// `indices` may be null (max without indices).
template <class Arch, class T>
void adaptive_max_planes(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  const window_table columns_of(in.w, out.w);
  parallel_for(in.n * in.c, in.n * in.c * in.plane_size(),
               [&](std::int64_t task) { max_plane<Arch>(in, out, indices, columns_of, task / in.c, task % in.c); });
}

/// Average and max of the same windows plane by plane (fastai's
/// AdaptiveConcatPool), each plane read from memory once; each output gets
/// exactly the arithmetic of its own call.
template <class Arch, class T>
void adaptive_avg_max_planes(const view5d<const T>& in, const view5d<T>& avg, const view5d<T>& max,
                             const view5d<std::int64_t>* indices) {
  const window_table columns_of(in.w, avg.w);
  parallel_for(in.n * in.c, 2 * in.n * in.c * in.plane_size(), [&](std::int64_t task) {
    const std::int64_t n = task / in.c, c = task % in.c;
    average_plane<Arch>(in, avg, columns_of, n, c);
    max_plane<Arch>(in, max, indices, columns_of, n, c);
  });
}

}  // namespace adapool::detail
