// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_REDUCE_COLUMNS_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_REDUCE_COLUMNS_HPP)
#undef ADAPOOL_DETAIL_REDUCE_COLUMNS_HPP
#else
#define ADAPOOL_DETAIL_REDUCE_COLUMNS_HPP
#endif

// The reductions across rows, lane by lane: column_sums and column_max add or
// compare one row at a time into per-column state (the rows of a window in a
// plane, the pixels of a window in channels-last data, the channels of a
// window in channel pooling). Sums and the max rule are those of reduce.hpp.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "../simd/avx2.hpp"
#include "../simd/avx512.hpp"
#include "../simd/compiler.hpp"
#include "../simd/neon.hpp"
#include "../simd/scalar.hpp"
#include "../simd/sse2.hpp"
#include "../simd/target.hpp"
#include "reduce.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// Column state is read and written as whole vectors only, the row's tail coming
// from a partial load: a vector load of state just written by narrower stores
// would stall on store forwarding, once per row.
template <class Arch, class T>
constexpr std::int64_t padded_length(std::int64_t len) {
  constexpr std::int64_t L = simd::ops<T, Arch>::lanes;
  return (len + L - 1) / L * L;
}

// A strip of Width vectors, the last partial when PartialLast: the tag
// for_each_strip passes to its callback.
template <int Width, bool PartialLast>
struct strip_shape {};

// Calls strip(shape, j) for strips of vectors of L lanes starting at column
// j, covering columns [0, len): strips of four vectors, then one strip of the
// one to four vectors left, whose last vector is partial when L does not
// divide len. Each strip keeps its vectors in registers across the rows, so
// that their add or compare chains overlap.
template <std::int64_t L, class Strip>
ADAPOOL_ALWAYS_INLINE void for_each_strip(std::int64_t len, const Strip& strip) {
  std::int64_t j = 0;
  for (; j + 4 * L <= len; j += 4 * L) strip(strip_shape<4, false>{}, j);
  if (j == len) return;
  const bool partial_last = (len - j) % L != 0;
  switch ((len - j - 1) / L) {
    case 0:
      return partial_last ? strip(strip_shape<1, true>{}, j) : strip(strip_shape<1, false>{}, j);
    case 1:
      return partial_last ? strip(strip_shape<2, true>{}, j) : strip(strip_shape<2, false>{}, j);
    case 2:
      return partial_last ? strip(strip_shape<3, true>{}, j) : strip(strip_shape<3, false>{}, j);
    default:
      return strip(strip_shape<4, true>{}, j);
  }
}

/// Column sums over rows fed one at a time: after finish(), totals[j] is the
/// sum of row[j * stride] over every row added, for j < len <= Capacity.
/// Rows add into T accumulators, flushed into double every 64 rows (see
/// sum_block).
template <class Arch, class T, std::int64_t Capacity = column_block>
class column_sums {
  using V = simd::ops<T, Arch>;
  using D = simd::ops<double, Arch>;

 public:
  // totals are set by the first flush (by finish() when no row came), not
  // cleared here first (up to 16 KB of stores a window).
  // cppcheck-suppress uninitMemberVar
  column_sums(std::int64_t len, std::int64_t stride) : len_(len), stride_(stride) { clear_accumulators(); }

  /// Adds `rows` rows in order, row r starting at first + r * row_stride.
  /// Rows of float16 or bfloat16 (Row) are widened to float as they are read.
  template <class Row>
  ADAPOOL_ALWAYS_INLINE void add_rows(const Row* first, std::int64_t row_stride, std::int64_t rows) {
    if (rows_in_registers()) return add_rows_in_registers(first, row_stride, rows, false);
    while (rows > 0) {
      const std::int64_t chunk = std::min<std::int64_t>(rows, 64 - pending_);
      if (stride_ == 1) {
        for (std::int64_t r = 0; r < chunk; r += rows_per_pass)
          add_contiguous(first + r * row_stride, row_stride, std::min(rows_per_pass, chunk - r));
      } else {
        for (std::int64_t r = 0; r < chunk; ++r)
          for (std::int64_t j = 0; j < len_; ++j) acc_[j] += static_cast<T>(first[r * row_stride + j * stride_]);
      }
      first += chunk * row_stride;
      rows -= chunk;
      pending_ += static_cast<int>(chunk);
      if (pending_ == 64) flush();
    }
  }

  /// add_rows(first, row_stride, rows), then finish(): where the sums are
  /// kept in registers, the last rows' sums are flushed from there.
  template <class Row>
  ADAPOOL_ALWAYS_INLINE void finish_with_rows(const Row* first, std::int64_t row_stride, std::int64_t rows) {
    if (rows_in_registers()) {
      add_rows_in_registers(first, row_stride, rows, true);
    } else {
      add_rows(first, row_stride, rows);
    }
    finish();
  }

  void finish() {
    flush();
    if (!flushed_) std::fill(totals, totals + padded_length<Arch, T>(len_), 0.0);
  }

  alignas(simd::cache_line) double totals[std::size_t{Capacity}];

  // Whether unit-stride rows of len elements are summed in registers: rows of
  // 4, 8, 12 or 16 whole vectors, up to half as many as the set has registers.
  // They are read whole, their sums kept in registers from one flush to the
  // next and flushed from there: one forward stream, and no store and reload
  // of the sums. W12 (56 x 56 pixels of 256 floats) with AVX-512 took 1.2x as
  // long in strips of four vectors, eight rows a pass, and 1.04x as long with
  // whole rows but flushes from the stored sums.
  static constexpr bool sums_in_registers(std::int64_t len) {
    return len % (4 * V::lanes) == 0 && len <= register_row * V::lanes;
  }

 private:
  static constexpr int register_row = V::vector_registers / 2;

  bool rows_in_registers() const { return stride_ == 1 && sums_in_registers(len_); }

  // Out of line: its bodies are long, and the callers' loops around it short.
  // add_rows checks that len_ is one of the widths.
  template <class Row>
  ADAPOOL_NEVER_INLINE void add_rows_in_registers(const Row* first, std::int64_t row_stride, std::int64_t rows,
                                                  bool last) {
    const std::int64_t vectors = len_ / V::lanes;
    if (vectors == 4) return add_rows_of_width<4>(first, row_stride, rows, last);
    if (vectors == 8) return add_rows_of_width<8>(first, row_stride, rows, last);
    if constexpr (register_row >= 16) {
      if (vectors == 12) return add_rows_of_width<12>(first, row_stride, rows, last);
      return add_rows_of_width<16>(first, row_stride, rows, last);
    }
  }

  template <int Width, class Row>
  ADAPOOL_ALWAYS_INLINE void add_rows_of_width(const Row* first, std::int64_t row_stride, std::int64_t rows,
                                               bool last) {
    constexpr std::int64_t L = V::lanes;
    typename V::vector a[std::size_t{Width}];
    ADAPOOL_UNROLL(16)
    for (int k = 0; k < Width; ++k) a[k] = pending_ == 0 ? V::zero() : V::load(acc_ + k * L);
    while (rows > 0) {
      const std::int64_t chunk = std::min<std::int64_t>(rows, 64 - pending_);
      ADAPOOL_UNROLL(8)
      for (std::int64_t r = 0; r < chunk; ++r, first += row_stride) {
        ADAPOOL_UNROLL(16)
        for (int k = 0; k < Width; ++k) a[k] = V::add(a[k], simd::load_row<T, Arch>(first + k * L));
      }
      rows -= chunk;
      pending_ += static_cast<int>(chunk);
      // The last rows' sums go to the totals as finish() would flush them.
      if (pending_ == 64 || (last && rows == 0)) {
        ADAPOOL_UNROLL(16)
        for (int k = 0; k < Width; ++k) {
          add_to_totals(k * L, a[k]);
          a[k] = V::zero();
        }
        flushed_ = true;
        pending_ = 0;
      }
    }
    if (pending_ != 0) {
      ADAPOOL_UNROLL(16)
      for (int k = 0; k < Width; ++k) V::store(acc_ + k * L, a[k]);
    }
  }

  // totals[j, j + lanes) += v, set rather than added by the first flush.
  ADAPOOL_ALWAYS_INLINE void add_to_totals(std::int64_t j, typename V::vector v) {
    typename D::vector parts[std::size_t{V::lanes / D::lanes}];
    if constexpr (std::is_same_v<T, double>) {
      parts[0] = v;
    } else {
      V::widen_to_double(v, parts);
    }
    for (int k = 0; k < V::lanes / D::lanes; ++k) {
      double* t = totals + j + k * D::lanes;
      D::store(t, flushed_ ? D::add(D::load(t), parts[k]) : parts[k]);
    }
  }

  // Whole vectors (lanes past len_ add zeros), each a loop of constant count:
  // -O2 vectorises only loops that need no remainder.
  // A sum that starts from +0.0 is never -0.0, so setting totals from the
  // first flush gives the bits adding it to zero would.
  void flush() {
    if (pending_ == 0) return;
    const std::int64_t padded = padded_length<Arch, T>(len_);
    if (flushed_) {
      ADAPOOL_NO_VECTORIZE
      for (std::int64_t j = 0; j < padded; j += V::lanes)
        for (std::int64_t k = 0; k < V::lanes; ++k) totals[j + k] += static_cast<double>(acc_[j + k]);
    } else {
      ADAPOOL_NO_VECTORIZE
      for (std::int64_t j = 0; j < padded; j += V::lanes)
        for (std::int64_t k = 0; k < V::lanes; ++k) totals[j + k] = static_cast<double>(acc_[j + k]);
    }
    flushed_ = true;
    pending_ = 0;
    clear_accumulators();
  }

  void clear_accumulators() {
    for (std::int64_t j = 0; j < padded_length<Arch, T>(len_); j += V::lanes) V::store(acc_ + j, V::zero());
  }

  // Rows are added this many at a time, each pass strip by strip: a strip then
  // reads a span L1 keeps (8 rows of 256 floats: 8 KB) before the next strip
  // reads the lines beside it. Each column still adds its rows in order.
  // Rows longer than a column block are read whole: with vectors of a cache
  // line, one at a time, so that the prefetchers follow one forward stream
  // (W11, 7 x 7 pixels of 2048 floats: 8 rows a pass took 1.4x as long);
  // with narrower vectors, four at a time, so that the sums are loaded and
  // stored once per four rows (W11 in the AVX2 form: 0.78x the time of one).
  static constexpr bool narrow_vectors = V::lanes > 1 && std::size_t{V::lanes} * sizeof(T) < simd::cache_line;
  static constexpr std::int64_t rows_per_pass = Capacity <= column_block ? 8 : narrow_vectors ? 4 : 1;

  template <class Row>
  ADAPOOL_ALWAYS_INLINE void add_contiguous(const Row* first, std::int64_t row_stride, std::int64_t rows) {
    for_each_strip<V::lanes>(len_, [&](auto shape, std::int64_t j) { add_strip(shape, first, row_stride, rows, j); });
  }

  // Columns [j, j + Width * L) of `rows` rows; lanes past len_ add zeros.
  template <int Width, bool PartialLast, class Row>
  ADAPOOL_ALWAYS_INLINE void add_strip(strip_shape<Width, PartialLast> /*shape*/, const Row* first,
                                       std::int64_t row_stride, std::int64_t rows, std::int64_t j) {
    constexpr std::int64_t L = V::lanes;
    const auto last_lanes = static_cast<int>(len_ - j - (Width - 1) * L);
    typename V::vector a[std::size_t{Width}];
    ADAPOOL_UNROLL(4)
    for (int k = 0; k < Width; ++k) a[k] = V::load(acc_ + j + k * L);
    const Row* p = first + j;
    // At most rows_per_pass rows: unrolled, the pass is straight-line code
    // whose add chains overlap the next strip's, as -O3 peels it.
    ADAPOOL_UNROLL(8)
    for (std::int64_t r = 0; r < rows; ++r, p += row_stride) {
      ADAPOOL_UNROLL(4)
      for (int k = 0; k < Width; ++k) {
        const bool partial = PartialLast && k == Width - 1;
        a[k] = V::add(a[k], partial ? simd::load_row_partial<T, Arch>(p + k * L, last_lanes)
                                    : simd::load_row<T, Arch>(p + k * L));
      }
    }
    ADAPOOL_UNROLL(4)
    for (int k = 0; k < Width; ++k) V::store(acc_ + j + k * L, a[k]);
  }

  alignas(simd::cache_line) T acc_[std::size_t{Capacity}];
  std::int64_t len_, stride_;
  int pending_ = 0;
  bool flushed_ = false;
};

/// Means out of sums (column_sums' totals, plane sums):
/// out[j * stride] = sums[j] * scale as T, for j < count: a unit stride in
/// blocks of a constant count, which -O2 vectorises (not a loop with a remainder).
template <class Arch, class T>
void store_means(const double* sums, std::int64_t count, double scale, T* out, std::int64_t stride) {
  constexpr std::int64_t L = simd::ops<T, Arch>::lanes;
  std::int64_t j = 0;
  if (stride == 1) {
    ADAPOOL_NO_VECTORIZE
    for (; j + L <= count; j += L)
      for (std::int64_t k = 0; k < L; ++k) out[j + k] = static_cast<T>(sums[j + k] * scale);
  }
  for (; j < count; ++j) out[j * stride] = static_cast<T>(sums[j] * scale);
}

/// Column maxima over rows fed in scan order, by the element rule, lane by
/// lane: max[j] and, when `Winners`, winner[j] (the id given with the winning
/// row), for j < len <= column_block. Ids are held as T, so callers keep them
/// below max_exact_position<T>.
template <class Arch, class T, bool Winners = true>
class column_max {
  using V = simd::ops<T, Arch>;

 public:
  /// `first_id` is every column's winner until a row replaces it (the window's
  /// first element, for a window of -inf).
  column_max(std::int64_t len, std::int64_t stride, T first_id) : len_(len), stride_(stride) {
    for (std::int64_t j = 0; j < padded_length<Arch, T>(len); j += V::lanes) {
      V::store(max + j, V::broadcast(-std::numeric_limits<T>::infinity()));
      if (Winners) V::store(winner + j, V::broadcast(first_id));
    }
  }

  /// Adds `rows` rows in order, row r starting at first + r * row_stride with
  /// id first_id + r. Rows of float16 or bfloat16 (Row) are widened to float
  /// as they are read.
  template <class Row>
  ADAPOOL_ALWAYS_INLINE void add_rows(const Row* first, std::int64_t row_stride, std::int64_t rows, T first_id) {
    if (stride_ != 1) {
      for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t j = 0; j < len_; ++j) {
          const auto v = static_cast<T>(first[r * row_stride + j * stride_]);
          if (replaces(v, max[j])) {
            max[j] = v;
            if (Winners) winner[j] = first_id + static_cast<T>(r);
          }
        }
      }
      return;
    }
    for_each_strip<V::lanes>(
        len_, [&](auto shape, std::int64_t j) { add_strip(shape, first, row_stride, rows, first_id, j); });
  }

  alignas(simd::cache_line) T max[column_block];
  alignas(simd::cache_line) T winner[Winners ? column_block : 1];

 private:
  // Columns [j, j + Width * L) across all rows; lanes past len_ see zeros and
  // are never read back.
  template <int Width, bool PartialLast, class Row>
  ADAPOOL_ALWAYS_INLINE void add_strip(strip_shape<Width, PartialLast> /*shape*/, const Row* first,
                                       std::int64_t row_stride, std::int64_t rows, T first_id, std::int64_t j) {
    constexpr std::int64_t L = V::lanes;
    const auto last_lanes = static_cast<int>(len_ - j - (Width - 1) * L);
    typename V::vector m[std::size_t{Width}], w[std::size_t{Width}];
    ADAPOOL_UNROLL(4)
    for (int k = 0; k < Width; ++k) {
      m[k] = V::load(max + j + k * L);
      w[k] = Winners ? V::load(winner + j + k * L) : V::zero();
    }
    typename V::vector id = V::broadcast(first_id);
    const typename V::vector one = V::broadcast(T(1));
    const Row* p = first + j;
    for (std::int64_t r = 0; r < rows; ++r, p += row_stride) {
      ADAPOOL_UNROLL(4)
      for (int k = 0; k < Width; ++k) {
        const bool partial = PartialLast && k == Width - 1;
        const typename V::vector v =
            partial ? simd::load_row_partial<T, Arch>(p + k * L, last_lanes) : simd::load_row<T, Arch>(p + k * L);
        const typename V::mask take = V::greater_or_nan(v, m[k]);
        m[k] = V::select(take, v, m[k]);
        if (Winners) w[k] = V::select(take, id, w[k]);
      }
      if (Winners) id = V::add(id, one);
    }
    ADAPOOL_UNROLL(4)
    for (int k = 0; k < Width; ++k) {
      V::store(max + j + k * L, m[k]);
      if (Winners) V::store(winner + j + k * L, w[k]);
    }
  }

  std::int64_t len_, stride_;
};

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
