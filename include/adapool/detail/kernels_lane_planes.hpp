// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_KERNELS_LANE_PLANES_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_KERNELS_LANE_PLANES_HPP)
#undef ADAPOOL_DETAIL_KERNELS_LANE_PLANES_HPP
#else
#define ADAPOOL_DETAIL_KERNELS_LANE_PLANES_HPP
#endif

// Strategy lane_planes (plan.hpp): small contiguous planes pooled `lanes` at a
// time, plane k of a group in lane k. Their windows are too short for vectors
// along a row, and across planes every lane does the same work. With one lane
// (scalar) each plane is scanned where it is.

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

#include "../parallel.hpp"
#include "../simd/compiler.hpp"
#include "../simd/target.hpp"
#include "kernels_planes.hpp"
#include "lane_group.hpp"
#include "plan.hpp"
#include "reduce.hpp"
#include "view5d.hpp"
#include "window_table.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// Window rows are reduced in runs of at most this many elements, each run its
// own dependency chain, the runs then merged in order.
inline constexpr std::int64_t lane_run = 16;

// Averages of every window of a group, separable: for each output row, every
// column is summed over the window's rows in order (independent chains over
// the whole row), then each output adds its columns and scales by 1 / size.
template <class Arch, class T>
void average_lanes(const lane_planes<Arch, T>& cells, const view5d<const T>& in, const view5d<T>& out,
                   const window_table& rows_of, const window_table& columns_of, const lane_group& group) {
  using V = simd::ops<T, Arch>;
  lane_outputs<Arch, T, T> averages(out, group);
  typename V::vector columns[lane_plane_limit];
  for (std::int64_t od = 0; od < out.d; ++od) {
    const window wd = out.d == 1 ? window{0, in.d} : window_at(od, in.d, out.d);
    for (std::int64_t oh = 0; oh < out.h; ++oh) {
      const window wh = rows_of[oh];
      // Window rows in scan order; the first two start the sums (a copy of
      // one row would cost as much as an addition).
      std::int64_t rows = 0, first_row = 0;
      for (std::int64_t d = wd.begin; d < wd.end; ++d) {
        for (std::int64_t h = wh.begin; h < wh.end; ++h, ++rows) {
          const std::int64_t row = (d * in.h + h) * in.w;
          if (rows == 0) {
            first_row = row;
          } else if (rows == 1) {
            for (std::int64_t w = 0; w < in.w; ++w) columns[w] = V::add(cells.at(first_row + w), cells.at(row + w));
          } else {
            for (std::int64_t w = 0; w < in.w; ++w) columns[w] = V::add(columns[w], cells.at(row + w));
          }
        }
      }
      const auto column = [&](std::int64_t w) { return rows == 1 ? cells.at(first_row + w) : columns[w]; };
      for (std::int64_t ow = 0; ow < out.w; ++ow) {
        const window ww = columns_of[ow];
        typename V::vector sum = column(ww.begin);
        for (std::int64_t w = ww.begin + 1; w < ww.end; ++w) sum = V::add(sum, column(w));
        averages.push(V::mul(sum, V::broadcast(inverses<T>.of[rows * ww.size()])));
      }
    }
  }
  averages.finish();
}

// Max (and with Winners its position, held as T) of every window of a group.
// Each run of a window row keeps its first max or last NaN; runs merge in scan
// order by the element rule, which gives the result of one row-major scan. The
// first run stands for the window's start (-inf, first position): a run of
// -inf keeps its first position, anything else replaces that start.
template <class Arch, class T, bool Winners, bool NanFree>
void max_lanes(const lane_planes<Arch, T>& cells, const lane_positions<Arch, T>* positions, const view5d<const T>& in,
               const view5d<T>& out, const view5d<std::int64_t>* indices, const window_table& rows_of,
               const window_table& columns_of, const lane_group& group) {
  using V = simd::ops<T, Arch>;
  lane_outputs<Arch, T, T> maxima(out, group);
  lane_outputs<Arch, T, std::int64_t> winners(Winners ? *indices : view5d<std::int64_t>{},
                                              Winners ? group : lane_group{0, 0, 0, 0});
  for (std::int64_t od = 0; od < out.d; ++od) {
    const window wd = out.d == 1 ? window{0, in.d} : window_at(od, in.d, out.d);
    for (std::int64_t oh = 0; oh < out.h; ++oh) {
      const window wh = rows_of[oh];
      for (std::int64_t ow = 0; ow < out.w; ++ow) {
        const window ww = columns_of[ow];
        typename V::vector best = V::zero(), best_at = V::zero();
        bool first = true;
        for (std::int64_t d = wd.begin; d < wd.end; ++d) {
          for (std::int64_t h = wh.begin; h < wh.end; ++h) {
            const std::int64_t row = (d * in.h + h) * in.w;
            for (std::int64_t begin = ww.begin; begin < ww.end; begin += lane_run) {
              const std::int64_t end = std::min(ww.end, begin + lane_run);
              typename V::vector max = cells.at(row + begin);
              typename V::vector at = Winners ? positions->at(row + begin) : V::zero();
              for (std::int64_t w = begin + 1; w < end; ++w) {
                const typename V::vector v = cells.at(row + w);
                const typename V::mask take = NanFree ? V::greater(v, max) : V::greater_or_nan(v, max);
                max = V::select(take, v, max);
                if (Winners) at = V::select(take, positions->at(row + w), at);
              }
              if (first) {
                best = max;
                best_at = at;
                first = false;
              } else {
                const typename V::mask take = NanFree ? V::greater(max, best) : V::greater_or_nan(max, best);
                best = V::select(take, max, best);
                if (Winners) best_at = V::select(take, at, best_at);
              }
            }
          }
        }
        maxima.push(best);
        if (Winners) winners.push(best_at);
      }
    }
  }
  maxima.finish();
  if (Winners) winners.finish();
}

// A group's averages for `out`, exactly as pool_average computes them.
template <class Arch, class T>
void average_group(const lane_planes<Arch, T>& cells, const view5d<const T>& in, const view5d<T>& out,
                   const window_table& rows_of, const window_table& columns_of, const lane_group& group) {
  if (!covers_whole_plane(in, out)) return average_lanes<Arch>(cells, in, out, rows_of, columns_of, group);
  for (std::int64_t k = group.first; k < group.first + group.count; ++k) {
    average_plane<Arch, Arch>(in, out, columns_of, k / in.c, k % in.c);
  }
}

// Elements first .. end - 1 of `plane` in scan order, by the max rule.
template <class T, bool NanFree>
void scan_run(const T* plane, std::int64_t first, std::int64_t end, max_and_position<T>& best) {
  for (std::int64_t i = first; i < end; ++i) {
    const T v = plane[i];
    if (NanFree ? v > best.value : replaces(v, best.value)) best = {v, i};
  }
}

// With one lane the scan itself, a branch per element, costs less than
// selects: the same rule, the same results. Shapes, strides and output
// addresses are locals: an index store may alias any int64 member.
template <class T, bool NanFree>
void max_scan(const T* plane, const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices,
              const window_table& rows_of, const window_table& columns_of, std::int64_t n, std::int64_t c) {
  const std::int64_t in_d = in.d, in_h = in.h, in_w = in.w;
  const std::int64_t out_d = out.d, out_h = out.h, out_w = out.w;
  T* const out_plane = out.at(n, c, 0, 0, 0);
  const std::int64_t out_stride[3] = {out.stride_d, out.stride_h, out.stride_w};
  std::int64_t* const index_plane = indices ? indices->at(n, c, 0, 0, 0) : nullptr;
  const std::int64_t index_stride[3] = {indices ? indices->stride_d : 0, indices ? indices->stride_h : 0,
                                        indices ? indices->stride_w : 0};
  for (std::int64_t od = 0; od < out_d; ++od) {
    const window wd = out_d == 1 ? window{0, in_d} : window_at(od, in_d, out_d);
    for (std::int64_t oh = 0; oh < out_h; ++oh) {
      const window wh = rows_of[oh];
      for (std::int64_t ow = 0; ow < out_w; ++ow) {
        const window ww = columns_of[ow];
        // Whole rows are one run (the plane is contiguous).
        const bool whole_rows = ww.size() == in_w;
        const std::int64_t run = whole_rows ? wh.size() * in_w : ww.size();
        const window runs = whole_rows ? window{wh.begin, wh.begin + 1} : wh;
        max_and_position<T> best{-std::numeric_limits<T>::infinity(), (wd.begin * in_h + wh.begin) * in_w + ww.begin};
        for (std::int64_t d = wd.begin; d < wd.end; ++d) {
          for (std::int64_t h = runs.begin; h < runs.end; ++h) {
            const std::int64_t first = (d * in_h + h) * in_w + ww.begin;
            scan_run<T, NanFree>(plane, first, first + run, best);
          }
        }
        out_plane[od * out_stride[0] + oh * out_stride[1] + ow * out_stride[2]] = best.value;
        if (index_plane)
          index_plane[od * index_stride[0] + oh * index_stride[1] + ow * index_stride[2]] = best.position;
      }
    }
  }
}

// One lane, planes in lanes' range: each plane is scanned where it is. Planes
// that are one run get one NaN test per block, not one per plane (whose loop
// setup costs as much as a 7 x 7 plane's test).
template <class T>
void max_scan_planes(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices,
                     const window_table& rows_of, const window_table& columns_of) {
  const std::int64_t size = in.plane_size();
  const bool whole_plane = out.d == 1 && out.h == 1 && out.w == 1;
  for_each_plane_block(in, plane_block, in.n * in.c * in.plane_size(),
                       [&](std::int64_t n, std::int64_t c0, std::int64_t count) {
                         const bool one_run = in.stride_c == size;
                         const bool block_nan = one_run && any_nan(in.at(n, c0, 0, 0, 0), count * size);
                         for (std::int64_t c = c0; c < c0 + count; ++c) {
                           const T* plane = in.at(n, c, 0, 0, 0);
                           const bool nan = one_run ? block_nan : any_nan(plane, size);
                           if (whole_plane) {
                             max_and_position<T> best{-std::numeric_limits<T>::infinity(), 0};
                             nan ? scan_run<T, false>(plane, 0, size, best) : scan_run<T, true>(plane, 0, size, best);
                             *out.at(n, c, 0, 0, 0) = best.value;
                             if (indices) *indices->at(n, c, 0, 0, 0) = best.position;
                           } else if (nan) {
                             max_scan<T, false>(plane, in, out, indices, rows_of, columns_of, n, c);
                           } else {
                             max_scan<T, true>(plane, in, out, indices, rows_of, columns_of, n, c);
                           }
                         }
                       });
}

// `positions` may be null when `indices` is.
template <class Arch, class T>
void max_group(const lane_planes<Arch, T>& cells, const lane_positions<Arch, T>* positions, const view5d<const T>& in,
               const view5d<T>& out, const view5d<std::int64_t>* indices, const window_table& rows_of,
               const window_table& columns_of, const lane_group& group) {
  // Without NaN the max rule is a plain comparison.
  if constexpr (simd::ops<T, Arch>::lanes == 1) {
    const T* plane = in.at(group.n, group.c, 0, 0, 0);
    if (cells.maybe_nan()) return max_scan<T, false>(plane, in, out, indices, rows_of, columns_of, group.n, group.c);
    return max_scan<T, true>(plane, in, out, indices, rows_of, columns_of, group.n, group.c);
  }
  with_winners(indices != nullptr, [&](auto winners) {
    if (cells.maybe_nan()) {
      max_lanes<Arch, T, decltype(winners)::value, false>(cells, positions, in, out, indices, rows_of, columns_of,
                                                          group);
    } else {
      max_lanes<Arch, T, decltype(winners)::value, true>(cells, positions, in, out, indices, rows_of, columns_of,
                                                         group);
    }
  });
}

template <class Arch, class T>
void average_lane_planes(const view5d<const T>& in, const view5d<T>& out) {
  const window_table rows_of(in.h, out.h), columns_of(in.w, out.w);
  for_each_lane_group<Arch>(in, in.n * in.c * in.plane_size(),
                            [&](const lane_planes<Arch, T>& cells, const lane_group& group) {
                              average_lanes<Arch>(cells, in, out, rows_of, columns_of, group);
                            });
}

// `indices` may be null (max without indices).
template <class Arch, class T>
void max_lane_planes(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  const window_table rows_of(in.h, out.h), columns_of(in.w, out.w);
  if constexpr (simd::ops<T, Arch>::lanes == 1) {
    max_scan_planes(in, out, indices, rows_of, columns_of);
  } else {
    std::optional<lane_positions<Arch, T>> positions;
    if (indices) positions.emplace(in.plane_size());
    const lane_positions<Arch, T>* position_cells = positions ? &*positions : nullptr;
    for_each_lane_group<Arch>(in, in.n * in.c * in.plane_size(),
                              [&](const lane_planes<Arch, T>& cells, const lane_group& group) {
                                max_group<Arch>(cells, position_cells, in, out, indices, rows_of, columns_of, group);
                              });
  }
}

// Both from each group's one copy of its planes.
template <class Arch, class T>
void average_and_max_lane_planes(const view5d<const T>& in, const view5d<T>& avg, const view5d<T>& max,
                                 const view5d<std::int64_t>* indices) {
  const window_table rows_of(in.h, avg.h), columns_of(in.w, avg.w);
  std::optional<lane_positions<Arch, T>> positions;
  if (indices) positions.emplace(in.plane_size());
  const lane_positions<Arch, T>* position_cells = positions ? &*positions : nullptr;
  for_each_lane_group<Arch>(in, 2 * in.n * in.c * in.plane_size(),
                            [&](const lane_planes<Arch, T>& cells, const lane_group& group) {
                              average_group<Arch>(cells, in, avg, rows_of, columns_of, group);
                              max_group<Arch>(cells, position_cells, in, max, indices, rows_of, columns_of, group);
                            });
}

// Every level from each group's one copy of its planes. Empty levels are
// skipped: their data may be null.
template <class Arch, class T, std::size_t Levels>
void pyramid_lane_planes(const view5d<const T>& in, const std::array<view5d<T>, Levels>& outs) {
  std::array<window_table, Levels> rows_of, columns_of;
  for (std::size_t level = 0; level < Levels; ++level) {
    rows_of[level] = window_table(in.h, outs[level].h);
    columns_of[level] = window_table(in.w, outs[level].w);
  }
  for_each_lane_group<Arch>(in, in.n * in.c * in.plane_size() * static_cast<std::int64_t>(Levels),
                            [&](const lane_planes<Arch, T>& cells, const lane_group& group) {
                              for (std::size_t level = 0; level < Levels; ++level) {
                                if (outs[level].plane_size() == 0) continue;
                                average_group<Arch>(cells, in, outs[level], rows_of[level], columns_of[level], group);
                              }
                            });
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
