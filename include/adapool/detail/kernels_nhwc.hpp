// SPDX-License-Identifier: MIT
#pragma once

// Adaptive pooling for channels-last inputs (the channels of a pixel are
// contiguous): every pixel of a window adds a run of channels, lane by lane,
// a column block of channels at a time.

#include <algorithm>
#include <cstdint>

#include "kernels_nchw.hpp"
#include "reduce.hpp"
#include "view5d.hpp"

namespace adapool::detail {

template <class In, class Out, class Body>
void for_each_window(const view5d<In>& in, const view5d<Out>& out, Body body) {
  for (std::int64_t n = 0; n < in.n; ++n)
    for (std::int64_t od = 0; od < out.d; ++od) {
      const window wd = window_at(od, in.d, out.d);
      for (std::int64_t oh = 0; oh < out.h; ++oh) {
        const window wh = window_at(oh, in.h, out.h);
        for (std::int64_t ow = 0; ow < out.w; ++ow) body(n, od, oh, ow, wd, wh, window_at(ow, in.w, out.w));
      }
    }
}

template <class Arch, class T>
void adaptive_avg_channels_last(const view5d<const T>& in, const view5d<T>& out) {
  for_each_window(in, out,
                  [&](std::int64_t n, std::int64_t od, std::int64_t oh, std::int64_t ow, const window& wd,
                      const window& wh, const window& ww) {
                    const auto count = static_cast<double>(wd.size() * wh.size() * ww.size());
                    for (std::int64_t c0 = 0; c0 < in.c; c0 += column_block) {
                      const std::int64_t len = std::min(column_block, in.c - c0);
                      column_sums<Arch, T> sums(len, 1);
                      for (std::int64_t d = wd.begin; d < wd.end; ++d)
                        for (std::int64_t h = wh.begin; h < wh.end; ++h)
                          for (std::int64_t w = ww.begin; w < ww.end; ++w) sums.add(in.at(n, c0, d, h, w));
                      sums.finish();
                      for (std::int64_t j = 0; j < len; ++j)
                        *out.at(n, c0 + j, od, oh, ow) = static_cast<T>(sums.totals[j] / count);
                    }
                  });
}

// Pixel ids are in-plane positions, held as T: callers check plane_size < max_exact_position<T>.
template <class Arch, class T>
void adaptive_max_channels_last(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  for_each_window(in, out,
                  [&](std::int64_t n, std::int64_t od, std::int64_t oh, std::int64_t ow, const window& wd,
                      const window& wh, const window& ww) {
                    for (std::int64_t c0 = 0; c0 < in.c; c0 += column_block) {
                      const std::int64_t len = std::min(column_block, in.c - c0);
                      column_max<Arch, T> columns(len, 1,
                                                  static_cast<T>((wd.begin * in.h + wh.begin) * in.w + ww.begin));
                      for (std::int64_t d = wd.begin; d < wd.end; ++d)
                        for (std::int64_t h = wh.begin; h < wh.end; ++h)
                          for (std::int64_t w = ww.begin; w < ww.end; ++w)
                            columns.add(in.at(n, c0, d, h, w), static_cast<T>((d * in.h + h) * in.w + w));
                      for (std::int64_t j = 0; j < len; ++j) {
                        *out.at(n, c0 + j, od, oh, ow) = columns.max[j];
                        if (indices) *indices->at(n, c0 + j, od, oh, ow) = static_cast<std::int64_t>(columns.winner[j]);
                      }
                    }
                  });
}

}  // namespace adapool::detail
