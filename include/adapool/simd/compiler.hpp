// SPDX-License-Identifier: MIT
#pragma once

// Every compiler builtin, pragma and attribute adapool uses, behind a few inline functions and macros. GCC and
// Clang (and compilers that present themselves as either) get the GNU builtins;
// any other compiler gets the plain C++ below: the same results, some of them
// slower (a bit scan is a loop, a prefetch is nothing). Defining
// ADAPOOL_NO_COMPILER_BUILTINS forces the plain code with GCC and Clang too,
// which is how the tests check it.

#if !(__cplusplus >= 201703L || (defined(_MSVC_LANG) && _MSVC_LANG >= 201703L))
#error "adapool needs C++17 or later: compile with -std=c++17 (or /std:c++17)"
#endif

#include <cstddef>
#include <cstdint>
#include <limits>

#include "target.hpp"

#if (defined(__GNUC__) || defined(__clang__)) && !defined(ADAPOOL_NO_COMPILER_BUILTINS)
#define ADAPOOL_GNU_BUILTINS 1
#else
#define ADAPOOL_GNU_BUILTINS 0
#endif

#if ADAPOOL_GNU_BUILTINS && (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>
#endif

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

// ADAPOOL_NO_VECTORIZE before a loop over blocks, whose body is a loop of
// constant count (a vector's worth of conversions, say), keeps clang++ from
// vectorising the loop over blocks: it would, once it has unrolled the body,
// and then load the blocks lane by lane and shuffle them into place, where
// vectorising the body gives one load, one convert and one store per vector.
// Means of 7 x 7 planes took 1.15 times as long under clang++ -O2 as under
// g++. g++ vectorises the body, and needs nothing.

#if defined(__clang__)
#define ADAPOOL_NO_VECTORIZE ADAPOOL_PRAGMA(clang loop vectorize(disable))
#else
#define ADAPOOL_NO_VECTORIZE
#endif

// ADAPOOL_OPAQUE(v); leaves the vector variable v as it is, but the
// optimiser can no longer see how it was computed. It matters to clang++
// only, in two places:
// - after widening float16 lanes to float: clang++ turns a NaN test of the
//   floats back into a test of the halves, which x86 cannot do, so each lane
//   is converted and tested alone;
// - after a NaN test in lanes of all-ones or zeros (SSE2, AVX2): clang++
//   holds such results as bits, and packs and widens them again for every
//   test or-ed into a running mask.
// Channel max of float16 took 13 to 28 times as long as with g++ for the
// first reason, and 1.5 times (AVX2) for the second.

#if defined(__clang__) && ADAPOOL_GNU_BUILTINS && (defined(__x86_64__) || defined(__i386__))
#define ADAPOOL_OPAQUE(v) __asm__("" : "+v"(v))
#else
#define ADAPOOL_OPAQUE(v) static_cast<void>(v)
#endif

// ADAPOOL_ALWAYS_INLINE before a function makes every call to it inline.
//
// Why: a column reduction adds a few rows of a short row per call, a few
// dozen vector adds. GCC at -O2 leaves the strip functions out of line, and
// the calls and reloads of their arguments then cost more than the adds.

#if defined(__GNUC__) || defined(__clang__)
#define ADAPOOL_ALWAYS_INLINE [[gnu::always_inline]] inline
#elif defined(_MSC_VER)
#define ADAPOOL_ALWAYS_INLINE __forceinline
#else
#define ADAPOOL_ALWAYS_INLINE inline
#endif

// ADAPOOL_NEVER_INLINE before a function keeps every call to it out of line:
// a long body that only some calls run stays out of the loops of callers
// that never do, which then compile as they would without it.
#if defined(__GNUC__) || defined(__clang__)
#define ADAPOOL_NEVER_INLINE [[gnu::noinline]]
#elif defined(_MSC_VER)
#define ADAPOOL_NEVER_INLINE __declspec(noinline)
#else
#define ADAPOOL_NEVER_INLINE
#endif

namespace adapool::simd {

/// Alignment of the stack and member buffers that kernels read and write whole
/// vectors of: with less, every other 256-bit access and every 512-bit one
/// would straddle two cache lines, which costs a second access.
inline constexpr std::size_t cache_line = 64;

/// The x86 features cpu_supports() asks about.
enum class cpu_feature {
  sse2,
  avx2,
  fma,
  bmi,
  bmi2,
  f16c,
  lzcnt,
  movbe,
  avx512f,
  avx512bw,
  avx512cd,
  avx512vl,
  avx512dq
};

inline namespace ADAPOOL_TARGET_NAMESPACE {

/// The plain C++ forms, compiled everywhere so the tests can hold the builtins to them.
namespace portable {

/// Number of zero bits below the lowest set bit of `x`; `x` must not be 0.
constexpr int count_trailing_zeros(std::uint64_t x) {
  int zeros = 0;
  for (; (x & 1u) == 0; x >>= 1) ++zeros;
  return zeros;
}

/// `*sum = a + b`; true (and `*sum` unspecified) when that overflows int64_t.
constexpr bool add_overflow(std::int64_t a, std::int64_t b, std::int64_t* sum) {
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t min = std::numeric_limits<std::int64_t>::min();
  if ((b > 0 && a > max - b) || (b < 0 && a < min - b)) return true;
  *sum = a + b;
  return false;
}

/// `*product = a * b`; true (and `*product` unspecified) when that overflows int64_t.
constexpr bool mul_overflow(std::int64_t a, std::int64_t b, std::int64_t* product) {
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t min = std::numeric_limits<std::int64_t>::min();
  // Compare against the limits divided by one factor, by the signs of both.
  const bool overflow = a > 0 ? (b > 0 ? a > max / b : b < min / a) : (b > 0 ? a < min / b : (a != 0 && b < max / a));
  if (overflow) return true;
  *product = a * b;
  return false;
}

}  // namespace portable

/// Number of zero bits below the lowest set bit of `x`; `x` must not be 0.
inline int count_trailing_zeros(std::uint32_t x) {
#if ADAPOOL_GNU_BUILTINS
  return __builtin_ctz(x);
#else
  return portable::count_trailing_zeros(x);
#endif
}

/// Number of zero bits below the lowest set bit of `x`; `x` must not be 0.
inline int count_trailing_zeros(std::uint64_t x) {
#if ADAPOOL_GNU_BUILTINS
  return __builtin_ctzll(x);
#else
  return portable::count_trailing_zeros(x);
#endif
}

/// `*sum = a + b`; true (and `*sum` unspecified) when that overflows int64_t.
inline bool add_overflow(std::int64_t a, std::int64_t b, std::int64_t* sum) {
#if ADAPOOL_GNU_BUILTINS
  return __builtin_add_overflow(a, b, sum);
#else
  return portable::add_overflow(a, b, sum);
#endif
}

/// `*product = a * b`; true (and `*product` unspecified) when that overflows int64_t.
inline bool mul_overflow(std::int64_t a, std::int64_t b, std::int64_t* product) {
#if ADAPOOL_GNU_BUILTINS
  return __builtin_mul_overflow(a, b, product);
#else
  return portable::mul_overflow(a, b, product);
#endif
}

/// Whether prefetch() does anything: callers skip the address arithmetic when not.
inline constexpr bool prefetch_available = ADAPOOL_GNU_BUILTINS;

/// Asks for the cache line holding `address` to be loaded for reading. Only a
/// hint: it never faults, even past the end of the data.
inline void prefetch(const void* address) {
#if ADAPOOL_GNU_BUILTINS
  __builtin_prefetch(address);
  // g++ counts a prefetch as no effect at all: a function that only
  // prefetches is found pure, and its calls deleted. This empty statement is
  // an effect it keeps.
  __asm__ volatile("" : : "g"(address));
#else
  (void)address;
#endif
}

/// prefetch() for every cache line of the `bytes` bytes from `begin`, which
/// need not start on a line.
inline void prefetch_bytes(const void* begin, std::int64_t bytes) {
  const char* first = static_cast<const char*>(begin);
  constexpr auto line = static_cast<std::int64_t>(cache_line);
  for (std::int64_t byte = 0; byte < bytes; byte += line) prefetch(first + byte);
  if (bytes > 0) prefetch(first + bytes - 1);
}

/// True when the CPU running the program has `feature` (and the OS saves its
/// registers). Without the GNU builtin only what x86-64 guarantees (SSE2) is
/// known; every other feature reads as absent, so nothing runs that might fault.
#if ADAPOOL_GNU_BUILTINS && (defined(__x86_64__) || defined(__i386__))
// Bit `bit` of ECX from CPUID leaf `leaf`, for the features Clang's
// __builtin_cpu_supports does not name (F16C, LZCNT, MOVBE).
inline bool cpuid_ecx_bit(unsigned leaf, int bit) {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(leaf, &eax, &ebx, &ecx, &edx) != 0 && ((ecx >> bit) & 1u) != 0;
}
#endif

inline bool cpu_has(cpu_feature feature) {
#if ADAPOOL_GNU_BUILTINS && (defined(__x86_64__) || defined(__i386__))
  switch (feature) {
    // The builtin takes a string literal only, hence one case per feature.
    case cpu_feature::sse2:
      return __builtin_cpu_supports("sse2") != 0;
    case cpu_feature::avx2:
      return __builtin_cpu_supports("avx2") != 0;
    case cpu_feature::fma:
      return __builtin_cpu_supports("fma") != 0;
    case cpu_feature::bmi:
      return __builtin_cpu_supports("bmi") != 0;
    case cpu_feature::bmi2:
      return __builtin_cpu_supports("bmi2") != 0;
    case cpu_feature::f16c:
      return cpuid_ecx_bit(1, 29);
    case cpu_feature::lzcnt:
      return cpuid_ecx_bit(0x80000001u, 5);
    case cpu_feature::movbe:
      return cpuid_ecx_bit(1, 22);
    case cpu_feature::avx512f:
      return __builtin_cpu_supports("avx512f") != 0;
    case cpu_feature::avx512bw:
      return __builtin_cpu_supports("avx512bw") != 0;
    case cpu_feature::avx512cd:
      return __builtin_cpu_supports("avx512cd") != 0;
    case cpu_feature::avx512vl:
      return __builtin_cpu_supports("avx512vl") != 0;
    case cpu_feature::avx512dq:
      return __builtin_cpu_supports("avx512dq") != 0;
  }
  return false;
#elif defined(__x86_64__) || defined(_M_X64)
  return feature == cpu_feature::sse2;
#else
  (void)feature;
  return false;
#endif
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::simd
