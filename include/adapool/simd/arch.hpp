// SPDX-License-Identifier: MIT
#pragma once

// Instruction sets as empty tag types. A tag derives from the narrower one it
// extends, so an operation an ISA does not specialise falls back to its parent.
// `default_arch` is the widest ISA this translation unit is compiled for, unless
// the user picks one with -DADAPOOL_ARCH=<tag> (scalar, sse2, avx2, avx512f, neon).

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <initializer_list>
#include <string_view>
#include <type_traits>

#include "compiler.hpp"
#include "target.hpp"

/// \namespace adapool::simd
/// Instruction sets as tag types, the first template argument of every
/// operation (`adaptive_max_pool2d<adapool::simd::sse2>(...)`), and the run-time
/// check cpu_supports(). The per-ISA operation tables are internal.
namespace adapool::simd {

/// Portable C++ loops, no vector instructions: every compiler, every CPU. The
/// root of the fallback chain.
struct scalar {
  /// The narrower set this one extends (none: the root); operations it lacks fall back to it.
  using parent = void;
  /// The set's name as the compiler spells it, and as ADAPOOL_ARCH takes it.
  static constexpr const char* name = "scalar";
  /// Always true: the portable loops need nothing.
  static constexpr bool enabled = true;
};

/// SSE2, which every x86-64 CPU has: 4 floats or 2 doubles per vector.
struct sse2 : scalar {
  /// The narrower set this one extends; operations it lacks fall back to it.
  using parent = scalar;
  /// The set's name as the compiler spells it, and as ADAPOOL_ARCH takes it.
  static constexpr const char* name = "sse2";
  /// True when this translation unit's compiler flags enable the set.
#if defined(__SSE2__) || defined(_M_X64)
  static constexpr bool enabled = true;
#else
  static constexpr bool enabled = false;
#endif
};

/// AVX2. The kernels use no FMA instruction, so `-mavx2` alone enables it (and
/// so does `-mavx512f` alone, which implies AVX2 but not the rest of AVX-512
/// that the avx512f kernels need): a partial set of flags gets the widest path
/// it can run, never a silent SSE2.
struct avx2 : sse2 {
  /// The narrower set this one extends; operations it lacks fall back to it.
  using parent = sse2;
  /// The set's name as the compiler spells it, and as ADAPOOL_ARCH takes it.
  static constexpr const char* name = "avx2";
  /// True when this translation unit's compiler flags enable the set.
#if defined(__AVX2__)
  static constexpr bool enabled = true;
#else
  static constexpr bool enabled = false;
#endif
};

/// AVX-512 F, BW, VL and DQ (Skylake-X and later, Zen 4 and later).
struct avx512f : avx2 {
  /// The narrower set this one extends; operations it lacks fall back to it.
  using parent = avx2;
  /// The set's name as the compiler spells it, and as ADAPOOL_ARCH takes it.
  static constexpr const char* name = "avx512f";
  /// True when this translation unit's compiler flags enable the set.
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
  static constexpr bool enabled = true;
#else
  static constexpr bool enabled = false;
#endif
};

/// AArch64 Advanced SIMD.
struct neon : scalar {
  /// The narrower set this one extends; operations it lacks fall back to it.
  using parent = scalar;
  /// The set's name as the compiler spells it, and as ADAPOOL_ARCH takes it.
  static constexpr const char* name = "neon";
  /// True when this translation unit's compiler flags enable the set.
#if defined(__aarch64__) && defined(__ARM_NEON)
  static constexpr bool enabled = true;
#else
  static constexpr bool enabled = false;
#endif
};

/// Not an instruction set but a choice made at run time: each call runs the
/// widest of sse2, avx2 and avx512f (x86-64, v3, v4) that the CPU has, from
/// copies of the kernels compiled into the same translation unit. The default
/// tag where the compiler flags leave the set open (see ADAPOOL_RUNTIME_DISPATCH
/// in target.hpp); dynamic_arch() says which set it picks, limit_dynamic_arch()
/// and the environment variable ADAPOOL_ARCH_LIMIT cap it.
struct dynamic {
  /// What the tag stands for.
  static constexpr const char* name = "dynamic";
  /// True when runtime dispatch is compiled in.
  static constexpr bool enabled = ADAPOOL_RUNTIME_DISPATCH != 0;
};

namespace detail {
template <bool UseFirst, class First, class Second>
struct pick {
  using type = First;
};
template <class First, class Second>
struct pick<false, First, Second> {
  using type = Second;
};
}  // namespace detail

/// The widest instruction set the compiler flags allow.
using best_arch = typename detail::pick<
    avx512f::enabled, avx512f,
    typename detail::pick<
        avx2::enabled, avx2,
        typename detail::pick<sse2::enabled, sse2,
                              typename detail::pick<neon::enabled, neon, scalar>::type>::type>::type>::type;

/// True when this CPU can run code built for `Arch` (checked at run time, so a
/// test binary built for AVX-512 can skip on a machine without it).
template <class Arch>
inline bool cpu_supports() {
  if constexpr (std::is_same_v<Arch, scalar> || std::is_same_v<Arch, neon> || std::is_same_v<Arch, dynamic>) {
    return Arch::enabled;
  } else {
    if constexpr (std::is_same_v<Arch, sse2>) return cpu_has(cpu_feature::sse2);
    if constexpr (std::is_same_v<Arch, avx2>) return cpu_has(cpu_feature::avx2);
    if constexpr (std::is_same_v<Arch, avx512f>) {
      return cpu_has(cpu_feature::avx512f) && cpu_has(cpu_feature::avx512bw) && cpu_has(cpu_feature::avx512vl) &&
             cpu_has(cpu_feature::avx512dq);
    }
    return false;
  }
}

namespace detail {
// The x86-64 level dynamic calls may use at most: 1 (sse2), 3 (avx2) or 4
// (avx512f), or -1 until ADAPOOL_ARCH_LIMIT is read. A variable, not a
// function, outside the per-target namespace: one per program.
inline std::atomic<int> dynamic_limit{-1};
}  // namespace detail

namespace detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {
// 1, 3 or 4 for "sse2", "avx2" and "avx512f"; 0 for another name.
inline int level_named(const char* name) {
  const std::string_view n = name;
  return n == "sse2" ? 1 : n == "avx2" ? 3 : n == "avx512f" ? 4 : 0;
}

// The x86-64 level of this CPU, as far as the copies runtime dispatch compiles
// need it: x86-64-v4 (AVX-512 F, BW, CD, DQ, VL on top of v3), x86-64-v3 (AVX2,
// FMA, BMI1/2, F16C, LZCNT, MOVBE) or the baseline.
inline int cpu_level() {
  static const int level = [] {
    const auto has = [](std::initializer_list<cpu_feature> features) {
      for (cpu_feature f : features)
        if (!cpu_has(f)) return false;
      return true;
    };
    const bool v3 = has({cpu_feature::avx2, cpu_feature::fma, cpu_feature::bmi, cpu_feature::bmi2, cpu_feature::f16c,
                         cpu_feature::lzcnt, cpu_feature::movbe});
    const bool v4 = v3 && has({cpu_feature::avx512f, cpu_feature::avx512bw, cpu_feature::avx512cd,
                               cpu_feature::avx512dq, cpu_feature::avx512vl});
    return v4 ? 4 : v3 ? 3 : 1;
  }();
  return level;
}
}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace detail

inline namespace ADAPOOL_TARGET_NAMESPACE {

/// The level a call with the `dynamic` tag runs now: 4, 3 or 1 for avx512f,
/// avx2 and sse2, the CPU's widest unless capped.
inline int dynamic_level() {
  int limit = detail::dynamic_limit.load(std::memory_order_relaxed);
  if (limit < 0) {
    const char* name = std::getenv("ADAPOOL_ARCH_LIMIT");
    const int named = name ? detail::level_named(name) : 0;
    detail::dynamic_limit.compare_exchange_strong(limit, named != 0 ? named : 4);
    limit = detail::dynamic_limit.load(std::memory_order_relaxed);
  }
  return std::min(detail::cpu_level(), limit);
}

/// The instruction set a call with the `dynamic` tag runs now: "avx512f",
/// "avx2" or "sse2".
inline const char* dynamic_arch() {
  const int level = dynamic_level();
  return level == 4 ? "avx512f" : level == 3 ? "avx2" : "sse2";
}

/// Caps the instruction set calls with the `dynamic` tag pick, for the whole
/// program: "sse2", "avx2" or "avx512f" (the CPU's widest set is still the most
/// they pick), or nullptr for no cap. Returns false, changing nothing, for
/// another name. The environment variable ADAPOOL_ARCH_LIMIT, read at the first
/// dynamic call, sets the cap the same way (an unknown name there is no cap).
/// Lets one test binary run every path its CPU supports.
inline bool limit_dynamic_arch(const char* name) {
  const int level = name ? detail::level_named(name) : 4;
  if (level == 0) return false;
  detail::dynamic_limit.store(level, std::memory_order_relaxed);
  return true;
}
}  // namespace ADAPOOL_TARGET_NAMESPACE

}  // namespace adapool::simd

namespace adapool {

#if defined(ADAPOOL_ARCH)
/// The instruction set every operation uses unless called with an explicit tag.
using default_arch = simd::ADAPOOL_ARCH;
#elif ADAPOOL_RUNTIME_DISPATCH
/// The instruction set every operation uses unless called with an explicit tag:
/// chosen at run time.
using default_arch = simd::dynamic;
#else
/// The instruction set every operation uses unless called with an explicit tag.
using default_arch = simd::best_arch;
#endif

static_assert(default_arch::enabled, "ADAPOOL_ARCH names an instruction set these compiler flags do not enable");

inline namespace ADAPOOL_TARGET_NAMESPACE {
/// Name of the instruction set operations called without a tag run
/// ("avx512f", "avx2", "sse2", "scalar", ...): with runtime dispatch, the one
/// chosen for this CPU. Keyed by target like the functions: files built with
/// different flags each see their own.
inline const char* active_arch() {
  if constexpr (std::is_same_v<default_arch, simd::dynamic>) {
    return simd::dynamic_arch();
  } else {
    return default_arch::name;
  }
}
}  // namespace ADAPOOL_TARGET_NAMESPACE

}  // namespace adapool
