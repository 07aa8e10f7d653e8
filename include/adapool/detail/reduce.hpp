// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_REDUCE_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_REDUCE_HPP)
#undef ADAPOOL_DETAIL_REDUCE_HPP
#else
#define ADAPOOL_DETAIL_REDUCE_HPP
#endif

// The reductions every kernel is made of, written once against simd::ops:
//   sum_row / max_index_row   along one row (a window row, a plane, a pixel's channels);
//   sum_small_planes          whole planes too short for a row loop, several at once;
//   column_sums / column_max  across rows, lane by lane (reduce_columns.hpp).
// Max results follow PyTorch: replace when `v > max || isnan(v)`, so ties keep
// the first position and NaN keeps the last NaN's position.

#include <algorithm>
#include <cmath>
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

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

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
ADAPOOL_ALWAYS_INLINE T sum_block_contiguous(const T* p, std::int64_t n) {
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
  if (stride == 1) {
    for (std::int64_t begin = 0; begin < n; begin += sum_block)
      total += static_cast<double>(sum_block_contiguous<Arch>(p + begin, std::min(sum_block, n - begin)));
    return total;
  }
  for (std::int64_t begin = 0; begin < n; begin += sum_block) {
    const std::int64_t end = std::min(begin + sum_block, n);
    T block = 0;
    for (std::int64_t i = begin; i < end; ++i) block += p[i * stride];
    total += static_cast<double>(block);
  }
  return total;
}

/// Calls body(std::true_type{}) or body(std::false_type{}): kernels instantiate
/// their max loops without winner bookkeeping when no indices are wanted.
template <class Body>
void with_winners(bool winners, const Body& body) {
  if (winners) {
    body(std::true_type{});
  } else {
    body(std::false_type{});
  }
}

/// Merges candidates that are not in scan order, each with its position in the
/// scan: the result is what one scan would keep. A NaN wins with the largest
/// position; otherwise the largest value wins with the smallest position.
template <class T>
void merge_unordered(max_and_position<T>& best, T value, std::int64_t position) {
  const bool best_nan = best.value != best.value;
  if (value != value) {
    if (!best_nan || position > best.position) best = {value, position};
  } else if (!best_nan && (value > best.value || (value == best.value && position < best.position))) {
    best = {value, position};
  }
}

// Max and position by the element rule, keeping a position per lane (lane j
// sees positions j, j + L, ...), then merging lanes. Handles NaN; n < 2^digits.
template <class Arch, class T>
max_and_position<T> max_index_lanes(const T* p, std::int64_t n) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  max_and_position<T> best{-std::numeric_limits<T>::infinity(), 0};
  std::int64_t i = 0;
  if (n >= L) {
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
    T lane_max[std::size_t{L}];
    T lane_where[std::size_t{L}];
    V::store(lane_max, max);
    V::store(lane_where, where);
    // Lanes are not in scan order: merge by what the scan would have kept.
    best = {lane_max[0], static_cast<std::int64_t>(lane_where[0])};
    for (std::int64_t j = 1; j < L; ++j) merge_unordered(best, lane_max[j], static_cast<std::int64_t>(lane_where[j]));
  }
  for (; i < n; ++i) {
    if (replaces(p[i], best.value)) best = {p[i], i};
  }
  return best;
}

// Runs are handled this many elements at a time, so that positions held as T
// stay exact and a run's candidates merge cheaply.
inline constexpr std::int64_t locate_run = 1024;

// Max and position of a contiguous run of 1 <= n <= locate_run elements.
template <class Arch, class T>
max_and_position<T> max_index_contiguous(const T* p, std::int64_t n) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  if (L == 1 || n < 2 * L) {
    max_and_position<T> best{-std::numeric_limits<T>::infinity(), 0};
    for (std::int64_t i = 0; i < n; ++i) {
      if (replaces(p[i], best.value)) best = {p[i], i};
    }
    return best;
  }
  // Two chains (even and odd vectors) each keep, per lane, the first max seen and
  // its position; the last load may overlap the one before it, which only shows
  // an element twice. A sum rides along: it is NaN whenever an element is (and
  // for inf - inf, which only costs a trip through the exact path).
  const typename V::vector step = V::broadcast(T(2 * L));
  typename V::vector max[2] = {V::load(p), V::load(p + L)};
  typename V::vector where[2] = {V::iota(), V::add(V::iota(), V::broadcast(T(L)))};
  typename V::vector position[2] = {where[0], where[1]};
  typename V::vector sum = V::add(max[0], max[1]);
  std::int64_t i = 2 * L;
  for (; i + 2 * L <= n; i += 2 * L) {
    ADAPOOL_UNROLL(2)
    for (int chain = 0; chain < 2; ++chain) {
      const typename V::vector v = V::load(p + i + chain * L);
      position[chain] = V::add(position[chain], step);
      const typename V::mask take = V::greater_or_nan(v, max[chain]);
      max[chain] = V::select(take, v, max[chain]);
      where[chain] = V::select(take, position[chain], where[chain]);
      sum = V::add(sum, v);
    }
  }
  for (int chain = 0; i < n; i += L, chain ^= 1) {
    const std::int64_t at = std::min(i, n - L);
    const typename V::vector v = V::load(p + at);
    const typename V::vector here = V::add(V::iota(), V::broadcast(static_cast<T>(at)));
    const typename V::mask take = V::greater_or_nan(v, max[chain]);
    max[chain] = V::select(take, v, max[chain]);
    where[chain] = V::select(take, here, where[chain]);
    sum = V::add(sum, v);
  }
  if (V::any(V::is_nan(sum))) return max_index_lanes<Arch>(p, n);
  // No NaN: the scan keeps the max at its smallest position (-0.0 and +0.0
  // compare equal, and the first of them is the one the scan keeps).
  const T value = V::reduce_max(V::max(max[0], max[1]));
  T lane_where[2][std::size_t{L}];
  V::store(lane_where[0], where[0]);
  V::store(lane_where[1], where[1]);
  std::int64_t first = n;
  for (int chain = 0; chain < 2; ++chain) {
    for (unsigned bits = V::equal_bits(max[chain], value); bits != 0; bits &= bits - 1) {
      first = std::min(first, static_cast<std::int64_t>(lane_where[chain][simd::count_trailing_zeros(bits)]));
    }
  }
  return {p[first], first};
}

/// Max of `n >= 1` elements `stride` apart, with the position (0-based) PyTorch reports.
template <class Arch, class T>
max_and_position<T> max_index_row(const T* p, std::int64_t n, std::int64_t stride) {
  max_and_position<T> best{-std::numeric_limits<T>::infinity(), 0};
  if (stride != 1) {
    for (std::int64_t i = 0; i < n; ++i)
      if (replaces(p[i * stride], best.value)) best = {p[i * stride], i};
    return best;
  }
  // Runs are merged by the same rule as elements, which keeps scan order.
  for (std::int64_t begin = 0; begin < n; begin += locate_run) {
    const std::int64_t count = std::min(locate_run, n - begin);
    const max_and_position<T> run = max_index_contiguous<Arch>(p + begin, count);
    if (begin == 0 || replaces(run.value, best.value)) best = {run.value, begin + run.position};
  }
  return best;
}

// The first `count` lanes of v as double: a whole vector by a loop of constant
// count, which -O2 vectorises (a loop of `count` waits on the store per lane).
template <class Arch, class T>
void store_widened(double* out, typename simd::ops<T, Arch>::vector v, std::int64_t count) {
  using V = simd::ops<T, Arch>;
  T lanes_of[std::size_t{V::lanes}];
  V::store(lanes_of, v);
  if (count == V::lanes)
    for (std::int64_t k = 0; k < V::lanes; ++k) out[k] = static_cast<double>(lanes_of[k]);
  else
    for (std::int64_t k = 0; k < count; ++k) out[k] = static_cast<double>(lanes_of[k]);
}

// The sums of a whole group of `lanes` planes for sum_small_planes, in one vector;
// with FetchAhead, each step first prefetches its lines at `ahead`. Not a lambda
// (clang 14 kept its sums in memory), not forced inline (g++ 12 dropped the prefetches).
template <class Arch, bool FetchAhead, class T, class Row>
typename simd::ops<T, Arch>::vector sum_plane_group(const Row* group, std::int64_t stride, std::int64_t full, int tail,
                                                    const char* ahead) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  constexpr std::int64_t element_bytes = L * static_cast<std::int64_t>(sizeof(Row));
  constexpr auto line = static_cast<std::int64_t>(simd::cache_line);
  typename V::vector acc[std::size_t{L}];
  ADAPOOL_UNROLL(16)
  for (std::int64_t k = 0; k < L; ++k) acc[k] = V::zero();
  // Planes inner: the L accumulators are independent chains. Each plane's sum
  // is the same sequence of additions whichever planes share its group.
  for (std::int64_t i = 0; i < full; i += L) {
    if constexpr (FetchAhead) {
      // Not prefetch_bytes: a step is whole lines of constant count, unrolled
      // here without the run-end request prefetch_bytes adds.
      ADAPOOL_UNROLL(16)
      for (std::int64_t byte = 0; byte < L * element_bytes; byte += line)
        simd::prefetch(ahead + i * element_bytes + byte);
    }
    ADAPOOL_UNROLL(16)
    for (std::int64_t k = 0; k < L; ++k) acc[k] = V::add(acc[k], simd::load_row<T, Arch>(group + k * stride + i));
  }
  if (tail) {
    if constexpr (FetchAhead) simd::prefetch_bytes(ahead + full * element_bytes, tail * element_bytes);
    ADAPOOL_UNROLL(16)
    for (std::int64_t k = 0; k < L; ++k)
      acc[k] = V::add(acc[k], simd::load_row_partial<T, Arch>(group + k * stride + full, tail));
  }
  return V::sum_each(acc);
}

// Planes of 7 x 7, the last feature maps of most classifiers, are summed by
// sum_contiguous_group when they follow each other. Only a size known when
// compiling makes that loop straight-line code; this one is worth it.
inline constexpr std::int64_t seven_by_seven = 49;

// Whether sum_small_planes and max_small_planes read a group of planes as one
// run (sum_contiguous_group, max_contiguous_group): one test, so that the
// separate and fused averages give the same bits.
template <std::int64_t L>
constexpr bool group_as_run(std::int64_t planes, std::int64_t size, std::int64_t stride) {
  return L > 1 && planes == L && stride == size && size == seven_by_seven;
}

// A whole group of `lanes` planes of Size elements that follow each other in
// memory is exactly Size whole vectors. contiguous_group reads them in order,
// each into the plane it lies in, and a vector that a plane boundary splits
// gives its lanes before the boundary to the plane ending there and the rest to
// the next one (as 0 to a sum, -inf to a max). So no load is partial or crosses
// more cache lines than the group's start makes it (sum_plane_group's loads of
// 7 x 7 planes mostly do). Plane k's sum vector goes to sum[k] and, with
// Maxima, its max vector to max[k]. Each plane adds in two chains (alternate
// vectors), which -O2 code needs to overlap them. A plane's sum depends on its
// place in the group; groups start at multiples of `lanes` planes whatever
// the threads.
template <class Arch, class T, std::int64_t Size, bool Maxima, class Row>
ADAPOOL_ALWAYS_INLINE void contiguous_group(const Row* group, typename simd::ops<T, Arch>::vector* sum,
                                            typename simd::ops<T, Arch>::vector* max) {
  static_assert(Size >= simd::ops<T, Arch>::lanes, "a vector holds lanes of two planes at most");
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  const typename V::vector lane = V::iota(), lowest = V::broadcast(-std::numeric_limits<T>::infinity());
  // The next plane's lanes of a split vector.
  typename V::vector carry_sum = V::zero(), carry_max = lowest;
  ADAPOOL_UNROLL(16)
  for (std::int64_t k = 0; k < L; ++k) {
    // Plane k's whole vectors are [first, last); a boundary splits vector `last` unless end % L == 0.
    const std::int64_t end = Size * (k + 1), first = (Size * k + L - 1) / L, last = end / L;
    // Named chains, not arrays: clang 14 keeps an array indexed by the loop in memory.
    typename V::vector sum0 = carry_sum, sum1 = V::zero(), max0 = carry_max, max1 = lowest;
    std::int64_t i = first;
    for (; i + 2 <= last; i += 2) {
      const typename V::vector v = simd::load_row<T, Arch>(group + i * L);
      const typename V::vector w = simd::load_row<T, Arch>(group + (i + 1) * L);
      sum0 = V::add(sum0, v);
      sum1 = V::add(sum1, w);
      if constexpr (Maxima) {
        max0 = V::max(v, max0);
        max1 = V::max(w, max1);
      }
    }
    if (i < last) {
      const typename V::vector v = simd::load_row<T, Arch>(group + i * L);
      sum0 = V::add(sum0, v);
      if constexpr (Maxima) max0 = V::max(v, max0);
    }
    sum[k] = V::add(sum0, sum1);
    if (end % L != 0) {
      const typename V::vector v = simd::load_row<T, Arch>(group + last * L);
      const auto before = V::greater(V::broadcast(static_cast<T>(end % L)), lane);
      sum[k] = V::add(sum[k], V::select(before, v, V::zero()));
      carry_sum = V::select(before, V::zero(), v);
      if constexpr (Maxima) {
        max0 = V::max(V::select(before, v, lowest), max0);
        carry_max = V::select(before, lowest, v);
      }
    }
    if constexpr (Maxima) max[k] = V::max(max0, max1);
  }
}

// The sums of a whole group of `lanes` planes of Size elements that follow
// each other, in one vector (contiguous_group).
template <class Arch, class T, std::int64_t Size, class Row>
typename simd::ops<T, Arch>::vector sum_contiguous_group(const Row* group) {
  typename simd::ops<T, Arch>::vector sum[std::size_t{simd::ops<T, Arch>::lanes}];
  contiguous_group<Arch, T, Size, false>(group, sum, nullptr);
  return simd::ops<T, Arch>::sum_each(sum);
}

/// Planes of `lanes` to this many elements get their whole-plane max (and
/// position) from max_small_planes: every position fits one 64-bit mask.
inline constexpr std::int64_t small_max_plane = 64;

// Maxima and positions of a whole group of `lanes` planes of Size elements that
// follow each other (contiguous_group), and when `sums` is not null their sums,
// bit for bit sum_contiguous_group's. The sums are the NaN test (NaN for a NaN
// element or inf - inf): with one, nothing is written and the result is false,
// for the caller's exact path. Otherwise each position is the first element
// equal to its plane's max, found in the vectors just read: the scan's tie
// rule, as in max_small_planes.
template <class Arch, class T, std::int64_t Size>
bool max_contiguous_group(const T* group, max_and_position<T>* best, double* sums) {
  static_assert(Size <= small_max_plane, "one 64-bit mask per plane");
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  typename V::vector sum[std::size_t{L}], max[std::size_t{L}];
  contiguous_group<Arch, T, Size, true>(group, sum, max);
  typename V::mask nan = V::is_nan(sum[0]);
  ADAPOOL_UNROLL(16)
  for (std::int64_t k = 1; k < L; ++k) nan = V::mask_or(nan, V::is_nan(sum[k]));
  if (V::any(nan)) return false;
  ADAPOOL_UNROLL(16)
  for (std::int64_t k = 0; k < L; ++k) {
    const T value = V::reduce_max(max[k]);
    // Plane k's elements are [start, start + Size): vectors first..last, the
    // first one's lanes before `start` shifted out.
    const std::int64_t start = Size * k, first = start / L, last = (start + Size - 1) / L;
    std::uint64_t equal = static_cast<std::uint64_t>(V::equal_bits(V::load(group + first * L), value)) >> (start % L);
    ADAPOOL_UNROLL(16)
    for (std::int64_t i = first + 1; i <= last; ++i)
      equal |= static_cast<std::uint64_t>(V::equal_bits(V::load(group + i * L), value)) << (i * L - start);
    const auto position = static_cast<std::int64_t>(simd::count_trailing_zeros(equal));
    best[k] = {group[start + position], position};
  }
  if (sums) store_widened<Arch, T>(sums, V::sum_each(sum), L);
  return true;
}

/// Sums of `count` planes of `size` elements (plane k at p + k * stride), for
/// planes too small to fill the vector loop of sum_row: `lanes` planes at a time,
/// each in its own vector, reduced together by one sum_each (in float for
/// float16 and bfloat16 planes, widened as they are read). Groups of 7 x 7
/// planes that follow each other are read as one run (sum_contiguous_group).
template <class Arch, class Row>
void sum_small_planes(const Row* p, std::int64_t size, std::int64_t stride, std::int64_t count, double* sums,
                      bool prefetch = false) {
  using T = std::conditional_t<is_half_type<Row>, float, Row>;
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  const std::int64_t full = size - size % L;
  const auto tail = static_cast<int>(size - full);
  // The hardware prefetcher does not run far enough ahead of loads that
  // interleave L planes of two cache lines or more (from L3 or memory): each
  // step fetches its lines three groups and 4 KiB on, about L3 latency times
  // bandwidth, a few prefetches per step so that the loads still run ahead.
  constexpr bool can_fetch = simd::prefetch_available && L * L * sizeof(Row) >= 64;
  const bool fetch = can_fetch && prefetch && stride == size && size * static_cast<std::int64_t>(sizeof(Row)) >= 128;
  const std::int64_t distance = std::max(3 * L * stride, static_cast<std::int64_t>(4096 / sizeof(Row)));
  std::int64_t first = 0;
  if constexpr (L == 1) {  // one chain of adds per plane: four planes side by side, each in its order
    for (; first + 4 <= count; first += 4) {
      T acc[4] = {};
      for (std::int64_t i = 0; i < size; ++i) {
        ADAPOOL_UNROLL(4)
        for (std::int64_t k = 0; k < 4; ++k) acc[k] += simd::load_row<T, Arch>(p + (first + k) * stride + i);
      }
      for (std::int64_t k = 0; k < 4; ++k) sums[first + k] = static_cast<double>(acc[k]);
    }
  }
  for (; first < count; first += L) {
    const Row* group = p + first * stride;
    const std::int64_t planes = std::min(L, count - first);
    if (group_as_run<L>(planes, size, stride)) {
      store_widened<Arch, T>(sums + first, sum_contiguous_group<Arch, T, seven_by_seven>(group), planes);
      continue;
    }
    if (planes == L) {
      const char* ahead = reinterpret_cast<const char*>(group + distance);
      typename V::vector group_sums;
      if constexpr (can_fetch) {
        group_sums = fetch ? sum_plane_group<Arch, true, T>(group, stride, full, tail, ahead)
                           : sum_plane_group<Arch, false, T>(group, stride, full, tail, ahead);
      } else {
        group_sums = sum_plane_group<Arch, false, T>(group, stride, full, tail, ahead);
      }
      store_widened<Arch, T>(sums + first, group_sums, planes);
      continue;
    }
    typename V::vector acc[std::size_t{L}];
    ADAPOOL_UNROLL(16)
    for (std::int64_t k = 0; k < L; ++k) acc[k] = V::zero();
    for (std::int64_t k = 0; k < planes; ++k) {
      const Row* plane = group + k * stride;
      for (std::int64_t i = 0; i < full; i += L) acc[k] = V::add(acc[k], simd::load_row<T, Arch>(plane + i));
      if (tail) acc[k] = V::add(acc[k], simd::load_row_partial<T, Arch>(plane + full, tail));
    }
    store_widened<Arch, T>(sums + first, V::sum_each(acc), planes);
  }
}

/// Whole-plane maxima with their positions of `count` planes of `size`
/// elements (plane k at p + k * stride, lanes <= size <= small_max_plane), and
/// when `sums` is not null their sums, bit for bit sum_small_planes's. The sum
/// is the NaN test (NaN for a NaN element or inf - inf): such a plane is
/// scanned by max_index_row. Otherwise the max is the reduced vector max at
/// the first element equal to it, found without a branch: the scan's tie rule
/// (-0.0 equals +0.0, and the element itself is returned). Groups of 7 x 7
/// planes that follow each other are read as one run (max_contiguous_group)
/// unless they hold a NaN or inf - inf.
template <class Arch, class T>
void max_small_planes(const T* p, std::int64_t size, std::int64_t stride, std::int64_t count, max_and_position<T>* best,
                      double* sums) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  static_assert(L > 1 && L <= small_max_plane, "whole vectors, one mask per plane");
  const std::int64_t full = size - size % L;
  const auto tail = static_cast<int>(size - full);
  for (std::int64_t first = 0; first < count; first += L) {
    const T* group = p + first * stride;
    const std::int64_t planes = std::min(L, count - first);
    const bool run = group_as_run<L>(planes, size, stride);
    if (run && max_contiguous_group<Arch, T, seven_by_seven>(group, best + first, sums ? sums + first : nullptr))
      continue;
    typename V::vector acc[std::size_t{L}], max[std::size_t{L}];
    ADAPOOL_UNROLL(16)
    for (std::int64_t k = 0; k < L; ++k)
      acc[k] = max[k] = V::zero();  // max: aarch64 g++ cannot see the loads below fill it
    for (std::int64_t k = 0; k < planes; ++k) max[k] = V::load(group + k * stride);
    // sum_small_planes's additions in its order; the max takes the tail from
    // a load overlapping the last full vector, not the partial load's zeros.
    // Sums of a run that max_contiguous_group declined come from
    // sum_contiguous_group as there, and are then the NaN test: the loop below
    // only compares. `group_size` is L as a constant for whole groups:
    // unrolled into registers.
    const bool run_sums = sums && run;
    T group_sums[std::size_t{L}];
    if (run_sums) V::store(group_sums, sum_contiguous_group<Arch, T, seven_by_seven>(group));
    const auto add_vectors = [&](auto group_size, auto adds) {
      // A plain integer: GCC drops the unroll pragma on a loop whose condition
      // converts the generic lambda's parameter.
      const std::int64_t in_group = group_size;
      for (std::int64_t i = 0; i < full; i += L) {
        ADAPOOL_UNROLL(16)
        for (std::int64_t k = 0; k < in_group; ++k) {
          const typename V::vector v = V::load(group + k * stride + i);
          if constexpr (decltype(adds)::value) acc[k] = V::add(acc[k], v);
          max[k] = V::max(v, max[k]);
        }
      }
      if (tail) {
        ADAPOOL_UNROLL(16)
        for (std::int64_t k = 0; k < in_group; ++k) {
          if constexpr (decltype(adds)::value)
            acc[k] = V::add(acc[k], V::load_partial(group + k * stride + full, tail));
          max[k] = V::max(V::load(group + k * stride + size - L), max[k]);
        }
      }
    };
    if (run_sums) {
      add_vectors(std::integral_constant<std::int64_t, L>{}, std::false_type{});
    } else if (planes == L) {
      add_vectors(std::integral_constant<std::int64_t, L>{}, std::true_type{});
    } else {
      add_vectors(planes, std::true_type{});
    }
    for (std::int64_t k = 0; k < planes; ++k) {
      const T* plane = group + k * stride;
      if (run_sums ? std::isnan(group_sums[k]) : V::any(V::is_nan(acc[k]))) {
        best[first + k] = max_index_row<Arch>(plane, size, 1);
        continue;
      }
      const T value = V::reduce_max(max[k]);
      std::uint64_t equal = 0;
      for (std::int64_t i = 0; i < full; i += L)
        equal |= static_cast<std::uint64_t>(V::equal_bits(V::load(plane + i), value)) << i;
      if (tail) equal |= static_cast<std::uint64_t>(V::equal_bits(V::load(plane + size - L), value)) << (size - L);
      const auto position = static_cast<std::int64_t>(simd::count_trailing_zeros(equal));
      best[first + k] = {plane[position], position};
    }
    if (sums) store_widened<Arch, T>(sums + first, run_sums ? V::load(group_sums) : V::sum_each(acc), planes);
  }
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
