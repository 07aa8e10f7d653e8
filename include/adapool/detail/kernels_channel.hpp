// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_KERNELS_CHANNEL_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_KERNELS_CHANNEL_HPP)
#undef ADAPOOL_DETAIL_KERNELS_CHANNEL_HPP
#else
#define ADAPOOL_DETAIL_KERNELS_CHANNEL_HPP
#endif

// Depth-wise (channel) pooling: N x C x S -> N x C' x S, adaptive windows over C.
// Plane-major inputs add whole channel planes lane by lane along the pixels;
// channels-last inputs (and channel counts too large for exact ids) reduce the
// channels of each pixel as one row.

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "../parallel.hpp"
#include "../simd/compiler.hpp"
#include "../simd/target.hpp"
#include "plan.hpp"
#include "reduce.hpp"
#include "reduce_columns.hpp"
#include "view5d.hpp"
#include "window_table.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// Calls body(n, oc, channel window, d, h, w0, len) for each run of up to
// `longest_run` pixels along w, spread over threads, after merging the spatial
// axes into one row where the input and every output (null ones skipped) allow it.
// Runs get shorter only when there are fewer of them than threads; each pixel's
// arithmetic never depends on where its run starts.
template <class In, class Body, class... Outs>
void for_each_pixel_run(view5d<In>& in, std::int64_t out_channels, std::int64_t longest_run, const Body& body,
                        view5d<Outs>*... outs) {
  if (in.planes_contiguous() && ((!outs || outs->planes_contiguous()) && ...)) {
    in = as_single_row(in);
    ((outs ? void(*outs = as_single_row(*outs)) : void()), ...);
  }
  const std::int64_t rows = in.n * out_channels * in.d * in.h;
  const std::int64_t work = in.n * in.c * in.plane_size();
  std::int64_t runs = std::max((in.w + longest_run - 1) / longest_run, (useful_threads(work) + rows - 1) / rows);
  // Whole cache lines per run, so that threads never share one.
  constexpr auto line = static_cast<std::int64_t>(64 / sizeof(In));
  const std::int64_t run = std::min(longest_run, ((in.w + runs - 1) / runs + line - 1) / line * line);
  runs = (in.w + run - 1) / run;
  parallel_for(rows * runs, work, [&](std::int64_t task) {
    const std::int64_t w0 = task % runs * run;
    std::int64_t row = task / runs;
    const std::int64_t h = row % in.h;
    row /= in.h;
    const std::int64_t d = row % in.d;
    row /= in.d;
    const std::int64_t oc = row % out_channels;
    const std::int64_t n = row / out_channels;
    body(n, oc, window_at(oc, in.c, out_channels), d, h, w0, std::min(run, in.w - w0));
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

// Plane-major pooling reads each plane of a pixel run as one long sequential
// stream, planes_per_pass planes at a time, and accumulates in the output run
// itself (L1 resident: 16 KB). Runs of a few hundred pixels taken from all the
// planes of a window at once (64 streams 49 KB apart for a 112 x 112 image)
// leave the hardware prefetcher behind; a few long streams it follows at
// streaming speed. Eight planes a pass load and store the accumulators half as often as four.
inline constexpr std::int64_t channel_run_bytes = std::int64_t{16} * 1024;
inline constexpr int planes_per_pass = 8;

// Runs whose accumulators live on the stack instead (a strided output, or
// double totals for windows of more than 64 channels).
inline constexpr std::int64_t stack_run = 1024;

// max_sum: the max into acc and, from the same loads, the sum into `sums`.
enum class channel_op { sum, max, max_exact, max_sum };

// One pass over `Planes` rows of `len` elements, row k at row + k * plane_stride:
// acc[j] = op(acc[j], rows[k][j]) in row order (the first row starts acc when
// `First`), then times `scale` when it is not zero. For channel_op::max, `nan_seen`
// also collects whether a row might hold NaN, which vector max would drop.
// channel_op::max_sum does both: the max of channel_op::max into acc, and the
// sum of channel_op::sum (and its scale) into `sums`.
template <class Arch, class T, channel_op Op, int Planes, bool First, class Row>
void channel_pass(const Row* row, std::int64_t plane_stride, std::int64_t len, T* acc, T* sums, T scale,
                  typename simd::ops<T, Arch>::mask& nan_seen) {
  constexpr bool max_rule = Op == channel_op::max || Op == channel_op::max_sum;
  using V = simd::ops<T, Arch>;
  using vector = typename V::vector;
  constexpr std::int64_t L = V::lanes;
  const Row* rows[std::size_t{Planes}];
  ADAPOOL_UNROLL(8)
  for (int k = 0; k < Planes; ++k) rows[k] = row + k * plane_stride;
  const vector factor = V::broadcast(scale);
  std::int64_t j = 0;
  for (; j + L <= len; j += L) {
    vector x[std::size_t{Planes}];
    ADAPOOL_UNROLL(8)
    for (int k = 0; k < Planes; ++k) x[k] = simd::load_row<T, Arch>(rows[k] + j);
    vector a;
    if constexpr (First) {
      a = Op == channel_op::sum ? V::add(V::zero(), x[0]) : x[0];
    } else {
      a = V::load(acc + j);
    }
    ADAPOOL_UNROLL(8)
    for (int k = First ? 1 : 0; k < Planes; ++k) {
      if constexpr (Op == channel_op::sum) {
        a = V::add(a, x[k]);
      } else if constexpr (max_rule) {
        a = V::max(x[k], a);
      } else {
        a = V::select(V::greater_or_nan(x[k], a), x[k], a);
      }
    }
    if constexpr (Op == channel_op::sum) {
      if (scale != T(0)) a = V::mul(a, factor);
    }
    V::store(acc + j, a);
    if constexpr (Op == channel_op::max_sum) {
      vector s = First ? V::add(V::zero(), x[0]) : V::load(sums + j);
      ADAPOOL_UNROLL(8)
      for (int k = First ? 1 : 0; k < Planes; ++k) s = V::add(s, x[k]);
      // The running sum is NaN once a row held NaN (or for inf - inf, which
      // only costs the exact pass): the max's NaN test for free.
      nan_seen = V::mask_or(nan_seen, V::is_nan(s));
      if (scale != T(0)) s = V::mul(s, factor);
      V::store(sums + j, s);
    }
    if constexpr (Op == channel_op::max) {
      // A sum is NaN when any of its terms is (or for inf - inf, which only
      // costs the exact pass); it takes adds, which leave the max units free.
      // Widened rows (conversions keep those units busy) test each row.
      if constexpr (std::is_same_v<Row, T>) {
        vector probe = x[0];
        ADAPOOL_UNROLL(8)
        for (int k = 1; k < Planes; ++k) probe = V::add(probe, x[k]);
        nan_seen = V::mask_or(nan_seen, V::is_nan(probe));
      } else {
        ADAPOOL_UNROLL(8)
        for (int k = 0; k < Planes; ++k) nan_seen = V::mask_or(nan_seen, V::is_nan(x[k]));
      }
    }
  }
  for (; j < len; ++j) {
    const auto element = [&](int k) { return static_cast<T>(rows[k][j]); };
    if constexpr (Op == channel_op::max_sum) {
      T s = First ? T(0) + element(0) : sums[j];
      ADAPOOL_UNROLL(8)
      for (int k = First ? 1 : 0; k < Planes; ++k) s += element(k);
      if (scale != T(0)) s *= scale;
      sums[j] = s;
    }
    T a = First ? (Op == channel_op::sum ? T(0) + element(0) : element(0)) : acc[j];
    ADAPOOL_UNROLL(8)
    for (int k = First ? 1 : 0; k < Planes; ++k) {
      if constexpr (Op == channel_op::sum) {
        a += element(k);
      } else if (replaces(element(k), a)) {
        a = element(k);
      }
    }
    if constexpr (Op == channel_op::sum) {
      if (scale != T(0)) a *= scale;
    }
    acc[j] = a;
  }
}

/// Reduces `rows` >= 1 rows of `len` elements, row r at first + r * plane_stride,
/// into acc (sums from zero, or maxima by the element rule), the last pass times
/// `scale` when not zero. For channel_op::max (and max_sum, whose sums go to
/// `sums`), returns whether the exact pass is needed.
template <class Arch, class T, channel_op Op, class Row>
bool channel_rows(const Row* first, std::int64_t plane_stride, std::int64_t rows, std::int64_t len, T* acc, T scale,
                  T* sums = nullptr) {
  using V = simd::ops<T, Arch>;
  typename V::mask nan_seen = V::is_nan(V::zero());
  // Rows a multiple of 4 KiB apart map to the same L1 sets, where eight
  // streams measured slower than four (planes of 160 x 160, 192 x 192 and
  // 224 x 224 floats); elsewhere eight are faster.
  const std::int64_t per_pass =
      plane_stride * static_cast<std::int64_t>(sizeof(Row)) % 4096 == 0 ? planes_per_pass / 2 : planes_per_pass;
  for (std::int64_t r = 0; r < rows;) {
    // Fewer rows than a full pass go half a pass, then the rest: passes of
    // five widths (1-4 and 8), not eight.
    const std::int64_t left = rows - r;
    const int planes =
        static_cast<int>(left >= per_pass ? per_pass : std::min<std::int64_t>(left, planes_per_pass / 2));
    const Row* row = first + r * plane_stride;
    const T pass_scale = r + planes == rows ? scale : T(0);
    auto pass = [&](auto planes_tag, auto first_tag) {
      channel_pass<Arch, T, Op, decltype(planes_tag)::value, decltype(first_tag)::value>(row, plane_stride, len, acc,
                                                                                         sums, pass_scale, nan_seen);
    };
    auto with_first = [&](auto planes_tag) {
      if (r == 0) {
        pass(planes_tag, std::true_type{});
      } else {
        pass(planes_tag, std::false_type{});
      }
    };
    static_assert(planes_per_pass == 8, "one case per pass width");
    switch (planes) {
      case 1:
        with_first(std::integral_constant<int, 1>{});
        break;
      case 2:
        with_first(std::integral_constant<int, 2>{});
        break;
      case 3:
        with_first(std::integral_constant<int, 3>{});
        break;
      case 4:
        with_first(std::integral_constant<int, 4>{});
        break;
      default:
        with_first(std::integral_constant<int, 8>{});
        break;
    }
    r += planes;
  }
  return V::any(nan_seen);
}

// sum / count in double rounded to float is float's own quotient (double has
// more than twice float's digits): the bits column_sums gives. A power of
// two's reciprocal is exact, so its product is too: the last pass scales.
template <class T>
T mean_scale(std::int64_t count) {
  return (count & (count - 1)) == 0 ? T(1) / static_cast<T>(count) : T(0);
}
template <class T>
void divide_sums(T* acc, std::int64_t count, std::int64_t len) {
  if (mean_scale<T>(count) != T(0)) return;
  for (std::int64_t j = 0; j < len; ++j) acc[j] = acc[j] / static_cast<T>(count);
}

// The mean over `count` <= channel_sum_rows rows of a run into acc.
template <class Arch, class T>
void channel_mean_run(const T* first, std::int64_t plane_stride, std::int64_t count, std::int64_t len, T* acc) {
  channel_rows<Arch, T, channel_op::sum>(first, plane_stride, count, len, acc, mean_scale<T>(count));
  divide_sums(acc, count, len);
}

// The max over `count` rows of a run into acc: vector max, and the exact
// compare-and-select pass only where a row may hold NaN, or always where the
// vector max is not the max rule on NaN-free rows either (max_keeps_current).
// With `means`, also channel_mean_run's means into it, from the same loads.
template <class Arch, class T>
void channel_max_run(const T* first, std::int64_t plane_stride, std::int64_t count, std::int64_t len, T* acc,
                     T* means = nullptr) {
  const bool nan_seen = means ? channel_rows<Arch, T, channel_op::max_sum>(first, plane_stride, count, len, acc,
                                                                           mean_scale<T>(count), means)
                              : channel_rows<Arch, T, channel_op::max>(first, plane_stride, count, len, acc, T(0));
  if (!simd::ops<T, Arch>::max_keeps_current || nan_seen)
    channel_rows<Arch, T, channel_op::max_exact>(first, plane_stride, count, len, acc, T(0));
  if (means) divide_sums(means, count, len);
}

// ---------------------------------------------------------- channel_rows
// Each pixel's window of channels is one run (channels contiguous), or the
// channel ids would not be exact in T: one reduction per output element.

template <class Arch, class T>
void channel_avg_rows(const view5d<const T>& in, const view5d<T>& out) {
  for_each_pixel(
      in, out, [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w) {
        const double sum = sum_row<Arch>(in.at(n, wc.begin, d, h, w), wc.size(), in.stride_c);
        *out.at(n, oc, d, h, w) = static_cast<T>(sum / static_cast<double>(wc.size()));
      });
}

template <class Arch, class T>
void channel_max_rows(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  for_each_pixel(
      in, out, [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w) {
        const max_and_position<T> best = max_index_row<Arch>(in.at(n, wc.begin, d, h, w), wc.size(), in.stride_c);
        *out.at(n, oc, d, h, w) = best.value;
        if (indices) *indices->at(n, oc, d, h, w) = wc.begin + best.position;
      });
}

// Both from the same run when channels are contiguous; otherwise the max only
// (the caller plans the mean on its own).
template <class Arch, class T>
void channel_max_avg_rows(const view5d<const T>& in, const view5d<T>& max, const view5d<T>& avg) {
  const bool with_mean = in.channels_contiguous();
  for_each_pixel(
      in, max, [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w) {
        const T* run = in.at(n, wc.begin, d, h, w);
        *max.at(n, oc, d, h, w) = max_index_row<Arch>(run, wc.size(), in.stride_c).value;
        if (with_mean) {
          *avg.at(n, oc, d, h, w) = static_cast<T>(sum_row<Arch>(run, wc.size(), 1) / static_cast<double>(wc.size()));
        }
      });
}

// ---------------------------------------------------------- channel_passes
// Contiguous pixel runs: each plane of a run is one long stream, reduced
// planes_per_pass planes at a time into accumulators in the output run.

template <class Arch, class T>
void channel_avg_passes(view5d<const T> in, const view5d<T>& out) {
  view5d<T> o = out;
  const bool out_run_contiguous = accumulates_in_output(in, out);
  const bool long_windows = in.c > channel_sum_rows;
  const std::int64_t longest_run =
      out_run_contiguous && !long_windows ? channel_run_bytes / static_cast<std::int64_t>(sizeof(T)) : stack_run;
  for_each_pixel_run(
      in, o.c, longest_run,
      [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w0,
          std::int64_t len) {
        T buffer[stack_run];
        T* acc = out_run_contiguous ? o.at(n, oc, d, h, w0) : buffer;
        const T* first = in.at(n, wc.begin, d, h, w0);
        const std::int64_t count = wc.size();
        if (count <= channel_sum_rows) {
          channel_mean_run<Arch>(first, in.stride_c, count, len, acc);
        } else {
          double totals[stack_run] = {};
          for (std::int64_t r = 0; r < count; r += channel_sum_rows) {
            channel_rows<Arch, T, channel_op::sum>(first + r * in.stride_c, in.stride_c,
                                                   std::min(channel_sum_rows, count - r), len, acc, T(0));
            for (std::int64_t j = 0; j < len; ++j) totals[j] += static_cast<double>(acc[j]);
          }
          for (std::int64_t j = 0; j < len; ++j) acc[j] = static_cast<T>(totals[j] / static_cast<double>(count));
        }
        if (!out_run_contiguous)
          for (std::int64_t j = 0; j < len; ++j) *o.at(n, oc, d, h, w0 + j) = buffer[j];
      },
      &o);
}

template <class Arch, class T>
void channel_max_passes(view5d<const T> in, const view5d<T>& out) {
  view5d<T> o = out;
  const bool out_run_contiguous = accumulates_in_output(in, out);
  const std::int64_t longest_run =
      out_run_contiguous ? channel_run_bytes / static_cast<std::int64_t>(sizeof(T)) : stack_run;
  for_each_pixel_run(
      in, o.c, longest_run,
      [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w0,
          std::int64_t len) {
        T buffer[stack_run];
        T* acc = out_run_contiguous ? o.at(n, oc, d, h, w0) : buffer;
        channel_max_run<Arch>(in.at(n, wc.begin, d, h, w0), in.stride_c, wc.size(), len, acc);
        if (!out_run_contiguous)
          for (std::int64_t j = 0; j < len; ++j) *o.at(n, oc, d, h, w0 + j) = buffer[j];
      },
      &o);
}

// One stream feeding the max and the sum (channel_op::max_sum), in runs of half
// the single kernels' so that both accumulators stay in L1.
template <class Arch, class T>
void channel_max_avg_passes(view5d<const T> in, const view5d<T>& max, const view5d<T>& avg) {
  view5d<T> m = max, a = avg;
  for_each_pixel_run(
      in, m.c, channel_run_bytes / 2 / static_cast<std::int64_t>(sizeof(T)),
      [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w0,
          std::int64_t len) {
        channel_max_run<Arch>(in.at(n, wc.begin, d, h, w0), in.stride_c, wc.size(), len, m.at(n, oc, d, h, w0),
                              a.at(n, oc, d, h, w0));
      },
      &m, &a);
}

// ---------------------------------------------------------- channel_columns
// Strided pixel runs: column sums and maxima over the window's channels, a
// column block of pixels at a time.

template <class Arch, class T>
void channel_avg_columns(view5d<const T> in, const view5d<T>& out) {
  view5d<T> o = out;
  for_each_pixel_run(
      in, o.c, column_block,
      [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w0,
          std::int64_t len) {
        column_sums<Arch, T> sums(len, in.stride_w);
        sums.add_rows(in.at(n, wc.begin, d, h, w0), in.stride_c, wc.size());
        sums.finish();
        const auto count = static_cast<double>(wc.size());
        for (std::int64_t j = 0; j < len; ++j) *o.at(n, oc, d, h, w0 + j) = static_cast<T>(sums.totals[j] / count);
      },
      &o);
}

template <class Arch, class T>
void channel_max_columns(view5d<const T> in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  view5d<T> o = out;
  view5d<std::int64_t> idx = indices ? *indices : view5d<std::int64_t>{};
  view5d<std::int64_t>* ids = indices ? &idx : nullptr;
  with_winners(indices != nullptr, [&](auto winners) {
    constexpr bool with_indices = decltype(winners)::value;
    for_each_pixel_run(
        in, o.c, column_block,
        [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w0,
            std::int64_t len) {
          column_max<Arch, T, with_indices> columns(len, in.stride_w, static_cast<T>(wc.begin));
          columns.add_rows(in.at(n, wc.begin, d, h, w0), in.stride_c, wc.size(), static_cast<T>(wc.begin));
          for (std::int64_t j = 0; j < len; ++j) {
            *o.at(n, oc, d, h, w0 + j) = columns.max[j];
            if constexpr (with_indices) *ids->at(n, oc, d, h, w0 + j) = static_cast<std::int64_t>(columns.winner[j]);
          }
        },
        &o, ids);
  });
}

// The run's channels are read twice, the second time from cache.
template <class Arch, class T>
void channel_max_avg_columns(view5d<const T> in, const view5d<T>& max, const view5d<T>& avg) {
  view5d<T> m = max, a = avg;
  for_each_pixel_run(
      in, m.c, column_block,
      [&](std::int64_t n, std::int64_t oc, const window& wc, std::int64_t d, std::int64_t h, std::int64_t w0,
          std::int64_t len) {
        column_max<Arch, T, false> columns(len, in.stride_w, T(0));
        column_sums<Arch, T> sums(len, in.stride_w);
        const T* first = in.at(n, wc.begin, d, h, w0);
        columns.add_rows(first, in.stride_c, wc.size(), T(0));
        sums.add_rows(first, in.stride_c, wc.size());
        sums.finish();
        const auto count = static_cast<double>(wc.size());
        for (std::int64_t j = 0; j < len; ++j) {
          *m.at(n, oc, d, h, w0 + j) = columns.max[j];
          *a.at(n, oc, d, h, w0 + j) = static_cast<T>(sums.totals[j] / count);
        }
      },
      &m, &a);
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
