// SPDX-License-Identifier: MIT
#pragma once

// Depth-wise (channel) pooling: N x C x S -> N x C' x S, adaptive windows over C.
// Plane-major inputs add whole channel planes lane by lane along the pixels;
// channels-last inputs (and channel counts too large for exact ids) reduce the
// channels of each pixel as one row.

#include <algorithm>
#include <cstdint>

#include "../parallel.hpp"
#include "kernels_nchw.hpp"
#include "reduce.hpp"
#include "view5d.hpp"

namespace adapool::detail {

// Calls body(n, oc, channel window, d, h, w0, len) for each run of up to
// column_block pixels along w, spread over threads, after merging the spatial
// axes into one row where the input and every output (null ones skipped) allow it.
template <class In, class Body, class... Outs>
void for_each_pixel_run(view5d<In>& in, std::int64_t out_channels, const Body& body, view5d<Outs>*... outs) {
  if (in.planes_contiguous() && ((!outs || outs->planes_contiguous()) && ...)) {
    in = as_single_row(in);
    ((outs ? void(*outs = as_single_row(*outs)) : void()), ...);
  }
  const std::int64_t runs = (in.w + column_block - 1) / column_block;
  parallel_for(in.n * out_channels * in.d * in.h * runs, in.n * in.c * in.plane_size(), [&](std::int64_t task) {
    const std::int64_t w0 = task % runs * column_block;
    std::int64_t row = task / runs;
    const std::int64_t h = row % in.h;
    row /= in.h;
    const std::int64_t d = row % in.d;
    row /= in.d;
    const std::int64_t oc = row % out_channels;
    const std::int64_t n = row / out_channels;
    body(n, oc, window_at(oc, in.c, out_channels), d, h, w0, std::min(column_block, in.w - w0));
  });
}

// Calls body(n, oc, channel window, d, h, w) for every output element, a row of pixels per task.
template <class In, class Out, class Body>
void for_each_pixel(const view5d<In>& in, const view5d<Out>& out, const Body& body) {
  parallel_for(in.n * in.d * in.h, in.n * in.c * in.plane_size(), [&](std::int64_t task) {
    const std::int64_t h = task % in.h, d = task / in.h % in.d, n = task / in.h / in.d;
    for (std::int64_t w = 0; w < in.w; ++w)
      for (std::int64_t oc = 0; oc < out.c; ++oc) body(n, oc, window_at(oc, in.c, out.c), d, h, w);
  });
}

template <class T>
bool channels_are_rows(const view5d<T>& in) {
  return in.stride_c == 1 && in.c > 1 && in.stride_w != 1;
}

template <class Arch, class T>
void channel_avg_kernel(view5d<const T> in, view5d<T> out) {
  if (channels_are_rows(in)) {
    for_each_pixel(
        in, out,
        [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w) {
          const double sum = sum_row<Arch>(in.at(n, wc.begin, d, h, w), wc.size(), 1);
          *out.at(n, oc, d, h, w) = static_cast<T>(sum / static_cast<double>(wc.size()));
        });
    return;
  }
  for_each_pixel_run(
      in, out.c,
      [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w0,
          std::int64_t len) {
        column_sums<Arch, T> sums(len, in.stride_w);
        sums.add_rows(in.at(n, wc.begin, d, h, w0), in.stride_c, wc.size());
        sums.finish();
        const auto count = static_cast<double>(wc.size());
        for (std::int64_t j = 0; j < len; ++j) *out.at(n, oc, d, h, w0 + j) = static_cast<T>(sums.totals[j] / count);
      },
      &out);
}

template <class Arch, class T>
void channel_max_kernel(view5d<const T> in, view5d<T> out, view5d<std::int64_t>* indices) {
  if (channels_are_rows(in) || in.c >= max_exact_position<T>) {
    for_each_pixel(
        in, out,
        [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w) {
          const max_and_position<T> best = max_index_row<Arch>(in.at(n, wc.begin, d, h, w), wc.size(), in.stride_c);
          *out.at(n, oc, d, h, w) = best.value;
          if (indices) *indices->at(n, oc, d, h, w) = wc.begin + best.position;
        });
    return;
  }
  with_winners(indices != nullptr, [&](auto winners) {
    constexpr bool with_indices = decltype(winners)::value;
    for_each_pixel_run(
        in, out.c,
        [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w0,
            std::int64_t len) {
          column_max<Arch, T, with_indices> columns(len, in.stride_w, static_cast<T>(wc.begin));
          columns.add_rows(in.at(n, wc.begin, d, h, w0), in.stride_c, wc.size(), static_cast<T>(wc.begin));
          for (std::int64_t j = 0; j < len; ++j) {
            *out.at(n, oc, d, h, w0 + j) = columns.max[j];
            if constexpr (with_indices)
              *indices->at(n, oc, d, h, w0 + j) = static_cast<std::int64_t>(columns.winner[j]);
          }
        },
        &out, indices);
  });
}

/// Channel max and channel mean of the same windows in one read (CBAM's
/// spatial-attention input); each output gets exactly the arithmetic of its own call.
template <class Arch, class T>
void channel_max_avg_kernel(view5d<const T> in, view5d<T> max, view5d<T> avg) {
  if (channels_are_rows(in) || in.c >= max_exact_position<T>) {
    for_each_pixel(
        in, max,
        [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w) {
          const T* run = in.at(n, wc.begin, d, h, w);
          *max.at(n, oc, d, h, w) = max_index_row<Arch>(run, wc.size(), in.stride_c).value;
          if (channels_are_rows(in)) {
            *avg.at(n, oc, d, h, w) = static_cast<T>(sum_row<Arch>(run, wc.size(), 1) / static_cast<double>(wc.size()));
          }
        });
    // A plane-major input with too many channels for exact ids: the mean in its own pass.
    if (!channels_are_rows(in)) channel_avg_kernel<Arch>(in, avg);
    return;
  }
  for_each_pixel_run(
      in, max.c,
      [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w0,
          std::int64_t len) {
        // The run's channels are read twice, the second time from cache.
        column_max<Arch, T, false> columns(len, in.stride_w, T(0));
        column_sums<Arch, T> sums(len, in.stride_w);
        const T* first = in.at(n, wc.begin, d, h, w0);
        columns.add_rows(first, in.stride_c, wc.size(), T(0));
        sums.add_rows(first, in.stride_c, wc.size());
        sums.finish();
        const auto count = static_cast<double>(wc.size());
        for (std::int64_t j = 0; j < len; ++j) {
          *max.at(n, oc, d, h, w0 + j) = columns.max[j];
          *avg.at(n, oc, d, h, w0 + j) = static_cast<T>(sums.totals[j] / count);
        }
      },
      &max, &avg);
}

}  // namespace adapool::detail
