// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_KERNELS_POWER_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_KERNELS_POWER_HPP)
#undef ADAPOOL_DETAIL_KERNELS_POWER_HPP
#else
#define ADAPOOL_DETAIL_KERNELS_POWER_HPP
#endif

// Power-mean pooling (GeM and adaptive LP) on top of the average kernels: each
// stretch of input is raised to the power p into a stack buffer (`raise_row`),
// the buffer goes through the same window sums as adaptive_avg_pool, and each
// window's mean is finished with the root (`power_rule::finish`). Nothing of
// the window walk or of the summation is written twice.
//  - plane-major data: whole planes are raised (several small ones at once)
//    and pooled by pool_average, as adaptive_avg_pool pools contiguous
//    planes; a plane too big for the buffer goes through it a window's rows
//    at a time, pooled by average_plane;
//  - channels-last data: each window's pixels, a column block of channels
//    each, are raised in batches and added by column_sums.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "../parallel.hpp"
#include "../simd/compiler.hpp"
#include "../simd/target.hpp"
#include "reduce.hpp"
#include "reduce_columns.hpp"
#include "runs.hpp"
#include "strategies.hpp"
#include "view5d.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// Outputs are finished in runs of this many, gathered into a stack array.
inline constexpr std::int64_t finish_chunk = 256;
static_assert(finish_chunk >= column_block, "a channels-last run is finished at once");

// One Halley step from y toward m^(1/3), in ops set O: the vector loop's or
// the scalar one for the tail, the same operations so the same bits.
template <class O, class V>
V cube_root_step(V y, V m) {
  const V two = O::broadcast(2.0);
  const V cube = O::mul(O::mul(y, y), y);
  return O::div(O::mul(y, O::add(cube, O::mul(two, m))), O::add(O::mul(two, cube), m));
}

// Whether m lies outside the range the seed below serves, [1e-30, 1e30]
// (NaN does), in ops set O.
template <class O, class V>
typename O::mask outside_seed_range(V m) {
  return O::mask_or(O::mask_or(O::greater(m, O::broadcast(1e30)), O::greater(O::broadcast(1e-30), m)), O::is_nan(m));
}

// Cube roots of m[0, k) in place, for outputs of type T: the finish of p = 3.
// std::cbrt costs some 20 ns, which adaptive windows of a few elements each
// (13 -> 7) cannot afford per output. Halley's iteration from a seed with a
// third of m's exponent (the float bit trick) converges cubically; its steps
// are vector divisions. Values outside the seed's range (and 0, inf, NaN,
// negatives) are redone by std::cbrt or, for a negative m, by
// std::pow(m, 1/3), which is NaN (or +inf for -inf) as in PyTorch.
template <class Arch, class T>
void cube_roots(double* m, std::int64_t k) {
  using V = simd::ops<double, Arch>;
  using S = simd::ops<double, simd::scalar>;
  // Two steps leave some 1e-14, well below float's rounding; double takes a third.
  constexpr int steps = std::is_same_v<T, float> ? 2 : 3;
  // Seeds for a whole number of blocks of 8, a loop of constant count, which
  // -O2 vectorises: m holds finish_chunk values, a multiple of 8, and those
  // past k are set to have a seed.
  static_assert(finish_chunk % 8 == 0, "seeds are taken 8 at a time");
  for (std::int64_t j = k; j % 8 != 0; ++j) m[j] = 1;
  double seeds[finish_chunk];
  ADAPOOL_NO_VECTORIZE
  for (std::int64_t i = 0; i < k; i += 8) {
    for (std::int64_t j = i; j < i + 8; ++j) {
      const auto single = static_cast<float>(m[j]);
      std::uint32_t bits = 0;
      std::memcpy(&bits, &single, sizeof bits);
      bits = bits / 3 + 0x2a5137a0;  // m^(1/3) within a few percent
      float seed = 0;
      std::memcpy(&seed, &bits, sizeof seed);
      seeds[j] = seed;
    }
  }
  typename V::mask any_outside = V::is_nan(V::zero());
  std::int64_t i = 0;
  for (; i + V::lanes <= k; i += V::lanes) {
    const typename V::vector x = V::load(m + i);
    typename V::vector y = V::load(seeds + i);
    ADAPOOL_UNROLL(3)
    for (int step = 0; step < steps; ++step) y = cube_root_step<V>(y, x);
    const typename V::mask skip = outside_seed_range<V>(x);
    any_outside = V::mask_or(any_outside, skip);
    V::store(m + i, V::select(skip, x, y));
  }
  bool redo = V::any(any_outside);
  for (; i < k; ++i) {
    double y = seeds[i];
    for (int step = 0; step < steps; ++step) y = cube_root_step<S>(y, m[i]);
    if (outside_seed_range<S>(m[i])) {
      redo = true;
    } else {
      m[i] = y;
    }
  }
  if (!redo) return;
  // The roots taken lie inside the range themselves: this finds just the values left.
  for (std::int64_t j = 0; j < k; ++j) {
    if (outside_seed_range<S>(m[j])) m[j] = m[j] < 0 ? std::pow(m[j], 1.0 / 3) : std::cbrt(m[j]);
  }
}

// The common exponents are multiplications (vectorised, no std::pow per
// element); any other p pays for std::pow per element, in double.
enum class power_kind { one, two, three, four, general };

struct power_rule {
  double p;
  // GeM clamps at eps first. LP clamps at -inf, which changes no value (NaN
  // included), so both run the same loops.
  double floor;
  // GeM takes the root of the window's mean, LP of its sum.
  bool of_mean;
  power_kind kind;

  power_rule(double exponent, double lowest, bool mean)
      : p(exponent),
        floor(lowest),
        of_mean(mean),
        kind(exponent == 1   ? power_kind::one
             : exponent == 2 ? power_kind::two
             : exponent == 3 ? power_kind::three
             : exponent == 4 ? power_kind::four
                             : power_kind::general) {}

  /// Replaces m[0, k), each a window's mean of x^p (GeM) or sum (LP), by its
  /// root std::pow(m, 1 / p), in double. A negative m (LP with an odd p)
  /// gives NaN unless p is 1, and -inf gives +inf, as PyTorch's `pow(1 / p)`
  /// does; sqrt serves the m of p = 2 and 4, never negative (x^2 and x^4 are
  /// not, and no sum starts at -0). k <= finish_chunk.
  template <class Arch, class T>
  void finish(double* m, std::int64_t k) const {
    switch (kind) {
      case power_kind::one:
        return;
      case power_kind::two:
        return sqrt_run<Arch>(m, k);
      case power_kind::three:
        return cube_roots<Arch, T>(m, k);
      case power_kind::four:
        sqrt_run<Arch>(m, k);
        return sqrt_run<Arch>(m, k);
      case power_kind::general:
        for (std::int64_t i = 0; i < k; ++i) m[i] = std::pow(m[i], 1.0 / p);
        return;
    }
  }
};

// x clamped below at `floor` by the max rule (a NaN stays NaN), raised to p.
// O is an ops set: the vector loop's, or the scalar one for tails and strided
// rows (the same multiplications, so both give the same bits).
template <power_kind Kind, class O, class V>
V raise(V x, V floor, double p) {
  const V v = O::select(O::greater_or_nan(x, floor), x, floor);
  if constexpr (Kind == power_kind::one) {
    return v;
  } else if constexpr (Kind == power_kind::two) {
    return O::mul(v, v);
  } else if constexpr (Kind == power_kind::three) {
    return O::mul(O::mul(v, v), v);
  } else if constexpr (Kind == power_kind::four) {
    const V square = O::mul(v, v);
    return O::mul(square, square);
  } else {
    return static_cast<V>(std::pow(static_cast<double>(v), p));
  }
}

template <class Arch, power_kind Kind, class T>
void raise_row_as(const T* src, std::int64_t n, std::int64_t stride, T* dst, T floor, double p) {
  using V = simd::ops<T, Arch>;
  using S = simd::ops<T, simd::scalar>;
  std::int64_t i = 0;
  if constexpr (Kind != power_kind::general) {
    if (stride == 1) {
      const typename V::vector lowest = V::broadcast(floor);
      for (; i + V::lanes <= n; i += V::lanes) V::store(dst + i, raise<Kind, V>(V::load(src + i), lowest, p));
    }
  }
  for (; i < n; ++i) dst[i] = raise<Kind, S>(src[i * stride], floor, p);
}

/// dst[i] = max(src[i * stride], floor)^p for i < n (dst contiguous).
template <class Arch, class T>
void raise_row(const power_rule& rule, const T* src, std::int64_t n, std::int64_t stride, T* dst) {
  const auto floor = static_cast<T>(rule.floor);
  switch (rule.kind) {
    case power_kind::one:
      return raise_row_as<Arch, power_kind::one>(src, n, stride, dst, floor, rule.p);
    case power_kind::two:
      return raise_row_as<Arch, power_kind::two>(src, n, stride, dst, floor, rule.p);
    case power_kind::three:
      return raise_row_as<Arch, power_kind::three>(src, n, stride, dst, floor, rule.p);
    case power_kind::four:
      return raise_row_as<Arch, power_kind::four>(src, n, stride, dst, floor, rule.p);
    case power_kind::general:
      return raise_row_as<Arch, power_kind::general>(src, n, stride, dst, floor, rule.p);
  }
}

// The stack buffer of raised values, in elements. A multiple of sum_block, so
// a long row raised buffer by buffer is summed in the very blocks sum_row
// would use on the whole row; 16 or 32 KiB, at home in L1.
inline constexpr std::int64_t power_buffer = 4 * sum_block;

// Sum of src[i * stride]^p for i < n, through the buffer, as sum_row sums.
template <class Arch, class T>
double raised_sum(const power_rule& rule, const T* src, std::int64_t n, std::int64_t stride, T* buffer) {
  double sum = 0;
  for (std::int64_t begin = 0; begin < n; begin += power_buffer) {
    const std::int64_t count = std::min(power_buffer, n - begin);
    raise_row<Arch>(rule, src + begin * stride, count, stride, buffer);
    sum += sum_row<Arch>(buffer, count, 1);
  }
  return sum;
}

// to[i] = from[i] as To, for i < n: blocks of a constant count, which -O2
// vectorises (not a loop with a remainder).
template <class From, class To>
void convert_run(const From* from, std::int64_t n, To* to) {
  std::int64_t i = 0;
  ADAPOOL_NO_VECTORIZE
  for (; i + 8 <= n; i += 8)
    for (std::int64_t j = 0; j < 8; ++j) to[i + j] = static_cast<To>(from[i + j]);
  for (; i < n; ++i) to[i] = static_cast<To>(from[i]);
}

// Rewrites the means the average kernels left in planes [0, out.c) of
// out.n = 1 (a block, or one plane) as pooled powers, finish_chunk outputs at
// a time. LP needs each window's element count, from the input's sizes; GeM
// needs none, and skips the window arithmetic (integer divisions).
template <class Arch, class T>
void finish_planes(const power_rule& rule, const view5d<const T>& in, const view5d<T>& out,
                   const window_table& columns_of) {
  double m[finish_chunk];
  // Contiguous NCHW planes: the block's outputs are one run, taken whole
  // planes at a time for LP, whose counts then repeat from plane to plane.
  const std::int64_t size = out.plane_size();
  if (out.planes_contiguous() && (out.c == 1 || out.stride_c == size) && (rule.of_mean || size <= finish_chunk)) {
    const std::int64_t total = out.c * size;
    const std::int64_t run = std::min(total, rule.of_mean ? finish_chunk : finish_chunk / size * size);
    double counts[finish_chunk];
    if (!rule.of_mean) {
      for (std::int64_t od = 0, i = 0; od < out.d; ++od) {
        const std::int64_t depth = window_at(od, in.d, out.d).size();
        for (std::int64_t oh = 0; oh < out.h; ++oh) {
          const std::int64_t rows = depth * window_at(oh, in.h, out.h).size();
          for (std::int64_t ow = 0; ow < out.w; ++ow) counts[i++] = static_cast<double>(rows * columns_of[ow].size());
        }
      }
      // Doubling copies: an element-by-element copy would wait on its own stores.
      for (std::int64_t filled = size; filled < run; filled *= 2)
        std::copy_n(counts, std::min(filled, run - filled), counts + filled);
    }
    for (std::int64_t begin = 0; begin < total; begin += run) {
      const std::int64_t k = std::min(run, total - begin);
      convert_run(out.data + begin, k, m);
      if (!rule.of_mean)
        for (std::int64_t i = 0; i < k; ++i) m[i] *= counts[i];
      rule.finish<Arch, T>(m, k);
      convert_run(m, k, out.data + begin);
    }
    return;
  }
  T* where[finish_chunk];
  std::int64_t k = 0;
  const auto flush = [&] {
    rule.finish<Arch, T>(m, k);
    for (std::int64_t i = 0; i < k; ++i) *where[i] = static_cast<T>(m[i]);
    k = 0;
  };
  // Planes innermost, so that each output row's window height costs its
  // integer divisions once, not once per plane.
  for (std::int64_t od = 0; od < out.d; ++od) {
    const std::int64_t depth = rule.of_mean ? 1 : window_at(od, in.d, out.d).size();
    for (std::int64_t oh = 0; oh < out.h; ++oh) {
      const std::int64_t rows = rule.of_mean ? 1 : depth * window_at(oh, in.h, out.h).size();
      for (std::int64_t c = 0; c < out.c; ++c) {
        for (std::int64_t ow = 0; ow < out.w; ++ow) {
          where[k] = out.at(0, c, od, oh, ow);
          m[k] = static_cast<double>(*where[k]);
          if (!rule.of_mean) m[k] *= static_cast<double>(rows * columns_of[ow].size());
          if (++k == finish_chunk) flush();
        }
      }
    }
  }
  flush();
}

// A contiguous buffer seen as `planes` planes of in's spatial sizes.
template <class T>
view5d<const T> planes_in_buffer(const T* buffer, std::int64_t planes, std::int64_t d, std::int64_t h, std::int64_t w) {
  return {buffer, 1, planes, d, h, w, planes * d * h * w, d * h * w, h * w, w, 1};
}

// Every output of plane (n, c), a plane too big for the buffer: for each
// output row, the rows of its windows are raised into the buffer and pooled as
// a plane of their own (the column sums average_plane gives the whole plane);
// windows whose rows do not fit either are summed row by row through the buffer.
template <class Arch, class T>
void raise_and_average_big_plane(const power_rule& rule, const view5d<const T>& in, const view5d<T>& out,
                                 const window_table& columns_of, std::int64_t n, std::int64_t c, T* buffer) {
  const T* plane = in.at(n, c, 0, 0, 0);
  for (std::int64_t od = 0; od < out.d; ++od) {
    const window wd = window_at(od, in.d, out.d);
    for (std::int64_t oh = 0; oh < out.h; ++oh) {
      const window wh = window_at(oh, in.h, out.h);
      const std::int64_t rows = wd.size() * wh.size();
      if (rows * in.w <= power_buffer) {
        std::int64_t r = 0;
        for (std::int64_t d = wd.begin; d < wd.end; ++d)
          for (std::int64_t h = wh.begin; h < wh.end; ++h)
            raise_row<Arch>(rule, plane + d * in.stride_d + h * in.stride_h, in.w, in.stride_w, buffer + in.w * r++);
        view5d<T> out_row = out;
        out_row.data = out.at(n, c, od, oh, 0);
        out_row.n = out_row.c = out_row.d = out_row.h = 1;
        average_plane<Arch, Arch>(planes_in_buffer(buffer, 1, wd.size(), wh.size(), in.w), out_row, columns_of, 0, 0);
        continue;
      }
      for (std::int64_t ow = 0; ow < out.w; ++ow) {
        const window ww = columns_of[ow];
        double sum = 0;
        for (std::int64_t d = wd.begin; d < wd.end; ++d)
          for (std::int64_t h = wh.begin; h < wh.end; ++h)
            sum += raised_sum<Arch>(rule, plane + d * in.stride_d + h * in.stride_h + ww.begin * in.stride_w, ww.size(),
                                    in.stride_w, buffer);
        *out.at(n, c, od, oh, ow) = static_cast<T>(sum / (static_cast<double>(rows) * static_cast<double>(ww.size())));
      }
    }
  }
}

template <class Arch, class T>
void power_planes(const power_rule& rule, const view5d<const T>& in, const view5d<T>& out) {
  const std::int64_t size = in.plane_size();
  const window_table columns_of(in.w, out.w);
  if (size > power_buffer) {
    parallel_for(in.n * in.c, in.n * in.c * size, [&](std::int64_t task) {
      alignas(simd::cache_line) T buffer[power_buffer];
      raise_and_average_big_plane<Arch>(rule, in, out, columns_of, task / in.c, task % in.c, buffer);
      view5d<T> plane = out;
      plane.data = out.at(task / in.c, task % in.c, 0, 0, 0);
      plane.n = plane.c = 1;
      finish_planes<Arch>(rule, in, plane, columns_of);
    });
    return;
  }
  // Planes that fit go through the buffer whole, as many at a time as fit (at
  // most 64, the block global_avg_planes takes), and are pooled by the very
  // code adaptive_avg_pool runs on contiguous planes.
  const std::int64_t planes_per_task = std::min<std::int64_t>(64, power_buffer / size);
  const std::int64_t blocks = (in.c + planes_per_task - 1) / planes_per_task;
  parallel_for(in.n * blocks, in.n * in.c * size, [&](std::int64_t task) {
    const std::int64_t n = task / blocks;
    const std::int64_t c0 = task % blocks * planes_per_task;
    const std::int64_t count = std::min(planes_per_task, in.c - c0);
    alignas(simd::cache_line) T buffer[power_buffer];
    // Contiguous NCHW: the block's planes are one run, raised by one call;
    // other contiguous planes one call each; anything else row by row.
    if (in.planes_contiguous() && (in.c == 1 || in.stride_c == size)) {
      raise_row<Arch>(rule, in.at(n, c0, 0, 0, 0), count * size, 1, buffer);
    } else {
      for (std::int64_t j = 0; j < count; ++j) {
        if (in.planes_contiguous()) {
          raise_row<Arch>(rule, in.at(n, c0 + j, 0, 0, 0), size, 1, buffer + j * size);
          continue;
        }
        for (std::int64_t d = 0; d < in.d; ++d)
          for (std::int64_t h = 0; h < in.h; ++h)
            raise_row<Arch>(rule, in.at(n, c0 + j, d, h, 0), in.w, in.stride_w,
                            buffer + j * size + (d * in.h + h) * in.w);
      }
    }
    view5d<T> block = out;
    block.data = out.at(n, c0, 0, 0, 0);
    block.n = 1;
    block.c = count;
    // At most power_buffer elements: this runs on the calling thread.
    pool_average<Arch>(planes_in_buffer(buffer, count, in.d, in.h, in.w), block);
    finish_planes<Arch>(rule, in, block, columns_of);
  });
}

// Channels-last: each window's pixels, raised a batch at a time, feed the
// column sums adaptive_avg_channels_last uses, in the same order.
template <class Arch, class T>
void power_channels_last(const power_rule& rule, const view5d<const T>& in, const view5d<T>& out) {
  for_each_window_and_channels(in, out, column_block,
                               [&](std::int64_t n, std::int64_t od, std::int64_t oh, std::int64_t ow, const window& wd,
                                   const window& wh, const window& ww, std::int64_t c0, std::int64_t len) {
                                 alignas(simd::cache_line) T buffer[power_buffer];
                                 const std::int64_t batch = power_buffer / len;
                                 column_sums<Arch, T> sums(len, 1);
                                 for (std::int64_t d = wd.begin; d < wd.end; ++d)
                                   for (std::int64_t h = wh.begin; h < wh.end; ++h)
                                     for (std::int64_t w = ww.begin; w < ww.end; w += batch) {
                                       const std::int64_t pixels = std::min(batch, ww.end - w);
                                       for (std::int64_t k = 0; k < pixels; ++k)
                                         raise_row<Arch>(rule, in.at(n, c0, d, h, w + k), len, 1, buffer + k * len);
                                       sums.add_rows(buffer, len, pixels);
                                     }
                                 sums.finish();
                                 // GeM's mean as adaptive_avg_pool forms it; LP's sum as it is.
                                 const double scale =
                                     rule.of_mean ? 1.0 / static_cast<double>(wd.size() * wh.size() * ww.size()) : 1.0;
                                 double m[finish_chunk];
                                 for (std::int64_t j = 0; j < len; ++j) m[j] = sums.totals[j] * scale;
                                 rule.finish<Arch, T>(m, len);
                                 for (std::int64_t j = 0; j < len; ++j)
                                   *out.at(n, c0 + j, od, oh, ow) = static_cast<T>(m[j]);
                               });
}

// p (and GeM's eps) must be finite and positive: the value goes into the message.
inline bool check_power_argument(const char* op, const char* name, double value) {
  if (std::isfinite(value) && value > 0) return true;
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  report_error(std::string(op) + ": " + name + " is " + text + ", expected a finite number greater than 0");
  return false;
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
