// SPDX-License-Identifier: MIT
#pragma once

// Runtime dispatch: one translation unit built for the x86-64 baseline holds
// the kernels three times, for the baseline (SSE2), x86-64-v3 (AVX2) and
// x86-64-v4 (AVX-512), and a call with the simd::dynamic tag runs the widest
// copy the CPU has. Highway's foreach_target works the same way.
//
// How: dispatch.hpp and every header below it are compiled once more per
// level, between pragmas that set the target of every function they define
// (GCC's `target`, Clang's `attribute push`), with ADAPOOL_TARGET_NAMESPACE
// naming the level. Those headers are guarded by ADAPOOL_TARGET_TOGGLE, which
// flips before each copy, instead of #pragma once. A copy's namespace is not
// inline, so `detail::x` still names the baseline copy; inside it, `simd`
// names the copy's own SIMD operations. Headers outside that set (views,
// errors, threads, formatting) are compiled once and shared: they hold no
// instruction-set code.
//
// The copies are named by level (target_x86_64_v3, target_x86_64_v4) like the
// code a file built with -march=x86-64-v3 or -v4 compiles, and built for
// exactly those levels, so the linker may keep either.

#include "../simd/target.hpp"

#if ADAPOOL_RUNTIME_DISPATCH

// Every intrinsic, declared outside the target regions.
#include <immintrin.h>

#include "../simd/arch.hpp"

// Within the copies, no call is dynamic; the real body follows them.
#define ADAPOOL_RUN_ON_CPU(operation, ...)

// Define these yourself to key the copies further, as ADAPOOL_TARGET_NAMESPACE
// keys the baseline one (for example when two versions of adapool meet).
#if !defined(ADAPOOL_TARGET_COPY_V3)
#define ADAPOOL_TARGET_COPY_V3 target_x86_64_v3
#endif
#if !defined(ADAPOOL_TARGET_COPY_V4)
#define ADAPOOL_TARGET_COPY_V4 target_x86_64_v4
#endif

#if defined(__clang__)
#define ADAPOOL_BEGIN_TARGET(name) \
  ADAPOOL_PRAGMA(clang attribute push(__attribute__((target(name))), apply_to = function))
#define ADAPOOL_END_TARGET ADAPOOL_PRAGMA(clang attribute pop)
#else
#define ADAPOOL_BEGIN_TARGET(name) ADAPOOL_PRAGMA(GCC push_options) ADAPOOL_PRAGMA(GCC target(name))
#define ADAPOOL_END_TARGET ADAPOOL_PRAGMA(GCC pop_options)
#endif

#pragma push_macro("ADAPOOL_TARGET_NAMESPACE")
#pragma push_macro("ADAPOOL_TARGET_INLINE")
#pragma push_macro("ADAPOOL_TARGET_AVX2")
#pragma push_macro("ADAPOOL_TARGET_AVX512")
#pragma push_macro("ADAPOOL_TARGET_F16C")
#undef ADAPOOL_TARGET_NAMESPACE
#undef ADAPOOL_TARGET_INLINE
#undef ADAPOOL_TARGET_AVX2
#undef ADAPOOL_TARGET_AVX512
#undef ADAPOOL_TARGET_F16C
#define ADAPOOL_TARGET_INLINE
#define ADAPOOL_TARGET_AVX2 1
#define ADAPOOL_TARGET_F16C 1

// x86-64-v3: AVX2, FMA, F16C.
#define ADAPOOL_TARGET_TOGGLE
#define ADAPOOL_TARGET_NAMESPACE ADAPOOL_TARGET_COPY_V3
#define ADAPOOL_TARGET_AVX512 0
namespace adapool::simd::ADAPOOL_TARGET_COPY_V3 {
using namespace ::adapool::simd;
}
namespace adapool::detail::ADAPOOL_TARGET_COPY_V3 {
namespace simd = ::adapool::simd::ADAPOOL_TARGET_COPY_V3;
}
ADAPOOL_BEGIN_TARGET("arch=x86-64-v3")
#include "dispatch.hpp"
ADAPOOL_END_TARGET

// x86-64-v4: AVX-512 F, BW, CD, DQ, VL.
#undef ADAPOOL_TARGET_TOGGLE
#undef ADAPOOL_TARGET_NAMESPACE
#undef ADAPOOL_TARGET_AVX512
#define ADAPOOL_TARGET_NAMESPACE ADAPOOL_TARGET_COPY_V4
#define ADAPOOL_TARGET_AVX512 1
namespace adapool::simd::ADAPOOL_TARGET_COPY_V4 {
using namespace ::adapool::simd;
}
namespace adapool::detail::ADAPOOL_TARGET_COPY_V4 {
namespace simd = ::adapool::simd::ADAPOOL_TARGET_COPY_V4;
}
ADAPOOL_BEGIN_TARGET("arch=x86-64-v4")
#include "dispatch.hpp"
ADAPOOL_END_TARGET

#pragma pop_macro("ADAPOOL_TARGET_NAMESPACE")
#pragma pop_macro("ADAPOOL_TARGET_INLINE")
#pragma pop_macro("ADAPOOL_TARGET_AVX2")
#pragma pop_macro("ADAPOOL_TARGET_AVX512")
#pragma pop_macro("ADAPOOL_TARGET_F16C")

#undef ADAPOOL_RUN_ON_CPU
// The body of an operation called with simd::dynamic: the same operation in
// the copy for this CPU, with that copy's tag.
#define ADAPOOL_RUN_ON_CPU(operation, ...)                                             \
  switch (::adapool::simd::dynamic_level()) {                                          \
    case 4:                                                                            \
      return ADAPOOL_TARGET_COPY_V4::operation<::adapool::simd::avx512f>(__VA_ARGS__); \
    case 3:                                                                            \
      return ADAPOOL_TARGET_COPY_V3::operation<::adapool::simd::avx2>(__VA_ARGS__);    \
    default:                                                                           \
      return operation<::adapool::simd::sse2>(__VA_ARGS__);                            \
  }

#else
#define ADAPOOL_RUN_ON_CPU(operation, ...)
#endif
