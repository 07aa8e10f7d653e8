// SPDX-License-Identifier: MIT
// global_avg_pool and global_max_pool (with and without indices) against the
// reference's out == 1 case, for every input layout and element type: plane
// sizes around every SIMD lane count and past the float summation block,
// channel counts past 256, NaN at every position, ties at every pair.

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include "reference.hpp"
#include "test_support.hpp"

namespace global_pool_tests {

using namespace adapool_test;

class GlobalPool : public testing::TestWithParam<config> {};

template <class T, std::size_t Rank>
void check_global_ops(const std::array<std::int64_t, Rank>& in_shape, layout_kind in_kind, std::size_t i,
                      const std::vector<T>& x) {
  check_cases<global_avg_op, global_max_op<true>, global_max_op<false>>(in_shape, global_of(in_shape), in_kind, i, x);
}

// Planes of L - 1, L, L + 1 and 2L + 1 elements and primes, as one row (1d),
// as rows of a 2d plane and as the last axis of a 3d volume.
TEST_P(GlobalPool, PlaneSizeSweep) {
  with_dtype(GetParam().type, 11, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::size_t i = 0;
    for (std::int64_t w : lane_sizes()) {
      const fill_kind fill = fill_for(i);
      const std::array<std::int64_t, 3> in_1d{2, 3, w};
      check_global_ops<T>(in_1d, GetParam().layout, i++, random_values<T>(in_1d, fill, rng));
      const std::array<std::int64_t, 4> rows{1, 2, 3, w};
      check_global_ops<T>(rows, GetParam().layout, i++, random_values<T>(rows, fill, rng));
      const std::array<std::int64_t, 4> columns{1, 2, w, 3};
      check_global_ops<T>(columns, GetParam().layout, i++, random_values<T>(columns, fill, rng));
      const std::array<std::int64_t, 5> volume{1, 2, 2, 3, w};
      check_global_ops<T>(volume, GetParam().layout, i++, random_values<T>(volume, fill, rng));
    }
  });
}

// Planes past 1024 elements, where float sums are split into blocks.
TEST_P(GlobalPool, LargePlanes) {
  with_dtype(GetParam().type, 12, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::size_t i = 0;
    for (std::int64_t w : {1023, 1024, 1025, 2049, 4099}) {
      const std::array<std::int64_t, 3> in_1d{1, 2, w};
      check_global_ops<T>(in_1d, GetParam().layout, i++, random_values<T>(in_1d, fill_kind::uniform, rng));
    }
    const std::array<std::int64_t, 4> plane{2, 7, 33, 65};  // planes four at a time, and three alone
    check_global_ops<T>(plane, GetParam().layout, i++, random_values<T>(plane, fill_kind::ties, rng));
    // Contiguous planes of three 65536-element chunks, 66 chunks in all: more
    // than the 64 that threads share at a time, with a plane across the cut.
    if (GetParam().layout == layout_kind::nchw) {
      const std::array<std::int64_t, 3> chunked{1, 22, 2 * 65536 + 3};
      check_global_ops<T>(chunked, GetParam().layout, i++, random_values<T>(chunked, fill_kind::uniform, rng));
    }
  });
}

// Channel counts around the lane counts and past 256 (channels-last kernels
// reduce 256 channels at a time).
TEST_P(GlobalPool, ChannelCountSweep) {
  with_dtype(GetParam().type, 13, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::size_t i = 0;
    for (std::int64_t c : lane_sizes_and({255, 256, 300, 513})) {
      const fill_kind fill = fill_for(i);
      const std::array<std::int64_t, 4> in_shape{2, c, 3, 3};
      check_global_ops<T>(in_shape, GetParam().layout, i++, random_values<T>(in_shape, fill, rng));
    }
  });
}

// 7 x 7 planes that follow each other are summed as one run, whose vectors a
// plane boundary splits: several groups of planes and a partial one, and an
// infinity or NaN at every position of planes at several places in a group,
// which must reach its own plane's results and no other.
TEST_P(GlobalPool, SevenBySevenPlanes) {
  with_dtype(GetParam().type, 14, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    const std::array<std::int64_t, 4> in_shape{2, 37, 7, 7};
    std::size_t i = 0;
    for (fill_kind fill : {fill_kind::uniform, fill_kind::ties})
      check_global_ops<T>(in_shape, GetParam().layout, i++, random_values<T>(in_shape, fill, rng));
    const std::array<std::int64_t, 4> group{1, 17, 7, 7};
    const std::vector<T> base = random_values<T>(group, fill_kind::uniform, rng);
    for (std::int64_t plane : {0, 3, 7, 8, 15, 16}) {
      for (std::int64_t p = 0; p < 49; ++p) {
        for (T special : {std::numeric_limits<T>::infinity(), std::numeric_limits<T>::quiet_NaN()}) {
          std::vector<T> x = base;
          x[static_cast<std::size_t>(plane * 49 + p)] = special;
          check_global_ops<T>(group, GetParam().layout, i++, x);
        }
      }
    }
    // A plane of one value (-infinity, or a tie at every position) keeps its first position.
    for (std::int64_t plane : {5, 16}) {
      for (T value : {-std::numeric_limits<T>::infinity(), static_cast<T>(1)}) {
        std::vector<T> x = base;
        std::fill_n(x.begin() + plane * 49, 49, value);
        check_global_ops<T>(group, GetParam().layout, i++, x);
      }
    }
  });
}

TEST_P(GlobalPool, EmptyIsValid) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    check_global_ops<T, 4>({0, 3, 4, 4}, GetParam().layout, 0, {});
    check_global_ops<T, 4>({2, 0, 4, 4}, GetParam().layout, 1, {});
    check_global_ops<T, 3>({0, 0, 5}, GetParam().layout, 2, {});
  });
}

// A NaN, or two, at every position of planes that fill a vector several times
// and leave a tail: the result is NaN at the last NaN.
TEST_P(GlobalPool, NanAtEveryPosition) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const T nan = std::numeric_limits<T>::quiet_NaN();
    std::size_t i = 0;
    for (std::int64_t n : {17, 33, 65}) {
      for (std::int64_t p = 0; p < n; ++p) {
        std::vector<T> x(n);
        for (std::int64_t k = 0; k < n; ++k) x[k] = static_cast<T>(k % 7);
        x[p] = nan;
        check_case<global_max_op<true>, T, 3>({1, 1, n}, {1, 1, 1}, GetParam().layout, output_layout(i++), x);
        x[(p * 5 + 3) % n] = nan;
        check_case<global_max_op<true>, T, 3>({1, 1, n}, {1, 1, 1}, GetParam().layout, output_layout(i++), x);
      }
    }
    // NaN and infinities in averages.
    check_global_ops<T, 4>({1, 3, 2, 2}, GetParam().layout, 0,
                           {1, nan, 2, 3, T(1), std::numeric_limits<T>::infinity(), 2, 3,
                            -std::numeric_limits<T>::infinity(), std::numeric_limits<T>::infinity(), 0, 0});
  });
}

// The maximum twice, at every pair of positions: the first keeps the index.
TEST_P(GlobalPool, TiesAtEveryPair) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const std::int64_t n = 33;
    std::size_t i = 0;
    for (std::int64_t p = 0; p < n; ++p)
      for (std::int64_t q = p + 1; q < n; ++q) {
        std::vector<T> x(n, T(1));
        x[p] = x[q] = T(3);
        check_case<global_max_op<true>, T, 4>({1, 1, 3, 11}, {1, 1, 1, 1}, GetParam().layout, output_layout(i++), x);
      }
  });
}

// Only -inf: -inf at index 0. One +inf among -inf: found wherever it is.
TEST_P(GlobalPool, Infinities) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const T inf = std::numeric_limits<T>::infinity();
    check_global_ops<T, 4>({2, 3, 5, 7}, GetParam().layout, 0, std::vector<T>(2 * 3 * 5 * 7, -inf));
    for (std::int64_t p = 0; p < 19; ++p) {
      std::vector<T> x(19, -inf);
      x[p] = inf;
      check_case<global_max_op<true>, T, 3>({1, 1, 19}, {1, 1, 1}, GetParam().layout, output_layout(p), x);
    }
  });
}

TEST_P(GlobalPool, SignedZeros) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    for (std::int64_t p = 0; p < 17; ++p) {
      std::vector<T> x(17, -T(0));
      x[p] = T(0);
      check_case<global_max_op<true>, T, 3>({1, 1, 17}, {1, 1, 1}, GetParam().layout, output_layout(p), x);
    }
  });
}

// The same input gives the same bits every time.
TEST_P(GlobalPool, Deterministic) {
  with_dtype(GetParam().type, 19, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    const std::array<std::int64_t, 4> shape{2, 40, 30, 31};
    const std::vector<T> x = random_values<T>(shape, fill_kind::uniform, rng);
    placed<T, 4> input = place(GetParam().layout, shape, T(0));
    input.assign(x);
    std::vector<T> first(80), again(80);
    adapool::global_avg_pool(input.view(), adapool::make_view(first.data(), 2, 40, 1, 1));
    adapool::global_avg_pool(input.view(), adapool::make_view(again.data(), 2, 40, 1, 1));
    EXPECT_TRUE(same_maxima("average bits", {2, 40, 1, 1}, again, first));
  });
}

INSTANTIATE_TEST_SUITE_P(Layouts, GlobalPool, testing::ValuesIn(all_configs()), config_name);

}  // namespace global_pool_tests
