// SPDX-License-Identifier: MIT
#pragma once

// Reduced-precision storage types: IEEE binary16 (`float16`) and bfloat16.
// They only store: pooling converts them to float, which holds every value of
// both exactly, computes in float (double for long sums), and rounds results
// back to nearest, ties to even, as PyTorch does for Half and BFloat16 tensors.
// int8_t and uint8_t need no type of their own.

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "simd/target.hpp"

namespace adapool {

/// IEEE 754 binary16: 1 sign bit, 5 exponent bits, 10 mantissa bits.
struct float16 {
  std::uint16_t bits = 0;  ///< The encoding: sign, exponent, mantissa from the top bit down.

  /// Positive zero.
  float16() = default;
  /// Rounds to nearest, ties to even; overflow gives infinity, NaN stays NaN (quiet, sign and top payload kept).
  explicit float16(float value) : bits(from_float(value)) {}
  /// The value as a float: exact (every float16 is a float), subnormals included.
  explicit operator float() const { return to_float(bits); }

  /// The float16 whose encoding is `b`, as read from a file or another library.
  static float16 from_bits(std::uint16_t b) {
    float16 h;
    h.bits = b;
    return h;
  }

 private:
  static std::uint16_t from_float(float value) {
    std::uint32_t x;
    std::memcpy(&x, &value, sizeof x);
    const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
    std::uint32_t magnitude = x & 0x7fffffffu;
    if (magnitude > 0x7f800000u)  // NaN
      return static_cast<std::uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
    if (magnitude >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65520 rounds to inf
    if (magnitude < 0x38800000u) {
      // Below 2^-14 the result is subnormal (or zero): a multiple of 2^-24.
      // Adding 0.5 (exponent -1) puts that multiple in float's low mantissa
      // bits, and float's own addition rounds it to nearest even.
      float shifted;
      std::memcpy(&shifted, &magnitude, sizeof shifted);
      shifted += 0.5f;
      std::uint32_t y;
      std::memcpy(&y, &shifted, sizeof y);
      return static_cast<std::uint16_t>(sign | (y - 0x3f000000u));
    }
    // Normal: rebias the exponent (127 -> 15) and round the 13 dropped mantissa
    // bits to nearest even; a carry out of the mantissa bumps the exponent,
    // up to infinity, which is the right result.
    const std::uint32_t odd = (magnitude >> 13) & 1u;
    magnitude += 0xc8000fffu + odd;  // -112 << 23, plus half an ulp less one, plus odd
    return static_cast<std::uint16_t>(sign | (magnitude >> 13));
  }

  static float to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
    std::uint32_t x;
    if (exponent == 0x1f) {
      // A NaN comes out quiet, as IEEE 754 conversions (F16C, NEON) return it,
      // so that every path widens the same bits.
      x = sign | 0x7f800000u | (mantissa << 13) | (mantissa != 0 ? 0x00400000u : 0u);
    } else if (exponent != 0) {
      x = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else {
      // Zero or subnormal: mantissa * 2^-24, exact in float.
      const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
      std::memcpy(&x, &magnitude, sizeof x);
      x |= sign;
    }
    float value;
    std::memcpy(&value, &x, sizeof value);
    return value;
  }
};

/// bfloat16: float's sign and exponent, 7 mantissa bits (the top half of a float).
struct bfloat16 {
  std::uint16_t bits = 0;  ///< The encoding: the top 16 bits of the float it stands for.

  /// Positive zero.
  bfloat16() = default;
  /// Rounds to nearest, ties to even; NaN stays NaN (quiet, sign and top payload kept).
  explicit bfloat16(float value) : bits(from_float(value)) {}
  /// The value as a float: exact (the bits shifted into a float's top half).
  explicit operator float() const {
    const std::uint32_t x = static_cast<std::uint32_t>(bits) << 16;
    float value;
    std::memcpy(&value, &x, sizeof value);
    return value;
  }

  /// The bfloat16 whose encoding is `b`, as read from a file or another library.
  static bfloat16 from_bits(std::uint16_t b) {
    bfloat16 h;
    h.bits = b;
    return h;
  }

 private:
  static std::uint16_t from_float(float value) {
    std::uint32_t x;
    std::memcpy(&x, &value, sizeof x);
    if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);
    x += 0x7fffu + ((x >> 16) & 1u);
    return static_cast<std::uint16_t>(x >> 16);
  }
};

namespace detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {

template <class T>
inline constexpr bool is_half_type = std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>;
template <class T>
inline constexpr bool is_byte_type = std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::uint8_t>;
/// Element types the basic pooling operations take besides float and double.
template <class T>
inline constexpr bool is_narrow_type = is_half_type<T> || is_byte_type<T>;

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace detail
}  // namespace adapool
