// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>

#include "arch.hpp"

namespace adapool::simd {

/// The operations every kernel is written against. Each ISA header specialises
/// `ops<T, Arch>` for float and double with the same members in the same order;
/// an ISA that does not specialise a type inherits its parent's version.
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

  static vector load(const T* p) { return *p; }
  static void store(T* p, vector v) { *p = v; }
  static vector broadcast(T x) { return x; }
  static vector zero() { return T(0); }
  static vector iota() { return T(0); }  // lane i holds i

  static vector add(vector a, vector b) { return a + b; }
  // PyTorch's max rule: replace when the new value is greater or is NaN. The
  // NaN test is written as a != a so that it is one instruction on every ISA.
  static mask greater_or_nan(vector v, vector current) { return v > current || v != v; }
  static vector select(mask m, vector if_true, vector if_false) { return m ? if_true : if_false; }

  static T reduce_add(vector v) { return v; }
};

}  // namespace adapool::simd
