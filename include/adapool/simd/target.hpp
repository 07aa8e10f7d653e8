// SPDX-License-Identifier: MIT
#pragma once

// Every adapool function is defined inside an inline namespace named after the
// instruction sets this translation unit is compiled for, so that files built
// with different flags can be linked into one program. Without it, an inline
// function or template instantiated in a file built with -march=x86-64-v4 and
// in one built with no flags is one weak symbol, and the linker keeps either
// copy: the baseline file could end up running AVX-512 code on a CPU without
// it. With it, the two copies have different names. Highway keys its code by
// target the same way.
//
// The key follows the levels a kept copy could need beyond what its caller's
// CPU has (x86-64 v1, v2, AVX, AVX2 = v3, AVX-512 = v4; F16C is keyed where a
// CPU may lack it). Types users name (tensor_view, tensor, error, float16,
// the layouts and ISA tags) stay outside it, so a function of yours that takes
// a tensor_view has one name whatever flags each of your files uses. Define
// ADAPOOL_TARGET_NAMESPACE yourself to key further (for example per -march), and
// ADAPOOL_TARGET_COPY_V3 and _V4 for the copies run-time dispatch adds.

#if !defined(ADAPOOL_TARGET_NAMESPACE)
#if defined(__AVX512F__)
#define ADAPOOL_TARGET_NAMESPACE target_x86_64_v4
#elif defined(__AVX2__)
#define ADAPOOL_TARGET_NAMESPACE target_x86_64_v3
#elif defined(__AVX__) && defined(__F16C__)
#define ADAPOOL_TARGET_NAMESPACE target_x86_64_avx_f16c
#elif defined(__AVX__)
#define ADAPOOL_TARGET_NAMESPACE target_x86_64_avx
#elif defined(__SSE4_2__)
#define ADAPOOL_TARGET_NAMESPACE target_x86_64_v2
#elif defined(__x86_64__) || defined(_M_X64)
#define ADAPOOL_TARGET_NAMESPACE target_x86_64_v1
#elif defined(__aarch64__) || defined(_M_ARM64)
#define ADAPOOL_TARGET_NAMESPACE target_aarch64
#else
#define ADAPOOL_TARGET_NAMESPACE target_generic
#endif
#endif

// Runtime dispatch. Where the flags leave the instruction set open (no AVX2:
// the x86-64 baseline, or v2), GCC and Clang compile the kernels twice more in
// the same translation unit, for x86-64-v3 and x86-64-v4, and the default tag
// simd::dynamic picks the widest copy the CPU runs (detail/runtime_dispatch.hpp).
// Define ADAPOOL_RUNTIME_DISPATCH=0 to keep the kernels the flags describe only;
// -DADAPOOL_ARCH=<tag> turns it off too.
#if !defined(ADAPOOL_RUNTIME_DISPATCH)
#if (defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))) && !defined(__AVX2__) && \
    !defined(ADAPOOL_ARCH) && !defined(ADAPOOL_NO_COMPILER_BUILTINS)
#define ADAPOOL_RUNTIME_DISPATCH 1
#else
#define ADAPOOL_RUNTIME_DISPATCH 0
#endif
#endif

// What the copy being compiled may use. For the copy the flags describe, the
// flags decide; runtime_dispatch.hpp redefines these for each copy it adds,
// makes ADAPOOL_TARGET_INLINE empty there (so `detail::x` keeps naming the
// first copy) and toggles ADAPOOL_TARGET_TOGGLE, which the headers compiled
// once per copy use as their include guard.
#if !defined(ADAPOOL_TARGET_INLINE)
#define ADAPOOL_TARGET_INLINE inline
#if defined(__AVX2__)
#define ADAPOOL_TARGET_AVX2 1
#else
#define ADAPOOL_TARGET_AVX2 0
#endif
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#define ADAPOOL_TARGET_AVX512 1
#else
#define ADAPOOL_TARGET_AVX512 0
#endif
#if defined(__F16C__)
#define ADAPOOL_TARGET_F16C 1
#else
#define ADAPOOL_TARGET_F16C 0
#endif
#endif
