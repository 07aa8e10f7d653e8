// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "target.hpp"
#if defined(ADAPOOL_SIMD_AVX512_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_SIMD_AVX512_HPP)
#undef ADAPOOL_SIMD_AVX512_HPP
#else
#define ADAPOOL_SIMD_AVX512_HPP
#endif

#include "avx2.hpp"
#include "compiler.hpp"

#if ADAPOOL_TARGET_AVX512
#include <immintrin.h>

// GCC 12 reports its own AVX-512 intrinsics as reading an uninitialised value
// (the `__Y = __Y` idiom in avx512fintrin.h, GCC bug 105593) once they inline here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace adapool::simd {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

template <>
struct ops<float, avx512f> {
  using vector = __m512;
  using mask = __mmask16;
  static constexpr int lanes = 16;
  static constexpr int vector_registers = 32;

  static vector load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, vector v) { _mm512_storeu_ps(p, v); }
  static void store_positions(std::int64_t* p, vector v) {
    const __m512i i32 = _mm512_cvttps_epi32(v);
    _mm512_storeu_si512(p, _mm512_cvtepu32_epi64(_mm512_castsi512_si256(i32)));
    _mm512_storeu_si512(p + 8, _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(i32, 1)));
  }
  static vector broadcast(float x) { return _mm512_set1_ps(x); }
  static vector zero() { return _mm512_setzero_ps(); }
  static vector iota() { return _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15); }

  static vector add(vector a, vector b) { return _mm512_add_ps(a, b); }
  static vector mul(vector a, vector b) { return _mm512_mul_ps(a, b); }
  static vector div(vector a, vector b) { return _mm512_div_ps(a, b); }
  static vector sqrt(vector a) { return _mm512_sqrt_ps(a); }
  static mask greater_or_nan(vector v, vector current) {
    return static_cast<mask>(_mm512_cmp_ps_mask(v, current, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q));
  }
  static vector select(mask m, vector if_true, vector if_false) { return _mm512_mask_blend_ps(m, if_false, if_true); }
  static mask greater(vector v, vector current) { return _mm512_cmp_ps_mask(v, current, _CMP_GT_OQ); }

  // A fixed halving order (not _mm512_reduce_add_ps, whose order is the compiler's choice),
  // the same as the AVX2 one, so widths differ only in the partial sums they keep.
  static float reduce_add(vector v) {
    const __m256 halves = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    return ops<float, sse2>::reduce_add(_mm_add_ps(_mm256_castps256_ps128(halves), _mm256_extractf128_ps(halves, 1)));
  }
  static vector sum_each(const vector* v) {
    // Fold each vector to 256 bits, then the AVX2 scheme on each group of eight.
    __m256 half[16];
    ADAPOOL_UNROLL(16)
    for (int k = 0; k < 16; ++k) half[k] = _mm256_add_ps(_mm512_castps512_ps256(v[k]), _mm512_extractf32x8_ps(v[k], 1));
    using eight = ops<float, avx2>;
    return _mm512_insertf32x8(_mm512_castps256_ps512(eight::sum_each(half)), eight::sum_each(half + 8), 1);
  }
  // As AVX2 within 128-bit blocks; then the blocks move across in two rounds.
  static void transpose(vector* v) {
    __m512 pair[16], quad[16];
    ADAPOOL_UNROLL(8)
    for (int k = 0; k < 16; k += 2) {
      pair[k] = _mm512_unpacklo_ps(v[k], v[k + 1]);
      pair[k + 1] = _mm512_unpackhi_ps(v[k], v[k + 1]);
    }
    ADAPOOL_UNROLL(4)
    for (int k = 0; k < 16; k += 4) {
      quad[k] = _mm512_shuffle_ps(pair[k], pair[k + 2], 0x44);
      quad[k + 1] = _mm512_shuffle_ps(pair[k], pair[k + 2], 0xee);
      quad[k + 2] = _mm512_shuffle_ps(pair[k + 1], pair[k + 3], 0x44);
      quad[k + 3] = _mm512_shuffle_ps(pair[k + 1], pair[k + 3], 0xee);
    }
    // Block b of quad[4 * i + j] holds element 4 * b + j of rows 4 * i .. 4 * i + 3.
    ADAPOOL_UNROLL(4)
    for (int j = 0; j < 4; ++j) {
      const __m512 even01 = _mm512_shuffle_f32x4(quad[j], quad[4 + j], 0x88);
      const __m512 odd01 = _mm512_shuffle_f32x4(quad[j], quad[4 + j], 0xdd);
      const __m512 even23 = _mm512_shuffle_f32x4(quad[8 + j], quad[12 + j], 0x88);
      const __m512 odd23 = _mm512_shuffle_f32x4(quad[8 + j], quad[12 + j], 0xdd);
      v[j] = _mm512_shuffle_f32x4(even01, even23, 0x88);
      v[4 + j] = _mm512_shuffle_f32x4(odd01, odd23, 0x88);
      v[8 + j] = _mm512_shuffle_f32x4(even01, even23, 0xdd);
      v[12 + j] = _mm512_shuffle_f32x4(odd01, odd23, 0xdd);
    }
  }
  static vector load_partial(const float* p, int n) {
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1u), p);
  }
  using index = __m512i;
  static constexpr bool fast_pick = true;
  static index pick_index(const std::int32_t* positions) { return _mm512_loadu_si512(positions); }
  static vector pick(vector lo, vector hi, index i) { return _mm512_permutex2var_ps(lo, i, hi); }

  static vector max(vector a, vector b) { return _mm512_max_ps(a, b); }
  // vmaxps returns its second operand unless the first is greater, NaN and zeros included.
  static constexpr bool max_keeps_current = true;
  static mask is_nan(vector v) { return _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q); }
  static mask mask_or(mask a, mask b) { return static_cast<mask>(a | b); }
  static bool any(mask m) { return m != 0; }
  static float reduce_max(vector v) {
    const __m256 halves = _mm256_max_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    return ops<float, sse2>::reduce_max(_mm_max_ps(_mm256_castps256_ps128(halves), _mm256_extractf128_ps(halves, 1)));
  }
  static unsigned equal_bits(vector v, float x) { return _mm512_cmp_ps_mask(v, _mm512_set1_ps(x), _CMP_EQ_OQ); }

  static vector widen_halves(__m256i h) {
    vector v = _mm512_cvtph_ps(h);
    ADAPOOL_OPAQUE(v);
    return v;
  }
  // AVX2's conversions, 8 elements at a time.
  static void widen(const float16* p, std::int64_t n, float* out) { ops<float, avx2>::widen(p, n, out); }
  static void widen(const bfloat16* p, std::int64_t n, float* out) { ops<float, avx2>::widen(p, n, out); }
  static vector load_widened(const float16* p) {
    return widen_halves(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static vector load_widened(const bfloat16* p) {
    return widen_bfloat16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  // Masked lanes are not read, so the loads cannot fault past p + n.
  static vector load_widened_partial(const float16* p, int n) {
    return widen_halves(_mm256_maskz_loadu_epi16(static_cast<__mmask16>((1u << n) - 1u), p));
  }
  static vector load_widened_partial(const bfloat16* p, int n) {
    return widen_bfloat16(_mm256_maskz_loadu_epi16(static_cast<__mmask16>((1u << n) - 1u), p));
  }
  static void store_narrowed(float16* p, vector v) {
    // The masked form: GCC's unmasked macro passes its all-lanes mask as -1, which -Wsign-conversion reports.
    const __m256i h = _mm512_maskz_cvtps_ph(static_cast<__mmask16>(0xffff), v, _MM_FROUND_TO_NEAREST_INT);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), h);
  }
  // bfloat16's rounding (element_types.hpp) by AVX2's, on each half: a copy
  // at 512 bits would save a few instructions per 16 outputs.
  static void store_narrowed(bfloat16* p, vector v) {
    ops<float, avx2>::store_narrowed(p, _mm512_castps512_ps256(v));
    ops<float, avx2>::store_narrowed(p + 8, _mm512_extractf32x8_ps(v, 1));
  }
  static void widen_to_double(vector v, __m512d* out) {
    out[0] = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
    out[1] = _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1));
  }

 private:
  static vector widen_bfloat16(__m256i h) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
};

template <>
struct ops<double, avx512f> {
  using vector = __m512d;
  using mask = __mmask8;
  static constexpr int lanes = 8;
  static constexpr int vector_registers = 32;

  static vector load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, vector v) { _mm512_storeu_pd(p, v); }
  static void store_positions(std::int64_t* p, vector v) { _mm512_storeu_si512(p, _mm512_cvttpd_epi64(v)); }
  static vector broadcast(double x) { return _mm512_set1_pd(x); }
  static vector zero() { return _mm512_setzero_pd(); }
  static vector iota() { return _mm512_setr_pd(0, 1, 2, 3, 4, 5, 6, 7); }

  static vector add(vector a, vector b) { return _mm512_add_pd(a, b); }
  static vector mul(vector a, vector b) { return _mm512_mul_pd(a, b); }
  static vector div(vector a, vector b) { return _mm512_div_pd(a, b); }
  static vector sqrt(vector a) { return _mm512_sqrt_pd(a); }
  static mask greater_or_nan(vector v, vector current) {
    return static_cast<mask>(_mm512_cmp_pd_mask(v, current, _CMP_GT_OQ) | _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q));
  }
  static vector select(mask m, vector if_true, vector if_false) { return _mm512_mask_blend_pd(m, if_false, if_true); }
  static mask greater(vector v, vector current) { return _mm512_cmp_pd_mask(v, current, _CMP_GT_OQ); }

  static double reduce_add(vector v) {
    const __m256d halves = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    return ops<double, sse2>::reduce_add(_mm_add_pd(_mm256_castpd256_pd128(halves), _mm256_extractf128_pd(halves, 1)));
  }
  static vector sum_each(const vector* v) {
    // Fold each vector to 256 bits, then the AVX2 scheme on each group of four.
    __m256d half[8];
    ADAPOOL_UNROLL(8)
    for (int k = 0; k < 8; ++k) half[k] = _mm256_add_pd(_mm512_castpd512_pd256(v[k]), _mm512_extractf64x4_pd(v[k], 1));
    using four = ops<double, avx2>;
    return _mm512_insertf64x4(_mm512_castpd256_pd512(four::sum_each(half)), four::sum_each(half + 4), 1);
  }
  static void transpose(vector* v) {
    __m512d pair[8];
    ADAPOOL_UNROLL(4)
    for (int k = 0; k < 8; k += 2) {
      pair[k] = _mm512_unpacklo_pd(v[k], v[k + 1]);
      pair[k + 1] = _mm512_unpackhi_pd(v[k], v[k + 1]);
    }
    // Block b of pair[2 * i + j] holds element 2 * b + j of rows 2 * i and 2 * i + 1.
    ADAPOOL_UNROLL(2)
    for (int j = 0; j < 2; ++j) {
      const __m512d even01 = _mm512_shuffle_f64x2(pair[j], pair[2 + j], 0x88);
      const __m512d odd01 = _mm512_shuffle_f64x2(pair[j], pair[2 + j], 0xdd);
      const __m512d even23 = _mm512_shuffle_f64x2(pair[4 + j], pair[6 + j], 0x88);
      const __m512d odd23 = _mm512_shuffle_f64x2(pair[4 + j], pair[6 + j], 0xdd);
      v[j] = _mm512_shuffle_f64x2(even01, even23, 0x88);
      v[2 + j] = _mm512_shuffle_f64x2(odd01, odd23, 0x88);
      v[4 + j] = _mm512_shuffle_f64x2(even01, even23, 0xdd);
      v[6 + j] = _mm512_shuffle_f64x2(odd01, odd23, 0xdd);
    }
  }
  static vector load_partial(const double* p, int n) {
    return _mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << n) - 1u), p);
  }
  using index = __m512i;
  static constexpr bool fast_pick = true;
  static index pick_index(const std::int32_t* positions) {
    return _mm512_cvtepi32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(positions)));
  }
  static vector pick(vector lo, vector hi, index i) { return _mm512_permutex2var_pd(lo, i, hi); }

  static vector max(vector a, vector b) { return _mm512_max_pd(a, b); }
  // vmaxpd returns its second operand unless the first is greater, NaN and zeros included.
  static constexpr bool max_keeps_current = true;
  static mask is_nan(vector v) { return _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q); }
  static mask mask_or(mask a, mask b) { return static_cast<mask>(a | b); }
  static bool any(mask m) { return m != 0; }
  static double reduce_max(vector v) {
    const __m256d halves = _mm256_max_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    return ops<double, sse2>::reduce_max(_mm_max_pd(_mm256_castpd256_pd128(halves), _mm256_extractf128_pd(halves, 1)));
  }
  static unsigned equal_bits(vector v, double x) { return _mm512_cmp_pd_mask(v, _mm512_set1_pd(x), _CMP_EQ_OQ); }
};

template <>
struct index_ops<avx512f> {
  // AVX-512 compares unsigned 64-bit lanes into a mask; two mask accumulators.
  static bool all_below(const std::int64_t* p, std::int64_t n, std::int64_t bound) {
    const __m512i b = _mm512_set1_epi64(bound);
    __mmask8 below0 = 0xFF, below1 = 0xFF;
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      below0 &= _mm512_cmplt_epu64_mask(_mm512_loadu_si512(p + i), b);
      below1 &= _mm512_cmplt_epu64_mask(_mm512_loadu_si512(p + i + 8), b);
    }
    return (below0 & below1) == 0xFF && index_ops<avx2>::all_below(p + i, n - i, bound);
  }
};

template <>
struct byte_ops<avx512f> {
  // The SSE2 form on 64 bytes at a time, the last < 64 by a masked load. Its
  // zeroed lanes flip to 128 like the rest, so 128 comes off every lane read.
  template <class Byte>
  static std::int64_t sum(const Byte* p, std::int64_t n) {
    const __m512i flip = _mm512_set1_epi8(std::is_signed_v<Byte> ? static_cast<char>(-128) : char{0});
    const __m512i zero = _mm512_setzero_si512();
    __m512i total = zero;
    std::int64_t i = 0;
    for (; i + 64 <= n; i += 64)
      total = _mm512_add_epi64(total, _mm512_sad_epu8(_mm512_xor_si512(_mm512_loadu_si512(p + i), flip), zero));
    if (i < n) {
      const __mmask64 rest = ~std::uint64_t{0} >> (64 - (n - i));
      const __m512i x = _mm512_xor_si512(_mm512_maskz_loadu_epi8(rest, p + i), flip);
      total = _mm512_add_epi64(total, _mm512_sad_epu8(x, zero));
      i += 64;
    }
    const __m256i half = _mm256_add_epi64(_mm512_castsi512_si256(total), _mm512_extracti64x4_epi64(total, 1));
    const __m128i quarter = _mm_add_epi64(_mm256_castsi256_si128(half), _mm256_extracti128_si256(half, 1));
    return byte_ops<sse2>::sum_of_lanes(quarter) - (std::is_signed_v<Byte> ? 128 * i : 0);
  }
  // Each plane read by one masked load (its zeroed lanes flip to 128 too: 128
  // comes off each of the 64), eight planes' lane sums added in a tree that
  // leaves plane j's sum in lane j.
  template <class Byte>
  static void sum_small_planes(const Byte* p, std::int64_t stride, std::int64_t size, std::int64_t count,
                               double* sums) {
    const __mmask64 in_plane = ~std::uint64_t{0} >> (64 - size);
    const __m512d bias = _mm512_set1_pd(std::is_signed_v<Byte> ? 128.0 * 64 : 0.0);
    for (std::int64_t k = 0; k < count; k += 8) {
      const Byte* first = p + k * stride;
      const std::int64_t last = count - k >= 8 ? 7 : count - k - 1;  // past it: the last again, not stored
      const auto plane = [&](std::int64_t j) { return first + (j < last ? j : last) * stride; };
      const __m512i all = join(join(pair(lane_sums(plane(0), in_plane), lane_sums(plane(1), in_plane)),
                                    pair(lane_sums(plane(2), in_plane), lane_sums(plane(3), in_plane))),
                               join(pair(lane_sums(plane(4), in_plane), lane_sums(plane(5), in_plane)),
                                    pair(lane_sums(plane(6), in_plane), lane_sums(plane(7), in_plane))));
      const auto in_count = static_cast<__mmask8>(count - k >= 8 ? 0xFF : 0xFF >> (8 - (count - k)));
      _mm512_mask_storeu_pd(sums + k, in_count, _mm512_sub_pd(_mm512_cvtepi64_pd(all), bias));
    }
  }

 private:
  template <class Byte>
  static __m512i lane_sums(const Byte* q, __mmask64 in_plane) {
    const __m512i flip = _mm512_set1_epi8(std::is_signed_v<Byte> ? static_cast<char>(-128) : char{0});
    return _mm512_sad_epu8(_mm512_xor_si512(_mm512_maskz_loadu_epi8(in_plane, q), flip), _mm512_setzero_si512());
  }
  // 128-bit lane i: (a's lane i summed, b's lane i summed).
  static __m512i pair(__m512i a, __m512i b) {
    return _mm512_add_epi64(_mm512_unpacklo_epi64(a, b), _mm512_unpackhi_epi64(a, b));
  }
  // 128-bit lanes (a0 + a1, a2 + a3, b0 + b1, b2 + b3).
  static __m512i join(__m512i a, __m512i b) {
    return _mm512_add_epi64(_mm512_shuffle_i64x2(a, b, 0x88), _mm512_shuffle_i64x2(a, b, 0xDD));
  }
};

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::simd

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

#endif
