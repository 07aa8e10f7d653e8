// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_KERNELS_NARROW_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_KERNELS_NARROW_HPP)
#undef ADAPOOL_DETAIL_KERNELS_NARROW_HPP
#else
#define ADAPOOL_DETAIL_KERNELS_NARROW_HPP
#endif

// Adaptive and channel pooling for the narrow element types (float16, bfloat16,
// int8_t, uint8_t), window by window. float16 and bfloat16 rows are reduced by
// the float SIMD reductions (reduce.hpp), widened to float as they are loaded
// where those read any row type (sums of small planes, channel maxima) and a
// block at a time on the stack elsewhere; bytes are summed in int32_t and
// compared as integers.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "../element_types.hpp"
#include "../parallel.hpp"
#include "../simd/target.hpp"
#include "kernels_channel.hpp"
#include "plan.hpp"
#include "reduce.hpp"
#include "reduce_columns.hpp"
#include "view5d.hpp"
#include "window_table.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// Rows are widened this many elements at a time.
inline constexpr std::int64_t widen_block = 256;

/// Elements p[0], p[stride], ... p[(n - 1) * stride] of a float16 or bfloat16
/// row as floats (exactly: every value of both is a float); contiguous rows by
/// Arch's conversion.
template <class Arch, class T>
void widen(const T* p, std::int64_t n, std::int64_t stride, float* out) {
  if (stride == 1) {
    simd::ops<float, Arch>::widen(p, n, out);
    return;
  }
  for (std::int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(p[i * stride]);
}

/// out[i * stride] = from[i] rounded to the float16 or bfloat16 T, for i < n:
/// Arch's vector conversion where the run is contiguous, the type's own after.
/// Both round to nearest, ties to even.
template <class Arch, class T>
void narrow_run(const float* from, std::int64_t n, T* out, std::int64_t stride) {
  using V = simd::ops<float, Arch>;
  std::int64_t i = 0;
  if (stride == 1) {
    for (; i + V::lanes <= n; i += V::lanes) V::store_narrowed(out + i, V::load(from + i));
  }
  for (; i < n; ++i) out[i * stride] = T(from[i]);
}

/// The mean of an integer sum, rounded to nearest, ties to even (2.5 -> 2,
/// 3.5 -> 4, -2.5 -> -2), as an element of T.
template <class T>
T rounded_mean(std::int64_t sum, std::int64_t count) {
  std::int64_t quotient = sum / count, remainder = sum % count;
  if (remainder < 0) {  // floor division: 0 <= remainder < count
    --quotient;
    remainder += count;
  }
  const std::int64_t rest = count - remainder;  // compared without 2 * remainder, which could overflow
  if (remainder > rest || (remainder == rest && quotient % 2 != 0)) ++quotient;
  return static_cast<T>(quotient);
}

/// means[k] = sums[k] / count rounded to nearest, ties to even, in place, for
/// k < n, for integer sums below 2^51 in magnitude. A
/// half-way quotient is exact in double, and any other lies at least
/// 1 / (2 count) from one, further than the division's error; adding and
/// taking away 1.5 * 2^52 rounds it, in the default rounding mode.
/// An odd count or a power of two divides by multiplying: no quotient by an
/// odd count is half-way, and the reciprocal's two roundings move one by less
/// than |sums[k]| / count * 2^-52 < 1 / (2 count); a power of two's reciprocal
/// is exact. N3 (7 x 7 planes) took 1.04x to 1.05x as long dividing.
template <class Arch>
void round_means(double* means, std::int64_t n, std::int64_t count) {
  using D = simd::ops<double, Arch>;
  const typename D::vector up = D::broadcast(0x1.8p52), down = D::broadcast(-0x1.8p52);
  std::int64_t k = 0;
  if (count % 2 == 1 || (count & (count - 1)) == 0) {
    const double reciprocal = 1.0 / static_cast<double>(count);
    const typename D::vector by = D::broadcast(reciprocal);
    for (; k + D::lanes <= n; k += D::lanes)
      D::store(means + k, D::add(D::add(D::mul(D::load(means + k), by), up), down));
    for (; k < n; ++k) means[k] = means[k] * reciprocal + 0x1.8p52 - 0x1.8p52;
    return;
  }
  const typename D::vector divisor = D::broadcast(static_cast<double>(count));
  for (; k + D::lanes <= n; k += D::lanes)
    D::store(means + k, D::add(D::add(D::div(D::load(means + k), divisor), up), down));
  for (; k < n; ++k) means[k] = means[k] / static_cast<double>(count) + 0x1.8p52 - 0x1.8p52;
}

/// Sum of the rows of one window, fed one row at a time, and its mean in T.
template <class Arch, class T>
class narrow_sum {
 public:
  void add_row(const T* p, std::int64_t n, std::int64_t stride) {
    if constexpr (is_half_type<T>) {
      float row[widen_block];
      for (std::int64_t begin = 0; begin < n; begin += widen_block) {
        const std::int64_t count = std::min(widen_block, n - begin);
        widen<Arch>(p + begin * stride, count, stride, row);
        total_ += sum_row<Arch>(row, count, 1);
      }
    } else if (stride == 1) {
      total_ += simd::byte_ops<Arch>::sum(p, n);
    } else {
      for (std::int64_t i = 0; i < n; ++i) total_ += p[i * stride];
    }
  }

  T mean(std::int64_t count) const {
    if constexpr (is_half_type<T>) {
      // Float's mean, then float's value rounded to T: PyTorch's arithmetic for half types.
      return T(static_cast<float>(total_ / static_cast<double>(count)));
    } else {
      return rounded_mean<T>(total_, count);
    }
  }

 private:
  std::conditional_t<is_half_type<T>, double, std::int64_t> total_ = 0;
};

/// Max of the rows of one window fed in scan order, by PyTorch's rule, and
/// the position of the winner. The value is the winning element itself, so a
/// NaN keeps its bits.
template <class Arch, class T>
class narrow_max {
  using key = std::conditional_t<is_half_type<T>, float, T>;

 public:
  /// `first` is the window's first element, at `first_position`.
  narrow_max(const T* first, std::int64_t first_position) : best_(*first), position_(first_position) {}

  /// Row element i is p[i * stride], at position first_position + i.
  void add_row(const T* p, std::int64_t n, std::int64_t stride, std::int64_t first_position) {
    if constexpr (is_half_type<T>) {
      float row[widen_block];
      for (std::int64_t begin = 0; begin < n; begin += widen_block) {
        const std::int64_t count = std::min(widen_block, n - begin);
        widen<Arch>(p + begin * stride, count, stride, row);
        const max_and_position<float> run = max_index_row<Arch>(row, count, 1);
        if (replaces(run.value, best_key_)) {
          best_key_ = run.value;
          best_ = p[(begin + run.position) * stride];
          position_ = first_position + begin + run.position;
        }
      }
    } else {
      for (std::int64_t i = 0; i < n; ++i) {
        if (p[i * stride] > best_key_) {
          best_key_ = p[i * stride];
          best_ = best_key_;
          position_ = first_position + i;
        }
      }
    }
  }

  T value() const { return best_; }
  std::int64_t position() const { return position_; }

 private:
  static constexpr key lowest() {
    if constexpr (is_half_type<T>) {
      return -std::numeric_limits<float>::infinity();
    } else {
      return std::numeric_limits<T>::lowest();
    }
  }

  // The running max starts below everything, at the window's first element.
  key best_key_ = lowest();
  T best_;
  std::int64_t position_;
};

// g++ reports the widened planes below as maybe read before written: widen
// writes every element the float kernels read, and zeroing the buffer to
// quiet it took a third of the time of float16 global pooling.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

/// Global pooling of contiguous planes of at most small_max_plane elements,
/// plane_block planes per task, by the float kernels of small planes: float16
/// and bfloat16 planes are summed as they are read, widened, and for the max
/// widened together first (one run when they follow each other). Byte planes
/// are summed by byte_ops, whose sums are exact in double, and their means
/// rounded in vectors; their max is found plane by plane.
template <class Arch, class T, bool Max>
void narrow_global_small(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  const std::int64_t size = in.plane_size();
  for_each_plane_block(
      in, plane_block, in.n * in.c * in.plane_size(), [&](std::int64_t n, std::int64_t c0, std::int64_t count) {
        std::int64_t positions[plane_block];
        if constexpr (is_half_type<T> && !Max) {
          double sums[plane_block];
          sum_small_planes<small_planes_arch<Arch>>(in.at(n, c0, 0, 0, 0), size, in.stride_c, count, sums);
          // Float's mean, then float's value rounded to T: PyTorch's arithmetic for half types.
          // Blocks of a constant count, which -O2 vectorises (not a loop with a remainder).
          float means[plane_block];
          const auto divisor = static_cast<double>(size);
          std::int64_t k = 0;
          ADAPOOL_NO_VECTORIZE
          for (; k + 8 <= count; k += 8)
            for (std::int64_t j = 0; j < 8; ++j) means[k + j] = static_cast<float>(sums[k + j] / divisor);
          for (; k < count; ++k) means[k] = static_cast<float>(sums[k] / divisor);
          narrow_run<Arch>(means, count, out.at(n, c0, 0, 0, 0), out.stride_c);
        } else if constexpr (is_half_type<T>) {
          float widened[std::size_t{plane_block * small_max_plane}];
          if (in.stride_c == size) {
            widen<Arch>(in.at(n, c0, 0, 0, 0), count * size, 1, widened);
          } else {
            for (std::int64_t k = 0; k < count; ++k)
              widen<Arch>(in.at(n, c0 + k, 0, 0, 0), size, 1, widened + k * size);
          }
          max_and_position<float> best[plane_block];
          bool found = false;
          if constexpr (simd::ops<float, Arch>::lanes > 1) {
            if (size >= simd::ops<float, Arch>::lanes) {
              max_small_planes<Arch>(widened, size, size, count, best, nullptr);
              found = true;
            }
          }
          if (!found)
            for (std::int64_t k = 0; k < count; ++k) best[k] = max_index_row<Arch>(widened + k * size, size, 1);
          for (std::int64_t k = 0; k < count; ++k) positions[k] = best[k].position;
        } else if constexpr (Max) {
          for (std::int64_t k = 0; k < count; ++k) {
            const T* plane = in.at(n, c0 + k, 0, 0, 0);
            std::int64_t at = 0;
            for (std::int64_t i = 1; i < size; ++i) at = plane[i] > plane[at] ? i : at;
            positions[k] = at;
          }
        } else {
          double means[plane_block];
          simd::byte_ops<Arch>::sum_small_planes(in.at(n, c0, 0, 0, 0), in.stride_c, size, count, means);
          round_means<Arch>(means, count, size);
          T* first = out.at(n, c0, 0, 0, 0);
          const std::int64_t stride = out.stride_c;  // a local: the byte stores could alias `out`
          for (std::int64_t k = 0; k < count; ++k) first[k * stride] = static_cast<T>(means[k]);
        }
        if constexpr (Max) {
          for (std::int64_t k = 0; k < count; ++k) {
            *out.at(n, c0 + k, 0, 0, 0) = in.at(n, c0 + k, 0, 0, 0)[positions[k]];  // the element itself
            if (indices) *indices->at(n, c0 + k, 0, 0, 0) = positions[k];
          }
        }
      });
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/// adaptive_avg_pool / adaptive_max_pool (with indices when `indices` is not
/// null) over the spatial axes: one task per (n, c) plane. A window's elements
/// are fed as few rows as the strides allow: whole rows that follow each other
/// in memory are one row (a whole contiguous plane, for global pooling).
template <class Arch, class T, bool Max>
void narrow_adaptive(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  parallel_for(in.n * in.c, in.n * in.c * in.plane_size(), [&](std::int64_t task) {
    const std::int64_t n = task / in.c, c = task % in.c;
    for (std::int64_t od = 0; od < out.d; ++od) {
      const window wd = window_at(od, in.d, out.d);
      for (std::int64_t oh = 0; oh < out.h; ++oh) {
        const window wh = window_at(oh, in.h, out.h);
        for (std::int64_t ow = 0; ow < out.w; ++ow) {
          const window ww = window_at(ow, in.w, out.w);
          const bool rows_merge = ww.size() == in.w && (in.h == 1 || in.stride_h == in.w * in.stride_w);
          const bool slices_merge =
              rows_merge && wh.size() == in.h && (in.d == 1 || in.stride_d == in.h * in.w * in.stride_w);
          // Calls row(first element, length, its in-plane position) in scan order.
          const auto for_each_row = [&](const auto& row) {
            if (slices_merge) return row(in.at(n, c, wd.begin, 0, 0), wd.size() * in.h * in.w, wd.begin * in.h * in.w);
            for (std::int64_t d = wd.begin; d < wd.end; ++d) {
              if (rows_merge) {
                row(in.at(n, c, d, wh.begin, 0), wh.size() * in.w, (d * in.h + wh.begin) * in.w);
                continue;
              }
              for (std::int64_t h = wh.begin; h < wh.end; ++h)
                row(in.at(n, c, d, h, ww.begin), ww.size(), (d * in.h + h) * in.w + ww.begin);
            }
          };
          if constexpr (Max) {
            narrow_max<Arch, T> best(in.at(n, c, wd.begin, wh.begin, ww.begin),
                                     (wd.begin * in.h + wh.begin) * in.w + ww.begin);
            for_each_row([&](const T* p, std::int64_t len, std::int64_t position) {
              best.add_row(p, len, in.stride_w, position);
            });
            *out.at(n, c, od, oh, ow) = best.value();
            if (indices) *indices->at(n, c, od, oh, ow) = best.position();
          } else {
            narrow_sum<Arch, T> sum;
            for_each_row([&](const T* p, std::int64_t len, std::int64_t) { sum.add_row(p, len, in.stride_w); });
            *out.at(n, c, od, oh, ow) = sum.mean(wd.size() * wh.size() * ww.size());
          }
        }
      }
    }
  });
}

// Pixels of a vector max run: float accumulators of channel_run_bytes, as
// channel_passes keeps for float planes.
inline constexpr std::int64_t half_max_run = channel_run_bytes / static_cast<std::int64_t>(sizeof(float));

/// The max of `count` float16 or bfloat16 rows of `len` <= half_max_run elements (row r at
/// first + r * plane_stride) into `out`, `out_stride` apart, by vector max on
/// rows widened as they are read, then narrowed back: exact, as the max is one
/// of the elements. Returns false, having written nothing, where that is not
/// the max rule: a row may hold NaN (whose bits narrowing would not keep), or
/// vector max does not keep the current value on ties.
template <class Arch, class T>
bool vector_half_max_run(const T* first, std::int64_t plane_stride, std::int64_t count, std::int64_t len, T* out,
                         std::int64_t out_stride) {
  using V = simd::ops<float, Arch>;
  if constexpr (!V::max_keeps_current) {
    return false;
  } else {
    float acc[half_max_run];
    if (channel_rows<Arch, float, channel_op::max>(first, plane_stride, count, len, acc, 0.0f)) return false;
    narrow_run<Arch>(acc, len, out, out_stride);
    return true;
  }
}

/// One block of narrow_channel: output channel oc (input channels wc) at
/// pixels [w0, w0 + len) of row (n, d, h), len <= column_block.
template <class Arch, class T, bool Max>
void narrow_channel_block(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices,
                          const window& wc, std::int64_t n, std::int64_t oc, std::int64_t d, std::int64_t h,
                          std::int64_t w0, std::int64_t len) {
  const auto run_of = [&](std::int64_t c) { return in.at(n, c, d, h, w0); };
  if constexpr (is_half_type<T> && Max) {
    // Channel ids are held as float in column_max: exact below 2^24 channels.
    if (wc.end > max_exact_position<float>) {
      for (std::int64_t j = 0; j < len; ++j) {
        narrow_max<Arch, T> best(run_of(wc.begin) + j * in.stride_w, wc.begin);
        best.add_row(run_of(wc.begin) + j * in.stride_w, wc.size(), in.stride_c, wc.begin);
        *out.at(n, oc, d, h, w0 + j) = best.value();
        if (indices) *indices->at(n, oc, d, h, w0 + j) = best.position();
      }
      return;
    }
    column_max<Arch, float> columns(len, in.stride_w, static_cast<float>(wc.begin));
    columns.add_rows(run_of(wc.begin), in.stride_c, wc.size(), static_cast<float>(wc.begin));
    // The element itself, NaN bits included.
    const T* pixels = run_of(0);
    T* best = out.at(n, oc, d, h, w0);
    for (std::int64_t j = 0; j < len; ++j) {
      const auto c = static_cast<std::int64_t>(columns.winner[j]);
      best[j * out.stride_w] = pixels[c * in.stride_c + j * in.stride_w];
    }
    if (indices) {
      std::int64_t* winners = indices->at(n, oc, d, h, w0);
      for (std::int64_t j = 0; j < len; ++j)
        winners[j * indices->stride_w] = static_cast<std::int64_t>(columns.winner[j]);
    }
  } else if constexpr (is_half_type<T>) {
    column_sums<Arch, float> sums(len, in.stride_w);
    sums.add_rows(run_of(wc.begin), in.stride_c, wc.size());
    sums.finish();
    const auto count = static_cast<double>(wc.size());
    for (std::int64_t j = 0; j < len; ++j) *out.at(n, oc, d, h, w0 + j) = T(static_cast<float>(sums.totals[j] / count));
  } else if constexpr (Max) {
    T best[column_block];
    std::int64_t winner[column_block];
    for (std::int64_t j = 0; j < len; ++j) {
      best[j] = run_of(wc.begin)[j * in.stride_w];
      winner[j] = wc.begin;
    }
    for (std::int64_t c = wc.begin + 1; c < wc.end; ++c) {
      const T* p = run_of(c);
      for (std::int64_t j = 0; j < len; ++j) {
        if (p[j * in.stride_w] > best[j]) {
          best[j] = p[j * in.stride_w];
          winner[j] = c;
        }
      }
    }
    for (std::int64_t j = 0; j < len; ++j) {
      *out.at(n, oc, d, h, w0 + j) = best[j];
      if (indices) *indices->at(n, oc, d, h, w0 + j) = winner[j];
    }
  } else {
    // int32_t partial sums of up to 2^23 channels, then 64-bit totals.
    constexpr std::int64_t block = std::int64_t{1} << 23;
    std::int64_t totals[column_block] = {};
    for (std::int64_t c0 = wc.begin; c0 < wc.end; c0 += block) {
      std::int32_t partial[column_block] = {};
      for (std::int64_t c = c0; c < std::min(wc.end, c0 + block); ++c) {
        const T* p = run_of(c);
        if (in.stride_w == 1) {
          for (std::int64_t j = 0; j < len; ++j) partial[j] += p[j];
        } else {
          for (std::int64_t j = 0; j < len; ++j) partial[j] += p[j * in.stride_w];
        }
      }
      for (std::int64_t j = 0; j < len; ++j) totals[j] += partial[j];
    }
    for (std::int64_t j = 0; j < len; ++j) *out.at(n, oc, d, h, w0 + j) = rounded_mean<T>(totals[j], wc.size());
  }
}

/// channel_avg_pool / channel_max_pool (channel indices when `indices` is not
/// null), a run of up to column_block pixels along w at a time (contiguous
/// planes: along the whole plane), each channel of a window adding its run to
/// per-pixel sums or maxima, lane by lane. float16 and bfloat16 runs are
/// widened to float as they are read.
template <class Arch, class T, bool Max>
void narrow_channel(view5d<const T> in, view5d<T> out, const view5d<std::int64_t>* indices_in) {
  view5d<std::int64_t> index_view = indices_in ? *indices_in : view5d<std::int64_t>{};
  const view5d<std::int64_t>* indices = indices_in ? &index_view : nullptr;
  if (in.planes_contiguous() && out.planes_contiguous() && (!indices || index_view.planes_contiguous())) {
    in = as_single_row(in);
    out = as_single_row(out);
    if (indices) index_view = as_single_row(index_view);
  }
  // The max without indices tries vector max over long runs first (one
  // stream per channel, as channel_passes reads float planes); every other
  // case, and a run where that fails, goes a column block at a time.
  const bool try_vector_max = Max && is_half_type<T> && !indices && in.stride_w == 1;
  const std::int64_t run = try_vector_max ? half_max_run : column_block;
  const std::int64_t runs = (in.w + run - 1) / run;
  parallel_for(in.n * in.d * in.h * runs, in.n * in.c * in.plane_size(), [&](std::int64_t task) {
    const std::int64_t run_w0 = task % runs * run, row = task / runs;
    const std::int64_t h = row % in.h, d = row / in.h % in.d, n = row / in.h / in.d;
    const std::int64_t run_len = std::min(run, in.w - run_w0);
    for (std::int64_t oc = 0; oc < out.c; ++oc) {
      const window wc = window_at(oc, in.c, out.c);
      if constexpr (Max && is_half_type<T>) {
        if (try_vector_max && vector_half_max_run<Arch>(in.at(n, wc.begin, d, h, run_w0), in.stride_c, wc.size(),
                                                        run_len, out.at(n, oc, d, h, run_w0), out.stride_w)) {
          continue;
        }
      }
      for (std::int64_t w0 = run_w0; w0 < run_w0 + run_len; w0 += column_block) {
        const std::int64_t len = std::min(column_block, run_w0 + run_len - w0);
        narrow_channel_block<Arch, T, Max>(in, out, indices, wc, n, oc, d, h, w0, len);
      }
    }
  });
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
