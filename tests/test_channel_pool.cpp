// SPDX-License-Identifier: MIT
// channel_avg_pool and channel_max_pool (depth-wise pooling over adaptive
// windows of channels) against the reference, for every input layout and
// element type: channel counts around every lane count and past 256, pixel
// counts past 256 (plane-major kernels work 256 pixels at a time), C' = 1 (the
// global depth-wise case), C' > C, NaN at every channel, ties at every pair.

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <array>
#include <cstdint>
#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include "reference.hpp"
#include "test_support.hpp"

namespace channel_pool_tests {

using namespace adapool_test;

class ChannelPool : public testing::TestWithParam<config> {};

template <class T, std::size_t Rank>
void check_channel_ops(const std::array<std::int64_t, Rank>& in_shape, std::int64_t out_channels, layout_kind in_kind,
                       std::size_t i, const std::vector<T>& x) {
  check_cases<channel_avg_op, channel_max_op<true>, channel_max_op<false>>(
      in_shape, with_channels(in_shape, out_channels), in_kind, i, x);
}

TEST_P(ChannelPool, ChannelCountSweep) {
  with_dtype(GetParam().type, 21, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::size_t i = 0;
    for (std::int64_t c : lane_sizes_and({256, 300, 513}))
      for (std::int64_t out_c : {std::int64_t{1}, std::int64_t{3}, c}) {
        const fill_kind fill = fill_for(i);
        const std::array<std::int64_t, 4> in_shape{1, c, 2, 3};
        check_channel_ops<T>(in_shape, out_c, GetParam().layout, i++, random_values<T>(in_shape, fill, rng));
      }
  });
}

// Pixel counts around the lane counts and past 256, in 1d, 2d and 3d.
TEST_P(ChannelPool, PixelCountSweep) {
  with_dtype(GetParam().type, 22, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::size_t i = 0;
    for (std::int64_t w : lane_sizes_and({255, 256, 300})) {
      const fill_kind fill = fill_for(i);
      const std::array<std::int64_t, 3> in_1d{2, 5, w};
      check_channel_ops<T>(in_1d, 2, GetParam().layout, i++, random_values<T>(in_1d, fill, rng));
      const std::array<std::int64_t, 4> in_2d{1, 4, 3, w};
      check_channel_ops<T>(in_2d, 1, GetParam().layout, i++, random_values<T>(in_2d, fill, rng));
    }
    const std::array<std::int64_t, 5> in_3d{2, 6, 3, 4, 5};
    check_channel_ops<T>(in_3d, 4, GetParam().layout, i++, random_values<T>(in_3d, fill_kind::specials, rng));
    const std::array<std::int64_t, 4> in_big{1, 3, 17, 19};  // 323 pixels
    check_channel_ops<T>(in_big, 2, GetParam().layout, i++, random_values<T>(in_big, fill_kind::ties, rng));
  });
}

// Channel windows of 19 and 10 take passes of eight planes and then the rest,
// or of four when contiguous planes are a multiple of 4 KiB apart (the second
// shape).
TEST_P(ChannelPool, PassWidths) {
  with_dtype(GetParam().type, 25, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    const auto rows_of_4k = static_cast<std::int64_t>(4096 / sizeof(T) / 32);
    std::size_t i = 0;
    for (const std::array<std::int64_t, 4>& in_shape :
         {std::array<std::int64_t, 4>{1, 19, 5, 7}, std::array<std::int64_t, 4>{1, 19, rows_of_4k, 32}})
      for (std::int64_t out_c : {std::int64_t{1}, std::int64_t{2}}) {
        const fill_kind fill = fill_for(i);
        check_channel_ops<T>(in_shape, out_c, GetParam().layout, i++, random_values<T>(in_shape, fill, rng));
      }
  });
}

// The window rule over channels: out > in, the in=5 out=3 edge, primes.
TEST_P(ChannelPool, ChannelWindows) {
  with_dtype(GetParam().type, 23, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    const std::vector<std::array<std::int64_t, 2>> windows{{5, 3}, {2, 3}, {3, 8}, {7, 7}, {13, 5}, {31, 7}, {1, 4}};
    std::size_t i = 0;
    for (const auto& w : windows)
      for (fill_kind fill : all_fills()) {
        const std::array<std::int64_t, 4> in_shape{2, w[0], 2, 5};
        check_channel_ops<T>(in_shape, w[1], GetParam().layout, i++, random_values<T>(in_shape, fill, rng));
      }
  });
}

TEST_P(ChannelPool, RandomShapes) {
  with_dtype(GetParam().type, 24, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::uniform_int_distribution<std::int64_t> batch(1, 3), channels(1, 40), size(1, 9), out_c(1, 12);
    for (std::size_t i = 0; i < 30; ++i) {
      const fill_kind fill = fill_for(i);
      const std::array<std::int64_t, 4> in_shape{batch(rng), channels(rng), size(rng), size(rng)};
      check_channel_ops<T>(in_shape, out_c(rng), GetParam().layout, i, random_values<T>(in_shape, fill, rng));
    }
  });
}

TEST_P(ChannelPool, EmptyIsValid) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    check_channel_ops<T, 4>({0, 3, 4, 4}, 1, GetParam().layout, 0, {});
    check_channel_ops<T, 4>({2, 3, 0, 4}, 2, GetParam().layout, 1, {});
    check_channel_ops<T, 4>({2, 3, 4, 4}, 0, GetParam().layout, 2, std::vector<T>(96, T(1)));
    check_channel_ops<T, 4>({2, 0, 4, 4}, 0, GetParam().layout, 3, {});
  });
}

// NaN at every channel (and a second NaN): the last NaN's channel wins. With
// 300 channels the run crosses a 256-channel chunk.
TEST_P(ChannelPool, NanAtEveryChannel) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const T nan = std::numeric_limits<T>::quiet_NaN();
    std::size_t i = 0;
    for (std::int64_t c : {33, 300}) {
      for (std::int64_t p = 0; p < c; p += (c > 100 ? 7 : 1)) {
        std::vector<T> x(c * 3);
        for (std::size_t k = 0; k < x.size(); ++k) x[k] = static_cast<T>(k % 5);
        x[p * 3 + 1] = nan;
        check_case<channel_max_op<true>, T, 3>({1, c, 3}, {1, 1, 3}, GetParam().layout, output_layout(i++), x);
        x[((p * 11 + 5) % c) * 3 + 1] = nan;
        check_case<channel_max_op<true>, T, 3>({1, c, 3}, {1, 1, 3}, GetParam().layout, output_layout(i++), x);
      }
    }
  });
}

// The maximum on two channels: the first keeps the index, including across
// a 256-channel chunk.
TEST_P(ChannelPool, TiesAcrossChannels) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    std::size_t i = 0;
    for (std::int64_t c : {17, 300})
      for (std::int64_t p = 0; p < c; p += (c > 100 ? 13 : 1))
        for (std::int64_t q = p + 1; q < c; q += (c > 100 ? 37 : 2)) {
          std::vector<T> x(c * 2, T(-1));
          x[p * 2] = x[q * 2] = T(2);
          x[q * 2 + 1] = T(4);
          check_case<channel_max_op<true>, T, 3>({1, c, 2}, {1, 1, 2}, GetParam().layout, output_layout(i++), x);
        }
  });
}

TEST_P(ChannelPool, Infinities) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const T inf = std::numeric_limits<T>::infinity();
    check_channel_ops<T, 4>({1, 9, 2, 3}, 2, GetParam().layout, 0, std::vector<T>(54, -inf));
    std::vector<T> x(9 * 6, -inf);
    x[40] = inf;
    x[7] = T(0);
    check_channel_ops<T, 4>({1, 9, 2, 3}, 3, GetParam().layout, 1, x);
  });
}

INSTANTIATE_TEST_SUITE_P(Layouts, ChannelPool, testing::ValuesIn(all_configs()), config_name);

}  // namespace channel_pool_tests
