// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "target.hpp"
#if defined(ADAPOOL_SIMD_SCALAR_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_SIMD_SCALAR_HPP)
#undef ADAPOOL_SIMD_SCALAR_HPP
#else
#define ADAPOOL_SIMD_SCALAR_HPP
#endif

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../element_types.hpp"
#include "arch.hpp"

namespace adapool::simd {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

/// The operations every kernel is written against. Each ISA header specialises
/// `ops<T, Arch>` for float and double with the same members in the same order
/// (but the float16 and bfloat16 conversions, `widen` to `store_narrowed`, in
/// the float ones only); an ISA that does not specialise a type inherits its
/// parent's version.
///
/// Index vectors hold positions as values of `T` (exact below 2^24 for float),
/// so one mask selects both a value and its position. Kernels keep positions
/// below `max_exact_position` by working in chunks.
template <class T, class Arch>
struct ops : ops<T, typename Arch::parent> {};

template <class T>
struct ops<T, scalar> {
  using vector = T;
  using mask = bool;
  static constexpr int lanes = 1;
  // How many vectors the set's registers hold: the accumulators a loop may
  // keep in registers, with room left for the loads.
  static constexpr int vector_registers = 16;

  static vector load(const T* p) { return *p; }
  static void store(T* p, vector v) { *p = v; }
  // Lanes holding positions (integers exact in T, 0 <= v < 2^31) stored as int64_t.
  static void store_positions(std::int64_t* p, vector v) { *p = static_cast<std::int64_t>(v); }
  static vector broadcast(T x) { return x; }
  static vector zero() { return T(0); }
  static vector iota() { return T(0); }  // lane i holds i

  static vector add(vector a, vector b) { return a + b; }
  static vector mul(vector a, vector b) { return a * b; }
  static vector div(vector a, vector b) { return a / b; }
  // Correctly rounded on every set, so every set gives the same bits.
  static vector sqrt(vector a) { return std::sqrt(a); }
  // PyTorch's max rule: replace when the new value is greater or is NaN. The
  // NaN test is written as a != a so that it is one instruction on every ISA.
  static mask greater_or_nan(vector v, vector current) { return v > current || v != v; }
  static vector select(mask m, vector if_true, vector if_false) { return m ? if_true : if_false; }
  // The max rule on data known to hold no NaN.
  static mask greater(vector v, vector current) { return v > current; }

  static T reduce_add(vector v) { return v; }
  // Lane k of the result is the sum of the lanes of v[k], for `lanes` vectors.
  static vector sum_each(const vector* v) { return v[0]; }
  // Transposes `lanes` vectors in place, seen as a lanes x lanes matrix (row k = v[k]).
  static void transpose(vector* /*v*/) {}
  // The first n < lanes elements, zeros after them; reads nothing past p + n.
  static vector load_partial(const T* p, int n) { return n > 0 ? *p : T(0); }
  // Lane j of pick(lo, hi, pick_index(positions)) is element positions[j] of
  // the 2 * lanes elements of lo followed by hi. `fast_pick` says whether a
  // pick stays in registers (a lane permutation) or goes through memory.
  using index = std::int32_t;
  static constexpr bool fast_pick = false;
  static index pick_index(const std::int32_t* positions) { return positions[0]; }
  static vector pick(vector lo, vector hi, index i) { return i == 0 ? lo : hi; }

  // For max without positions, on data known to hold no NaN.
  static vector max(vector a, vector b) { return a > b ? a : b; }
  // max(v, current) keeps current unless v > current, NaN on either side and signed zeros included.
  static constexpr bool max_keeps_current = true;
  static mask is_nan(vector v) { return v != v; }
  static mask mask_or(mask a, mask b) { return a || b; }
  static bool any(mask m) { return m; }
  static T reduce_max(vector v) { return v; }
  // Bit i set when lane i equals x.
  static unsigned equal_bits(vector v, T x) { return v == x ? 1u : 0u; }

  // p[0], ... p[n - 1] as floats by the types' own conversions: exact (every
  // float16 and bfloat16 is a float), a float16 NaN quiet. Vector forms give the same bits.
  static void widen(const float16* p, std::int64_t n, float* out) {
    for (std::int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(p[i]);
  }
  static void widen(const bfloat16* p, std::int64_t n, float* out) {
    for (std::int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(p[i]);
  }
  // A vector of widened elements, as load and load_partial read floats.
  static vector load_widened(const float16* p) { return static_cast<float>(*p); }
  static vector load_widened(const bfloat16* p) { return static_cast<float>(*p); }
  static vector load_widened_partial(const float16* p, int n) { return n > 0 ? static_cast<float>(*p) : 0.0f; }
  static vector load_widened_partial(const bfloat16* p, int n) { return n > 0 ? static_cast<float>(*p) : 0.0f; }
  // The lanes rounded to the type to nearest, ties to even, as its own
  // conversion rounds (a NaN stays NaN; its payload may differ).
  static void store_narrowed(float16* p, vector v) { *p = float16(v); }
  static void store_narrowed(bfloat16* p, vector v) { *p = bfloat16(v); }
  // The lanes as doubles, exactly: out[k] holds lanes [k * D, (k + 1) * D),
  // D being the lanes of the set's double vector (lanes / D vectors).
  static void widen_to_double(vector v, double* out) { *out = static_cast<double>(v); }
};

/// load_widened and load_widened_partial through widen and a float array, for
/// the sets without a conversion of their own: the first n lanes of p, zeros after.
template <class V, class Half>
typename V::vector load_widened_through_array(const Half* p, int n) {
  float widened[std::size_t{V::lanes}] = {};
  V::widen(p, n, widened);
  return V::load(widened);
}

/// A vector of T from a row of Row elements: loaded, or widened to float as
/// it is read from a float16 or bfloat16 row. load_row_partial: the first
/// n < lanes elements, zeros after, reading nothing past p + n.
template <class T, class Arch, class Row>
ADAPOOL_ALWAYS_INLINE typename ops<T, Arch>::vector load_row(const Row* p) {
  if constexpr (std::is_same_v<Row, T>) {
    return ops<T, Arch>::load(p);
  } else {
    return ops<T, Arch>::load_widened(p);
  }
}
template <class T, class Arch, class Row>
ADAPOOL_ALWAYS_INLINE typename ops<T, Arch>::vector load_row_partial(const Row* p, int n) {
  if constexpr (std::is_same_v<Row, T>) {
    return ops<T, Arch>::load_partial(p, n);
  } else {
    return ops<T, Arch>::load_widened_partial(p, n);
  }
}

/// store_narrowed through a float array and the types' own conversions.
template <class V, class Half>
void store_narrowed_through_array(Half* p, typename V::vector v) {
  float lanes_of[std::size_t{V::lanes}];
  V::store(lanes_of, v);
  for (int i = 0; i < V::lanes; ++i) p[i] = Half(lanes_of[i]);
}

/// Operations on int64 index tensors (the max backward's `indices`), with
/// the same fallback to the parent ISA as `ops`.
template <class Arch>
struct index_ops : index_ops<typename Arch::parent> {};

template <>
struct index_ops<scalar> {
  // Whether every p[i], i < n, lies in [0, bound): read as unsigned, a
  // negative index wraps above every bound, so one compare checks both ends.
  // Every element is read (no early exit): the check passes on valid data,
  // and a branch per element would cost more than it saves.
  static bool all_below(const std::int64_t* p, std::int64_t n, std::int64_t bound) {
    const auto b = static_cast<std::uint64_t>(bound);
    unsigned outside = 0;
    for (std::int64_t i = 0; i < n; ++i) outside |= static_cast<unsigned>(static_cast<std::uint64_t>(p[i]) >= b);
    return outside == 0;
  }
};

/// Sums of int8_t or uint8_t rows, exact in 64 bits for any length, with the
/// same fallback to the parent ISA as `ops`.
template <class Arch>
struct byte_ops : byte_ops<typename Arch::parent> {};

template <>
struct byte_ops<scalar> {
  template <class Byte>
  static std::int64_t sum(const Byte* p, std::int64_t n) {
    std::int64_t total = 0;
    for (std::int64_t i = 0; i < n; ++i) total += p[i];
    return total;
  }
  // sums[k] = the sum of the `size` <= 64 bytes at p + k * stride, k < count
  // (exact in double).
  template <class Byte>
  static void sum_small_planes(const Byte* p, std::int64_t stride, std::int64_t size, std::int64_t count,
                               double* sums) {
    sum_planes_one_by_one<byte_ops>(p, stride, size, count, sums);
  }

  template <class Ops, class Byte>
  static void sum_planes_one_by_one(const Byte* p, std::int64_t stride, std::int64_t size, std::int64_t count,
                                    double* sums) {
    for (std::int64_t k = 0; k < count; ++k) sums[k] = static_cast<double>(Ops::sum(p + k * stride, size));
  }
};

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::simd

#endif
