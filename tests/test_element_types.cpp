// SPDX-License-Identifier: MIT
// The narrow element types: float16 and bfloat16 conversions against an
// independent rounding formula; average and max pooling (adaptive, global,
// channel) of float16, bfloat16, int8_t and uint8_t against tests/reference.hpp
// in every layout, through the default instruction set and the scalar path;
// the rounding of means at the .5 edges; and sums that would overflow int32_t.

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "reference.hpp"
#include "test_support.hpp"

namespace element_types_tests {

using adapool::bfloat16;
using adapool::float16;
using adapool_test::error_message;
using adapool_test::layout_kind;
using adapool_test::mentions;
using adapool_test::placed;

// ---------------------------------------------------------------- conversions

float float_of_bits(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

std::uint32_t bits_of_float(float f) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

// f rounded to a binary format with `digits` significand bits and smallest
// normal exponent `min_exponent`, by scaling to an integer multiple of the ulp
// and rounding in double (exact: both steps are powers of two); infinity past
// `largest` plus half an ulp.
double rounded_to_format(float f, int digits, int min_exponent, double largest) {
  const double x = f;
  if (x == 0) return x;
  const int exponent = std::max(std::ilogb(x), min_exponent);
  const double ulp = std::ldexp(1.0, exponent - (digits - 1));
  const double r = std::nearbyint(x / ulp) * ulp;
  if (std::abs(r) > largest) return std::copysign(std::numeric_limits<double>::infinity(), x);
  return r;
}

TEST(Float16, EveryValueSurvivesTheRoundTrip) {
  for (std::uint32_t b = 0; b < 65536; ++b) {
    const auto h = float16::from_bits(static_cast<std::uint16_t>(b));
    const float f = static_cast<float>(h);
    const float16 back(f);
    if (std::isnan(f)) {
      // NaN stays NaN, quiet (already as a float), with its sign and payload.
      std::uint32_t f_bits;
      std::memcpy(&f_bits, &f, sizeof f_bits);
      ASSERT_NE(f_bits & 0x00400000u, 0u) << std::hex << b;
      ASSERT_EQ(back.bits, b | 0x0200u) << std::hex << b;
    } else {
      ASSERT_EQ(back.bits, b) << std::hex << b;
    }
  }
  EXPECT_EQ(static_cast<float>(float16::from_bits(0x3c00)), 1.0f);
  EXPECT_EQ(static_cast<float>(float16::from_bits(0x7bff)), 65504.0f);
  EXPECT_EQ(static_cast<float>(float16::from_bits(0x0001)), std::ldexp(1.0f, -24));
  EXPECT_EQ(static_cast<float>(float16::from_bits(0xfc00)), -std::numeric_limits<float>::infinity());
}

TEST(Float16, RoundsToNearestEven) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::uint32_t> any;
  std::vector<float> values = {65504.0f,   65519.996f, 65520.0f, 1e9f,       2049.0f, 2051.0f, 0x1p-25f,
                               0x1.8p-25f, 0x1p-26f,   0x1p-24f, 0x1.8p-24f, -0.0f,   1e-30f};
  for (int i = 0; i < 200000; ++i) {
    // Floats near half's range, every mantissa pattern.
    const std::uint32_t bits = (any(rng) & 0x807fffffu) | ((any(rng) % 42 + 96) << 23);
    values.push_back(float_of_bits(bits));
  }
  for (float f : values) {
    const double want = rounded_to_format(f, 11, -14, 65504.0);
    const float got = static_cast<float>(float16(f));
    ASSERT_EQ(bits_of_float(got), bits_of_float(static_cast<float>(want))) << f;
  }
}

TEST(BFloat16, RoundTripAndNearestEven) {
  for (std::uint32_t b = 0; b < 65536; ++b) {
    const auto h = bfloat16::from_bits(static_cast<std::uint16_t>(b));
    const float f = static_cast<float>(h);
    ASSERT_EQ(bfloat16(f).bits, std::isnan(f) ? (b | 0x40u) : b) << std::hex << b;
  }
  std::mt19937 rng(8);
  std::uniform_int_distribution<std::uint32_t> any;
  const double largest = static_cast<double>(static_cast<float>(bfloat16::from_bits(0x7f7f)));
  for (int i = 0; i < 200000; ++i) {
    const float f = float_of_bits(any(rng) & 0xff7fffffu);  // finite
    const double want = rounded_to_format(f, 8, -126, largest);
    ASSERT_EQ(bits_of_float(static_cast<float>(bfloat16(f))), bits_of_float(static_cast<float>(want))) << f;
  }
}

// ---------------------------------------------------------------- pooling

template <class T>
double as_double(T v) {
  if constexpr (adapool::detail::is_half_type<T>) {
    return static_cast<double>(static_cast<float>(v));
  } else {
    return static_cast<double>(v);
  }
}

template <class T>
bool is_nan(T v) {
  return std::isnan(as_double(v));
}

template <class T>
bool same_bits(T a, T b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// What the mean of a window must be in T: for the half types, float's mean
// rounded to T (the test values keep every sum exact); for bytes, the exact
// mean rounded to nearest even.
template <class T>
T expected_mean(double mean) {
  if constexpr (adapool::detail::is_half_type<T>) {
    return T(static_cast<float>(mean));
  } else {
    return static_cast<T>(std::nearbyint(mean));
  }
}

// Random values of T: the half types get multiples of a small power of two (so
// window sums are exact in float) with ties, signed zeros, NaN and infinities;
// the bytes get their whole range or a few values (ties).
template <class T>
std::vector<T> random_elements(std::int64_t count, bool specials, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> percent(0, 99), small(-3, 3), byte(0, 255), fine(-2048, 2048);
  std::vector<T> values(static_cast<std::size_t>(count));
  for (T& v : values) {
    const int roll = percent(rng);
    if constexpr (adapool::detail::is_half_type<T>) {
      const float unit = std::is_same_v<T, float16> ? 0x1p-10f : 0x1p-5f;
      float f = roll < 40 ? static_cast<float>(small(rng)) : static_cast<float>(fine(rng)) * unit;
      if (f == 0 && roll % 2 == 0) f = -0.0f;
      if (specials && roll < 5) f = std::numeric_limits<float>::quiet_NaN();
      if (specials && roll >= 5 && roll < 8) f = std::numeric_limits<float>::infinity();
      if (specials && roll >= 8 && roll < 14) f = -std::numeric_limits<float>::infinity();
      v = T(f);
      if (specials && roll < 5) v.bits = static_cast<std::uint16_t>(v.bits | (percent(rng) & 0x3f));  // payloads
    } else {
      const int wide = std::is_signed_v<T> ? byte(rng) - 128 : byte(rng);
      v = static_cast<T>(specials ? (std::is_signed_v<T> ? small(rng) : small(rng) + 3) : wide);
    }
  }
  return values;
}

template <class T>
class NarrowTypes : public testing::Test {};
using narrow_types = testing::Types<float16, bfloat16, std::int8_t, std::uint8_t>;
struct narrow_names {
  template <class T>
  static std::string GetName(int) {
    if (std::is_same_v<T, float16>) return "float16";
    if (std::is_same_v<T, bfloat16>) return "bfloat16";
    return std::is_same_v<T, std::int8_t> ? "int8" : "uint8";
  }
};
TYPED_TEST_SUITE(NarrowTypes, narrow_types, narrow_names);

// Means in `got` against the reference's double means.
template <class T>
void expect_means(const std::vector<T>& got, const std::vector<double>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const T expected = expected_mean<T>(want[i]);
    if (std::isnan(want[i])) {
      ASSERT_TRUE(is_nan(got[i])) << what << " element " << i;
    } else {
      ASSERT_TRUE(same_bits(got[i], expected))
          << what << " element " << i << ": " << as_double(got[i]) << ", want " << as_double(expected);
    }
  }
}

// Maxima and indices against the reference; the value is the winning element
// itself, input[winner_of(i, index)] for output i.
template <class T, class WinnerOf>
void expect_maxima(const std::vector<T>& got, const std::vector<std::int64_t>& got_indices,
                   const reference::max_result<double>& want, const std::vector<T>& input, WinnerOf winner_of,
                   const std::string& what) {
  ASSERT_EQ(got.size(), want.values.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got_indices[i], want.indices[i]) << what << " element " << i;
    const T winner = input[static_cast<std::size_t>(winner_of(static_cast<std::int64_t>(i), want.indices[i]))];
    ASSERT_TRUE(same_bits(got[i], winner)) << what << " element " << i << ": " << as_double(got[i]);
  }
}

template <class T>
std::vector<double> doubles(const std::vector<T>& x) {
  std::vector<double> d;
  for (T v : x) d.push_back(as_double(v));
  return d;
}

template <class T>
T from_int(int v) {
  if constexpr (adapool::detail::is_half_type<T>) {
    return T(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}

// One adaptive case: avg and max with indices, default path and scalar path.
template <class T, std::size_t Rank>
void check_adaptive(const std::array<std::int64_t, Rank>& in_shape, const std::array<std::int64_t, Rank>& out_shape,
                    layout_kind in_kind, layout_kind out_kind, bool specials, std::mt19937_64& rng) {
  const reference::shape in_s = adapool_test::to_shape(in_shape), out_s = adapool_test::to_shape(out_shape);
  const std::string what = std::string(adapool_test::layout_name(in_kind)) + " -> " +
                           adapool_test::layout_name(out_kind) + " " + ::testing::PrintToString(in_s) + " -> " +
                           ::testing::PrintToString(out_s);
  auto in = adapool_test::place(in_kind, in_shape, T{});
  const std::vector<T> x = random_elements<T>(reference::element_count(in_s), specials, rng);
  in.assign(x);
  const auto means = reference::adaptive_avg(doubles(x), in_s, out_s);
  const auto maxima = reference::adaptive_max(doubles(x), in_s, out_s);
  // Output i's winner is element `index` of input plane i / out_plane.
  const std::int64_t in_plane = reference::element_count(in_s) / (in_s[0] * in_s[1]);
  const std::int64_t out_plane = reference::element_count(out_s) / (out_s[0] * out_s[1]);
  const auto winner_of = [&](std::int64_t i, std::int64_t index) { return i / out_plane * in_plane + index; };

  const auto run = [&](auto arch, const char* path) {
    using Arch = decltype(arch);
    const T fill = from_int<T>(7);
    auto avg = adapool_test::place(out_kind, out_shape, fill);
    auto max = adapool_test::place(out_kind, out_shape, fill);
    auto idx = adapool_test::place(out_kind, out_shape, std::int64_t{-7});
    const auto in_view = static_cast<const decltype(in)&>(in).view();
    if constexpr (Rank == 3) {
      adapool::adaptive_avg_pool1d<Arch>(in_view, avg.view());
      adapool::adaptive_max_pool1d<Arch>(in_view, max.view(), idx.view());
    } else if constexpr (Rank == 4) {
      adapool::adaptive_avg_pool2d<Arch>(in_view, avg.view());
      adapool::adaptive_max_pool2d<Arch>(in_view, max.view(), idx.view());
    } else {
      adapool::adaptive_avg_pool3d<Arch>(in_view, avg.view());
      adapool::adaptive_max_pool3d<Arch>(in_view, max.view(), idx.view());
    }
    expect_means(avg.logical(), means, what + " avg " + path);
    expect_maxima(max.logical(), idx.logical(), maxima, x, winner_of, what + " max " + path);
    EXPECT_TRUE(avg.margin_untouched(fill) && max.margin_untouched(fill) && idx.margin_untouched(-7)) << what;
  };
  run(adapool::default_arch{}, "default");
  run(adapool::simd::scalar{}, "scalar");
}

TYPED_TEST(NarrowTypes, AdaptivePoolingMatchesTheReference) {
  using T = TypeParam;
  std::mt19937_64 rng(42);
  std::size_t i = 0;
  for (layout_kind kind : adapool_test::all_layouts()) {
    for (bool specials : {false, true}) {
      const layout_kind out_kind = adapool_test::output_layout(i++);
      check_adaptive<T, 3>({2, 3, 37}, {2, 3, 5}, kind, out_kind, specials, rng);
      check_adaptive<T, 3>({1, 2, 300}, {1, 2, 1}, kind, out_kind, specials, rng);
      check_adaptive<T, 3>({1, 2, 3}, {1, 2, 7}, kind, out_kind, specials, rng);
      check_adaptive<T, 4>({2, 5, 13, 13}, {2, 5, 7, 7}, kind, out_kind, specials, rng);
      check_adaptive<T, 4>({1, 3, 7, 7}, {1, 3, 1, 1}, kind, out_kind, specials, rng);
      check_adaptive<T, 4>({2, 70, 2, 2}, {2, 70, 1, 1}, kind, out_kind, specials, rng);  // planes under a vector
      check_adaptive<T, 4>({1, 2, 8, 8}, {1, 2, 1, 1}, kind, out_kind, specials, rng);    // 64, the largest small plane
      check_adaptive<T, 4>({1, 2, 2, 3}, {1, 2, 5, 4}, kind, out_kind, specials, rng);
      check_adaptive<T, 4>({1, 1, 17, 600}, {1, 1, 2, 3}, kind, out_kind, specials, rng);
      check_adaptive<T, 5>({1, 2, 5, 6, 7}, {1, 2, 2, 3, 4}, kind, out_kind, specials, rng);
      // Windows of whole rows, and of whole planes of a 3d window.
      check_adaptive<T, 4>({1, 2, 9, 8}, {1, 2, 3, 1}, kind, out_kind, specials, rng);
      check_adaptive<T, 5>({1, 2, 5, 6, 7}, {1, 2, 2, 2, 1}, kind, out_kind, specials, rng);
      check_adaptive<T, 5>({2, 2, 5, 6, 7}, {2, 2, 2, 1, 1}, kind, out_kind, specials, rng);
    }
  }
}

TYPED_TEST(NarrowTypes, GlobalAndChannelPoolingMatchTheReference) {
  using T = TypeParam;
  std::mt19937_64 rng(43);
  std::size_t i = 0;
  // Pixel rows shorter than a vector, longer than a run of 256, and longer
  // than a vector max run of 4096 (the max without indices).
  for (const std::array<std::int64_t, 4> shape :
       {std::array<std::int64_t, 4>{2, 19, 3, 5}, {2, 19, 1, 300}, {1, 19, 2, 2100}}) {
    const std::int64_t C = shape[1], P = shape[2] * shape[3];
    for (layout_kind kind : adapool_test::all_layouts()) {
      for (bool specials : {false, true}) {
        const reference::shape s = adapool_test::to_shape(shape);
        auto in = adapool_test::place(kind, shape, T{});
        const std::vector<T> x = random_elements<T>(reference::element_count(s), specials, rng);
        in.assign(x);
        const auto& cin = in;
        const std::string what = std::string(adapool_test::layout_name(kind)) + (specials ? " specials" : "");

        // Global: one value per plane.
        const auto gavg = adapool::global_avg_pool(cin.view());
        const auto [gmax, gidx] = adapool::global_max_pool_with_indices(cin.view());
        const reference::shape g = reference::global_shape(s);
        expect_means(adapool_test::logical_values(gavg), reference::adaptive_avg(doubles(x), s, g),
                     what + " global avg");
        expect_maxima(
            adapool_test::logical_values(gmax), adapool_test::logical_values(gidx),
            reference::adaptive_max(doubles(x), s, g), x,
            [&](std::int64_t plane, std::int64_t index) { return plane * P + index; }, what + " global max");

        // Channel pooling to 1 and 4 channels (windows of 19 channels and of 5 or 6).
        for (std::int64_t out_c : {1, 4}) {
          const layout_kind out_kind = adapool_test::output_layout(i++);
          const T fill = from_int<T>(9);
          const std::array<std::int64_t, 4> out_shape{shape[0], out_c, shape[2], shape[3]};
          auto avg = adapool_test::place(out_kind, out_shape, fill);
          auto max = adapool_test::place(out_kind, out_shape, fill);
          auto idx = adapool_test::place(out_kind, out_shape, std::int64_t{-9});
          auto max_only = adapool_test::place(out_kind, out_shape, fill);
          for (int path = 0; path < 2; ++path) {
            if (path == 0) {
              adapool::channel_avg_pool(cin.view(), avg.view());
              adapool::channel_max_pool(cin.view(), max.view(), idx.view());
              adapool::channel_max_pool(cin.view(), max_only.view());
            } else {
              adapool::channel_avg_pool<adapool::simd::scalar>(cin.view(), avg.view());
              adapool::channel_max_pool<adapool::simd::scalar>(cin.view(), max.view(), idx.view());
              adapool::channel_max_pool<adapool::simd::scalar>(cin.view(), max_only.view());
            }
            const std::string where = what + " channels -> " + std::to_string(out_c) + (path ? " scalar" : " default");
            expect_means(avg.logical(), reference::channel_avg(doubles(x), s, out_c), where + " avg");
            // The winner of output (n, oc, pixel) is x[(n * C + channel) * P + pixel].
            const auto winner_of = [&](std::int64_t o, std::int64_t channel) {
              return (o / (out_c * P) * C + channel) * P + o % P;
            };
            expect_maxima(max.logical(), idx.logical(), reference::channel_max(doubles(x), s, out_c), x, winner_of,
                          where + " max");
            // Without indices: the same elements, NaN bits included.
            const std::vector<T> maxima = max.logical(), maxima_only = max_only.logical();
            for (std::size_t o = 0; o < maxima.size(); ++o) {
              ASSERT_TRUE(same_bits(maxima_only[o], maxima[o])) << where << " max without indices, element " << o;
            }
            EXPECT_TRUE(avg.margin_untouched(fill) && max.margin_untouched(fill) && idx.margin_untouched(-9) &&
                        max_only.margin_untouched(fill))
                << where;
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- rounding edges

template <class T>
T mean_of(std::vector<T> values) {
  const auto n = static_cast<std::int64_t>(values.size());
  adapool::tensor<T, 3> x({1, 1, n});
  for (std::int64_t i = 0; i < n; ++i) x.data()[i] = values[static_cast<std::size_t>(i)];
  return adapool::global_avg_pool(x.view()).data()[0];
}

TEST(NarrowRounding, BytesRoundHalfToEven) {
  using i8 = std::int8_t;
  EXPECT_EQ(mean_of<i8>({1, 2}), 2);                        // 1.5
  EXPECT_EQ(mean_of<i8>({2, 3}), 2);                        // 2.5
  EXPECT_EQ(mean_of<i8>({-1, -2}), -2);                     // -1.5
  EXPECT_EQ(mean_of<i8>({-2, -3}), -2);                     // -2.5
  EXPECT_EQ(mean_of<i8>({-3, 0}), -2);                      // -1.5
  EXPECT_EQ(mean_of<i8>({1, 1, 2}), 1);                     // 1.33
  EXPECT_EQ(mean_of<i8>({1, 2, 2}), 2);                     // 1.67
  EXPECT_EQ(mean_of<i8>({-128, 127}), 0);                   // -0.5
  EXPECT_EQ(mean_of<i8>({-128, -128, 127, 127, 127}), 25);  // 25.4
  using u8 = std::uint8_t;
  EXPECT_EQ(mean_of<u8>({254, 255}), 254);  // 254.5
  EXPECT_EQ(mean_of<u8>({253, 254}), 254);  // 253.5
  EXPECT_EQ(mean_of<u8>({0, 1}), 0);        // 0.5
  EXPECT_EQ(mean_of<u8>({0, 3}), 2);        // 1.5
}

// Many planes of every small size, so the means are rounded in vectors, with
// sums made half-way between two integers wherever the size is even.
template <class Byte>
void check_small_plane_ties() {
  const auto round_half_even = [](std::int64_t sum, std::int64_t n) {
    std::int64_t floor = sum / n;
    if (floor * n > sum) --floor;
    const std::int64_t twice_rest = 2 * (sum - floor * n);
    return twice_rest > n || (twice_rest == n && floor % 2 != 0) ? floor + 1 : floor;
  };
  std::mt19937_64 rng(44);
  std::uniform_int_distribution<int> any_byte(std::numeric_limits<Byte>::min(), std::numeric_limits<Byte>::max());
  const std::int64_t planes = 37;
  for (std::int64_t size = 1; size <= 64; ++size) {
    adapool::tensor<Byte, 3> x({1, planes, size});
    std::vector<std::int64_t> sums(static_cast<std::size_t>(planes));
    for (std::int64_t c = 0; c < planes; ++c) {
      Byte* plane = x.data() + c * size;
      std::int64_t sum = 0;
      for (std::int64_t i = 0; i < size; ++i) {
        plane[i] = c % 5 == 1   ? std::numeric_limits<Byte>::min()
                   : c % 5 == 2 ? std::numeric_limits<Byte>::max()
                                : static_cast<Byte>(any_byte(rng));
        sum += plane[i];
      }
      if (c % 5 >= 3 && size % 2 == 0) {  // element 0 moved to make the sum half-way
        const std::int64_t rest = sum - plane[0];
        const std::int64_t half_way = ((size / 2 - rest) % size + size) % size;  // 0 <= x0 < size <= 64
        plane[0] = static_cast<Byte>(half_way);
        sum = rest + half_way;
      }
      sums[std::size_t(c)] = sum;
    }
    const auto means = adapool::global_avg_pool(x.view());
    for (std::int64_t c = 0; c < planes; ++c) {
      ASSERT_EQ(means.data()[c], round_half_even(sums[std::size_t(c)], size))
          << "plane " << c << " of " << size << " bytes, sum " << sums[std::size_t(c)];
    }
  }
}

TEST(NarrowRounding, SmallBytePlanesRoundHalfToEven) {
  check_small_plane_ties<std::int8_t>();
  check_small_plane_ties<std::uint8_t>();
}

TEST(NarrowRounding, HalfTypesRoundHalfToEven) {
  // float16 spacing is 2 between 2048 and 4096: 2049 and 2051 are ties.
  EXPECT_EQ(static_cast<float>(mean_of<float16>({float16(2048.0f), float16(2050.0f)})), 2048.0f);
  EXPECT_EQ(static_cast<float>(mean_of<float16>({float16(2050.0f), float16(2052.0f)})), 2052.0f);
  // bfloat16 spacing is 2 between 256 and 512.
  EXPECT_EQ(static_cast<float>(mean_of<bfloat16>({bfloat16(256.0f), bfloat16(258.0f)})), 256.0f);
  EXPECT_EQ(static_cast<float>(mean_of<bfloat16>({bfloat16(258.0f), bfloat16(260.0f)})), 260.0f);
  // The largest value averages to itself: the sum passes float16's range, not float's.
  EXPECT_EQ(static_cast<float>(mean_of<float16>({float16(65504.0f), float16(65504.0f)})), 65504.0f);
}

TEST(NarrowRounding, ByteSumsPastInt32) {
  // 2^24 + 3 elements of 127 sum past 2^31: the int32_t blocks must flush into 64 bits.
  const std::int64_t n = (std::int64_t{1} << 24) + 3;
  adapool::tensor<std::int8_t, 3> x({1, 1, n}, std::int8_t{127});
  x.data()[5] = -128;
  // (127 * (n - 1) - 128) / n = 127 - 255 / n, within 0.5 of 127.
  EXPECT_EQ(adapool::global_avg_pool(x.view()).data()[0], 127);
  adapool::tensor<std::uint8_t, 4> y({1, 1, 1, n}, std::uint8_t{255});
  EXPECT_EQ(adapool::adaptive_avg_pool2d(y.view(), {1, 1}).data()[0], 255);
}

TEST(NarrowErrors, BadShapesAreReportedAndNothingIsWritten) {
  adapool::tensor<float16, 4> x({2, 3, 4, 4});
  adapool::tensor<float16, 4> out({1, 3, 2, 2}, float16(5.0f));
  EXPECT_THROW(adapool::adaptive_avg_pool2d(x.view(), out.view()), adapool::error);
  adapool::tensor<std::int8_t, 4> b({2, 3, 4, 4});
  adapool::tensor<std::int8_t, 4> bout({2, 2, 4, 4}, std::int8_t{5});
  EXPECT_TRUE(
      mentions(error_message([&] {
                 adapool::channel_max_pool(b.view(), adapool::tensor_view<std::int8_t, 4>(bout.data(), {2, 2, 4, 3}));
               }),
               {"channel_max_pool"}));
  for (float16 v : out.values()) EXPECT_EQ(v.bits, float16(5.0f).bits);
  for (std::int8_t v : bout.values()) EXPECT_EQ(v, 5);
}

}  // namespace element_types_tests
