// SPDX-License-Identifier: MIT
#pragma once

// Adaptive pooling plane by plane: for inputs whose (n, c) planes are read
// row by row (contiguous NCHW, and any strided view without contiguous channels).

#include <cstdint>
#include <limits>

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

template <class T, class U>
bool covers_whole_plane(const view5d<T>& in, const view5d<U>& out) {
  return out.d == 1 && out.h == 1 && out.w == 1 && in.planes_contiguous();
}

template <class Arch, class T>
void adaptive_avg_planes(const view5d<const T>& in, const view5d<T>& out) {
  for (std::int64_t n = 0; n < in.n; ++n) {
    for (std::int64_t c = 0; c < in.c; ++c) {
      const T* plane = in.at(n, c, 0, 0, 0);
      if (covers_whole_plane(in, out)) {
        const std::int64_t count = in.plane_size();
        *out.at(n, c, 0, 0, 0) = static_cast<T>(sum_row<Arch>(plane, count, 1) / static_cast<double>(count));
        continue;
      }
      for (std::int64_t od = 0; od < out.d; ++od) {
        const window wd = window_at(od, in.d, out.d);
        for (std::int64_t oh = 0; oh < out.h; ++oh) {
          const window wh = window_at(oh, in.h, out.h);
          for (std::int64_t ow = 0; ow < out.w; ++ow) {
            const window ww = window_at(ow, in.w, out.w);
            double sum = 0;
            for (std::int64_t d = wd.begin; d < wd.end; ++d) {
              for (std::int64_t h = wh.begin; h < wh.end; ++h) {
                sum += sum_row<Arch>(plane + d * in.stride_d + h * in.stride_h + ww.begin * in.stride_w, ww.size(),
                                     in.stride_w);
              }
            }
            const auto count = static_cast<double>(wd.size() * wh.size() * ww.size());
            *out.at(n, c, od, oh, ow) = static_cast<T>(sum / count);
          }
        }
      }
    }
  }
}

// `indices` may be null (max without indices).
template <class Arch, class T>
void adaptive_max_planes(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  for (std::int64_t n = 0; n < in.n; ++n) {
    for (std::int64_t c = 0; c < in.c; ++c) {
      const T* plane = in.at(n, c, 0, 0, 0);
      const bool whole_plane = covers_whole_plane(in, out);
      for (std::int64_t od = 0; od < out.d; ++od) {
        const window wd = window_at(od, in.d, out.d);
        for (std::int64_t oh = 0; oh < out.h; ++oh) {
          const window wh = window_at(oh, in.h, out.h);
          for (std::int64_t ow = 0; ow < out.w; ++ow) {
            const window ww = window_at(ow, in.w, out.w);
            max_and_position<T> best{-std::numeric_limits<T>::infinity(),
                                     (wd.begin * in.h + wh.begin) * in.w + ww.begin};
            if (whole_plane) {
              best = max_index_row<Arch>(plane, in.plane_size(), 1);
            } else {
              // Rows merge by the element rule, so the result is that of one scan in row-major order.
              for (std::int64_t d = wd.begin; d < wd.end; ++d) {
                for (std::int64_t h = wh.begin; h < wh.end; ++h) {
                  const max_and_position<T> row = max_index_row<Arch>(
                      plane + d * in.stride_d + h * in.stride_h + ww.begin * in.stride_w, ww.size(), in.stride_w);
                  if (replaces(row.value, best.value))
                    best = {row.value, (d * in.h + h) * in.w + ww.begin + row.position};
                }
              }
            }
            *out.at(n, c, od, oh, ow) = best.value;
            if (indices) *indices->at(n, c, od, oh, ow) = best.position;
          }
        }
      }
    }
  }
}

}  // namespace adapool::detail
