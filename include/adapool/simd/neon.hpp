// SPDX-License-Identifier: MIT
#pragma once

#include "scalar.hpp"

#if defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>

namespace adapool::simd {

template <>
struct ops<float, neon> {
  using vector = float32x4_t;
  using mask = uint32x4_t;
  static constexpr int lanes = 4;

  static vector load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, vector v) { vst1q_f32(p, v); }
  static vector broadcast(float x) { return vdupq_n_f32(x); }
  static vector zero() { return vdupq_n_f32(0.0f); }
  static vector iota() {
    static constexpr float values[4] = {0, 1, 2, 3};
    return vld1q_f32(values);
  }

  static vector add(vector a, vector b) { return vaddq_f32(a, b); }
  // v != v is "not equal to itself": NaN.
  static mask greater_or_nan(vector v, vector current) {
    return vorrq_u32(vcgtq_f32(v, current), vmvnq_u32(vceqq_f32(v, v)));
  }
  static vector select(mask m, vector if_true, vector if_false) { return vbslq_f32(m, if_true, if_false); }

  // Pairwise, in a fixed order (vaddvq_f32 leaves the order to the hardware).
  static float reduce_add(vector v) {
    const float32x2_t pairs = vadd_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(pairs, 0) + vget_lane_f32(pairs, 1);
  }
};

template <>
struct ops<double, neon> {
  using vector = float64x2_t;
  using mask = uint64x2_t;
  static constexpr int lanes = 2;

  static vector load(const double* p) { return vld1q_f64(p); }
  static void store(double* p, vector v) { vst1q_f64(p, v); }
  static vector broadcast(double x) { return vdupq_n_f64(x); }
  static vector zero() { return vdupq_n_f64(0.0); }
  static vector iota() {
    static constexpr double values[2] = {0, 1};
    return vld1q_f64(values);
  }

  static vector add(vector a, vector b) { return vaddq_f64(a, b); }
  static mask greater_or_nan(vector v, vector current) {
    const uint64x2_t not_nan = vceqq_f64(v, v);
    return vorrq_u64(vcgtq_f64(v, current), veorq_u64(not_nan, vdupq_n_u64(~0ULL)));
  }
  static vector select(mask m, vector if_true, vector if_false) { return vbslq_f64(m, if_true, if_false); }

  static double reduce_add(vector v) { return vgetq_lane_f64(v, 0) + vgetq_lane_f64(v, 1); }
};

}  // namespace adapool::simd
#endif
