// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_RUNS_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_RUNS_HPP)
#undef ADAPOOL_DETAIL_RUNS_HPP
#else
#define ADAPOOL_DETAIL_RUNS_HPP
#endif

// Loops over runs of contiguous elements through the SIMD ops: fill, copy,
// add, divide, square root and sum, each with the tail its operation allows;
// and the pick of a narrower set for runs shorter than a vector.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "../simd/arch.hpp"
#include "../simd/compiler.hpp"
#include "../simd/target.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// The stores below may end with a vector that overlaps the one before: it
// stores the same values again, which a tail loop would cost more than.

template <class Arch, class T>
void fill_run(T* p, std::int64_t n, T value) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  if (n < L) {
    std::fill_n(p, n, value);
    return;
  }
  const typename V::vector v = V::broadcast(value);
  for (std::int64_t i = 0; i < n; i += L) V::store(p + std::min(i, n - L), v);
}

// Plane k of `count` planes of `size` >= lanes elements, one after another
// from p, set to values[k]. After the first vector, stores are aligned to
// whole vectors, and the one two planes share takes each plane's lanes: no
// store splits a cache line, and no line is written twice, as filling plane by
// plane (fill_run) would do wherever a plane's start or end is unaligned.
template <class Arch, class T>
void fill_planes(T* p, const T* values, std::int64_t count, std::int64_t size) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  const std::int64_t n = count * size;
  const typename V::vector lane = V::iota();
  V::store(p, V::broadcast(values[0]));
  // The first position past p whose address is a multiple of a vector's bytes
  // (p itself when it is one; then the store above covered it).
  std::int64_t at = L - static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(p) / sizeof(T) % L);
  for (std::int64_t k = 0; k < count; ++k) {
    const std::int64_t end = (k + 1) * size;
    const typename V::vector v = V::broadcast(values[k]);
    for (; at + L <= end; at += L) V::store(p + at, v);
    if (at >= end) continue;
    if (k + 1 == count) {
      V::store(p + n - L, v);  // the last vector of the last plane, overlapping
    } else {
      const auto before = V::greater(V::broadcast(static_cast<T>(end - at)), lane);
      V::store(p + at, V::select(before, v, V::broadcast(values[k + 1])));
      at += L;
    }
  }
}

template <class Arch, class T>
void copy_run(T* to, const T* from, std::int64_t n) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  if (n < L) {
    std::copy_n(from, n, to);
    return;
  }
  for (std::int64_t i = 0; i < n; i += L) {
    const std::int64_t at = std::min(i, n - L);
    V::store(to + at, V::load(from + at));
  }
}

// to[i] += from[i]. Adding twice is not storing twice: the tail is scalar.
template <class Arch, class T>
void add_run(T* to, const T* from, std::int64_t n) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  std::int64_t i = 0;
  for (; i + L <= n; i += L) V::store(to + i, V::add(V::load(to + i), V::load(from + i)));
  for (; i < n; ++i) to[i] += from[i];
}

// p[i] /= by[i], in place, so with a scalar tail as well.
template <class Arch, class T>
void divide_run(T* p, const T* by, std::int64_t n) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  std::int64_t i = 0;
  for (; i + L <= n; i += L) V::store(p + i, V::div(V::load(p + i), V::load(by + i)));
  for (; i < n; ++i) p[i] /= by[i];
}

// p[i] = sqrt(p[i]), in place, with a scalar tail; vectors because
// std::sqrt's errno keeps compilers from forming them. The same bits either way.
template <class Arch, class T>
void sqrt_run(T* p, std::int64_t n) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  std::int64_t i = 0;
  for (; i + L <= n; i += L) V::store(p + i, V::sqrt(V::load(p + i)));
  for (; i < n; ++i) p[i] = std::sqrt(p[i]);
}

// to[i] = 0 + from[parts[0] + i] + from[parts[1] + i] + ..., added in the
// order of parts. Needs n >= lanes (with_lanes_at_most). Two vectors at a
// time: two chains of adds, and half the loops over parts, whose counts vary
// from call to call. Parts two at a time: clang++ unrolls by eight, and the 2
// to 4 parts of a row of 13 -> 7 windows all went to its remainder loop (B2
// took 1.06x as long).
template <class Arch, class T>
void sum_parts(T* to, const T* from, const std::int64_t* parts, int count, std::int64_t n) {
  using V = simd::ops<T, Arch>;
  constexpr std::int64_t L = V::lanes;
  for (std::int64_t i = 0; i < n; i += 2 * L) {
    const std::int64_t at0 = std::min(i, n - L), at1 = std::min(i + L, n - L);
    typename V::vector sum0 = V::zero(), sum1 = V::zero();
    ADAPOOL_UNROLL(2)
    for (int p = 0; p < count; ++p) {
      sum0 = V::add(sum0, V::load(from + parts[p] + at0));
      sum1 = V::add(sum1, V::load(from + parts[p] + at1));
    }
    V::store(to + at0, sum0);
    V::store(to + at1, sum1);
  }
}

// Runs body(A) with the widest set A of Arch's chain (Arch, its parent, ...)
// whose vectors hold at most n elements of T: a 13-wide row takes two
// overlapping 8-lane vectors, not a 16-lane one with a scalar tail. Scalar,
// at the end of every chain, always fits.
template <class Arch, class T, class Body>
void with_lanes_at_most(std::int64_t n, const Body& body) {
  using Parent = typename Arch::parent;
  if constexpr (!std::is_void_v<Parent>) {
    if (simd::ops<T, Arch>::lanes > n) return with_lanes_at_most<Parent, T>(n, body);
  }
  body(Arch{});
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
