// SPDX-License-Identifier: MIT
#pragma once

// ADAPOOL_UNROLL(n) before a loop unrolls it up to n times; a loop with a
// constant trip count of at most n is unrolled completely.
//
// Why: kernels keep arrays of vector accumulators indexed by loops over a
// compile-time count (lanes, planes, a strip's width). Only once such a loop
// is unrolled completely do its array elements become registers. GCC does
// that at -O3 (-fpeel-loops) but not at -O2, the level of CMake's
// RelWithDebInfo and most distributions, where every add then becomes a store
// and a reload: 2 to 3 times slower. The pragma makes the unrolling explicit,
// the same at every optimisation level and with g++ (>= 8) and clang++.

#define ADAPOOL_PRAGMA(text) _Pragma(#text)
#if defined(__GNUC__) || defined(__clang__)
#define ADAPOOL_UNROLL(n) ADAPOOL_PRAGMA(GCC unroll n)
#else
#define ADAPOOL_UNROLL(n)
#endif
