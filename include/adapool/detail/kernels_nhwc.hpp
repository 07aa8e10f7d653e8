// SPDX-License-Identifier: MIT
#pragma once

// Adaptive pooling for channels-last inputs (the channels of a pixel are
// contiguous): every pixel of a window adds a run of channels, lane by lane.

#include <algorithm>
#include <cstdint>
#include <limits>

#include "kernels_nchw.hpp"
#include "reduce.hpp"
#include "view5d.hpp"

namespace adapool::detail {

// The pixels of one output position's window, numbered in scan order.
struct window3d {
  window d, h, w;
  std::int64_t pixels() const { return d.size() * h.size() * w.size(); }
  // Pixel number r as (d, h, w) input coordinates.
  void coordinates(std::int64_t r, std::int64_t* id, std::int64_t* ih, std::int64_t* iw) const {
    *iw = w.begin + r % w.size();
    r /= w.size();
    *ih = h.begin + r % h.size();
    *id = d.begin + r / h.size();
  }
};

template <class In, class Out, class Body>
void for_each_window(const view5d<In>& in, const view5d<Out>& out, Body body) {
  for (std::int64_t n = 0; n < in.n; ++n)
    for (std::int64_t od = 0; od < out.d; ++od)
      for (std::int64_t oh = 0; oh < out.h; ++oh)
        for (std::int64_t ow = 0; ow < out.w; ++ow)
          body(n, od, oh, ow,
               window3d{window_at(od, in.d, out.d), window_at(oh, in.h, out.h), window_at(ow, in.w, out.w)});
}

template <class Arch, class T>
void adaptive_avg_channels_last(const view5d<const T>& in, const view5d<T>& out) {
  for_each_window(in, out, [&](std::int64_t n, std::int64_t od, std::int64_t oh, std::int64_t ow, const window3d& win) {
    const auto count = static_cast<double>(win.pixels());
    for (std::int64_t c0 = 0; c0 < in.c; c0 += column_block) {
      const std::int64_t len = std::min(column_block, in.c - c0);
      const auto pixel = [&](std::int64_t r) {
        std::int64_t d, h, w;
        win.coordinates(r, &d, &h, &w);
        return in.at(n, c0, d, h, w);
      };
      double totals[column_block] = {};
      sum_columns<Arch, T>(pixel, win.pixels(), len, 1, totals);
      for (std::int64_t j = 0; j < len; ++j) *out.at(n, c0 + j, od, oh, ow) = static_cast<T>(totals[j] / count);
    }
  });
}

template <class Arch, class T>
void adaptive_max_channels_last(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  for_each_window(in, out, [&](std::int64_t n, std::int64_t od, std::int64_t oh, std::int64_t ow, const window3d& win) {
    for (std::int64_t c0 = 0; c0 < in.c; c0 += column_block) {
      const std::int64_t len = std::min(column_block, in.c - c0);
      const auto pixel = [&](std::int64_t r) {
        std::int64_t d, h, w;
        win.coordinates(r, &d, &h, &w);
        return in.at(n, c0, d, h, w);
      };
      T max[column_block];
      std::int64_t winner[column_block];
      std::fill(max, max + len, -std::numeric_limits<T>::infinity());
      std::fill(winner, winner + len, std::int64_t{0});
      max_index_columns<Arch, T>(pixel, win.pixels(), len, 1, max, winner);
      for (std::int64_t j = 0; j < len; ++j) {
        *out.at(n, c0 + j, od, oh, ow) = max[j];
        if (indices) {
          std::int64_t d, h, w;
          win.coordinates(winner[j], &d, &h, &w);
          *indices->at(n, c0 + j, od, oh, ow) = (d * in.h + h) * in.w + w;
        }
      }
    }
  });
}

}  // namespace adapool::detail
