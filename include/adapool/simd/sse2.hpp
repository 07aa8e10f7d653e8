// SPDX-License-Identifier: MIT
#pragma once

#include "scalar.hpp"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>

namespace adapool::simd {

template <>
struct ops<float, sse2> {
  using vector = __m128;
  using mask = __m128;
  static constexpr int lanes = 4;

  static vector load(const float* p) { return _mm_loadu_ps(p); }
  static void store(float* p, vector v) { _mm_storeu_ps(p, v); }
  static vector broadcast(float x) { return _mm_set1_ps(x); }
  static vector zero() { return _mm_setzero_ps(); }
  static vector iota() { return _mm_setr_ps(0, 1, 2, 3); }

  static vector add(vector a, vector b) { return _mm_add_ps(a, b); }
  static mask greater_or_nan(vector v, vector current) {
    return _mm_or_ps(_mm_cmpgt_ps(v, current), _mm_cmpunord_ps(v, v));
  }
  // SSE2 has no blendv: and/andnot/or.
  static vector select(mask m, vector if_true, vector if_false) {
    return _mm_or_ps(_mm_and_ps(m, if_true), _mm_andnot_ps(m, if_false));
  }

  static float reduce_add(vector v) {
    const __m128 pairs = _mm_add_ps(v, _mm_movehl_ps(v, v));
    return _mm_cvtss_f32(_mm_add_ss(pairs, _mm_shuffle_ps(pairs, pairs, 1)));
  }
};

template <>
struct ops<double, sse2> {
  using vector = __m128d;
  using mask = __m128d;
  static constexpr int lanes = 2;

  static vector load(const double* p) { return _mm_loadu_pd(p); }
  static void store(double* p, vector v) { _mm_storeu_pd(p, v); }
  static vector broadcast(double x) { return _mm_set1_pd(x); }
  static vector zero() { return _mm_setzero_pd(); }
  static vector iota() { return _mm_setr_pd(0, 1); }

  static vector add(vector a, vector b) { return _mm_add_pd(a, b); }
  static mask greater_or_nan(vector v, vector current) {
    return _mm_or_pd(_mm_cmpgt_pd(v, current), _mm_cmpunord_pd(v, v));
  }
  static vector select(mask m, vector if_true, vector if_false) {
    return _mm_or_pd(_mm_and_pd(m, if_true), _mm_andnot_pd(m, if_false));
  }

  static double reduce_add(vector v) { return _mm_cvtsd_f64(_mm_add_sd(v, _mm_unpackhi_pd(v, v))); }
};

}  // namespace adapool::simd
#endif
