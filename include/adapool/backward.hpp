// SPDX-License-Identifier: MIT
#pragma once

// Gradients of the pooling operations, for training. Each backward pass writes
// the gradient with respect to the input, `grad_in` (shaped as the forward's
// input), from the gradient with respect to the output, `grad_out` (shaped as
// the forward's output):
//  - average: grad_in starts at zero; each output cell adds its share of
//    grad_out to every element of its window, so overlapping windows add up;
//  - max: grad_in starts at zero; each output cell adds its grad_out at the
//    index the forward saved.
// Each grad_in element is written by one thread, which adds its contributions
// in the order of the output cells (row-major, as PyTorch's CPU kernels do):
// no atomics, and the same bits for every thread count and memory layout.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "detail/format.hpp"
#include "detail/validate.hpp"
#include "detail/view5d.hpp"
#include "detail/window_table.hpp"
#include "error.hpp"
#include "parallel.hpp"
#include "simd/arch.hpp"
#include "simd/compiler.hpp"
#include "simd/target.hpp"
#include "tensor_view.hpp"

namespace adapool {

namespace detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {

template <class Arch, class TOut, class TIn, class TIdx = const std::int64_t>
constexpr void check_backward_types() {
  static_assert(Arch::enabled, "adapool: this instruction set is not enabled by the compiler flags");
  static_assert(std::is_same_v<std::remove_const_t<TOut>, TIn>,
                "adapool: grad_out and grad_in views must have the same element type");
  static_assert(!std::is_const_v<TIn>, "adapool: the grad_in view must be writable");
  static_assert(std::is_same_v<TIn, float> || std::is_same_v<TIn, double>,
                "adapool: element type must be float or double");
  static_assert(std::is_same_v<std::remove_const_t<TIdx>, std::int64_t>, "adapool: indices are int64_t");
}

enum class backward_kind { adaptive, global, channel };

// The checks of a backward pass, in the order the forward makes them: each view
// well formed, grad_in writing each element once, grad_out shaped as the
// forward's output for a grad_in shaped as its input, indices shaped as
// grad_out, grad_in overlapping neither, and every index inside the input.
template <class GradOut, class GradIn, class Indices>
bool check_backward(const char* op, const GradOut& grad_out, const GradIn& grad_in, const Indices* indices,
                    backward_kind kind) {
  constexpr std::size_t rank = GradIn::rank;
  byte_span out_span{}, in_span{}, indices_span{};
  if (!check_view(op, "grad_out", grad_out, &out_span) || !check_view(op, "grad_in", grad_in, &in_span) ||
      !check_no_self_overlap(op, "grad_in", grad_in) ||
      (indices && !check_view(op, "indices", *indices, &indices_span))) {
    return false;
  }

  const bool channel = kind == backward_kind::channel;
  bool matches = grad_out.extent(0) == grad_in.extent(0);
  for (std::size_t axis = 1; axis < rank; ++axis) {
    const bool pooled = channel ? axis == 1 : axis >= 2;
    if (!pooled) matches = matches && grad_out.extent(axis) == grad_in.extent(axis);
    if (kind == backward_kind::global && axis >= 2) matches = matches && grad_out.extent(axis) == 1;
  }
  if (!matches) {
    std::string expected = "[" + std::to_string(grad_in.extent(0));
    for (std::size_t axis = 1; axis < rank; ++axis) {
      const bool pooled = channel ? axis == 1 : axis >= 2;
      expected += !pooled ? ", " + std::to_string(grad_in.extent(axis))
                          : (kind == backward_kind::global ? std::string(", 1") : std::string(", *"));
    }
    report_error(std::string(op) + ": grad_out has shape " + shape_string(grad_out.shape()) + ", expected " + expected +
                 "] (grad_in has shape " + shape_string(grad_in.shape()) + ")");
    return false;
  }
  if (indices && indices->shape() != grad_out.shape()) {
    report_error(std::string(op) + ": indices has shape " + shape_string(indices->shape()) + ", expected " +
                 shape_string(grad_out.shape()));
    return false;
  }

  if (!grad_out.empty()) {
    for (std::size_t axis = channel ? 1 : 2; axis < (channel ? 2 : rank); ++axis) {
      std::int64_t product = 0;
      if (grad_in.extent(axis) != 0 && !simd::mul_overflow(grad_in.extent(axis), grad_out.extent(axis), &product))
        continue;
      report_error(std::string(op) + ": grad_in has shape " + shape_string(grad_in.shape()) +
                   (grad_in.extent(axis) == 0
                        ? std::string(channel ? " with no channels" : " with an empty spatial size") + ", but"
                        : " whose size " + std::to_string(grad_in.extent(axis)) + " and grad_out size " +
                              std::to_string(grad_out.extent(axis)) + " overflow the window arithmetic,") +
                   " grad_out has shape " + shape_string(grad_out.shape()));
      return false;
    }
  }
  return check_disjoint(op, "grad_out", grad_out, out_span, "grad_in", grad_in, in_span) &&
         (!indices || check_disjoint(op, "indices", *indices, indices_span, "grad_in", grad_in, in_span));
}

// Every index in [0, limit) (the input plane's size, or its channel count),
// checked before anything is written. The first bad one is reported with its
// position in the indices tensor.
template <std::size_t Rank>
bool check_index_range(const char* op, const view5d<const std::int64_t>& indices, std::int64_t limit,
                       const char* range) {
  for (std::int64_t n = 0; n < indices.n; ++n) {
    for (std::int64_t c = 0; c < indices.c; ++c) {
      for (std::int64_t d = 0; d < indices.d; ++d) {
        for (std::int64_t h = 0; h < indices.h; ++h) {
          const std::int64_t* row = indices.at(n, c, d, h, 0);
          std::int64_t bad = -1;
          for (std::int64_t w = 0; w < indices.w; ++w) {
            // Unsigned: a negative index compares as huge, one test per index.
            if (static_cast<std::uint64_t>(row[w * indices.stride_w]) >= static_cast<std::uint64_t>(limit)) {
              bad = w;
              break;
            }
          }
          if (bad < 0) continue;
          const std::int64_t spatial[3] = {d, h, bad};
          std::array<std::int64_t, Rank> position{n, c};
          for (std::size_t axis = 2; axis < Rank; ++axis) position[axis] = spatial[axis + 3 - Rank];
          report_error(std::string(op) + ": indices" + shape_string(position) + " is " +
                       std::to_string(row[bad * indices.stride_w]) + ", outside " + range + " [0, " +
                       std::to_string(limit) + ")");
          return false;
        }
      }
    }
  }
  return true;
}

// A task of a spatial backward pass owns planes [c0, c1) of image n: single
// planes, or blocks of this many channels when channels are contiguous.
inline constexpr std::int64_t backward_channel_block = 128;

template <class T, class Body>
void for_each_backward_block(const view5d<T>& grad_in, std::int64_t work, const Body& body) {
  const std::int64_t block = grad_in.channels_contiguous() ? backward_channel_block : 1;
  for_each_plane_block(grad_in, block, work,
                       [&](std::int64_t n, std::int64_t c0, std::int64_t count) { body(n, c0, c0 + count); });
}

template <class T>
void zero_planes(const view5d<T>& v, std::int64_t n, std::int64_t c0, std::int64_t c1) {
  if (v.channels_contiguous()) {
    for (std::int64_t d = 0; d < v.d; ++d)
      for (std::int64_t h = 0; h < v.h; ++h)
        for (std::int64_t w = 0; w < v.w; ++w) std::fill_n(v.at(n, c0, d, h, w), c1 - c0, T(0));
    return;
  }
  for (std::int64_t c = c0; c < c1; ++c) {
    if (v.planes_contiguous()) {
      std::fill_n(v.at(n, c, 0, 0, 0), v.plane_size(), T(0));
      continue;
    }
    for (std::int64_t d = 0; d < v.d; ++d)
      for (std::int64_t h = 0; h < v.h; ++h)
        for (std::int64_t w = 0; w < v.w; ++w) *v.at(n, c, d, h, w) = T(0);
  }
}

// Global pooling: PyTorch computes a 1 x 1 adaptive average as a mean, whose
// gradient is grad_out / (plane size) written to every element (no addition
// to a zero, so a -0 gradient stays -0 as in PyTorch).
template <class T>
void global_avg_backward_kernel(const view5d<const T>& go, const view5d<T>& gi) {
  const T size = static_cast<T>(gi.plane_size());
  for_each_backward_block(gi, gi.n * gi.c * gi.plane_size(), [&](std::int64_t n, std::int64_t c0, std::int64_t c1) {
    if (gi.channels_contiguous()) {
      T shares[backward_channel_block];
      for (std::int64_t c = c0; c < c1; ++c) shares[c - c0] = *go.at(n, c, 0, 0, 0) / size;
      for (std::int64_t d = 0; d < gi.d; ++d)
        for (std::int64_t h = 0; h < gi.h; ++h)
          for (std::int64_t w = 0; w < gi.w; ++w) std::copy_n(shares, c1 - c0, gi.at(n, c0, d, h, w));
      return;
    }
    for (std::int64_t c = c0; c < c1; ++c) {
      const T share = *go.at(n, c, 0, 0, 0) / size;
      if (gi.planes_contiguous()) {
        std::fill_n(gi.at(n, c, 0, 0, 0), gi.plane_size(), share);
        continue;
      }
      for (std::int64_t d = 0; d < gi.d; ++d)
        for (std::int64_t h = 0; h < gi.h; ++h)
          for (std::int64_t w = 0; w < gi.w; ++w) *gi.at(n, c, d, h, w) = share;
    }
  });
}

// Output cells handled together: their shares are divided first, as
// independent divisions, then scattered.
inline constexpr std::int64_t backward_share_batch = 256;

// shares[j] = grad[j * stride] / kd / kh: PyTorch's divisions, one axis at a
// time, in simple loops. Dividing by 1 is exact, so it is skipped (kd is 1 in
// 1d and 2d, kh in 1d).
template <class T>
void divide_shares(const T* grad, std::int64_t stride, std::int64_t len, T kd, T kh, T* shares) {
  if (stride == 1) {
    std::copy_n(grad, len, shares);
  } else {
    for (std::int64_t j = 0; j < len; ++j) shares[j] = grad[j * stride];
  }
  if (kd != 1) {
    for (std::int64_t j = 0; j < len; ++j) shares[j] /= kd;
  }
  if (kh != 1) {
    for (std::int64_t j = 0; j < len; ++j) shares[j] /= kh;
  }
}

// Every other adaptive average. A share is grad / kd / kh / kw, one axis at a
// time, as PyTorch's kernels divide (its 1d and 2d forms divide by fewer axes,
// which is the same: dividing by 1 is exact). An element's first share is
// written as 0 + share, the bits of adding it to a zeroed grad_in, without a
// pass that zeroes grad_in first: window `o` reaches elements no earlier window
// along its axis reached from the previous window's end on (windows are
// monotonic and leave no gaps). Channels-last blocks take a cell's shares at
// each pixel of its window as one run of channels; planes take them row by row.
template <class T>
void adaptive_avg_backward_kernel(const view5d<const T>& go, const view5d<T>& gi) {
  if (go.d == 1 && go.h == 1 && go.w == 1) return global_avg_backward_kernel(go, gi);
  // Windows along each axis, computed once (each costs integer divisions).
  const window_table depths_of(gi.d, go.d), rows_of(gi.h, go.h), columns_of(gi.w, go.w);
  // Contiguous rows whose column windows tile them (W a multiple of W', as
  // 28 -> 7): whole rows at once. Unit stride only, where that pays.
  const bool columns_disjoint =
      !gi.channels_contiguous() && gi.stride_w == 1 && go.w > 0 && gi.w % go.w == 0 && gi.w <= backward_share_batch;
  const std::int64_t work = gi.n * gi.c * gi.plane_size() + go.n * go.c * go.plane_size();
  for_each_backward_block(gi, work, [&](std::int64_t n, std::int64_t c0, std::int64_t c1) {
    if (go.plane_size() == 0) return zero_planes(gi, n, c0, c1);
    T pattern[backward_share_batch];
    T shares[backward_share_batch];
    T widths[backward_share_batch];  // column window sizes of output columns [widths_from, + batch)
    std::int64_t widths_from = -1;
    static_assert(backward_share_batch >= backward_channel_block, "a share per channel of a block");
    for (std::int64_t od = 0; od < go.d; ++od) {
      const window wd = depths_of[od];
      const std::int64_t d_new = od == 0 ? 0 : depths_of[od - 1].end;
      const T kd = static_cast<T>(wd.size());
      for (std::int64_t oh = 0; oh < go.h; ++oh) {
        const window wh = rows_of[oh];
        const std::int64_t h_new = oh == 0 ? 0 : rows_of[oh - 1].end;
        const T kh = static_cast<T>(wh.size());
        if (gi.channels_contiguous()) {
          const std::int64_t len = c1 - c0;
          for (std::int64_t ow = 0; ow < go.w; ++ow) {
            const window ww = columns_of[ow];
            const std::int64_t w_new = ow == 0 ? 0 : columns_of[ow - 1].end;
            const T kw = static_cast<T>(ww.size());
            const T* grad = go.at(n, c0, od, oh, ow);
            divide_shares(grad, go.stride_c, len, kd, kh, shares);
            if (kw != 1) {
              for (std::int64_t c = 0; c < len; ++c) shares[c] /= kw;
            }
            for (std::int64_t d = wd.begin; d < wd.end; ++d) {
              for (std::int64_t h = wh.begin; h < wh.end; ++h) {
                for (std::int64_t w = ww.begin; w < ww.end; ++w) {
                  T* pixel = gi.at(n, c0, d, h, w);
                  if (d >= d_new && h >= h_new && w >= w_new) {
                    for (std::int64_t c = 0; c < len; ++c) pixel[c] = T(0) + shares[c];
                  } else {
                    for (std::int64_t c = 0; c < len; ++c) pixel[c] += shares[c];
                  }
                }
              }
            }
          }
          continue;
        }
        for (std::int64_t c = c0; c < c1; ++c) {
          for (std::int64_t ow0 = 0; ow0 < go.w; ow0 += backward_share_batch) {
            const std::int64_t len = std::min(backward_share_batch, go.w - ow0);
            if (ow0 != widths_from) {
              for (std::int64_t j = 0; j < len; ++j) widths[j] = static_cast<T>(columns_of[ow0 + j].size());
              widths_from = ow0;
            }
            const T* grad = go.at(n, c, od, oh, ow0);
            divide_shares(grad, go.stride_w, len, kd, kh, shares);
            for (std::int64_t j = 0; j < len; ++j) shares[j] /= widths[j];
            if (columns_disjoint) {
              // Each column has one window: the row's shares form one pattern,
              // added to every row of the window in whole-row loops.
              const std::int64_t k = gi.w / go.w;
              for (std::int64_t j = 0; j < len; ++j) std::fill_n(pattern + j * k, k, shares[j]);
              for (std::int64_t d = wd.begin; d < wd.end; ++d) {
                for (std::int64_t h = wh.begin; h < wh.end; ++h) {
                  T* row = gi.at(n, c, d, h, 0);
                  if (d >= d_new && h >= h_new) {
                    for (std::int64_t w = 0; w < gi.w; ++w) row[w] = T(0) + pattern[w];
                  } else {
                    for (std::int64_t w = 0; w < gi.w; ++w) row[w] += pattern[w];
                  }
                }
              }
              continue;
            }
            for (std::int64_t d = wd.begin; d < wd.end; ++d) {
              for (std::int64_t h = wh.begin; h < wh.end; ++h) {
                T* row = gi.at(n, c, d, h, 0);
                const bool new_row = d >= d_new && h >= h_new;
                for (std::int64_t j = 0; j < len; ++j) {
                  const window ww = columns_of[ow0 + j];
                  // [begin, split) already holds shares of this row's earlier cells.
                  const std::int64_t split = !new_row ? ww.end : ow0 + j == 0 ? 0 : columns_of[ow0 + j - 1].end;
                  const T share = shares[j];
                  if (gi.stride_w == 1) {
                    for (std::int64_t w = ww.begin; w < split; ++w) row[w] += share;
                    for (std::int64_t w = split; w < ww.end; ++w) row[w] = T(0) + share;
                  } else {
                    for (std::int64_t w = ww.begin; w < split; ++w) row[w * gi.stride_w] += share;
                    for (std::int64_t w = split; w < ww.end; ++w) row[w * gi.stride_w] = T(0) + share;
                  }
                }
              }
            }
          }
        }
      }
    }
  });
}

// Memory offset of in-plane index (d * H + h) * W + w. When the plane's
// strides nest as a row-major plane's (contiguous and channels-last planes
// both do) it is index * stride_w, without dividing.
template <class T>
class plane_offsets {
 public:
  explicit plane_offsets(const view5d<T>& v)
      : v_(v),
        nested_((v.h == 1 || v.stride_h == v.w * v.stride_w) && (v.d == 1 || v.stride_d == v.h * v.w * v.stride_w)) {}
  std::int64_t operator()(std::int64_t index) const {
    if (nested_) return index * v_.stride_w;
    const std::int64_t rest = index / v_.w;
    return (rest / v_.h) * v_.stride_d + (rest % v_.h) * v_.stride_h + (index % v_.w) * v_.stride_w;
  }

 private:
  view5d<T> v_;
  bool nested_;
};

template <class T>
void adaptive_max_backward_kernel(const view5d<const T>& go, const view5d<const std::int64_t>& indices,
                                  const view5d<T>& gi) {
  const plane_offsets<T> offset_of(gi);
  const std::int64_t work = gi.n * gi.c * gi.plane_size() + go.n * go.c * go.plane_size();
  for_each_backward_block(gi, work, [&](std::int64_t n, std::int64_t c0, std::int64_t c1) {
    zero_planes(gi, n, c0, c1);
    // Channels outer or inner, each plane still takes its output cells in row-major order.
    const auto scatter = [&](std::int64_t c, std::int64_t od, std::int64_t oh, std::int64_t ow) {
      gi.at(n, c, 0, 0, 0)[offset_of(*indices.at(n, c, od, oh, ow))] += *go.at(n, c, od, oh, ow);
    };
    if (gi.channels_contiguous()) {
      for (std::int64_t od = 0; od < go.d; ++od)
        for (std::int64_t oh = 0; oh < go.h; ++oh)
          for (std::int64_t ow = 0; ow < go.w; ++ow)
            for (std::int64_t c = c0; c < c1; ++c) scatter(c, od, oh, ow);
      return;
    }
    for (std::int64_t c = c0; c < c1; ++c)
      for (std::int64_t od = 0; od < go.d; ++od)
        for (std::int64_t oh = 0; oh < go.h; ++oh)
          for (std::int64_t ow = 0; ow < go.w; ++ow) scatter(c, od, oh, ow);
  });
}

// Channel pooling backward: a task owns every channel of a run of pixels of
// one image, so grad_in is split without two tasks sharing an element.
inline constexpr std::int64_t backward_pixel_run = 256;

// Calls body(n, d, h, w0, len) for runs of up to backward_pixel_run pixels,
// after merging the spatial axes into one row where every view allows it.
template <class T, class Body>
void for_each_channel_run(view5d<const T>& go, view5d<T>& gi, view5d<const std::int64_t>* indices, const Body& body) {
  if (gi.planes_contiguous() && go.planes_contiguous() && (!indices || indices->planes_contiguous())) {
    gi = as_single_row(gi);
    go = as_single_row(go);
    if (indices) *indices = as_single_row(*indices);
  }
  const std::int64_t runs = (gi.w + backward_pixel_run - 1) / backward_pixel_run;
  const std::int64_t work = gi.n * gi.c * gi.plane_size() + go.n * go.c * go.plane_size();
  parallel_for(gi.n * gi.d * gi.h * runs, work, [&](std::int64_t task) {
    const std::int64_t w0 = task % runs * backward_pixel_run;
    std::int64_t row = task / runs;
    const std::int64_t h = row % gi.h;
    row /= gi.h;
    const std::int64_t d = row % gi.d;
    const std::int64_t n = row / gi.d;
    body(n, d, h, w0, std::min(backward_pixel_run, gi.w - w0));
  });
}

template <class T>
void zero_channel_run(const view5d<T>& gi, std::int64_t n, std::int64_t d, std::int64_t h, std::int64_t w0,
                      std::int64_t len) {
  if (gi.channels_contiguous()) {
    for (std::int64_t w = w0; w < w0 + len; ++w) std::fill_n(gi.at(n, 0, d, h, w), gi.c, T(0));
    return;
  }
  for (std::int64_t c = 0; c < gi.c; ++c) {
    T* row = gi.at(n, c, d, h, w0);
    for (std::int64_t w = 0; w < len; ++w) row[w * gi.stride_w] = T(0);
  }
}

// Pixels [w0, w0 + len) of row (n, d, h): every channel zeroed, then each
// output channel's shares added to its window of channels, in channel order.
template <class T>
void channel_avg_run(const view5d<const T>& go, const view5d<T>& gi, std::int64_t n, std::int64_t d, std::int64_t h,
                     std::int64_t w0, std::int64_t len) {
  zero_channel_run(gi, n, d, h, w0, len);
  if (gi.channels_contiguous()) {
    for (std::int64_t w = w0; w < w0 + len; ++w) {
      T* pixel = gi.at(n, 0, d, h, w);
      for (std::int64_t oc = 0; oc < go.c; ++oc) {
        const window wc = window_at(oc, gi.c, go.c);
        const T share = *go.at(n, oc, d, h, w) / static_cast<T>(wc.size());
        for (std::int64_t c = wc.begin; c < wc.end; ++c) pixel[c] += share;
      }
    }
    return;
  }
  T shares[backward_pixel_run];
  for (std::int64_t oc = 0; oc < go.c; ++oc) {
    const window wc = window_at(oc, gi.c, go.c);
    const T* grad = go.at(n, oc, d, h, w0);
    for (std::int64_t w = 0; w < len; ++w) shares[w] = grad[w * go.stride_w] / static_cast<T>(wc.size());
    for (std::int64_t c = wc.begin; c < wc.end; ++c) {
      T* row = gi.at(n, c, d, h, w0);
      if (gi.stride_w == 1) {
        for (std::int64_t w = 0; w < len; ++w) row[w] += shares[w];
      } else {
        for (std::int64_t w = 0; w < len; ++w) row[w * gi.stride_w] += shares[w];
      }
    }
  }
}

// The same run for max: each output channel's gradient added at the channel
// its index names. Pixels outer or inner, each pixel takes its output channels in order.
template <class T>
void channel_max_run(const view5d<const T>& go, const view5d<const std::int64_t>& indices, const view5d<T>& gi,
                     std::int64_t n, std::int64_t d, std::int64_t h, std::int64_t w0, std::int64_t len) {
  zero_channel_run(gi, n, d, h, w0, len);
  const auto scatter = [&](std::int64_t oc, std::int64_t w) {
    gi.at(n, 0, d, h, w)[*indices.at(n, oc, d, h, w) * gi.stride_c] += *go.at(n, oc, d, h, w);
  };
  if (gi.channels_contiguous()) {
    for (std::int64_t w = w0; w < w0 + len; ++w)
      for (std::int64_t oc = 0; oc < go.c; ++oc) scatter(oc, w);
    return;
  }
  for (std::int64_t oc = 0; oc < go.c; ++oc)
    for (std::int64_t w = w0; w < w0 + len; ++w) scatter(oc, w);
}

template <class T>
void channel_avg_backward_kernel(view5d<const T> go, view5d<T> gi) {
  for_each_channel_run(go, gi, nullptr,
                       [&](std::int64_t n, std::int64_t d, std::int64_t h, std::int64_t w0, std::int64_t len) {
                         channel_avg_run(go, gi, n, d, h, w0, len);
                       });
}

template <class T>
void channel_max_backward_kernel(view5d<const T> go, view5d<const std::int64_t> indices, view5d<T> gi) {
  for_each_channel_run(go, gi, &indices,
                       [&](std::int64_t n, std::int64_t d, std::int64_t h, std::int64_t w0, std::int64_t len) {
                         channel_max_run(go, indices, gi, n, d, h, w0, len);
                       });
}

template <class Arch, class TOut, class TIn, std::size_t Rank, class LOut, class LIn>
void adaptive_avg_backward(const char* op, const tensor_view<TOut, Rank, LOut>& grad_out,
                           const tensor_view<TIn, Rank, LIn>& grad_in, bool global) {
  check_backward_types<Arch, TOut, TIn>();
  const auto kind = global ? backward_kind::global : backward_kind::adaptive;
  if (!check_backward(op, grad_out, grad_in, static_cast<const tensor_view<const std::int64_t, Rank>*>(nullptr),
                      kind)) {
    return;
  }
  if (grad_in.empty()) return;
  adaptive_avg_backward_kernel(to_5d(tensor_view<const TIn, Rank, LOut>(grad_out)), to_5d(grad_in));
}

template <class Arch, class TOut, class TIdx, class TIn, std::size_t Rank, class LOut, class LIdx, class LIn>
void adaptive_max_backward(const char* op, const tensor_view<TOut, Rank, LOut>& grad_out,
                           const tensor_view<TIdx, Rank, LIdx>& indices, const tensor_view<TIn, Rank, LIn>& grad_in,
                           bool global) {
  check_backward_types<Arch, TOut, TIn, TIdx>();
  const auto kind = global ? backward_kind::global : backward_kind::adaptive;
  if (!check_backward(op, grad_out, grad_in, &indices, kind)) return;
  const view5d<const std::int64_t> i5 = to_5d(tensor_view<const std::int64_t, Rank, LIdx>(indices));
  if (!grad_out.empty() && !check_index_range<Rank>(op, i5, to_5d(grad_in).plane_size(), "the input plane")) return;
  if (grad_in.empty()) return;
  adaptive_max_backward_kernel(to_5d(tensor_view<const TIn, Rank, LOut>(grad_out)), i5, to_5d(grad_in));
}

template <class Arch, class TOut, class TIn, std::size_t Rank, class LOut, class LIn>
void channel_avg_backward(const char* op, const tensor_view<TOut, Rank, LOut>& grad_out,
                          const tensor_view<TIn, Rank, LIn>& grad_in) {
  check_backward_types<Arch, TOut, TIn>();
  if (!check_backward(op, grad_out, grad_in, static_cast<const tensor_view<const std::int64_t, Rank>*>(nullptr),
                      backward_kind::channel)) {
    return;
  }
  if (grad_in.empty()) return;
  channel_avg_backward_kernel(to_5d(tensor_view<const TIn, Rank, LOut>(grad_out)), to_5d(grad_in));
}

template <class Arch, class TOut, class TIdx, class TIn, std::size_t Rank, class LOut, class LIdx, class LIn>
void channel_max_backward(const char* op, const tensor_view<TOut, Rank, LOut>& grad_out,
                          const tensor_view<TIdx, Rank, LIdx>& indices, const tensor_view<TIn, Rank, LIn>& grad_in) {
  check_backward_types<Arch, TOut, TIn, TIdx>();
  if (!check_backward(op, grad_out, grad_in, &indices, backward_kind::channel)) return;
  const view5d<const std::int64_t> i5 = to_5d(tensor_view<const std::int64_t, Rank, LIdx>(indices));
  if (!grad_out.empty() && !check_index_range<Rank>(op, i5, grad_in.extent(1), "the channels")) return;
  if (grad_in.empty()) return;
  channel_max_backward_kernel(to_5d(tensor_view<const TIn, Rank, LOut>(grad_out)), i5, to_5d(grad_in));
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace detail

inline namespace ADAPOOL_TARGET_NAMESPACE {

/// Gradient of adaptive_avg_pool1d: grad_out [N, C, L'] -> grad_in [N, C, L] (the
/// forward's input shape). grad_in is overwritten: zero, plus grad_out / window
/// size over each output's window (overlapping windows add up). Throws
/// `adapool::error` (or calls the error handler), writing nothing, on grad_out
/// with another N or C, an empty grad_in with a non-empty grad_out, grad_in
/// overlapping grad_out or itself, or a malformed view.
template <class Arch = default_arch, class TOut, class TIn, class LOut, class LIn>
void adaptive_avg_pool1d_backward(const tensor_view<TOut, 3, LOut>& grad_out, const tensor_view<TIn, 3, LIn>& grad_in) {
  detail::adaptive_avg_backward<Arch>("adaptive_avg_pool1d_backward", grad_out, grad_in, false);
}

/// Gradient of adaptive_avg_pool2d: grad_out [N, C, H', W'] -> grad_in [N, C, H, W].
/// Each output cell adds grad_out / kh / kw to every element of its kh x kw window,
/// in row-major order of the output cells (PyTorch's arithmetic and order; a 1 x 1
/// output, which PyTorch computes as a mean, adds grad_out / (H * W)). Any layout
/// for either view. Errors as for adaptive_avg_pool1d_backward.
template <class Arch = default_arch, class TOut, class TIn, class LOut, class LIn>
void adaptive_avg_pool2d_backward(const tensor_view<TOut, 4, LOut>& grad_out, const tensor_view<TIn, 4, LIn>& grad_in) {
  detail::adaptive_avg_backward<Arch>("adaptive_avg_pool2d_backward", grad_out, grad_in, false);
}

/// Gradient of adaptive_avg_pool3d: grad_out [N, C, D', H', W'] -> grad_in [N, C, D, H, W].
template <class Arch = default_arch, class TOut, class TIn, class LOut, class LIn>
void adaptive_avg_pool3d_backward(const tensor_view<TOut, 5, LOut>& grad_out, const tensor_view<TIn, 5, LIn>& grad_in) {
  detail::adaptive_avg_backward<Arch>("adaptive_avg_pool3d_backward", grad_out, grad_in, false);
}

/// Gradient of adaptive_max_pool1d: grad_in is zeroed, then each output cell adds
/// its grad_out at its index (an offset within the input plane, as the forward
/// returns it; `indices` has grad_out's shape). An index outside [0, L) is an
/// error reported before anything is written, naming its position. Other
/// errors as for adaptive_avg_pool1d_backward, plus indices of another shape or
/// overlapping grad_in.
template <class Arch = default_arch, class TOut, class TIdx, class TIn, class LOut, class LIdx, class LIn>
void adaptive_max_pool1d_backward(const tensor_view<TOut, 3, LOut>& grad_out, const tensor_view<TIdx, 3, LIdx>& indices,
                                  const tensor_view<TIn, 3, LIn>& grad_in) {
  detail::adaptive_max_backward<Arch>("adaptive_max_pool1d_backward", grad_out, indices, grad_in, false);
}

/// Gradient of adaptive_max_pool2d: indices are in-plane offsets h * W + w, in [0, H * W).
template <class Arch = default_arch, class TOut, class TIdx, class TIn, class LOut, class LIdx, class LIn>
void adaptive_max_pool2d_backward(const tensor_view<TOut, 4, LOut>& grad_out, const tensor_view<TIdx, 4, LIdx>& indices,
                                  const tensor_view<TIn, 4, LIn>& grad_in) {
  detail::adaptive_max_backward<Arch>("adaptive_max_pool2d_backward", grad_out, indices, grad_in, false);
}

/// Gradient of adaptive_max_pool3d: indices are in-plane offsets (d * H + h) * W + w.
template <class Arch = default_arch, class TOut, class TIdx, class TIn, class LOut, class LIdx, class LIn>
void adaptive_max_pool3d_backward(const tensor_view<TOut, 5, LOut>& grad_out, const tensor_view<TIdx, 5, LIdx>& indices,
                                  const tensor_view<TIn, 5, LIn>& grad_in) {
  detail::adaptive_max_backward<Arch>("adaptive_max_pool3d_backward", grad_out, indices, grad_in, false);
}

/// Gradient of global_avg_pool, any rank: grad_out [N, C, 1...] -> grad_in
/// [N, C, S...], every element of plane (n, c) set to grad_out / plane size.
/// Errors as for adaptive_avg_pool2d_backward, and a grad_out spatial size other than 1.
template <class Arch = default_arch, class TOut, class TIn, std::size_t Rank, class LOut, class LIn>
void global_avg_pool_backward(const tensor_view<TOut, Rank, LOut>& grad_out,
                              const tensor_view<TIn, Rank, LIn>& grad_in) {
  detail::adaptive_avg_backward<Arch>("global_avg_pool_backward", grad_out, grad_in, true);
}

/// Gradient of global_max_pool, any rank: plane (n, c) is zero but for
/// grad_out at its index. Errors as for adaptive_max_pool2d_backward, and a
/// grad_out spatial size other than 1.
template <class Arch = default_arch, class TOut, class TIdx, class TIn, std::size_t Rank, class LOut, class LIdx,
          class LIn>
void global_max_pool_backward(const tensor_view<TOut, Rank, LOut>& grad_out,
                              const tensor_view<TIdx, Rank, LIdx>& indices,
                              const tensor_view<TIn, Rank, LIn>& grad_in) {
  detail::adaptive_max_backward<Arch>("global_max_pool_backward", grad_out, indices, grad_in, true);
}

/// Gradient of channel_avg_pool: grad_out [N, C', S...] -> grad_in [N, C, S...].
/// At every pixel, output channel c' adds grad_out / window size to each
/// channel of its window, in the order of c'. Errors: grad_out with another N
/// or spatial sizes, C == 0 with a non-empty grad_out, overlapping memory, a
/// malformed view.
template <class Arch = default_arch, class TOut, class TIn, std::size_t Rank, class LOut, class LIn>
void channel_avg_pool_backward(const tensor_view<TOut, Rank, LOut>& grad_out,
                               const tensor_view<TIn, Rank, LIn>& grad_in) {
  detail::channel_avg_backward<Arch>("channel_avg_pool_backward", grad_out, grad_in);
}

/// Gradient of channel_max_pool: at every pixel, grad_out of output channel c'
/// is added to the channel its index names (in [0, C), as channel_max_pool
/// returns it). An index outside [0, C) is an error, reported before anything
/// is written. Other errors as for channel_avg_pool_backward, plus indices of
/// another shape or overlapping grad_in.
template <class Arch = default_arch, class TOut, class TIdx, class TIn, std::size_t Rank, class LOut, class LIdx,
          class LIn>
void channel_max_pool_backward(const tensor_view<TOut, Rank, LOut>& grad_out,
                               const tensor_view<TIdx, Rank, LIdx>& indices,
                               const tensor_view<TIn, Rank, LIn>& grad_in) {
  detail::channel_max_backward<Arch>("channel_max_pool_backward", grad_out, indices, grad_in);
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool
