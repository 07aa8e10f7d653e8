// SPDX-License-Identifier: MIT
#pragma once

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
#include "plan.hpp"
#include "reduce.hpp"
#include "view5d.hpp"
#include "window_table.hpp"

namespace adapool::detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {

// Planes first .. first + count - 1 (count <= lanes) of the flattened (n, c)
// index; plane `first` is (n, c).
struct lane_group {
  std::int64_t first, count, n, c;

  // The group's planes in `v` (input or output, same N and C), without a division per plane.
  template <class U, std::size_t L>
  void planes(const view5d<U>& v, U* (&plane)[L]) const {
    std::int64_t in = n, ic = c;
    ADAPOOL_UNROLL(16)
    for (std::int64_t k = 0; k < count; ++k) {
      plane[k] = v.at(in, ic, 0, 0, 0);
      if (++ic == v.c) {
        ic = 0;
        ++in;
      }
    }
  }
};

// Whether any of p[0 .. n) is NaN, for n below 2^31. Counted, which the
// compiler vectorises, where adds of a sum would each wait for the last.
template <class T>
bool any_nan(const T* p, std::int64_t n) {
  int nan = 0;
  for (std::int64_t i = 0; i < n; ++i) nan += simd::ops<T, simd::scalar>::is_nan(p[i]);
  return nan > 0;
}

// A group's planes transposed to [position][lane]; lanes past the group's
// count hold zeros, so that each lane's results do not depend on which planes
// share its group.
template <class Arch, class T>
class lane_planes {
  using V = simd::ops<T, Arch>;
  static constexpr std::int64_t L = V::lanes;

 public:
  lane_planes(const view5d<const T>& in, const lane_group& group) {
    const T* planes[std::size_t{L}] = {};
    group.planes(in, planes);
    const std::int64_t size = in.plane_size();
    if constexpr (L == 1) {
      // One plane, read where it is.
      cells_ = planes[0];
      maybe_nan_ = any_nan(planes[0], size);
    } else {
      // A sum is NaN when an element is (or for inf - inf, which only costs
      // the max rule's NaN test).
      typename V::vector sum = V::zero();
      for (std::int64_t block = 0; block < size; block += L) {
        // The last block overlaps the one before it rather than reading past the plane.
        const std::int64_t begin = size >= L ? std::min(block, size - L) : 0;
        typename V::vector rows[std::size_t{L}];
        ADAPOOL_UNROLL(16)
        for (std::int64_t k = 0; k < L; ++k) {
          rows[k] = k >= group.count ? V::zero()
                    : size >= L      ? V::load(planes[k] + begin)
                                     : V::load_partial(planes[k], static_cast<int>(size));
        }
        ADAPOOL_UNROLL(16)
        for (std::int64_t k = 0; k < L; ++k) sum = V::add(sum, rows[k]);
        V::transpose(rows);
        ADAPOOL_UNROLL(16)
        for (std::int64_t j = 0; j < L; ++j) V::store(copy_ + (begin + j) * L, rows[j]);
      }
      cells_ = copy_;
      maybe_nan_ = V::any(V::is_nan(sum));
    }
  }
  lane_planes(const lane_planes&) = delete;
  lane_planes& operator=(const lane_planes&) = delete;

  /// Lane k: element `position` (in-plane, row-major) of the group's plane k.
  typename V::vector at(std::int64_t position) const { return V::load(cells_ + position * L); }

  /// False when no element of the group is NaN.
  bool maybe_nan() const { return maybe_nan_; }

 private:
  const T* cells_;
  bool maybe_nan_;
  T copy_[L == 1 ? 1 : std::size_t{lane_plane_limit * L}];
};

// Every in-plane position of planes up to lane_plane_limit, held as T in every
// lane: a window's winner is then a select from memory, not a conversion.
template <class Arch, class T>
class lane_positions {
  using V = simd::ops<T, Arch>;
  static constexpr std::int64_t L = V::lanes;

 public:
  explicit lane_positions(std::int64_t size) {
    for (std::int64_t p = 0; p < size; ++p) V::store(cells_ + p * L, V::broadcast(static_cast<T>(p)));
  }
  typename V::vector at(std::int64_t position) const { return V::load(cells_ + position * L); }

 private:
  T cells_[std::size_t{lane_plane_limit * L}];
};

// 1 / size in T for every window size of a plane that fits lane_planes, so
// that an average is one multiplication.
template <class T>
struct inverse_table {
  T of[lane_plane_limit + 1] = {};
  constexpr inverse_table() {
    for (std::int64_t size = 1; size <= lane_plane_limit; ++size)
      of[size] = static_cast<T>(1.0 / static_cast<double>(size));
  }
};
template <class T>
inline constexpr inverse_table<T> inverses{};

// Results of consecutive outputs of a group (lane k: plane k), in row-major
// output order, written `lanes` outputs at a time: transposed, each plane's
// outputs are one vector. U is T, or int64_t for positions held as T.
template <class Arch, class T, class U>
class lane_outputs {
  using V = simd::ops<T, Arch>;
  static constexpr std::int64_t L = V::lanes;

 public:
  lane_outputs(const view5d<U>& out, const lane_group& group)
      : out_(out), count_(group.count), contiguous_(out.planes_contiguous()) {
    group.planes(out, planes_);
  }

  void push(typename V::vector v) {
    pending_[used_++] = v;
    if (used_ == L) flush();
  }

  void finish() {
    if (used_ > 0) flush();
  }

 private:
  void flush() {
    const bool by_plane = used_ == L;
    if (by_plane) V::transpose(pending_);
    if constexpr (std::is_same_v<T, U>) {
      if (by_plane && contiguous_) {
        ADAPOOL_UNROLL(16)
        for (std::int64_t k = 0; k < count_; ++k) V::store(planes_[k] + next_, pending_[k]);
        next_ += used_;
        used_ = 0;
        return;
      }
    }
    // Vector j holds output next_ + j of every plane, or (by_plane) plane j's outputs.
    T lanes_of[std::size_t{L * L}];
    for (std::int64_t j = 0; j < used_; ++j) V::store(lanes_of + j * L, pending_[j]);
    ADAPOOL_UNROLL(16)
    for (std::int64_t k = 0; k < count_; ++k) {
      for (std::int64_t j = 0; j < used_; ++j) {
        const T value = by_plane ? lanes_of[k * L + j] : lanes_of[j * L + k];
        *address(k, next_ + j) = static_cast<U>(value);
      }
    }
    next_ += used_;
    used_ = 0;
  }

  U* address(std::int64_t k, std::int64_t output) const {
    if (contiguous_) return planes_[k] + output;
    const std::int64_t ow = output % out_.w, oh = output / out_.w % out_.h, od = output / (out_.w * out_.h);
    return planes_[k] + od * out_.stride_d + oh * out_.stride_h + ow * out_.stride_w;
  }

  // The vectors first: their alignment would otherwise pad the members before them.
  // Zeroed, though only pushed vectors are read: g++ cannot prove that for one lane.
  typename V::vector pending_[std::size_t{L}] = {};
  view5d<U> out_;
  U* planes_[std::size_t{L}] = {};
  std::int64_t count_;
  std::int64_t used_ = 0, next_ = 0;
  bool contiguous_;
};

// A group's planes are short runs far apart, too short for the hardware to
// see them as streams: the group after the current one is requested ahead.
template <class T>
void prefetch_group(const view5d<const T>& in, const lane_group& group) {
  if constexpr (simd::prefetch_available) {
    const T* planes[64] = {};
    group.planes(in, planes);
    const std::int64_t bytes = in.plane_size() * static_cast<std::int64_t>(sizeof(T));
    for (std::int64_t k = 0; k < group.count; ++k) {
      const char* plane = reinterpret_cast<const char*>(planes[k]);
      for (std::int64_t offset = 0; offset < bytes; offset += 64) simd::prefetch(plane + offset);
    }
  } else {
    (void)in;
    (void)group;
  }
}

// Runs body(cells, group) on every group of `lanes` planes, several groups per
// task so that (n, c) advances without a division per group.
template <class Arch, class T, class Body>
void for_each_lane_group(const view5d<const T>& in, std::int64_t work, const Body& body) {
  constexpr std::int64_t L = simd::ops<T, Arch>::lanes;
  constexpr std::int64_t planes_per_task = 64;
  const std::int64_t planes = in.n * in.c;
  const auto advance = [&](lane_group g) {
    g.first += L;
    g.count = std::min(L, planes - g.first);
    for (g.c += L; g.c >= in.c; g.c -= in.c) ++g.n;
    return g;
  };
  parallel_for((planes + planes_per_task - 1) / planes_per_task, work, [&](std::int64_t task) {
    const std::int64_t first = task * planes_per_task, end = std::min(planes, first + planes_per_task);
    lane_group group{first, std::min(L, planes - first), first / in.c, first % in.c};
    while (true) {
      const lane_group next = advance(group);
      if (L > 1 && next.first < planes) prefetch_group(in, next);
      const lane_planes<Arch, T> cells(in, group);
      body(cells, group);
      if (next.first >= end) break;
      group = next;
    }
  });
}

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
    average_plane<Arch>(in, out, columns_of, k / in.c, k % in.c);
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
