// SPDX-License-Identifier: MIT
#pragma once

#include "scalar.hpp"

#if defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>

#include <cstdint>
#include <cstring>

namespace adapool::simd {
inline namespace ADAPOOL_TARGET_NAMESPACE {

// pick's table-lookup index: the `bytes` bytes of each lane's position within
// the 32 bytes of lo and hi.
inline uint8x16_t pick_bytes(const std::int32_t* positions, int bytes) {
  std::uint8_t index[16];
  for (int j = 0; j < 16; ++j) index[j] = static_cast<std::uint8_t>(bytes * positions[j / bytes] + j % bytes);
  return vld1q_u8(index);
}

template <>
struct ops<float, neon> {
  using vector = float32x4_t;
  using mask = uint32x4_t;
  static constexpr int lanes = 4;
  static constexpr int vector_registers = 32;

  static vector load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, vector v) { vst1q_f32(p, v); }
  static void store_positions(std::int64_t* p, vector v) {
    const uint32x4_t u32 = vcvtq_u32_f32(v);
    vst1q_s64(p, vreinterpretq_s64_u64(vmovl_u32(vget_low_u32(u32))));
    vst1q_s64(p + 2, vreinterpretq_s64_u64(vmovl_high_u32(u32)));
  }
  static vector broadcast(float x) { return vdupq_n_f32(x); }
  static vector zero() { return vdupq_n_f32(0.0f); }
  static vector iota() {
    static constexpr float values[4] = {0, 1, 2, 3};
    return vld1q_f32(values);
  }

  static vector add(vector a, vector b) { return vaddq_f32(a, b); }
  static vector mul(vector a, vector b) { return vmulq_f32(a, b); }
  static vector div(vector a, vector b) { return vdivq_f32(a, b); }
  static vector sqrt(vector a) { return vsqrtq_f32(a); }
  // v != v is "not equal to itself": NaN.
  static mask greater_or_nan(vector v, vector current) {
    return vorrq_u32(vcgtq_f32(v, current), vmvnq_u32(vceqq_f32(v, v)));
  }
  static vector select(mask m, vector if_true, vector if_false) { return vbslq_f32(m, if_true, if_false); }
  static mask greater(vector v, vector current) { return vcgtq_f32(v, current); }

  // Pairwise, in a fixed order (vaddvq_f32 leaves the order to the hardware).
  static float reduce_add(vector v) {
    const float32x2_t pairs = vadd_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(pairs, 0) + vget_lane_f32(pairs, 1);
  }
  static vector sum_each(const vector* v) { return vpaddq_f32(vpaddq_f32(v[0], v[1]), vpaddq_f32(v[2], v[3])); }
  static void transpose(vector* v) {
    const float32x4x2_t rows01 = vtrnq_f32(v[0], v[1]);
    const float32x4x2_t rows23 = vtrnq_f32(v[2], v[3]);
    v[0] = vcombine_f32(vget_low_f32(rows01.val[0]), vget_low_f32(rows23.val[0]));
    v[1] = vcombine_f32(vget_low_f32(rows01.val[1]), vget_low_f32(rows23.val[1]));
    v[2] = vcombine_f32(vget_high_f32(rows01.val[0]), vget_high_f32(rows23.val[0]));
    v[3] = vcombine_f32(vget_high_f32(rows01.val[1]), vget_high_f32(rows23.val[1]));
  }
  static vector load_partial(const float* p, int n) {
    float lanes_in[4] = {};
    std::memcpy(lanes_in, p, sizeof(float) * static_cast<unsigned>(n));
    return vld1q_f32(lanes_in);
  }
  using index = uint8x16_t;
  static constexpr bool fast_pick = true;
  static index pick_index(const std::int32_t* positions) { return pick_bytes(positions, 4); }
  static vector pick(vector lo, vector hi, index i) {
    const uint8x16x2_t table{{vreinterpretq_u8_f32(lo), vreinterpretq_u8_f32(hi)}};
    return vreinterpretq_f32_u8(vqtbl2q_u8(table, i));
  }

  static vector max(vector a, vector b) { return vmaxq_f32(a, b); }
  // vmaxq gives NaN for a NaN on either side and orders -0 below +0: not max(v, current) = current.
  static constexpr bool max_keeps_current = false;
  static mask is_nan(vector v) { return vmvnq_u32(vceqq_f32(v, v)); }
  static mask mask_or(mask a, mask b) { return vorrq_u32(a, b); }
  static bool any(mask m) { return vmaxvq_u32(m) != 0; }
  static float reduce_max(vector v) { return vmaxvq_f32(v); }
  static unsigned equal_bits(vector v, float x) {
    static constexpr std::uint32_t weights[4] = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(vceqq_f32(v, vdupq_n_f32(x)), vld1q_u32(weights)));
  }

  // The portable conversions (no NEON form yet).
  static void widen(const float16* p, std::int64_t n, float* out) { ops<float, scalar>::widen(p, n, out); }
  static void widen(const bfloat16* p, std::int64_t n, float* out) { ops<float, scalar>::widen(p, n, out); }
  static vector load_widened(const float16* p) { return load_widened_through_array<ops>(p, lanes); }
  static vector load_widened(const bfloat16* p) { return load_widened_through_array<ops>(p, lanes); }
  static vector load_widened_partial(const float16* p, int n) { return load_widened_through_array<ops>(p, n); }
  static vector load_widened_partial(const bfloat16* p, int n) { return load_widened_through_array<ops>(p, n); }
  static void store_narrowed(float16* p, vector v) { store_narrowed_through_array<ops>(p, v); }
  static void store_narrowed(bfloat16* p, vector v) { store_narrowed_through_array<ops>(p, v); }
  static void widen_to_double(vector v, float64x2_t* out) {
    out[0] = vcvt_f64_f32(vget_low_f32(v));
    out[1] = vcvt_high_f64_f32(v);
  }
};

template <>
struct ops<double, neon> {
  using vector = float64x2_t;
  using mask = uint64x2_t;
  static constexpr int lanes = 2;
  static constexpr int vector_registers = 32;

  static vector load(const double* p) { return vld1q_f64(p); }
  static void store(double* p, vector v) { vst1q_f64(p, v); }
  static void store_positions(std::int64_t* p, vector v) { vst1q_s64(p, vcvtq_s64_f64(v)); }
  static vector broadcast(double x) { return vdupq_n_f64(x); }
  static vector zero() { return vdupq_n_f64(0.0); }
  static vector iota() {
    static constexpr double values[2] = {0, 1};
    return vld1q_f64(values);
  }

  static vector add(vector a, vector b) { return vaddq_f64(a, b); }
  static vector mul(vector a, vector b) { return vmulq_f64(a, b); }
  static vector div(vector a, vector b) { return vdivq_f64(a, b); }
  static vector sqrt(vector a) { return vsqrtq_f64(a); }
  static mask greater_or_nan(vector v, vector current) {
    const uint64x2_t not_nan = vceqq_f64(v, v);
    return vorrq_u64(vcgtq_f64(v, current), veorq_u64(not_nan, vdupq_n_u64(~0ULL)));
  }
  static vector select(mask m, vector if_true, vector if_false) { return vbslq_f64(m, if_true, if_false); }
  static mask greater(vector v, vector current) { return vcgtq_f64(v, current); }

  static double reduce_add(vector v) { return vgetq_lane_f64(v, 0) + vgetq_lane_f64(v, 1); }
  static vector sum_each(const vector* v) { return vpaddq_f64(v[0], v[1]); }
  static void transpose(vector* v) {
    const float64x2_t low = vzip1q_f64(v[0], v[1]);
    v[1] = vzip2q_f64(v[0], v[1]);
    v[0] = low;
  }
  static vector load_partial(const double* p, int n) {
    return n > 0 ? vsetq_lane_f64(*p, vdupq_n_f64(0.0), 0) : vdupq_n_f64(0.0);
  }
  using index = uint8x16_t;
  static constexpr bool fast_pick = true;
  static index pick_index(const std::int32_t* positions) { return pick_bytes(positions, 8); }
  static vector pick(vector lo, vector hi, index i) {
    const uint8x16x2_t table{{vreinterpretq_u8_f64(lo), vreinterpretq_u8_f64(hi)}};
    return vreinterpretq_f64_u8(vqtbl2q_u8(table, i));
  }

  static vector max(vector a, vector b) { return vmaxq_f64(a, b); }
  // vmaxq gives NaN for a NaN on either side and orders -0 below +0: not max(v, current) = current.
  static constexpr bool max_keeps_current = false;
  static mask is_nan(vector v) { return veorq_u64(vceqq_f64(v, v), vdupq_n_u64(~0ULL)); }
  static mask mask_or(mask a, mask b) { return vorrq_u64(a, b); }
  static bool any(mask m) { return (vgetq_lane_u64(m, 0) | vgetq_lane_u64(m, 1)) != 0; }
  static double reduce_max(vector v) { return vmaxvq_f64(v); }
  static unsigned equal_bits(vector v, double x) {
    const uint64x2_t eq = vceqq_f64(v, vdupq_n_f64(x));
    return static_cast<unsigned>((vgetq_lane_u64(eq, 0) & 1u) | (vgetq_lane_u64(eq, 1) & 2u));
  }
};

template <>
struct index_ops<neon> {
  // AArch64 compares unsigned 64-bit lanes; two accumulators of two lanes.
  static bool all_below(const std::int64_t* p, std::int64_t n, std::int64_t bound) {
    const uint64x2_t b = vdupq_n_u64(static_cast<std::uint64_t>(bound));
    const auto inside = [b](const std::int64_t* q) { return vcltq_u64(vreinterpretq_u64_s64(vld1q_s64(q)), b); };
    uint64x2_t all0 = vdupq_n_u64(~std::uint64_t{0}), all1 = all0;
    std::int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
      all0 = vandq_u64(all0, inside(p + i));
      all1 = vandq_u64(all1, inside(p + i + 2));
    }
    const uint64x2_t all = vandq_u64(all0, all1);
    const bool below = (vgetq_lane_u64(all, 0) & vgetq_lane_u64(all, 1)) != 0;
    return below && index_ops<scalar>::all_below(p + i, n - i, bound);
  }
};

template <>
struct byte_ops<neon> {
  // Pairwise widening adds, bytes to 64-bit lanes, 16 bytes at a time.
  template <class Byte>
  static std::int64_t sum(const Byte* p, std::int64_t n) {
    std::int64_t i = 0, total = 0;
    if constexpr (std::is_signed_v<Byte>) {
      int64x2_t lanes = vdupq_n_s64(0);
      for (; i + 16 <= n; i += 16) lanes = vpadalq_s32(lanes, vpaddlq_s16(vpaddlq_s8(vld1q_s8(p + i))));
      total = vaddvq_s64(lanes);
    } else {
      uint64x2_t lanes = vdupq_n_u64(0);
      for (; i + 16 <= n; i += 16) lanes = vpadalq_u32(lanes, vpaddlq_u16(vpaddlq_u8(vld1q_u8(p + i))));
      total = static_cast<std::int64_t>(vaddvq_u64(lanes));
    }
    return total + byte_ops<scalar>::sum(p + i, n - i);
  }
  template <class Byte>
  static void sum_small_planes(const Byte* p, std::int64_t stride, std::int64_t size, std::int64_t count,
                               double* sums) {
    byte_ops<scalar>::sum_planes_one_by_one<byte_ops>(p, stride, size, count, sums);
  }
};

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::simd
#endif
