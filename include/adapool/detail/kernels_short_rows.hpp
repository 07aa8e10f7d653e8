// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_KERNELS_SHORT_ROWS_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_KERNELS_SHORT_ROWS_HPP)
#undef ADAPOOL_DETAIL_KERNELS_SHORT_ROWS_HPP
#else
#define ADAPOOL_DETAIL_KERNELS_SHORT_ROWS_HPP
#endif

// Strategy short_rows (plan.hpp), adaptive windows on short contiguous rows: a row of fewer than 2 * lanes
// elements is two vectors, and one output row is one vector. Each window
// column takes its elements from the row vectors with a lane permutation
// (pick), so planes are pooled one at a time, without the transposing copy
// of lane_planes. 13 x 13 -> 7 x 7 (VGG heads on odd inputs) is the case in
// mind: a 13-element row and 7 outputs per row fit AVX2 floats.

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "../parallel.hpp"
#include "../simd/compiler.hpp"
#include "../simd/target.hpp"
#include "../windows.hpp"
#include "plan.hpp"
#include "reduce.hpp"
#include "view5d.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// Calls `body` with the instruction set tag that pools these short rows, and
// says whether one does. The narrowest set in Arch's chain whose vectors hold
// the rows wins: the kernel does the same picks and adds per window column at
// any width, so wider vectors only add idle lanes and dearer permutes. In an
// AVX-512 build a 13 -> 7 row (2 x 8 lanes, 7 outputs) runs the AVX2 form,
// which AVX-512VL CPUs execute natively.
template <class Arch, class T, class U, class Body>
bool with_short_rows(const view5d<const T>& in, const view5d<U>& out, const Body& body) {
  using Parent = typename Arch::parent;
  if constexpr (!std::is_void_v<Parent>) {
    if (with_short_rows<Parent>(in, out, body)) return true;
  }
  if (!fits_short_rows<Arch>(in, out)) return false;
  body(Arch{});
  return true;
}

// The window rows of every output row, computed once per call (each costs
// integer divisions).
struct short_row_heights {
  short_row_heights(std::int64_t in_h, std::int64_t out_h) {
    for (std::int64_t oh = 0; oh < out_h; ++oh) {
      begin[oh] = static_cast<std::int32_t>(unchecked_window_begin(oh, in_h, out_h));
      end[oh] = static_cast<std::int32_t>(unchecked_window_end(oh, in_h, out_h));
    }
  }
  std::int32_t begin[short_rows_max_height] = {}, end[short_rows_max_height] = {};
};

// Per call: for window column term k (0-based within every window), the
// picks that give each output column its element, and for the max the
// column positions they stand for.
template <class Arch, class T>
class short_row_windows {
  using V = simd::ops<T, Arch>;
  static constexpr int L = V::lanes;

 public:
  // `Pad` is the element a window shorter than the widest one takes past its
  // end: the zero at position 2 * lanes - 1 for sums (the row is shorter than
  // that), or its own last element again for the max.
  enum class pad { zero, repeat };

  short_row_windows(std::int64_t in_w, std::int64_t out_w, pad padding) {
    std::int64_t begin[std::size_t{L}] = {};
    for (std::int64_t j = 0; j < L; ++j) {
      // Lanes past the outputs repeat the last output's window; they are never stored.
      const std::int64_t o = std::min(j, out_w - 1);
      begin[j] = unchecked_window_begin(o, in_w, out_w);
      size_[j] = unchecked_window_end(o, in_w, out_w) - begin[j];
      terms_ = std::max(terms_, size_[j]);
    }
    for (std::int64_t k = 0; k < terms_; ++k) {
      std::int32_t positions[std::size_t{L}];
      T columns[std::size_t{L}];
      for (std::int64_t j = 0; j < L; ++j) {
        const std::int64_t at = begin[j] + std::min(k, size_[j] - 1);
        positions[j] = k < size_[j] || padding == pad::repeat ? static_cast<std::int32_t>(at) : 2 * L - 1;
        columns[j] = static_cast<T>(at);
      }
      picks_[k] = V::pick_index(positions);
      columns_[k] = V::load(columns);
    }
  }

  std::int64_t terms() const { return terms_; }
  // The number of columns in lane j's window.
  std::int64_t size(std::int64_t j) const { return size_[j]; }
  typename V::index pick(std::int64_t k) const { return picks_[k]; }
  typename V::vector column(std::int64_t k) const { return columns_[k]; }

 private:
  // The vectors first: their alignment would otherwise pad the members before them.
  typename V::index picks_[2 * std::size_t{L}];
  typename V::vector columns_[2 * std::size_t{L}];
  std::int64_t size_[std::size_t{L}] = {};
  std::int64_t terms_ = 0;
};

// Output rows (n, c, oh) for oh < count may be written as whole vectors:
// rows are written in order, so when the next row follows in memory the
// lanes past out.w land on it before it is written. So may the last row
// when the next plane follows it and is written later by the same task
// (`next_plane_follows`). A masked store costs several plain ones on some
// CPUs.
struct whole_vector_rows {
  whole_vector_rows() = default;
  template <class T>
  whole_vector_rows(const view5d<T>& out, std::int64_t lanes) {
    if (!out.planes_contiguous() || out.d != 1 || out.stride_w != 1) return;
    while (within_plane + 1 < out.h && within_plane * out.w + lanes <= out.h * out.w) ++within_plane;
    const bool planes_follow = out.stride_c == out.h * out.w && (out.h - 1) * out.w + lanes <= 2 * out.h * out.w;
    before_next_plane = planes_follow ? out.h : within_plane;
  }
  std::int64_t count(bool next_plane_follows) const { return next_plane_follows ? before_next_plane : within_plane; }

  std::int64_t within_plane = 0, before_next_plane = 0;
};

// The first `count` lanes of v to `out`, `stride` apart.
template <class Arch, class T, class U>
void store_lanes(U* out, std::int64_t stride, std::int64_t count, typename simd::ops<T, Arch>::vector v) {
  T lanes_of[std::size_t{simd::ops<T, Arch>::lanes}];
  simd::ops<T, Arch>::store(lanes_of, v);
  for (std::int64_t j = 0; j < count; ++j) out[j * stride] = static_cast<U>(lanes_of[j]);
}

// A row of `w` < 2 * lanes elements as two vectors, zeros past its end.
// `Long` (w >= lanes) is a template argument so that loops over rows need
// not test it: clang++ keeps the test inside them.
template <class Arch, bool Long, class T>
void load_short_row(const T* row, std::int64_t w, typename simd::ops<T, Arch>::vector& lo,
                    typename simd::ops<T, Arch>::vector& hi) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  if constexpr (Long) {
    lo = V::load(row);
    hi = V::load_partial(row + L, static_cast<int>(w - L));
  } else {
    lo = V::load_partial(row, static_cast<int>(w));
    hi = V::zero();
  }
}

// Calls f(std::integral_constant<int, K>) with K the number of window
// column terms when it is one the compiler should unroll (windows of two or
// three columns: 13 -> 7 and most downscales below 2x), or K = 0 to loop.
// Rows are shorter than 2 * Lanes, and so are windows.
template <int Lanes, class F>
void with_term_count(std::int64_t terms, const F& f) {
  if constexpr (2 < 2 * Lanes) {
    if (terms == 2) return f(std::integral_constant<int, 2>{});
  }
  if constexpr (3 < 2 * Lanes) {
    if (terms == 3) return f(std::integral_constant<int, 3>{});
  }
  f(std::integral_constant<int, 0>{});
}

// Averages: each output row adds its window's rows column by column (two
// vectors per row), then every window column term is picked and added.
template <class Arch, class T>
class short_row_averages {
  using V = simd::ops<T, Arch>;
  static constexpr std::int64_t L = V::lanes;

 public:
  short_row_averages(const view5d<const T>& in, const view5d<T>& out)
      : windows_(in.w, out.w, short_row_windows<Arch, T>::pad::zero),
        in_(in),
        out_(out),
        rows_(in.h, out.h),
        whole_rows_(out, L) {
    // 1 / (rows * columns) for every output, rounded once as the lane kernels
    // round it.
    for (std::int64_t oh = 0; oh < out.h; ++oh) {
      const std::int64_t rows = rows_.end[oh] - rows_.begin[oh];
      T lanes_of[std::size_t{L}];
      for (std::int64_t j = 0; j < L; ++j)
        lanes_of[j] = static_cast<T>(1.0 / static_cast<double>(rows * windows_.size(j)));
      scale_[oh] = V::load(lanes_of);
    }
  }

  /// Planes (n, c0) .. (n, c0 + count - 1).
  void planes(std::int64_t n, std::int64_t c0, std::int64_t count) const {
    with_term_count<V::lanes>(windows_.terms(), [&](auto terms) { planes<decltype(terms)::value>(n, c0, count); });
  }

 private:
  template <int Terms>
  void planes(std::int64_t n, std::int64_t c0, std::int64_t count) const {
    if (in_.w >= L) return planes<Terms, true>(n, c0, count);
    planes<Terms, false>(n, c0, count);
  }

  template <int Terms, bool Long>
  void planes(std::int64_t n, std::int64_t c0, std::int64_t count) const {
    const std::int64_t terms = Terms > 0 ? Terms : windows_.terms();
    typename V::index picks[std::size_t{Terms > 0 ? Terms : 1}];
    ADAPOOL_UNROLL(3)
    for (std::int64_t k = 0; k < Terms; ++k) picks[k] = windows_.pick(k);
    const auto pick = [&](std::int64_t k) { return Terms > 0 ? picks[k] : windows_.pick(k); };
    // Stores through vectors may alias any member: the loops read locals.
    const std::int64_t w = in_.w, in_stride = in_.stride_h, out_h = out_.h, out_stride = out_.stride_h;
    for (std::int64_t c = c0; c < c0 + count; ++c) {
      const std::int64_t whole_rows = whole_rows_.count(c + 1 < c0 + count);
      const T* plane = in_.at(n, c, 0, 0, 0);
      T* out = out_.at(n, c, 0, 0, 0);
      for (std::int64_t oh = 0; oh < out_h; ++oh) {
        const std::int64_t begin = rows_.begin[oh], end = rows_.end[oh];
        typename V::vector lo, hi;
        load_short_row<Arch, Long>(plane + begin * in_stride, w, lo, hi);
        // Windows of a few rows: clang++ would unroll by four behind a remainder loop.
        ADAPOOL_UNROLL(1)
        for (std::int64_t h = begin + 1; h < end; ++h) {
          typename V::vector next_lo, next_hi;
          load_short_row<Arch, Long>(plane + h * in_stride, w, next_lo, next_hi);
          lo = V::add(lo, next_lo);
          hi = V::add(hi, next_hi);
        }
        typename V::vector sum = V::pick(lo, hi, pick(0));
        ADAPOOL_UNROLL(3)
        for (std::int64_t k = 1; k < terms; ++k) sum = V::add(sum, V::pick(lo, hi, pick(k)));
        sum = V::mul(sum, scale_[oh]);
        if (oh < whole_rows) {
          V::store(out + oh * out_stride, sum);
        } else {
          store_lanes<Arch, T>(out + oh * out_stride, out_.stride_w, out_.w, sum);
        }
      }
    }
  }

  // The vectors first: their alignment would otherwise pad the members before them.
  typename V::vector scale_[short_rows_max_height];
  short_row_windows<Arch, T> windows_;
  view5d<const T> in_;
  view5d<T> out_;
  short_row_heights rows_;
  whole_vector_rows whole_rows_;
};

// Max, and with indices its in-plane position. Each input row first takes
// the max of every window's columns (first max, or last NaN, in column
// order); output rows then merge their window's rows in order by the same
// rule, which is the result of one row-major scan of the window. A plane
// with no NaN needs only "greater" for that rule, half the compares of
// "greater or NaN", so each plane is first pooled that way while its rows
// are tested for NaN, and pooled again by the full rule if they hold one
// (before anything is stored).
template <class Arch, class T>
class short_row_maxima {
  using V = simd::ops<T, Arch>;
  static constexpr std::int64_t L = V::lanes;

 public:
  // `indices` may be null.
  short_row_maxima(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices)
      : windows_(in.w, out.w, short_row_windows<Arch, T>::pad::repeat),
        in_(in),
        out_(out),
        indices_(indices),
        rows_(in.h, out.h),
        whole_rows_(out, L),
        whole_index_rows_(indices ? whole_vector_rows(*indices, L) : whole_vector_rows()) {}

  /// Planes (n, c0) .. (n, c0 + count - 1).
  void planes(std::int64_t n, std::int64_t c0, std::int64_t count) const {
    with_term_count<V::lanes>(windows_.terms(), [&](auto terms) {
      if (indices_) return planes<decltype(terms)::value, true>(n, c0, count);
      planes<decltype(terms)::value, false>(n, c0, count);
    });
  }

 private:
  template <int Terms, bool Winners>
  void planes(std::int64_t n, std::int64_t c0, std::int64_t count) const {
    for (std::int64_t c = c0; c < c0 + count; ++c) {
      const bool next_plane_follows = c + 1 < c0 + count;
      if (!plane<Terms, Winners, false>(n, c, next_plane_follows))
        plane<Terms, Winners, true>(n, c, next_plane_follows);
    }
  }

  // The scan's rule for a later element `v`; without NaNs, "greater" alone.
  template <bool NaNs>
  static typename V::mask replaces(typename V::vector v, typename V::vector best) {
    if constexpr (NaNs) {
      return V::greater_or_nan(v, best);
    } else {
      return V::greater(v, best);
    }
  }

  // With `NaNs` false, returns false without storing anything if the plane holds a NaN.
  template <int Terms, bool Winners, bool NaNs>
  bool plane(std::int64_t n, std::int64_t c, bool next_plane_follows) const {
    const std::int64_t terms = Terms > 0 ? Terms : windows_.terms();
    typename V::index picks[std::size_t{Terms > 0 ? Terms : 1}];
    ADAPOOL_UNROLL(3)
    for (std::int64_t k = 0; k < Terms; ++k) picks[k] = windows_.pick(k);
    const auto pick = [&](std::int64_t k) { return Terms > 0 ? picks[k] : windows_.pick(k); };
    typename V::vector row_max[short_rows_max_height], row_at[Winners ? short_rows_max_height : 1];
    // Stores through vectors may alias any member: the loops read locals.
    const std::int64_t w = in_.w, in_h = in_.h, in_stride = in_.stride_h;
    const T* plane = in_.at(n, c, 0, 0, 0);
    // The sums of the plane's columns are NaN if an element is (or on inf -
    // inf and overflow, which only cost the second pass).
    typename V::vector sum_lo = V::zero(), sum_hi = V::zero();
    // The position of row h's first element, kept as a vector.
    typename V::vector row_start = V::zero();
    const typename V::vector row_length = V::broadcast(static_cast<T>(w));
    for (std::int64_t h = 0; h < in_h; ++h) {
      typename V::vector lo, hi;
      if (w >= L) {
        load_short_row<Arch, true>(plane + h * in_stride, w, lo, hi);
      } else {
        load_short_row<Arch, false>(plane + h * in_stride, w, lo, hi);
      }
      if constexpr (!NaNs) {
        sum_lo = V::add(sum_lo, lo);
        sum_hi = V::add(sum_hi, hi);
      }
      typename V::vector best = V::pick(lo, hi, pick(0)), at = windows_.column(0);
      ADAPOOL_UNROLL(3)
      for (std::int64_t k = 1; k < terms; ++k) {
        const typename V::vector v = V::pick(lo, hi, pick(k));
        const typename V::mask take = replaces<NaNs>(v, best);
        best = V::select(take, v, best);
        if constexpr (Winners) at = V::select(take, windows_.column(k), at);
      }
      row_max[h] = best;
      if constexpr (Winners) {
        row_at[h] = V::add(at, row_start);
        row_start = V::add(row_start, row_length);
      }
    }
    if (!NaNs && V::any(V::is_nan(V::add(sum_lo, sum_hi)))) return false;
    const std::int64_t whole_rows = whole_rows_.count(next_plane_follows),
                       whole_index_rows = Winners ? whole_index_rows_.count(next_plane_follows) : 0;
    const std::int64_t out_h = out_.h, out_w = out_.w, out_stride = out_.stride_h, out_step = out_.stride_w;
    T* out = out_.at(n, c, 0, 0, 0);
    std::int64_t* positions = Winners ? indices_->at(n, c, 0, 0, 0) : nullptr;
    const std::int64_t positions_stride = Winners ? indices_->stride_h : 0,
                       positions_step = Winners ? indices_->stride_w : 0;
    for (std::int64_t oh = 0; oh < out_h; ++oh) {
      const std::int64_t begin = rows_.begin[oh], end = rows_.end[oh];
      typename V::vector best = row_max[begin], at = Winners ? row_at[begin] : V::zero();
      ADAPOOL_UNROLL(1)
      for (std::int64_t h = begin + 1; h < end; ++h) {
        const typename V::mask take = replaces<NaNs>(row_max[h], best);
        best = V::select(take, row_max[h], best);
        if constexpr (Winners) at = V::select(take, row_at[h], at);
      }
      if (oh < whole_rows) {
        V::store(out + oh * out_stride, best);
      } else {
        store_lanes<Arch, T>(out + oh * out_stride, out_step, out_w, best);
      }
      if constexpr (Winners) {
        if (oh < whole_index_rows) {
          V::store_positions(positions + oh * positions_stride, at);
        } else {
          store_lanes<Arch, T>(positions + oh * positions_stride, positions_step, out_w, at);
        }
      }
    }
    return true;
  }

  short_row_windows<Arch, T> windows_;  // first: vectors
  view5d<const T> in_;
  view5d<T> out_;
  const view5d<std::int64_t>* indices_;
  short_row_heights rows_;
  whole_vector_rows whole_rows_, whole_index_rows_;
};

template <class Arch, class T>
void short_rows_average(const view5d<const T>& in, const view5d<T>& out) {
  with_short_rows<Arch>(in, out, [&](auto row_arch) {
    const short_row_averages<decltype(row_arch), T> averages(in, out);
    for_each_plane_block(in, plane_block, in.n * in.c * in.plane_size(),
                         [&](std::int64_t n, std::int64_t c0, std::int64_t count) { averages.planes(n, c0, count); });
  });
}

// `indices` may be null (max without indices).
template <class Arch, class T>
void short_rows_max(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  with_short_rows<Arch>(in, out, [&](auto row_arch) {
    const short_row_maxima<decltype(row_arch), T> maxima(in, out, indices);
    for_each_plane_block(in, plane_block, in.n * in.c * in.plane_size(),
                         [&](std::int64_t n, std::int64_t c0, std::int64_t count) { maxima.planes(n, c0, count); });
  });
}

// 16 KB of planes at a time through both, so that the max reads them from L1.
template <class Arch, class T>
void short_rows_average_and_max(const view5d<const T>& in, const view5d<T>& avg, const view5d<T>& max,
                                const view5d<std::int64_t>* indices) {
  with_short_rows<Arch>(in, avg, [&](auto row_arch) {
    const short_row_averages<decltype(row_arch), T> averages(in, avg);
    const short_row_maxima<decltype(row_arch), T> maxima(in, max, indices);
    const std::int64_t planes_in_cache =
        std::max<std::int64_t>(1, 16 * 1024 / (in.plane_size() * static_cast<std::int64_t>(sizeof(T))));
    for_each_plane_block(in, plane_block, in.n * in.c * in.plane_size(),
                         [&](std::int64_t n, std::int64_t c0, std::int64_t count) {
                           for (std::int64_t c = c0; c < c0 + count; c += planes_in_cache) {
                             averages.planes(n, c, std::min(planes_in_cache, c0 + count - c));
                             maxima.planes(n, c, std::min(planes_in_cache, c0 + count - c));
                           }
                         });
  });
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
