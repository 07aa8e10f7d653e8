// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_KERNELS_CHANNEL_BACKWARD_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_KERNELS_CHANNEL_BACKWARD_HPP)
#undef ADAPOOL_DETAIL_KERNELS_CHANNEL_BACKWARD_HPP
#else
#define ADAPOOL_DETAIL_KERNELS_CHANNEL_BACKWARD_HPP
#endif

// The channel poolings' backward kernel, channel_runs (plan.hpp). It adds and
// zeroes as the spatial backward passes do (kernels_backward.hpp).

#include <algorithm>
#include <cstdint>

#include "../parallel.hpp"
#include "../simd/arch.hpp"
#include "../simd/target.hpp"
#include "kernels_backward.hpp"
#include "runs.hpp"
#include "view5d.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

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
  parallel_for(gi.n * gi.d * gi.h * runs, backward_work(go, gi), [&](std::int64_t task) {
    const std::int64_t w0 = task % runs * backward_pixel_run;
    std::int64_t row = task / runs;
    const std::int64_t h = row % gi.h;
    row /= gi.h;
    const std::int64_t d = row % gi.d;
    const std::int64_t n = row / gi.d;
    body(n, d, h, w0, std::min(backward_pixel_run, gi.w - w0));
  });
}

template <class Arch, class T>
void zero_channel_run(const view5d<T>& gi, std::int64_t n, std::int64_t d, std::int64_t h, std::int64_t w0,
                      std::int64_t len) {
  if (gi.channels_contiguous()) {
    for (std::int64_t w = w0; w < w0 + len; ++w) fill_run<Arch>(gi.at(n, 0, d, h, w), gi.c, T(0));
    return;
  }
  for (std::int64_t c = 0; c < gi.c; ++c) {
    T* row = gi.at(n, c, d, h, w0);
    if (gi.stride_w == 1) {
      fill_run<Arch>(row, len, T(0));
    } else {
      for (std::int64_t w = 0; w < len; ++w) row[w * gi.stride_w] = T(0);
    }
  }
}

// Pixels [w0, w0 + len) of row (n, d, h): every channel zeroed, then each
// output channel's shares added to its window of channels, in channel order.
template <class Arch, class T>
void channel_avg_run(const view5d<const T>& go, const view5d<T>& gi, std::int64_t n, std::int64_t d, std::int64_t h,
                     std::int64_t w0, std::int64_t len) {
  zero_channel_run<Arch>(gi, n, d, h, w0, len);
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
        add_run<Arch>(row, shares, len);
      } else {
        for (std::int64_t w = 0; w < len; ++w) row[w * gi.stride_w] += shares[w];
      }
    }
  }
}

// The same run for max: each output channel's gradient added at the channel
// its index names, each pixel taking its output channels in order.
template <class Arch, class T>
void channel_max_run(const view5d<const T>& go, const view5d<const std::int64_t>& indices, const view5d<T>& gi,
                     std::int64_t n, std::int64_t d, std::int64_t h, std::int64_t w0, std::int64_t len) {
  zero_channel_run<Arch>(gi, n, d, h, w0, len);
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

template <class Arch, class T>
void channel_runs_avg_backward(view5d<const T> go, view5d<T> gi) {
  for_each_channel_run(go, gi, nullptr,
                       [&](std::int64_t n, std::int64_t d, std::int64_t h, std::int64_t w0, std::int64_t len) {
                         channel_avg_run<Arch>(go, gi, n, d, h, w0, len);
                       });
}

template <class Arch, class T>
void channel_runs_max_backward(view5d<const T> go, view5d<const std::int64_t> indices, view5d<T> gi) {
  for_each_channel_run(go, gi, &indices,
                       [&](std::int64_t n, std::int64_t d, std::int64_t h, std::int64_t w0, std::int64_t len) {
                         channel_max_run<Arch>(go, indices, gi, n, d, h, w0, len);
                       });
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
