// SPDX-License-Identifier: MIT
#pragma once

// Instruction sets as empty tag types. A tag derives from the narrower one it
// extends, so an operation an ISA does not specialise falls back to its parent.
// `default_arch` is the widest ISA this translation unit is compiled for, unless
// the user picks one with -DADAPOOL_ARCH=<tag> (scalar, sse2, avx2, avx512f, neon).

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
  if constexpr (std::is_same_v<Arch, scalar> || std::is_same_v<Arch, neon>) {
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

}  // namespace adapool::simd

namespace adapool {

#if defined(ADAPOOL_ARCH)
/// The instruction set every operation uses unless called with an explicit tag.
using default_arch = simd::ADAPOOL_ARCH;
#else
/// The instruction set every operation uses unless called with an explicit tag.
using default_arch = simd::best_arch;
#endif

static_assert(default_arch::enabled, "ADAPOOL_ARCH names an instruction set these compiler flags do not enable");

inline namespace ADAPOOL_TARGET_NAMESPACE {
/// Name of the instruction set operations use by default ("avx512f", "scalar", ...).
/// Keyed by target like the functions: files built with different flags each
/// see their own.
inline constexpr const char* active_arch_name = default_arch::name;
}  // namespace ADAPOOL_TARGET_NAMESPACE

}  // namespace adapool
