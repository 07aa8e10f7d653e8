// SPDX-License-Identifier: MIT
#pragma once

#include "sse2.hpp"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace adapool::simd {

template <>
struct ops<float, avx2> {
  using vector = __m256;
  using mask = __m256;
  static constexpr int lanes = 8;

  static vector load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, vector v) { _mm256_storeu_ps(p, v); }
  static vector broadcast(float x) { return _mm256_set1_ps(x); }
  static vector zero() { return _mm256_setzero_ps(); }
  static vector iota() { return _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7); }

  static vector add(vector a, vector b) { return _mm256_add_ps(a, b); }
  // Two compares: a single unordered predicate would also let a number replace a NaN max.
  static mask greater_or_nan(vector v, vector current) {
    return _mm256_or_ps(_mm256_cmp_ps(v, current, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  static vector select(mask m, vector if_true, vector if_false) { return _mm256_blendv_ps(if_false, if_true, m); }

  static float reduce_add(vector v) {
    return ops<float, sse2>::reduce_add(_mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1)));
  }
};

template <>
struct ops<double, avx2> {
  using vector = __m256d;
  using mask = __m256d;
  static constexpr int lanes = 4;

  static vector load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, vector v) { _mm256_storeu_pd(p, v); }
  static vector broadcast(double x) { return _mm256_set1_pd(x); }
  static vector zero() { return _mm256_setzero_pd(); }
  static vector iota() { return _mm256_setr_pd(0, 1, 2, 3); }

  static vector add(vector a, vector b) { return _mm256_add_pd(a, b); }
  static mask greater_or_nan(vector v, vector current) {
    return _mm256_or_pd(_mm256_cmp_pd(v, current, _CMP_GT_OQ), _mm256_cmp_pd(v, v, _CMP_UNORD_Q));
  }
  static vector select(mask m, vector if_true, vector if_false) { return _mm256_blendv_pd(if_false, if_true, m); }

  static double reduce_add(vector v) {
    return ops<double, sse2>::reduce_add(_mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1)));
  }
};

}  // namespace adapool::simd
#endif
