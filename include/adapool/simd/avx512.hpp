// SPDX-License-Identifier: MIT
#pragma once

#include "avx2.hpp"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#include <immintrin.h>

namespace adapool::simd {

template <>
struct ops<float, avx512f> {
  using vector = __m512;
  using mask = __mmask16;
  static constexpr int lanes = 16;

  static vector load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, vector v) { _mm512_storeu_ps(p, v); }
  static vector broadcast(float x) { return _mm512_set1_ps(x); }
  static vector zero() { return _mm512_setzero_ps(); }
  static vector iota() { return _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15); }

  static vector add(vector a, vector b) { return _mm512_add_ps(a, b); }
  static mask greater_or_nan(vector v, vector current) {
    return static_cast<mask>(_mm512_cmp_ps_mask(v, current, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q));
  }
  static vector select(mask m, vector if_true, vector if_false) { return _mm512_mask_blend_ps(m, if_false, if_true); }

  // A fixed halving order (not _mm512_reduce_add_ps, whose order is the compiler's choice),
  // the same as the AVX2 one, so widths differ only in the partial sums they keep.
  static float reduce_add(vector v) {
    const __m256 halves = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    return ops<float, sse2>::reduce_add(_mm_add_ps(_mm256_castps256_ps128(halves), _mm256_extractf128_ps(halves, 1)));
  }
};

template <>
struct ops<double, avx512f> {
  using vector = __m512d;
  using mask = __mmask8;
  static constexpr int lanes = 8;

  static vector load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, vector v) { _mm512_storeu_pd(p, v); }
  static vector broadcast(double x) { return _mm512_set1_pd(x); }
  static vector zero() { return _mm512_setzero_pd(); }
  static vector iota() { return _mm512_setr_pd(0, 1, 2, 3, 4, 5, 6, 7); }

  static vector add(vector a, vector b) { return _mm512_add_pd(a, b); }
  static mask greater_or_nan(vector v, vector current) {
    return static_cast<mask>(_mm512_cmp_pd_mask(v, current, _CMP_GT_OQ) | _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q));
  }
  static vector select(mask m, vector if_true, vector if_false) { return _mm512_mask_blend_pd(m, if_false, if_true); }

  static double reduce_add(vector v) {
    const __m256d halves = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    return ops<double, sse2>::reduce_add(_mm_add_pd(_mm256_castpd256_pd128(halves), _mm256_extractf128_pd(halves, 1)));
  }
};

}  // namespace adapool::simd
#endif
