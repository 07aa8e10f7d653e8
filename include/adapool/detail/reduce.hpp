// SPDX-License-Identifier: MIT
#pragma once

// The four reductions every kernel is made of, written once against simd::ops:
//   sum_row / max_index_row        along one row (a window row, a plane, the
//                                  channels of a pixel);
//   sum_columns / max_index_columns across rows, lane by lane (the pixels of a
//                                  window in channels-last data, the channels of
//                                  a window in channel pooling).
// Max results follow PyTorch: replace when `v > max || isnan(v)`, so ties keep
// the first position and NaN keeps the last NaN's position.

#include <algorithm>
#include <cstdint>
#include <limits>

#include "../simd/avx2.hpp"
#include "../simd/avx512.hpp"
#include "../simd/neon.hpp"
#include "../simd/scalar.hpp"
#include "../simd/sse2.hpp"

namespace adapool::detail {

// Float sums run in blocks: within a block, `lanes * 4` float partial sums of
// a few elements each; block totals are added in double. That keeps a sum over
// a 1024 x 1024 plane within a few ulps of the exact value, better than
// PyTorch's cascade sum, at no cost to streaming speed.
inline constexpr std::int64_t sum_block = 1024;

// Positions inside a vector are held as T; chunks keep them exact.
template <class T>
inline constexpr std::int64_t max_exact_position = std::int64_t{1} << std::numeric_limits<T>::digits;

// Column reductions keep their running state on the stack, this many columns at a time.
inline constexpr std::int64_t column_block = 256;

template <class T>
struct max_and_position {
  T value;
  std::int64_t position;
};

// The max rule for one element, as the scalar reference writes it.
template <class T>
inline bool replaces(T v, T current) {
  return v > current || v != v;
}

// Sum of one contiguous block of at most sum_block elements, in T.
template <class Arch, class T>
T sum_block_contiguous(const T* p, std::int64_t n) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  typename V::vector a0 = V::zero(), a1 = V::zero(), a2 = V::zero(), a3 = V::zero();
  std::int64_t i = 0;
  for (; i + 4 * L <= n; i += 4 * L) {
    a0 = V::add(a0, V::load(p + i));
    a1 = V::add(a1, V::load(p + i + L));
    a2 = V::add(a2, V::load(p + i + 2 * L));
    a3 = V::add(a3, V::load(p + i + 3 * L));
  }
  for (; i + L <= n; i += L) a0 = V::add(a0, V::load(p + i));
  T total = V::reduce_add(V::add(V::add(a0, a1), V::add(a2, a3)));
  for (; i < n; ++i) total += p[i];
  return total;
}

/// Sum of `n` elements `stride` apart, accumulated as described above.
template <class Arch, class T>
double sum_row(const T* p, std::int64_t n, std::int64_t stride) {
  double total = 0;
  for (std::int64_t begin = 0; begin < n; begin += sum_block) {
    const std::int64_t count = std::min(sum_block, n - begin);
    if (stride == 1) {
      total += static_cast<double>(sum_block_contiguous<Arch>(p + begin, count));
    } else {
      T block = 0;
      for (std::int64_t i = begin; i < begin + count; ++i) block += p[i * stride];
      total += static_cast<double>(block);
    }
  }
  return total;
}

// Max and its position over a contiguous run short enough for exact positions.
template <class Arch, class T>
max_and_position<T> max_index_contiguous(const T* p, std::int64_t n) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  max_and_position<T> best{-std::numeric_limits<T>::infinity(), 0};
  std::int64_t i = 0;
  if (n >= L) {
    // Lane j sees positions j, j + L, ...; each lane applies the rule in scan
    // order, and the lanes are merged below by the same rule.
    typename V::vector max = V::broadcast(-std::numeric_limits<T>::infinity());
    typename V::vector where = V::iota();
    typename V::vector position = V::iota();
    const typename V::vector step = V::broadcast(T(L));
    for (; i + L <= n; i += L) {
      const typename V::vector v = V::load(p + i);
      const typename V::mask take = V::greater_or_nan(v, max);
      max = V::select(take, v, max);
      where = V::select(take, position, where);
      position = V::add(position, step);
    }
    T lane_max[L];
    T lane_where[L];
    V::store(lane_max, max);
    V::store(lane_where, where);
    // Merging lanes: a NaN anywhere wins with the largest NaN position; else the
    // largest value with the smallest position among equal values.
    best = {lane_max[0], static_cast<std::int64_t>(lane_where[0])};
    for (std::int64_t j = 1; j < L; ++j) {
      const T v = lane_max[j];
      const auto at = static_cast<std::int64_t>(lane_where[j]);
      const bool best_nan = best.value != best.value;
      if (v != v) {
        if (!best_nan || at > best.position) best = {v, at};
      } else if (!best_nan && (v > best.value || (v == best.value && at < best.position))) {
        best = {v, at};
      }
    }
  }
  for (; i < n; ++i) {
    if (replaces(p[i], best.value)) best = {p[i], i};
  }
  return best;
}

/// Max of `n >= 1` elements `stride` apart, with the position (0-based) PyTorch reports.
template <class Arch, class T>
max_and_position<T> max_index_row(const T* p, std::int64_t n, std::int64_t stride) {
  max_and_position<T> best{-std::numeric_limits<T>::infinity(), 0};
  if (stride != 1) {
    for (std::int64_t i = 0; i < n; ++i) {
      if (replaces(p[i * stride], best.value)) best = {p[i * stride], i};
    }
    return best;
  }
  // Runs are merged by the same rule as elements, which keeps scan order.
  for (std::int64_t begin = 0; begin < n; begin += max_exact_position<T>) {
    const std::int64_t count = std::min(max_exact_position<T>, n - begin);
    const max_and_position<T> run = max_index_contiguous<Arch>(p + begin, count);
    if (begin == 0 || replaces(run.value, best.value)) best = {run.value, begin + run.position};
  }
  return best;
}

/// totals[j] += sum over rows r of row(r)[j * stride], for j < len <= column_block.
/// Rows are summed in T in groups, group totals in double (see sum_block).
template <class Arch, class T, class RowPointer>
void sum_columns(RowPointer row, std::int64_t rows, std::int64_t len, std::int64_t stride, double* totals) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  constexpr std::int64_t rows_per_group = 64;
  T acc[column_block];
  for (std::int64_t group = 0; group < rows; group += rows_per_group) {
    const std::int64_t group_end = std::min(rows, group + rows_per_group);
    std::fill(acc, acc + len, T(0));
    for (std::int64_t r = group; r < group_end; ++r) {
      const T* p = row(r);
      std::int64_t j = 0;
      if (stride == 1) {
        for (; j + L <= len; j += L) V::store(acc + j, V::add(V::load(acc + j), V::load(p + j)));
      }
      for (; j < len; ++j) acc[j] += p[j * stride];
    }
    for (std::int64_t j = 0; j < len; ++j) totals[j] += static_cast<double>(acc[j]);
  }
}

/// Applies the max rule lane by lane over rows in order: max[j] and row[j] (the
/// ordinal of the winning row) are the running state, updated for j < len <= column_block.
template <class Arch, class T, class RowPointer>
void max_index_columns(RowPointer row, std::int64_t rows, std::int64_t len, std::int64_t stride, T* max,
                       std::int64_t* winner) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  // Within a chunk the winning ordinal is kept as T (-1: not replaced in this chunk).
  T chunk_winner[column_block];
  for (std::int64_t chunk = 0; chunk < rows; chunk += max_exact_position<T>) {
    const std::int64_t chunk_end = std::min(rows, chunk + max_exact_position<T>);
    std::fill(chunk_winner, chunk_winner + len, T(-1));
    for (std::int64_t r = chunk; r < chunk_end; ++r) {
      const T* p = row(r);
      const T ordinal = static_cast<T>(r - chunk);
      std::int64_t j = 0;
      if (stride == 1) {
        const typename V::vector ordinal_v = V::broadcast(ordinal);
        for (; j + L <= len; j += L) {
          const typename V::vector v = V::load(p + j);
          const typename V::vector m = V::load(max + j);
          const typename V::mask take = V::greater_or_nan(v, m);
          V::store(max + j, V::select(take, v, m));
          V::store(chunk_winner + j, V::select(take, ordinal_v, V::load(chunk_winner + j)));
        }
      }
      for (; j < len; ++j) {
        const T v = p[j * stride];
        if (replaces(v, max[j])) {
          max[j] = v;
          chunk_winner[j] = ordinal;
        }
      }
    }
    for (std::int64_t j = 0; j < len; ++j) {
      if (chunk_winner[j] >= 0) winner[j] = chunk + static_cast<std::int64_t>(chunk_winner[j]);
    }
  }
}

}  // namespace adapool::detail
