// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "target.hpp"
#if defined(ADAPOOL_SIMD_AVX2_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_SIMD_AVX2_HPP)
#undef ADAPOOL_SIMD_AVX2_HPP
#else
#define ADAPOOL_SIMD_AVX2_HPP
#endif

#include <cstddef>

#include "compiler.hpp"
#include "sse2.hpp"

#if ADAPOOL_TARGET_AVX2
#include <immintrin.h>

namespace adapool::simd {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

template <>
struct ops<float, avx2> {
  using vector = __m256;
  // Two compares in greater_or_nan: a single unordered predicate would also
  // let a number replace a NaN max.
#if ADAPOOL_TARGET_AVX512
  // AVX-512VL compares into mask registers, which blends read directly.
  using mask = __mmask8;
  static mask greater_or_nan(vector v, vector current) {
    return static_cast<mask>(_mm256_cmp_ps_mask(v, current, _CMP_GT_OQ) | _mm256_cmp_ps_mask(v, v, _CMP_UNORD_Q));
  }
  static vector select(mask m, vector if_true, vector if_false) { return _mm256_mask_blend_ps(m, if_false, if_true); }
  static mask greater(vector v, vector current) { return _mm256_cmp_ps_mask(v, current, _CMP_GT_OQ); }
  static mask is_nan(vector v) { return _mm256_cmp_ps_mask(v, v, _CMP_UNORD_Q); }
  static mask mask_or(mask a, mask b) { return static_cast<mask>(a | b); }
  static bool any(mask m) { return m != 0; }
#else
  using mask = __m256;
  static mask greater_or_nan(vector v, vector current) {
    return _mm256_or_ps(_mm256_cmp_ps(v, current, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  static vector select(mask m, vector if_true, vector if_false) { return _mm256_blendv_ps(if_false, if_true, m); }
  static mask greater(vector v, vector current) { return _mm256_cmp_ps(v, current, _CMP_GT_OQ); }
  static mask is_nan(vector v) {
    mask m = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
    ADAPOOL_OPAQUE(m);
    return m;
  }
  static mask mask_or(mask a, mask b) { return _mm256_or_ps(a, b); }
  static bool any(mask m) { return _mm256_movemask_ps(m) != 0; }
#endif
  static constexpr int lanes = 8;
  static constexpr int vector_registers = 16;

  static vector load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, vector v) { _mm256_storeu_ps(p, v); }
  static void store_positions(std::int64_t* p, vector v) {
#if ADAPOOL_TARGET_AVX512
    _mm512_storeu_si512(p, _mm512_cvttps_epi64(v));
#else
    const __m256i i32 = _mm256_cvttps_epi32(v);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm256_cvtepu32_epi64(_mm256_castsi256_si128(i32)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p + 4), _mm256_cvtepu32_epi64(_mm256_extracti128_si256(i32, 1)));
#endif
  }
  static vector broadcast(float x) { return _mm256_set1_ps(x); }
  static vector zero() { return _mm256_setzero_ps(); }
  static vector iota() { return _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7); }

  static vector add(vector a, vector b) { return _mm256_add_ps(a, b); }
  static vector mul(vector a, vector b) { return _mm256_mul_ps(a, b); }
  static vector div(vector a, vector b) { return _mm256_div_ps(a, b); }
  static vector sqrt(vector a) { return _mm256_sqrt_ps(a); }

  static float reduce_add(vector v) {
    return ops<float, sse2>::reduce_add(_mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1)));
  }
  static vector sum_each(const vector* v) {
    // Three rounds of horizontal adds leave each 128-bit half with four sums;
    // the halves then add across.
    const __m256 a = _mm256_hadd_ps(_mm256_hadd_ps(v[0], v[1]), _mm256_hadd_ps(v[2], v[3]));
    const __m256 b = _mm256_hadd_ps(_mm256_hadd_ps(v[4], v[5]), _mm256_hadd_ps(v[6], v[7]));
    return _mm256_add_ps(_mm256_permute2f128_ps(a, b, 0x20), _mm256_permute2f128_ps(a, b, 0x31));
  }
  // Pairs within 128-bit halves, then quadruples, then the halves swap across.
  static void transpose(vector* v) {
    __m256 pair[8], quad[8];
    ADAPOOL_UNROLL(4)
    for (int k = 0; k < 8; k += 2) {
      pair[k] = _mm256_unpacklo_ps(v[k], v[k + 1]);
      pair[k + 1] = _mm256_unpackhi_ps(v[k], v[k + 1]);
    }
    ADAPOOL_UNROLL(2)
    for (int k = 0; k < 8; k += 4) {
      quad[k] = _mm256_shuffle_ps(pair[k], pair[k + 2], 0x44);
      quad[k + 1] = _mm256_shuffle_ps(pair[k], pair[k + 2], 0xee);
      quad[k + 2] = _mm256_shuffle_ps(pair[k + 1], pair[k + 3], 0x44);
      quad[k + 3] = _mm256_shuffle_ps(pair[k + 1], pair[k + 3], 0xee);
    }
    ADAPOOL_UNROLL(4)
    for (int k = 0; k < 4; ++k) {
      v[k] = _mm256_permute2f128_ps(quad[k], quad[k + 4], 0x20);
      v[k + 4] = _mm256_permute2f128_ps(quad[k], quad[k + 4], 0x31);
    }
  }
  // Masked lanes are not read, so the load cannot fault past p + n.
  static vector load_partial(const float* p, int n) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane));
  }
  static constexpr bool fast_pick = true;
#if ADAPOOL_TARGET_AVX512
  // AVX-512VL permutes across two vectors in one instruction.
  using index = __m256i;
  static index pick_index(const std::int32_t* positions) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(positions));
  }
  static vector pick(vector lo, vector hi, index i) { return _mm256_permutex2var_ps(lo, i, hi); }
#else
  // The permutation takes the low three bits of a position; bit 3 (moved to
  // the sign, which blendv reads) chooses between lo and hi.
  struct index {
    __m256i within;
    __m256 from_hi;
  };
  static index pick_index(const std::int32_t* positions) {
    const __m256i at = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(positions));
    return {at, _mm256_castsi256_ps(_mm256_slli_epi32(at, 28))};
  }
  static vector pick(vector lo, vector hi, index i) {
    return _mm256_blendv_ps(_mm256_permutevar8x32_ps(lo, i.within), _mm256_permutevar8x32_ps(hi, i.within), i.from_hi);
  }
#endif

  static vector max(vector a, vector b) { return _mm256_max_ps(a, b); }
  // vmaxps returns its second operand unless the first is greater, NaN and zeros included.
  static constexpr bool max_keeps_current = true;
  static float reduce_max(vector v) {
    return ops<float, sse2>::reduce_max(_mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1)));
  }
  static unsigned equal_bits(vector v, float x) {
    return static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_set1_ps(x), _CMP_EQ_OQ)));
  }

  // F16C where the build enables it (-mavx2 alone does not); a bfloat16 is the top half of a float.
#if ADAPOOL_TARGET_F16C
  static vector widen_halves(__m128i h) {
    vector v = _mm256_cvtph_ps(h);
    ADAPOOL_OPAQUE(v);
    return v;
  }
#endif
  static void widen(const float16* p, std::int64_t n, float* out) {
    std::int64_t i = 0;
#if ADAPOOL_TARGET_F16C
    for (; i + 8 <= n; i += 8)
      _mm256_storeu_ps(out + i, widen_halves(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i))));
#endif
    ops<float, sse2>::widen(p + i, n - i, out + i);
  }
  static void widen(const bfloat16* p, std::int64_t n, float* out) {
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      _mm256_storeu_ps(out + i, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)));
    }
    ops<float, sse2>::widen(p + i, n - i, out + i);
  }
  static vector load_widened(const float16* p) {
#if ADAPOOL_TARGET_F16C
    return widen_halves(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
#else
    return load_widened_through_array<ops>(p, lanes);
#endif
  }
  static vector load_widened(const bfloat16* p) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  // AVX2 masks 32-bit lanes only: pairs of elements by mask, an odd last one
  // inserted. Masked lanes are not read, so the load cannot fault past p + n.
  static vector load_widened_partial(const float16* p, int n) {
#if ADAPOOL_TARGET_F16C
    return widen_halves(partial_halves(p, n, n % 2 != 0 ? p[n - 1].bits : 0));
#else
    return load_widened_through_array<ops>(p, n);
#endif
  }
  static vector load_widened_partial(const bfloat16* p, int n) {
    const __m128i h = partial_halves(p, n, n % 2 != 0 ? p[n - 1].bits : 0);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  static void store_narrowed(float16* p, vector v) {
#if ADAPOOL_TARGET_F16C
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
#else
    store_narrowed_through_array<ops>(p, v);
#endif
  }
  // bfloat16's rounding in integer lanes, packed within each 128-bit lane,
  // then the two lanes' low quarters joined.
  static void store_narrowed(bfloat16* p, vector v) {
    const __m256i x = _mm256_castps_si256(v);
    const __m256i odd = _mm256_and_si256(_mm256_srli_epi32(x, 16), _mm256_set1_epi32(1));
    const __m256i rounded =
        _mm256_srli_epi32(_mm256_add_epi32(x, _mm256_add_epi32(_mm256_set1_epi32(0x7fff), odd)), 16);
    const __m256i quiet = _mm256_or_si256(_mm256_srli_epi32(x, 16), _mm256_set1_epi32(0x40));
    const __m256i top = _mm256_blendv_epi8(rounded, quiet, _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(top, top), 0x08);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(packed));
  }
  static void widen_to_double(vector v, __m256d* out) {
    out[0] = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
    out[1] = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
  }

 private:
  // The n < 8 16-bit encodings at p, zeros after: the pairs by mask, an odd
  // last one (`last`) merged into its lane.
  static __m128i partial_halves(const void* p, int n, std::uint16_t last) {
    const __m128i pairs = _mm_maskload_epi32(static_cast<const int*>(p),
                                             _mm_cmpgt_epi32(_mm_set1_epi32(n / 2), _mm_setr_epi32(0, 1, 2, 3)));
    const auto odd_lane = static_cast<short>(n % 2 != 0 ? n - 1 : -1);
    const __m128i at_odd = _mm_cmpeq_epi16(_mm_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7), _mm_set1_epi16(odd_lane));
    return _mm_or_si128(pairs, _mm_and_si128(at_odd, _mm_set1_epi16(static_cast<short>(last))));
  }
};

template <>
struct ops<double, avx2> {
  using vector = __m256d;
  // Two compares in greater_or_nan: a single unordered predicate would also
  // let a number replace a NaN max.
#if ADAPOOL_TARGET_AVX512
  // AVX-512VL compares into mask registers, which blends read directly.
  using mask = __mmask8;
  static mask greater_or_nan(vector v, vector current) {
    return static_cast<mask>(_mm256_cmp_pd_mask(v, current, _CMP_GT_OQ) | _mm256_cmp_pd_mask(v, v, _CMP_UNORD_Q));
  }
  static vector select(mask m, vector if_true, vector if_false) { return _mm256_mask_blend_pd(m, if_false, if_true); }
  static mask greater(vector v, vector current) { return _mm256_cmp_pd_mask(v, current, _CMP_GT_OQ); }
  static mask is_nan(vector v) { return _mm256_cmp_pd_mask(v, v, _CMP_UNORD_Q); }
  static mask mask_or(mask a, mask b) { return static_cast<mask>(a | b); }
  static bool any(mask m) { return m != 0; }
#else
  using mask = __m256d;
  static mask greater_or_nan(vector v, vector current) {
    return _mm256_or_pd(_mm256_cmp_pd(v, current, _CMP_GT_OQ), _mm256_cmp_pd(v, v, _CMP_UNORD_Q));
  }
  static vector select(mask m, vector if_true, vector if_false) { return _mm256_blendv_pd(if_false, if_true, m); }
  static mask greater(vector v, vector current) { return _mm256_cmp_pd(v, current, _CMP_GT_OQ); }
  static mask is_nan(vector v) {
    mask m = _mm256_cmp_pd(v, v, _CMP_UNORD_Q);
    ADAPOOL_OPAQUE(m);
    return m;
  }
  static mask mask_or(mask a, mask b) { return _mm256_or_pd(a, b); }
  static bool any(mask m) { return _mm256_movemask_pd(m) != 0; }
#endif
  static constexpr int lanes = 4;
  static constexpr int vector_registers = 16;

  static vector load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, vector v) { _mm256_storeu_pd(p, v); }
  static void store_positions(std::int64_t* p, vector v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm256_cvtepu32_epi64(_mm256_cvttpd_epi32(v)));
  }
  static vector broadcast(double x) { return _mm256_set1_pd(x); }
  static vector zero() { return _mm256_setzero_pd(); }
  static vector iota() { return _mm256_setr_pd(0, 1, 2, 3); }

  static vector add(vector a, vector b) { return _mm256_add_pd(a, b); }
  static vector mul(vector a, vector b) { return _mm256_mul_pd(a, b); }
  static vector div(vector a, vector b) { return _mm256_div_pd(a, b); }
  static vector sqrt(vector a) { return _mm256_sqrt_pd(a); }

  static double reduce_add(vector v) {
    return ops<double, sse2>::reduce_add(_mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1)));
  }
  static vector sum_each(const vector* v) {
    const __m256d a = _mm256_hadd_pd(v[0], v[1]);
    const __m256d b = _mm256_hadd_pd(v[2], v[3]);
    return _mm256_add_pd(_mm256_permute2f128_pd(a, b, 0x20), _mm256_permute2f128_pd(a, b, 0x31));
  }
  static void transpose(vector* v) {
    const __m256d even01 = _mm256_unpacklo_pd(v[0], v[1]), odd01 = _mm256_unpackhi_pd(v[0], v[1]);
    const __m256d even23 = _mm256_unpacklo_pd(v[2], v[3]), odd23 = _mm256_unpackhi_pd(v[2], v[3]);
    v[0] = _mm256_permute2f128_pd(even01, even23, 0x20);
    v[1] = _mm256_permute2f128_pd(odd01, odd23, 0x20);
    v[2] = _mm256_permute2f128_pd(even01, even23, 0x31);
    v[3] = _mm256_permute2f128_pd(odd01, odd23, 0x31);
  }
  static vector load_partial(const double* p, int n) {
    const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);
    return _mm256_maskload_pd(p, _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), lane));
  }
  static constexpr bool fast_pick = true;
#if ADAPOOL_TARGET_AVX512
  using index = __m256i;
  static index pick_index(const std::int32_t* positions) {
    return _mm256_cvtepi32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(positions)));
  }
  static vector pick(vector lo, vector hi, index i) { return _mm256_permutex2var_pd(lo, i, hi); }
#else
  // A double is a pair of 32-bit lanes of the float permutation.
  struct index {
    __m256i within;
    __m256d from_hi;
  };
  static index pick_index(const std::int32_t* positions) {
    std::int32_t pairs[8];
    std::int64_t hi[4];
    for (std::size_t j = 0; j < 4; ++j) {
      pairs[2 * j] = 2 * (positions[j] & 3);
      pairs[2 * j + 1] = 2 * (positions[j] & 3) + 1;
      hi[j] = positions[j] >= 4 ? -1 : 0;
    }
    return {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(pairs)),
            _mm256_castsi256_pd(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(hi)))};
  }
  static vector pick(vector lo, vector hi, index i) {
    const auto take = [&](vector v) {
      return _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(v), i.within));
    };
    return _mm256_blendv_pd(take(lo), take(hi), i.from_hi);
  }
#endif

  static vector max(vector a, vector b) { return _mm256_max_pd(a, b); }
  // vmaxpd returns its second operand unless the first is greater, NaN and zeros included.
  static constexpr bool max_keeps_current = true;
  static double reduce_max(vector v) {
    return ops<double, sse2>::reduce_max(_mm_max_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1)));
  }
  static unsigned equal_bits(vector v, double x) {
    return static_cast<unsigned>(_mm256_movemask_pd(_mm256_cmp_pd(v, _mm256_set1_pd(x), _CMP_EQ_OQ)));
  }
};

template <>
struct index_ops<avx2> {
  // The SSE2 form's top-bit test (AVX2's 64-bit compare is signed), on four
  // accumulators of four indices each.
  static bool all_below(const std::int64_t* p, std::int64_t n, std::int64_t bound) {
    const __m256i b = _mm256_set1_epi64x(bound);
    const auto inside = [b](const std::int64_t* q) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
      return _mm256_andnot_si256(x, _mm256_sub_epi64(x, b));
    };
    // Four named chains, not an array: g++ -O2 kept an array's chains on the
    // stack, a store and reload per vector (B3's index check took 1.6x as long).
    __m256i all0 = _mm256_set1_epi32(-1), all1 = all0, all2 = all0, all3 = all0;
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      all0 = _mm256_and_si256(all0, inside(p + i));
      all1 = _mm256_and_si256(all1, inside(p + i + 4));
      all2 = _mm256_and_si256(all2, inside(p + i + 8));
      all3 = _mm256_and_si256(all3, inside(p + i + 12));
    }
    const __m256i both = _mm256_and_si256(_mm256_and_si256(all0, all1), _mm256_and_si256(all2, all3));
    const bool below = _mm256_movemask_pd(_mm256_castsi256_pd(both)) == 0xF;
    return below && index_ops<sse2>::all_below(p + i, n - i, bound);
  }
};

template <>
struct byte_ops<avx2> {
  // The SSE2 form on 32 bytes at a time, then its 16-byte form.
  template <class Byte>
  static std::int64_t sum(const Byte* p, std::int64_t n) {
    const __m256i flip = _mm256_set1_epi8(std::is_signed_v<Byte> ? static_cast<char>(-128) : char{0});
    const __m256i zero = _mm256_setzero_si256();
    __m256i total = zero;
    std::int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
      const __m256i x = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i)), flip);
      total = _mm256_add_epi64(total, _mm256_sad_epu8(x, zero));
    }
    const __m128i half = _mm_add_epi64(_mm256_castsi256_si128(total), _mm256_extracti128_si256(total, 1));
    return byte_ops<sse2>::sum_of_lanes(half) - (std::is_signed_v<Byte> ? 128 * i : 0) +
           byte_ops<sse2>::sum(p + i, n - i);
  }
  // Planes of 32 to 64 bytes as two 32-byte loads, the second ending at the
  // plane's end with the bytes the first read masked off, and four planes'
  // lane sums added in a tree that leaves plane j's sum in lane j. Smaller
  // planes: the SSE2 form.
  template <class Byte>
  static void sum_small_planes(const Byte* p, std::int64_t stride, std::int64_t size, std::int64_t count,
                               double* sums) {
    if (size < 32) return byte_ops<sse2>::sum_small_planes(p, stride, size, count, sums);
    const __m256i position = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                              21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    const __m256i unread = _mm256_cmpgt_epi8(position, _mm256_set1_epi8(static_cast<char>(63 - size)));
    const __m256d exponent = _mm256_set1_pd(4503599627370496.0);  // 2^52: the lane sums are below it
    const __m256d bias = _mm256_set1_pd(std::is_signed_v<Byte> ? 128.0 * static_cast<double>(size) : 0.0);
    for (std::int64_t k = 0; k < count; k += 4) {
      const Byte* first = p + k * stride;
      const std::int64_t last = count - k >= 4 ? 3 : count - k - 1;  // past it: the last again, not stored
      const auto plane = [&](std::int64_t j) { return first + (j < last ? j : last) * stride; };
      const __m256i all = join(pair(lane_sums(plane(0), size, unread), lane_sums(plane(1), size, unread)),
                               pair(lane_sums(plane(2), size, unread), lane_sums(plane(3), size, unread)));
      const __m256d exact = _mm256_sub_pd(_mm256_or_pd(_mm256_castsi256_pd(all), exponent), exponent);
      const __m256d plane_sums = _mm256_sub_pd(exact, bias);
      // A masked store for the last planes only: on Zen 2 it costs several plain ones.
      if (count - k >= 4) {
        _mm256_storeu_pd(sums + k, plane_sums);
      } else {
        const __m256i in_count = _mm256_cmpgt_epi64(_mm256_set1_epi64x(count - k), _mm256_setr_epi64x(0, 1, 2, 3));
        _mm256_maskstore_pd(sums + k, in_count, plane_sums);
      }
    }
  }

 private:
  template <class Byte>
  static __m256i lane_sums(const Byte* q, std::int64_t size, __m256i unread) {
    const __m256i flip = _mm256_set1_epi8(std::is_signed_v<Byte> ? static_cast<char>(-128) : char{0});
    const __m256i head = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q)), flip);
    const __m256i end = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + size - 32)), flip);
    return _mm256_add_epi64(_mm256_sad_epu8(head, _mm256_setzero_si256()),
                            _mm256_sad_epu8(_mm256_and_si256(end, unread), _mm256_setzero_si256()));
  }
  // 128-bit lane i: (a's lane i summed, b's lane i summed).
  static __m256i pair(__m256i a, __m256i b) {
    return _mm256_add_epi64(_mm256_unpacklo_epi64(a, b), _mm256_unpackhi_epi64(a, b));
  }
  // (a0 + a1, b0 + b1) in 128-bit lanes.
  static __m256i join(__m256i a, __m256i b) {
    return _mm256_add_epi64(_mm256_permute2x128_si256(a, b, 0x20), _mm256_permute2x128_si256(a, b, 0x31));
  }
};

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::simd
#endif

#endif
