// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "target.hpp"
#if defined(ADAPOOL_SIMD_SSE2_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_SIMD_SSE2_HPP)
#undef ADAPOOL_SIMD_SSE2_HPP
#else
#define ADAPOOL_SIMD_SSE2_HPP
#endif

#include "compiler.hpp"
#include "scalar.hpp"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#if ADAPOOL_TARGET_F16C
#include <immintrin.h>
#endif

#include <cstdint>
#include <cstring>

namespace adapool::simd {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

template <>
struct ops<float, sse2> {
  using vector = __m128;
  using mask = __m128;
  static constexpr int lanes = 4;
  static constexpr int vector_registers = 16;

  static vector load(const float* p) { return _mm_loadu_ps(p); }
  static void store(float* p, vector v) { _mm_storeu_ps(p, v); }
  static void store_positions(std::int64_t* p, vector v) {
    // Non-negative, so zero-extension widens them (SSE2 has no sign extension).
    const __m128i i32 = _mm_cvttps_epi32(v);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm_unpacklo_epi32(i32, _mm_setzero_si128()));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p + 2), _mm_unpackhi_epi32(i32, _mm_setzero_si128()));
  }
  static vector broadcast(float x) { return _mm_set1_ps(x); }
  static vector zero() { return _mm_setzero_ps(); }
  static vector iota() { return _mm_setr_ps(0, 1, 2, 3); }

  static vector add(vector a, vector b) { return _mm_add_ps(a, b); }
  static vector mul(vector a, vector b) { return _mm_mul_ps(a, b); }
  static vector div(vector a, vector b) { return _mm_div_ps(a, b); }
  static vector sqrt(vector a) { return _mm_sqrt_ps(a); }
  static mask greater_or_nan(vector v, vector current) {
    return _mm_or_ps(_mm_cmpgt_ps(v, current), _mm_cmpunord_ps(v, v));
  }
  // SSE2 has no blendv: and/andnot/or.
  static vector select(mask m, vector if_true, vector if_false) {
    return _mm_or_ps(_mm_and_ps(m, if_true), _mm_andnot_ps(m, if_false));
  }
  static mask greater(vector v, vector current) { return _mm_cmpgt_ps(v, current); }

  static float reduce_add(vector v) {
    const __m128 pairs = _mm_add_ps(v, _mm_movehl_ps(v, v));
    return _mm_cvtss_f32(_mm_add_ss(pairs, _mm_shuffle_ps(pairs, pairs, 1)));
  }
  static vector sum_each(const vector* v) {
    // A 4 x 4 transpose folded into the additions.
    const __m128 s01 = _mm_add_ps(_mm_unpacklo_ps(v[0], v[1]), _mm_unpackhi_ps(v[0], v[1]));
    const __m128 s23 = _mm_add_ps(_mm_unpacklo_ps(v[2], v[3]), _mm_unpackhi_ps(v[2], v[3]));
    return _mm_add_ps(_mm_movelh_ps(s01, s23), _mm_movehl_ps(s23, s01));
  }
  static void transpose(vector* v) { _MM_TRANSPOSE4_PS(v[0], v[1], v[2], v[3]); }
  static vector load_partial(const float* p, int n) {
    float lanes_in[4] = {};
    std::memcpy(lanes_in, p, sizeof(float) * static_cast<unsigned>(n));
    return _mm_loadu_ps(lanes_in);
  }
  // SSE2 has no variable lane permutation.
  struct index {
    std::int32_t at[4];
  };
  static constexpr bool fast_pick = false;
  static index pick_index(const std::int32_t* positions) {
    return {{positions[0], positions[1], positions[2], positions[3]}};
  }
  static vector pick(vector lo, vector hi, index i) {
    float both[8];
    _mm_storeu_ps(both, lo);
    _mm_storeu_ps(both + 4, hi);
    return _mm_setr_ps(both[i.at[0]], both[i.at[1]], both[i.at[2]], both[i.at[3]]);
  }

  static vector max(vector a, vector b) { return _mm_max_ps(a, b); }
  // maxps returns its second operand unless the first is greater, NaN and zeros included.
  static constexpr bool max_keeps_current = true;
  static mask is_nan(vector v) {
    mask m = _mm_cmpunord_ps(v, v);
    ADAPOOL_OPAQUE(m);
    return m;
  }
  static mask mask_or(mask a, mask b) { return _mm_or_ps(a, b); }
  static bool any(mask m) { return _mm_movemask_ps(m) != 0; }
  static float reduce_max(vector v) {
    const __m128 pairs = _mm_max_ps(v, _mm_movehl_ps(v, v));
    return _mm_cvtss_f32(_mm_max_ss(pairs, _mm_shuffle_ps(pairs, pairs, 1)));
  }
  static unsigned equal_bits(vector v, float x) {
    return static_cast<unsigned>(_mm_movemask_ps(_mm_cmpeq_ps(v, _mm_set1_ps(x))));
  }

  // F16C is not part of SSE2, but a build that enables it (-mf16c) may use it
  // on any x86 set; without it, and for bfloat16, one element at a time.
  static void widen(const float16* p, std::int64_t n, float* out) {
    std::int64_t i = 0;
#if ADAPOOL_TARGET_F16C
    for (; i + 4 <= n; i += 4) {
      vector v = _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + i)));
      ADAPOOL_OPAQUE(v);
      _mm_storeu_ps(out + i, v);
    }
#endif
    ops<float, scalar>::widen(p + i, n - i, out + i);
  }
  static void widen(const bfloat16* p, std::int64_t n, float* out) { ops<float, scalar>::widen(p, n, out); }
  static vector load_widened(const float16* p) { return load_widened_through_array<ops>(p, lanes); }
  // A bfloat16 is the top half of its float: interleaving zeros below widens it.
  static vector load_widened(const bfloat16* p) {
    const __m128i h = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
    return _mm_castsi128_ps(_mm_unpacklo_epi16(_mm_setzero_si128(), h));
  }
  static vector load_widened_partial(const float16* p, int n) { return load_widened_through_array<ops>(p, n); }
  static vector load_widened_partial(const bfloat16* p, int n) { return load_widened_through_array<ops>(p, n); }
  static void store_narrowed(float16* p, vector v) { store_narrowed_through_array<ops>(p, v); }
  // bfloat16's rounding (element_types.hpp) in integer lanes; shifting the
  // results up and arithmetically back puts them in int16's range for the signed pack.
  static void store_narrowed(bfloat16* p, vector v) {
    const __m128i x = _mm_castps_si128(v);
    const __m128i odd = _mm_and_si128(_mm_srli_epi32(x, 16), _mm_set1_epi32(1));
    const __m128i rounded = _mm_srli_epi32(_mm_add_epi32(x, _mm_add_epi32(_mm_set1_epi32(0x7fff), odd)), 16);
    const __m128i quiet = _mm_or_si128(_mm_srli_epi32(x, 16), _mm_set1_epi32(0x40));
    const __m128i nan = _mm_castps_si128(_mm_cmpunord_ps(v, v));
    const __m128i top = _mm_or_si128(_mm_and_si128(nan, quiet), _mm_andnot_si128(nan, rounded));
    const __m128i low = _mm_srai_epi32(_mm_slli_epi32(top, 16), 16);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packs_epi32(low, low));
  }
  static void widen_to_double(vector v, __m128d* out) {
    out[0] = _mm_cvtps_pd(v);
    out[1] = _mm_cvtps_pd(_mm_movehl_ps(v, v));
  }
};

template <>
struct ops<double, sse2> {
  using vector = __m128d;
  using mask = __m128d;
  static constexpr int lanes = 2;
  static constexpr int vector_registers = 16;

  static vector load(const double* p) { return _mm_loadu_pd(p); }
  static void store(double* p, vector v) { _mm_storeu_pd(p, v); }
  static void store_positions(std::int64_t* p, vector v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm_unpacklo_epi32(_mm_cvttpd_epi32(v), _mm_setzero_si128()));
  }
  static vector broadcast(double x) { return _mm_set1_pd(x); }
  static vector zero() { return _mm_setzero_pd(); }
  static vector iota() { return _mm_setr_pd(0, 1); }

  static vector add(vector a, vector b) { return _mm_add_pd(a, b); }
  static vector mul(vector a, vector b) { return _mm_mul_pd(a, b); }
  static vector div(vector a, vector b) { return _mm_div_pd(a, b); }
  static vector sqrt(vector a) { return _mm_sqrt_pd(a); }
  static mask greater_or_nan(vector v, vector current) {
    return _mm_or_pd(_mm_cmpgt_pd(v, current), _mm_cmpunord_pd(v, v));
  }
  static vector select(mask m, vector if_true, vector if_false) {
    return _mm_or_pd(_mm_and_pd(m, if_true), _mm_andnot_pd(m, if_false));
  }
  static mask greater(vector v, vector current) { return _mm_cmpgt_pd(v, current); }

  static double reduce_add(vector v) { return _mm_cvtsd_f64(_mm_add_sd(v, _mm_unpackhi_pd(v, v))); }
  static vector sum_each(const vector* v) {
    return _mm_add_pd(_mm_unpacklo_pd(v[0], v[1]), _mm_unpackhi_pd(v[0], v[1]));
  }
  static void transpose(vector* v) {
    const __m128d low = _mm_unpacklo_pd(v[0], v[1]);
    v[1] = _mm_unpackhi_pd(v[0], v[1]);
    v[0] = low;
  }
  static vector load_partial(const double* p, int n) { return n > 0 ? _mm_load_sd(p) : _mm_setzero_pd(); }
  struct index {
    std::int32_t at[2];
  };
  static constexpr bool fast_pick = false;
  static index pick_index(const std::int32_t* positions) { return {{positions[0], positions[1]}}; }
  static vector pick(vector lo, vector hi, index i) {
    double both[4];
    _mm_storeu_pd(both, lo);
    _mm_storeu_pd(both + 2, hi);
    return _mm_setr_pd(both[i.at[0]], both[i.at[1]]);
  }

  static vector max(vector a, vector b) { return _mm_max_pd(a, b); }
  // maxpd returns its second operand unless the first is greater, NaN and zeros included.
  static constexpr bool max_keeps_current = true;
  static mask is_nan(vector v) {
    mask m = _mm_cmpunord_pd(v, v);
    ADAPOOL_OPAQUE(m);
    return m;
  }
  static mask mask_or(mask a, mask b) { return _mm_or_pd(a, b); }
  static bool any(mask m) { return _mm_movemask_pd(m) != 0; }
  static double reduce_max(vector v) { return _mm_cvtsd_f64(_mm_max_sd(v, _mm_unpackhi_pd(v, v))); }
  static unsigned equal_bits(vector v, double x) {
    return static_cast<unsigned>(_mm_movemask_pd(_mm_cmpeq_pd(v, _mm_set1_pd(x))));
  }
};

template <>
struct index_ops<sse2> {
  // SSE2 has no 64-bit compare. For bound <= 2^63, the top bit of
  // ~x & (x - bound) is set exactly when x < bound (unsigned): it is clear
  // when x has its top bit, and otherwise x - bound borrows into it exactly
  // when x < bound. Two accumulators keep the AND chain off the critical path.
  static bool all_below(const std::int64_t* p, std::int64_t n, std::int64_t bound) {
    const __m128i b = _mm_set1_epi64x(bound);
    const auto inside = [b](const std::int64_t* q) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
      return _mm_andnot_si128(x, _mm_sub_epi64(x, b));
    };
    __m128i all0 = _mm_set1_epi32(-1), all1 = all0;
    std::int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
      all0 = _mm_and_si128(all0, inside(p + i));
      all1 = _mm_and_si128(all1, inside(p + i + 2));
    }
    const bool below = _mm_movemask_pd(_mm_castsi128_pd(_mm_and_si128(all0, all1))) == 3;
    return below && index_ops<scalar>::all_below(p + i, n - i, bound);
  }
};

template <>
struct byte_ops<sse2> {
  // psadbw against zero adds eight unsigned bytes into a 64-bit lane. int8_t
  // bytes are made unsigned by flipping the sign bit (adding 128 to each),
  // and 128 per byte read is taken off at the end.
  template <class Byte>
  static std::int64_t sum(const Byte* p, std::int64_t n) {
    const __m128i flip = _mm_set1_epi8(std::is_signed_v<Byte> ? static_cast<char>(-128) : char{0});
    const __m128i zero = _mm_setzero_si128();
    __m128i total = zero;
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      const __m128i x = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), flip);
      total = _mm_add_epi64(total, _mm_sad_epu8(x, zero));
    }
    return sum_of_lanes(total) - (std::is_signed_v<Byte> ? 128 * i : 0) + byte_ops<scalar>::sum(p + i, n - i);
  }
  // Each plane's bytes as whole 16s, then the 16 that end the plane with
  // those already added masked off (planes of 16 bytes or more), left in two
  // 64-bit lanes; planes are paired into one vector of sums, made doubles by
  // the 2^52 exponent trick (the sums are below 2^52).
  template <class Byte>
  static void sum_small_planes(const Byte* p, std::int64_t stride, std::int64_t size, std::int64_t count,
                               double* sums) {
    if (size < 16) return byte_ops<scalar>::sum_planes_one_by_one<byte_ops>(p, stride, size, count, sums);
    const __m128i position = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m128i unread = _mm_cmpgt_epi8(position, _mm_set1_epi8(static_cast<char>(15 - size % 16)));
    const auto lane_sums = [&](const Byte* q) {
      __m128i total = _mm_setzero_si128();
      std::int64_t i = 0;
      for (; i + 16 <= size; i += 16) total = _mm_add_epi64(total, sad_flipped<Byte>(load(q + i)));
      if (i < size) total = _mm_add_epi64(total, sad_flipped<Byte>(load(q + size - 16), unread));
      return total;
    };
    const __m128d exponent = _mm_set1_pd(4503599627370496.0);  // 2^52
    const __m128d bias = _mm_set1_pd(std::is_signed_v<Byte> ? 128.0 * static_cast<double>(size) : 0.0);
    const auto pair = [&](__m128i a, __m128i b) {
      const __m128i both = _mm_add_epi64(_mm_unpacklo_epi64(a, b), _mm_unpackhi_epi64(a, b));
      return _mm_sub_pd(_mm_sub_pd(_mm_or_pd(_mm_castsi128_pd(both), exponent), exponent), bias);
    };
    std::int64_t k = 0;
    for (; k + 2 <= count; k += 2)
      _mm_storeu_pd(sums + k, pair(lane_sums(p + k * stride), lane_sums(p + (k + 1) * stride)));
    if (k < count) _mm_storel_pd(sums + k, pair(lane_sums(p + k * stride), _mm_setzero_si128()));
  }
  static std::int64_t sum_of_lanes(__m128i v) {
    std::int64_t out;
    _mm_storel_epi64(reinterpret_cast<__m128i*>(&out), _mm_add_epi64(v, _mm_unpackhi_epi64(v, v)));
    return out;
  }

 private:
  template <class Byte>
  static __m128i load(const Byte* p) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  }
  template <class Byte>
  static __m128i sad_flipped(__m128i x, __m128i keep = _mm_set1_epi8(-1)) {
    const __m128i flip = _mm_set1_epi8(std::is_signed_v<Byte> ? static_cast<char>(-128) : char{0});
    return _mm_sad_epu8(_mm_and_si128(_mm_xor_si128(x, flip), keep), _mm_setzero_si128());
  }
};

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::simd
#endif

#endif
