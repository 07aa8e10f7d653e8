// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_KERNELS_BACKWARD_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_KERNELS_BACKWARD_HPP)
#undef ADAPOOL_DETAIL_KERNELS_BACKWARD_HPP
#else
#define ADAPOOL_DETAIL_KERNELS_BACKWARD_HPP
#endif

// The backward passes' kernels, one per strategy of plan_backward (plan.hpp):
//  - fill_planes: global average; each plane is its one share, stored.
//  - window_rows: adaptive average over unit-stride rows; each grad_in row is
//    summed from the shares that reach it and stored once.
//  - channels_last: adaptive average with channels contiguous; a window's
//    shares are one run of channels at each pixel.
//  - windows: any other adaptive average, window by window.
//  - scatter_planes: max; planes zeroed, then each grad_out added at its index.
//  - channel_runs: channel pooling (kernels_channel_backward.hpp).
// Each grad_in element is written by one task, which adds its contributions
// in the order of the output cells (row-major, as PyTorch's CPU kernels do):
// no atomics, and the same bits for every thread count, memory layout and
// instruction set. Adding starts from a zero, as PyTorch adds to a zeroed
// grad_in, so a -0 share gives +0.

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "../parallel.hpp"
#include "../simd/arch.hpp"
#include "../simd/compiler.hpp"
#include "../simd/target.hpp"
#include "plan.hpp"
#include "runs.hpp"
#include "view5d.hpp"
#include "window_table.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// ------------------------------------------------------------- blocks

// A task of a spatial backward pass owns planes [c0, c1) of image n: single
// planes, or blocks of this many channels when channels are contiguous.
inline constexpr std::int64_t backward_channel_block = 128;

// Planes of one task when channels are not contiguous: about 11 KB of 13 x 13
// float planes, zeroed in one run and scattered into while in L1.
inline constexpr std::int64_t backward_plane_block = 16;

template <class T, class Body>
void for_each_backward_block(const view5d<T>& grad_in, std::int64_t work, const Body& body) {
  const std::int64_t block = grad_in.channels_contiguous() ? backward_channel_block : backward_plane_block;
  for_each_plane_block(grad_in, block, work,
                       [&](std::int64_t n, std::int64_t c0, std::int64_t count) { body(n, c0, c0 + count); });
}

template <class T>
std::int64_t backward_work(const view5d<const T>& go, const view5d<T>& gi) {
  return gi.n * gi.c * gi.plane_size() + go.n * go.c * go.plane_size();
}

template <class Arch, class T>
void zero_planes(const view5d<T>& v, std::int64_t n, std::int64_t c0, std::int64_t c1) {
  if (v.channels_contiguous()) {
    for (std::int64_t d = 0; d < v.d; ++d)
      for (std::int64_t h = 0; h < v.h; ++h)
        for (std::int64_t w = 0; w < v.w; ++w) fill_run<Arch>(v.at(n, c0, d, h, w), c1 - c0, T(0));
    return;
  }
  if (v.planes_contiguous() && (c1 - c0 == 1 || v.stride_c == v.plane_size())) {
    // One run: a memset, whose aligned stores beat vectors that straddle lines.
    std::fill_n(v.at(n, c0, 0, 0, 0), (c1 - c0) * v.plane_size(), T(0));
    return;
  }
  for (std::int64_t c = c0; c < c1; ++c) {
    for (std::int64_t d = 0; d < v.d; ++d)
      for (std::int64_t h = 0; h < v.h; ++h)
        for (std::int64_t w = 0; w < v.w; ++w) *v.at(n, c, d, h, w) = T(0);
  }
}

// An output size of 0 sends nothing back: grad_in is all zeros, written
// without reading grad_out, whose data may be null. Every spatial kernel
// below may assume a non-empty grad_out.
template <class Arch, class T>
void zero_backward(const view5d<T>& gi) {
  for_each_backward_block(gi, gi.n * gi.c * gi.plane_size(),
                          [&](std::int64_t n, std::int64_t c0, std::int64_t c1) { zero_planes<Arch>(gi, n, c0, c1); });
}

// ------------------------------------------------------------- average

// Global pooling: PyTorch computes a 1 x 1 adaptive average as a mean, whose
// gradient is grad_out / (plane size) stored to every element (no addition to
// a zero, so a -0 gradient stays -0 as in PyTorch).
template <class Arch, class T>
void fill_planes_backward(const view5d<const T>& go, const view5d<T>& gi) {
  const T size = static_cast<T>(gi.plane_size());
  for_each_backward_block(gi, backward_work(go, gi), [&](std::int64_t n, std::int64_t c0, std::int64_t c1) {
    // A block holds at most backward_channel_block planes, whichever its kind.
    T shares[backward_channel_block] = {};
    for (std::int64_t c = c0; c < c1; ++c) shares[c - c0] = *go.at(n, c, 0, 0, 0) / size;
    if (gi.channels_contiguous()) {
      for (std::int64_t d = 0; d < gi.d; ++d)
        for (std::int64_t h = 0; h < gi.h; ++h)
          for (std::int64_t w = 0; w < gi.w; ++w) copy_run<Arch>(gi.at(n, c0, d, h, w), shares, c1 - c0);
      return;
    }
    if (gi.planes_contiguous() && gi.stride_c == gi.plane_size() && gi.plane_size() >= simd::ops<T, Arch>::lanes) {
      fill_planes<Arch>(gi.at(n, c0, 0, 0, 0), shares, c1 - c0, gi.plane_size());
      return;
    }
    for (std::int64_t c = c0; c < c1; ++c) {
      const T share = shares[c - c0];
      if (gi.planes_contiguous()) {
        fill_run<Arch>(gi.at(n, c, 0, 0, 0), gi.plane_size(), share);
        continue;
      }
      for (std::int64_t d = 0; d < gi.d; ++d)
        for (std::int64_t h = 0; h < gi.h; ++h)
          for (std::int64_t w = 0; w < gi.w; ++w) *gi.at(n, c, d, h, w) = share;
    }
  });
}

// Every input row is the sum of the output rows whose windows hold it, each
// spread out over the row: spread row (r, k) holds, at column w, the share of
// the k-th output column whose window holds w in output row r (or a zero, at
// columns fewer windows hold). Adding in the order od, oh, k is PyTorch's
// order of output cells; adding a zero to a sum that started from zero
// changes nothing.
template <class Arch, class T>
class window_rows_backward {
  using V = simd::ops<T, Arch>;
  static constexpr std::int64_t L = V::lanes;

 public:
  window_rows_backward(const view5d<const T>& go, const view5d<T>& gi)
      : go_(go),
        gi_(gi),
        cells_(go.plane_size()),
        across_(most_windows_holding(gi.w, go.w)),
        depths_(gi.d, go.d),
        rows_(gi.h, go.h) {
    for (std::int64_t od = 0; od < go.d; ++od) {
      const std::int64_t kd = window_at(od, gi.d, go.d).size();
      for (std::int64_t oh = 0; oh < go.h; ++oh) {
        const std::int64_t kh = window_at(oh, gi.h, go.h).size();
        for (std::int64_t ow = 0; ow < go.w; ++ow) {
          const std::int64_t j = (od * go.h + oh) * go.w + ow;
          kd_[j] = static_cast<T>(kd);
          kh_[j] = static_cast<T>(kh);
          kw_[j] = static_cast<T>(window_at(ow, gi.w, go.w).size());
        }
      }
    }
    // Dividing by 1 is exact: skipped.
    divide_d_ = gi.d != go.d;
    divide_h_ = gi.h != go.h;
    divide_w_ = gi.w != go.w;
    // Every output row spreads its shares the same way: where each share of
    // a row goes within the row's spread rows is computed once.
    std::int64_t t = 0;
    for (std::int64_t ow = 0; ow < go.w; ++ow) {
      const window ww = window_at(ow, gi.w, go.w);
      for (std::int64_t w = ww.begin; w < ww.end; ++w) {
        const std::int64_t k = ow - windows_holding(w, gi.w, go.w).first;
        spread_at_[t++] = static_cast<std::int32_t>(k * gi.w + w);
      }
      spread_end_[ow] = static_cast<std::int32_t>(t);
    }
    // Rows of at most two vectors, from output rows of at most two: each
    // spread row is two picks, not a store per share.
    picked_spread_ = L > 1 && gi.w <= 2 * L && go.w <= 2 * L && across_ <= picked_across;
    if (!picked_spread_) return;
    for (std::int64_t k = 0; k < across_; ++k) {
      for (std::int64_t v = 0; v < 2; ++v) {
        const std::int64_t at = v == 0 ? 0 : gi.w - L;
        std::int32_t positions[std::size_t{L}] = {};
        T reached[std::size_t{L}] = {};
        for (std::int64_t j = 0; j < L; ++j) {
          const window_run holding = windows_holding(at + j, gi.w, go.w);
          positions[j] = static_cast<std::int32_t>(k < holding.count ? holding.first + k : 0);
          reached[j] = k < holding.count ? T(1) : T(0);
        }
        pick_[k][v] = V::pick_index(positions);
        reached_[k][v] = V::greater(V::load(reached), V::zero());
      }
    }
  }

  // Planes are taken a group at a time, their spread rows side by side, so
  // that each input row's list of spread rows is made once per group.
  void planes(std::int64_t n, std::int64_t c0, std::int64_t c1) const {
    T spread[backward_spread_buffer];
    const std::int64_t size = go_.d * go_.h * across_ * gi_.w;
    const std::int64_t group = std::min(c1 - c0, backward_spread_buffer / size);
    // Picked spread rows are written whole; element stores leave zeros in the slots no window reaches.
    if (!picked_spread_) std::fill_n(spread, group * size, T(0));
    std::int64_t parts[backward_parts_limit];
    for (std::int64_t g0 = c0; g0 < c1; g0 += group) {
      const std::int64_t members = std::min(group, c1 - g0);
      for (std::int64_t i = 0; i < members; ++i) spread_plane(n, g0 + i, spread + i * size);
      for (std::int64_t d = 0; d < gi_.d; ++d) {
        const window_run depths = depths_[d];
        for (std::int64_t h = 0; h < gi_.h; ++h) {
          const window_run rows = rows_[h];
          int count = 0;
          for (std::int64_t od = depths.first; od < depths.first + depths.count; ++od)
            for (std::int64_t oh = rows.first; oh < rows.first + rows.count; ++oh)
              for (std::int64_t k = 0; k < across_; ++k) parts[count++] = ((od * go_.h + oh) * across_ + k) * gi_.w;
          for (std::int64_t i = 0; i < members; ++i)
            sum_parts<Arch>(gi_.at(n, g0 + i, d, h, 0), spread + i * size, parts, count, gi_.w);
        }
      }
    }
  }

 private:
  // The plane's shares, stored at the columns of their windows in its spread rows.
  void spread_plane(std::int64_t n, std::int64_t c, T* spread) const {
    T shares[backward_share_limit];
    if (go_.planes_contiguous()) {
      copy_run<Arch>(shares, go_.at(n, c, 0, 0, 0), cells_);
    } else {
      for (std::int64_t od = 0; od < go_.d; ++od) {
        for (std::int64_t oh = 0; oh < go_.h; ++oh) {
          const T* grad = go_.at(n, c, od, oh, 0);
          T* row = shares + (od * go_.h + oh) * go_.w;
          for (std::int64_t ow = 0; ow < go_.w; ++ow) row[ow] = grad[ow * go_.stride_w];
        }
      }
    }
    // PyTorch's divisions, one axis at a time.
    if (divide_d_) divide_run<Arch>(shares, kd_, cells_);
    if (divide_h_) divide_run<Arch>(shares, kh_, cells_);
    if (divide_w_) divide_run<Arch>(shares, kw_, cells_);

    if (picked_spread_) {
      for (std::int64_t r = 0; r < go_.d * go_.h; ++r) {
        const T* row_shares = shares + r * go_.w;
        // load_partial takes fewer than `lanes` elements. (No lambda: under
        // run-time dispatch it would not be compiled for this target.)
        const typename V::vector lo =
            go_.w >= L ? V::load(row_shares) : V::load_partial(row_shares, static_cast<int>(go_.w));
        typename V::vector hi = V::zero();
        if (go_.w == 2 * L) {
          hi = V::load(row_shares + L);
        } else if (go_.w > L) {
          hi = V::load_partial(row_shares + L, static_cast<int>(go_.w - L));
        }
        for (std::int64_t k = 0; k < across_; ++k) {
          T* spread_row = spread + (r * across_ + k) * gi_.w;
          V::store(spread_row, V::select(reached_[k][0], V::pick(lo, hi, pick_[k][0]), V::zero()));
          V::store(spread_row + gi_.w - L, V::select(reached_[k][1], V::pick(lo, hi, pick_[k][1]), V::zero()));
        }
      }
      return;
    }
    // Each share goes to the columns of its window; the slots no window
    // reaches keep the zeros planes() gave them.
    for (std::int64_t r = 0; r < go_.d * go_.h; ++r) {
      T* spread_row = spread + r * across_ * gi_.w;
      const T* row_shares = shares + r * go_.w;
      std::int32_t t = 0;
      for (std::int64_t ow = 0; ow < go_.w; ++ow) {
        const T share = row_shares[ow];
        for (; t < spread_end_[ow]; ++t) spread_row[spread_at_[t]] = share;
      }
    }
  }

  // Short rows (picked_spread_): spread row k's vector v (at column 0, and
  // at gi.w - lanes) picks its shares from the output row's two vectors, and
  // `reached` keeps the lanes some window reaches. The vectors first: their
  // alignment would otherwise pad the members before them.
  static constexpr std::int64_t picked_across = 4;
  typename V::index pick_[picked_across][2] = {};
  typename V::mask reached_[picked_across][2] = {};
  view5d<const T> go_;
  view5d<T> gi_;
  std::int64_t cells_, across_;
  holding_table depths_, rows_;
  bool divide_d_ = false, divide_h_ = false, divide_w_ = false;
  T kd_[backward_share_limit] = {}, kh_[backward_share_limit] = {}, kw_[backward_share_limit] = {};
  // Share ow of an output row goes to spread_at_[t] for t in [spread_end_[ow - 1], spread_end_[ow]).
  std::int32_t spread_at_[backward_spread_limit] = {};
  std::int32_t spread_end_[backward_share_limit] = {};
  bool picked_spread_ = false;
};

template <class Arch, class T>
void window_rows_avg_backward(const view5d<const T>& go, const view5d<T>& gi) {
  with_lanes_at_most<Arch, T>(gi.w, [&](auto row_arch) {
    const window_rows_backward<decltype(row_arch), T> rows(go, gi);
    for_each_backward_block(gi, backward_work(go, gi),
                            [&](std::int64_t n, std::int64_t c0, std::int64_t c1) { rows.planes(n, c0, c1); });
  });
}

// Output cells handled together: their shares are divided first, as
// independent divisions, then added.
inline constexpr std::int64_t backward_share_batch = 256;

// shares[j] = grad[j * stride] / kd / kh: PyTorch's divisions, one axis at a
// time. Dividing by 1 is exact, so it is skipped (kd is 1 in 1d and 2d, kh in 1d).
template <class T>
void divide_shares(const T* grad, std::int64_t stride, std::int64_t len, T kd, T kh, T* shares) {
  for (std::int64_t j = 0; j < len; ++j) shares[j] = grad[j * stride];
  if (kd != 1) {
    for (std::int64_t j = 0; j < len; ++j) shares[j] /= kd;
  }
  if (kh != 1) {
    for (std::int64_t j = 0; j < len; ++j) shares[j] /= kh;
  }
}

// Window `o` along an axis first reaches the elements from the previous
// window's end on (windows are monotonic and leave no gaps): there an
// element's first share is stored as 0 + share, the bits of adding it to a
// zeroed grad_in, without a pass that zeroes grad_in first.
inline std::int64_t first_new(const window_table& windows, std::int64_t o) { return o == 0 ? 0 : windows[o - 1].end; }

// A cell's shares at each pixel of its window are one run of channels.
template <class Arch, class T>
void channels_last_avg_backward(const view5d<const T>& go, const view5d<T>& gi) {
  const window_table depths_of(gi.d, go.d), rows_of(gi.h, go.h), columns_of(gi.w, go.w);
  for_each_backward_block(gi, backward_work(go, gi), [&](std::int64_t n, std::int64_t c0, std::int64_t c1) {
    const std::int64_t len = c1 - c0;
    T shares[backward_channel_block];
    for (std::int64_t od = 0; od < go.d; ++od) {
      const window wd = depths_of[od];
      const std::int64_t d_new = first_new(depths_of, od);
      for (std::int64_t oh = 0; oh < go.h; ++oh) {
        const window wh = rows_of[oh];
        const std::int64_t h_new = first_new(rows_of, oh);
        for (std::int64_t ow = 0; ow < go.w; ++ow) {
          const window ww = columns_of[ow];
          const std::int64_t w_new = first_new(columns_of, ow);
          divide_shares(go.at(n, c0, od, oh, ow), go.stride_c, len, static_cast<T>(wd.size()),
                        static_cast<T>(wh.size()), shares);
          // 0 + share: what a first addition to a zeroed grad_in stores. Later
          // additions are unchanged by it, as their sums are never -0.
          const T kw = static_cast<T>(ww.size());
          for (std::int64_t c = 0; c < len; ++c) shares[c] = T(0) + shares[c] / kw;
          for (std::int64_t d = wd.begin; d < wd.end; ++d) {
            for (std::int64_t h = wh.begin; h < wh.end; ++h) {
              for (std::int64_t w = ww.begin; w < ww.end; ++w) {
                T* pixel = gi.at(n, c0, d, h, w);
                if (d >= d_new && h >= h_new && w >= w_new) {
                  copy_run<Arch>(pixel, shares, len);
                } else {
                  add_run<Arch>(pixel, shares, len);
                }
              }
            }
          }
        }
      }
    }
  });
}

// Any other adaptive average: each cell's share stored or added to its window,
// row by row.
template <class T>
void windows_avg_backward(const view5d<const T>& go, const view5d<T>& gi) {
  const window_table depths_of(gi.d, go.d), rows_of(gi.h, go.h), columns_of(gi.w, go.w);
  for_each_backward_block(gi, backward_work(go, gi), [&](std::int64_t n, std::int64_t c0, std::int64_t c1) {
    T shares[backward_share_batch];
    for (std::int64_t c = c0; c < c1; ++c) {
      for (std::int64_t od = 0; od < go.d; ++od) {
        const window wd = depths_of[od];
        const std::int64_t d_new = first_new(depths_of, od);
        for (std::int64_t oh = 0; oh < go.h; ++oh) {
          const window wh = rows_of[oh];
          const std::int64_t h_new = first_new(rows_of, oh);
          for (std::int64_t ow0 = 0; ow0 < go.w; ow0 += backward_share_batch) {
            const std::int64_t len = std::min(backward_share_batch, go.w - ow0);
            divide_shares(go.at(n, c, od, oh, ow0), go.stride_w, len, static_cast<T>(wd.size()),
                          static_cast<T>(wh.size()), shares);
            for (std::int64_t j = 0; j < len; ++j) shares[j] /= static_cast<T>(columns_of[ow0 + j].size());
            for (std::int64_t d = wd.begin; d < wd.end; ++d) {
              for (std::int64_t h = wh.begin; h < wh.end; ++h) {
                T* row = gi.at(n, c, d, h, 0);
                const bool new_row = d >= d_new && h >= h_new;
                for (std::int64_t j = 0; j < len; ++j) {
                  const window ww = columns_of[ow0 + j];
                  // [begin, split) already holds shares of this row's earlier cells.
                  const std::int64_t split = new_row ? first_new(columns_of, ow0 + j) : ww.end;
                  for (std::int64_t w = ww.begin; w < split; ++w) row[w * gi.stride_w] += shares[j];
                  for (std::int64_t w = split; w < ww.end; ++w) row[w * gi.stride_w] = T(0) + shares[j];
                }
              }
            }
          }
        }
      }
    }
  });
}

// ------------------------------------------------------------- max

// Memory offset of in-plane index (d * H + h) * W + w. When the plane's
// strides nest as a row-major plane's (contiguous and channels-last planes
// both do) it is index * stride_w, without dividing.
template <class T>
class plane_offsets {
 public:
  explicit plane_offsets(const view5d<T>& v)
      : v_(v),
        nested_((v.h == 1 || v.stride_h == v.w * v.stride_w) && (v.d == 1 || v.stride_d == v.h * v.w * v.stride_w)) {}
  bool nested() const { return nested_; }
  std::int64_t operator()(std::int64_t index) const {
    if (nested_) return index * v_.stride_w;
    const std::int64_t rest = index / v_.w;
    return (rest / v_.h) * v_.stride_d + (rest % v_.h) * v_.stride_h + (index % v_.w) * v_.stride_w;
  }

 private:
  view5d<T> v_;
  bool nested_;
};

// plane[index[j]] += grad[j] in order of j, unrolled: the loop is as short
// as its loads, and repeated indices must see each other's sums.
template <class T>
void scatter_add(T* plane, const std::int64_t* index, const T* grad, std::int64_t count) {
  ADAPOOL_UNROLL(4)
  for (std::int64_t j = 0; j < count; ++j) plane[index[j]] += grad[j];
}

// The same for two planes, interleaved. Where a plane's index repeats (the
// maxima of overlapping windows often do), its next add waits for the sum
// just stored; the other plane's add fills that wait. Both planes' indices
// and gradients are read first, ahead of either store (2 % of B3 on Zen 2).
template <class T>
void scatter_add_two(T* plane0, const std::int64_t* index0, const T* grad0, T* plane1, const std::int64_t* index1,
                     const T* grad1, std::int64_t count) {
  ADAPOOL_UNROLL(2)
  for (std::int64_t j = 0; j < count; ++j) {
    const std::int64_t i0 = index0[j], i1 = index1[j];
    const T g0 = grad0[j], g1 = grad1[j];
    plane0[i0] += g0;
    plane1[i1] += g1;
  }
}

template <class Arch, class T>
void scatter_planes_backward(const view5d<const T>& go, const view5d<const std::int64_t>& indices,
                             const view5d<T>& gi) {
  const plane_offsets<T> offset_of(gi);
  for_each_backward_block(gi, backward_work(go, gi), [&](std::int64_t n, std::int64_t c0, std::int64_t c1) {
    zero_planes<Arch>(gi, n, c0, c1);
    if (gi.channels_contiguous()) {
      // Channels inner: each plane still takes its output cells in row-major order.
      for (std::int64_t od = 0; od < go.d; ++od)
        for (std::int64_t oh = 0; oh < go.h; ++oh)
          for (std::int64_t ow = 0; ow < go.w; ++ow)
            for (std::int64_t c = c0; c < c1; ++c)
              gi.at(n, c, 0, 0, 0)[offset_of(*indices.at(n, c, od, oh, ow))] += *go.at(n, c, od, oh, ow);
      return;
    }
    const std::int64_t cells = go.plane_size();
    const bool one_run = go.planes_contiguous() && indices.planes_contiguous() && go.stride_w == 1 &&
                         indices.stride_w == 1 && gi.stride_w == 1 && offset_of.nested();
    if (one_run) {
      std::int64_t c = c0;
      for (; c + 2 <= c1; c += 2) {
        scatter_add_two(gi.at(n, c, 0, 0, 0), indices.at(n, c, 0, 0, 0), go.at(n, c, 0, 0, 0), gi.at(n, c + 1, 0, 0, 0),
                        indices.at(n, c + 1, 0, 0, 0), go.at(n, c + 1, 0, 0, 0), cells);
      }
      if (c < c1) scatter_add(gi.at(n, c, 0, 0, 0), indices.at(n, c, 0, 0, 0), go.at(n, c, 0, 0, 0), cells);
      return;
    }
    for (std::int64_t c = c0; c < c1; ++c) {
      T* plane = gi.at(n, c, 0, 0, 0);
      for (std::int64_t od = 0; od < go.d; ++od) {
        for (std::int64_t oh = 0; oh < go.h; ++oh) {
          const T* grad = go.at(n, c, od, oh, 0);
          const std::int64_t* index = indices.at(n, c, od, oh, 0);
          if (offset_of.nested()) {
            const std::int64_t step = gi.stride_w;
            for (std::int64_t ow = 0; ow < go.w; ++ow)
              plane[index[ow * indices.stride_w] * step] += grad[ow * go.stride_w];
          } else {
            for (std::int64_t ow = 0; ow < go.w; ++ow)
              plane[offset_of(index[ow * indices.stride_w])] += grad[ow * go.stride_w];
          }
        }
      }
    }
  });
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
