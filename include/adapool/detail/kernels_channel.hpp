// SPDX-License-Identifier: MIT
#pragma once

// Depth-wise (channel) pooling: N x C x S -> N x C' x S, adaptive windows over C.
// Plane-major inputs accumulate whole channel planes lane by lane along the
// pixels; channels-last inputs reduce the contiguous channels of each pixel.

#include <algorithm>
#include <cstdint>
#include <limits>

#include "kernels_nchw.hpp"
#include "reduce.hpp"
#include "view5d.hpp"

namespace adapool::detail {

// When every view's planes are contiguous, the spatial axes act as one long row.
template <class T>
view5d<T> as_single_row(view5d<T> v) {
  v.w = v.plane_size();
  v.d = v.h = 1;
  v.stride_d = v.stride_h = v.w;
  return v;
}

template <class Arch, class T, class Reduce>
void for_each_channel_window_row(view5d<const T>& in, view5d<T>& out, view5d<std::int64_t>* indices, Reduce reduce) {
  if (in.planes_contiguous() && out.planes_contiguous() && (!indices || indices->planes_contiguous())) {
    in = as_single_row(in);
    out = as_single_row(out);
    if (indices) *indices = as_single_row(*indices);
  }
  for (std::int64_t n = 0; n < in.n; ++n)
    for (std::int64_t oc = 0; oc < out.c; ++oc) {
      const window wc = window_at(oc, in.c, out.c);
      for (std::int64_t d = 0; d < in.d; ++d)
        for (std::int64_t h = 0; h < in.h; ++h)
          for (std::int64_t w0 = 0; w0 < in.w; w0 += column_block) {
            const std::int64_t len = std::min(column_block, in.w - w0);
            const auto channel = [&, n, d, h, w0](std::int64_t r) { return in.at(n, wc.begin + r, d, h, w0); };
            reduce(channel, wc, len, n, oc, d, h, w0);
          }
    }
}

template <class Arch, class T>
void channel_avg_kernel(view5d<const T> in, view5d<T> out) {
  if (in.stride_c == 1 && in.c > 1 && in.stride_w != 1) {
    for (std::int64_t n = 0; n < in.n; ++n)
      for (std::int64_t d = 0; d < in.d; ++d)
        for (std::int64_t h = 0; h < in.h; ++h)
          for (std::int64_t w = 0; w < in.w; ++w)
            for (std::int64_t oc = 0; oc < out.c; ++oc) {
              const window wc = window_at(oc, in.c, out.c);
              const double sum = sum_row<Arch>(in.at(n, wc.begin, d, h, w), wc.size(), 1);
              *out.at(n, oc, d, h, w) = static_cast<T>(sum / static_cast<double>(wc.size()));
            }
    return;
  }
  for_each_channel_window_row<Arch>(in, out, nullptr,
                                    [&](auto channel, const window& wc, std::int64_t len, std::int64_t n,
                                        std::int64_t oc, std::int64_t d, std::int64_t h, std::int64_t w0) {
                                      double totals[column_block] = {};
                                      sum_columns<Arch, T>(channel, wc.size(), len, in.stride_w, totals);
                                      const auto count = static_cast<double>(wc.size());
                                      for (std::int64_t j = 0; j < len; ++j)
                                        *out.at(n, oc, d, h, w0 + j) = static_cast<T>(totals[j] / count);
                                    });
}

template <class Arch, class T>
void channel_max_kernel(view5d<const T> in, view5d<T> out, view5d<std::int64_t>* indices) {
  if (in.stride_c == 1 && in.c > 1 && in.stride_w != 1) {
    for (std::int64_t n = 0; n < in.n; ++n)
      for (std::int64_t d = 0; d < in.d; ++d)
        for (std::int64_t h = 0; h < in.h; ++h)
          for (std::int64_t w = 0; w < in.w; ++w)
            for (std::int64_t oc = 0; oc < out.c; ++oc) {
              const window wc = window_at(oc, in.c, out.c);
              const max_and_position<T> best = max_index_row<Arch>(in.at(n, wc.begin, d, h, w), wc.size(), 1);
              *out.at(n, oc, d, h, w) = best.value;
              if (indices) *indices->at(n, oc, d, h, w) = wc.begin + best.position;
            }
    return;
  }
  view5d<std::int64_t> index_view = indices ? *indices : view5d<std::int64_t>{};
  for_each_channel_window_row<Arch>(in, out, indices ? &index_view : nullptr,
                                    [&](auto channel, const window& wc, std::int64_t len, std::int64_t n,
                                        std::int64_t oc, std::int64_t d, std::int64_t h, std::int64_t w0) {
                                      T max[column_block];
                                      std::int64_t winner[column_block];
                                      std::fill(max, max + len, -std::numeric_limits<T>::infinity());
                                      std::fill(winner, winner + len, std::int64_t{0});
                                      max_index_columns<Arch, T>(channel, wc.size(), len, in.stride_w, max, winner);
                                      for (std::int64_t j = 0; j < len; ++j) {
                                        *out.at(n, oc, d, h, w0 + j) = max[j];
                                        if (indices) *index_view.at(n, oc, d, h, w0 + j) = wc.begin + winner[j];
                                      }
                                    });
}

}  // namespace adapool::detail
