// SPDX-License-Identifier: MIT
// adaptive_{avg,max}_pool{1,2,3}d against the reference, for every input
// layout and element type (the test parameter, e.g. `nhwc_float`): hand-picked
// window shapes, sweeps around SIMD lane counts, random shapes, special values.

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

namespace adaptive_pool_tests {

using namespace adapool_test;

class AdaptivePool : public testing::TestWithParam<config> {};

// avg, max with indices and max without, each into a different output layout.
template <class T, std::size_t Rank>
void check_adaptive_ops(const std::array<std::int64_t, Rank>& in_shape,
                        const std::array<std::int64_t, Rank - 2>& out_spatial, layout_kind in_kind, std::size_t i,
                        const std::vector<T>& x) {
  check_cases<adaptive_avg_op, adaptive_max_op<true>, adaptive_max_op<false>>(
      in_shape, with_spatial(in_shape, out_spatial), in_kind, i, x);
}

template <std::size_t S>
struct window_case {
  std::array<std::int64_t, S> in, out;
};

// out == 1, out == in, out > in, non-divisible and prime sizes, the in=5 out=3
// window-length edge, and axes of size 1. Constant tables: nothing may run
// before main() checks that the CPU has the ISA this file was built for.
constexpr window_case<1> cases_1d[]{{{5}, {3}},  {{1}, {1}},  {{7}, {1}},  {{7}, {7}},   {{2}, {3}}, {{3}, {8}},
                                    {{10}, {4}}, {{13}, {5}}, {{31}, {7}}, {{17}, {17}}, {{4}, {2}}, {{1}, {5}}};
constexpr window_case<2> cases_2d[]{{{5, 5}, {3, 3}},   {{4, 4}, {1, 1}},   {{6, 6}, {6, 6}}, {{2, 3}, {3, 5}},
                                    {{7, 11}, {3, 4}},  {{13, 17}, {5, 7}}, {{1, 9}, {1, 4}}, {{9, 1}, {4, 1}},
                                    {{8, 8}, {16, 16}}, {{5, 5}, {3, 1}},   {{1, 1}, {2, 3}}};
constexpr window_case<3> cases_3d[]{{{3, 4, 5}, {2, 3, 2}}, {{2, 2, 2}, {1, 1, 1}}, {{3, 3, 3}, {3, 3, 3}},
                                    {{2, 3, 2}, {3, 4, 5}}, {{5, 7, 3}, {3, 2, 2}}, {{4, 1, 6}, {2, 1, 4}}};

// Batch and channel counts: single plane, batch > 1, and more channels than a vector.
constexpr std::array<std::int64_t, 2> batch_channels[]{{1, 1}, {2, 3}, {1, 17}};

template <class T, std::size_t S, std::size_t Count>
void check_window_cases(const window_case<S> (&cases)[Count], layout_kind kind) {
  std::mt19937_64 rng(S);
  std::size_t i = 0;
  for (const auto& wc : cases)
    for (const auto& nc : batch_channels)
      for (fill_kind fill : all_fills()) {
        std::array<std::int64_t, S + 2> in_shape{nc[0], nc[1]};
        for (std::size_t axis = 0; axis < S; ++axis) in_shape[axis + 2] = wc.in[axis];
        check_adaptive_ops<T>(in_shape, wc.out, kind, i++, random_values<T>(in_shape, fill, rng));
      }
}

TEST_P(AdaptivePool, WindowShapes1d) {
  with_dtype(GetParam().type, [&](auto t) { check_window_cases<decltype(t)>(cases_1d, GetParam().layout); });
}
TEST_P(AdaptivePool, WindowShapes2d) {
  with_dtype(GetParam().type, [&](auto t) { check_window_cases<decltype(t)>(cases_2d, GetParam().layout); });
}
TEST_P(AdaptivePool, WindowShapes3d) {
  with_dtype(GetParam().type, [&](auto t) { check_window_cases<decltype(t)>(cases_3d, GetParam().layout); });
}

// Row lengths around the lane counts: the vector loop, its tail, and rows that
// hold both; windows of one row, part of a row and the whole row.
TEST_P(AdaptivePool, RowLengthSweep) {
  with_dtype(GetParam().type, 2, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::size_t i = 0;
    for (std::int64_t w : lane_sizes())
      for (std::int64_t out_w : {std::int64_t{1}, std::int64_t{2}, std::int64_t{3}, w, w + 1}) {
        const std::array<std::int64_t, 4> in_shape{1, 2, 3, w};
        const fill_kind fill = i % 2 ? fill_kind::specials : fill_kind::uniform;
        check_adaptive_ops<T>(in_shape, {2, out_w}, GetParam().layout, i++, random_values<T>(in_shape, fill, rng));
      }
  });
}

// Every row length up to five vectors of 16 lanes and past it, on planes too
// large to pool one per lane: the column reductions take rows four vectors at
// a time, then one strip of the one to four vectors left, the last partial.
TEST_P(AdaptivePool, ColumnStrips) {
  with_dtype(GetParam().type, 11, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::size_t i = 0;
    for (std::int64_t w = 1; w <= 5 * 16 + 1; ++w) {
      const std::array<std::int64_t, 4> in_shape{1, 2, 21, w};
      check_adaptive_ops<T>(in_shape, {4, w / 3 + 1}, GetParam().layout, i,
                            random_values<T>(in_shape, fill_for(i), rng));
      ++i;
    }
    // Rows of four to sixteen whole vectors, kept in registers over windows
    // of more rows than a float sum holds (64), and more than twice as many.
    for (std::int64_t w : {4, 8, 16, 32, 48, 64, 128, 192, 256}) {
      const std::array<std::int64_t, 4> in_shape{1, 2, 150, w};
      check_adaptive_ops<T>(in_shape, {1, 3}, GetParam().layout, i, random_values<T>(in_shape, fill_for(i), rng));
      ++i;
    }
  });
}

// Rows shorter than two vectors are pooled from row vectors by lane
// permutations (up to a vector of outputs per row): every row length from
// half a vector to two, output widths up to a vector and past it, overlapping
// windows (out > in), with NaN, ties and -inf.
TEST_P(AdaptivePool, ShortRows) {
  with_dtype(GetParam().type, 5, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::size_t i = 0;
    for (std::int64_t w = 2; w <= 33; ++w)
      for (std::int64_t out_w : {std::int64_t{2}, std::int64_t{3}, std::int64_t{7}, w / 2 + 1, w + 3}) {
        const std::array<std::int64_t, 4> in_shape{1, 3, 13, w};
        const fill_kind fill = fill_for(i);
        check_adaptive_ops<T>(in_shape, {7, out_w}, GetParam().layout, i++, random_values<T>(in_shape, fill, rng));
      }
  });
}

// Channel counts around the lane counts and past 256, where channels-last
// kernels work in chunks of channels, and past 1024 and 2048, where
// channels-last averages split a pixel's channels into runs read whole.
// Windows of 144 pixels flush their float sums three times. Counts of four,
// eight, twelve or sixteen vectors are summed in registers: from one call for
// a window of whole rows (12 x 12 to 1 x 1), from one call per row otherwise
// (12 x 24 to 1 x 2).
TEST_P(AdaptivePool, ChannelCountSweep) {
  with_dtype(GetParam().type, 3, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::size_t i = 0;
    for (std::int64_t c : lane_sizes_and({48, 64, 128, 192, 256, 300, 513, 2100})) {
      const std::array<std::int64_t, 4> in_shape{2, c, 3, 4};
      const fill_kind fill = fill_for(i);
      check_adaptive_ops<T>(in_shape, {2, 3}, GetParam().layout, i++, random_values<T>(in_shape, fill, rng));
      const std::array<std::int64_t, 3> in_1d{1, c, 5};
      check_adaptive_ops<T>(in_1d, {1}, GetParam().layout, i++, random_values<T>(in_1d, fill, rng));
      if (c > 256 || c % 4 == 0) {
        const std::array<std::int64_t, 4> long_windows{1, c, 12, 12};
        check_adaptive_ops<T>(long_windows, {1, 1}, GetParam().layout, i++, random_values<T>(long_windows, fill, rng));
      }
      if (c % 4 == 0) {
        const std::array<std::int64_t, 4> row_windows{1, c, 12, 24};
        check_adaptive_ops<T>(row_windows, {1, 2}, GetParam().layout, i++, random_values<T>(row_windows, fill, rng));
      }
    }
  });
}

// Small planes are pooled several at a time, one per vector lane: plane counts
// around every lane count (the last group short), planes that just fit the
// group's copy (256 elements) and just do not, windows and the global case.
TEST_P(AdaptivePool, PlanesInLanes) {
  with_dtype(GetParam().type, 7, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::size_t i = 0;
    const std::array<std::array<std::int64_t, 2>, 5> planes{{{16, 16}, {16, 17}, {1, 256}, {1, 257}, {13, 13}}};
    for (const auto& plane : planes)
      for (std::int64_t c : {std::int64_t{15}, std::int64_t{33}}) {
        const std::array<std::int64_t, 4> in_shape{1, c, plane[0], plane[1]};
        const fill_kind fill = fill_for(i);
        const std::vector<T> x = random_values<T>(in_shape, fill, rng);
        check_adaptive_ops<T>(in_shape, {std::min<std::int64_t>(plane[0], 7), 5}, GetParam().layout, i++, x);
        check_adaptive_ops<T>(in_shape, {1, 1}, GetParam().layout, i++, x);
      }
  });
}

// One plane of a group holds NaN (or ties), its neighbours do not: each lane
// keeps its own rule.
TEST_P(AdaptivePool, NanInOnePlaneOfAGroup) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const T nan = std::numeric_limits<T>::quiet_NaN();
    const std::int64_t c = 17, size = 5 * 5;
    std::size_t i = 0;
    for (std::int64_t plane : {std::int64_t{0}, std::int64_t{3}, std::int64_t{8}, std::int64_t{16}})
      for (std::int64_t p : {std::int64_t{0}, std::int64_t{12}, std::int64_t{24}}) {
        std::vector<T> x(static_cast<std::size_t>(c * size));
        for (std::size_t k = 0; k < x.size(); ++k) x[k] = static_cast<T>(k % 3);
        x[static_cast<std::size_t>(plane * size + p)] = nan;
        x[static_cast<std::size_t>(plane * size + (p + 7) % size)] = nan;
        check_adaptive_ops<T, 4>({1, c, 5, 5}, {3, 3}, GetParam().layout, i++, x);
        check_case<global_max_op<true>, T, 4>({1, c, 5, 5}, {1, c, 1, 1}, GetParam().layout, output_layout(i++), x);
      }
  });
}

template <class T, std::size_t Rank>
void check_random_shapes(layout_kind kind, int cases) {
  std::mt19937_64 rng(100 + Rank);
  std::uniform_int_distribution<std::int64_t> batch(1, 3), channels(1, 9), size(1, 11), out_size(1, 13);
  for (int i = 0; i < cases; ++i) {
    std::array<std::int64_t, Rank> in_shape{batch(rng), channels(rng)};
    std::array<std::int64_t, Rank - 2> out{};
    for (std::size_t axis = 2; axis < Rank; ++axis) {
      in_shape[axis] = size(rng);
      out[axis - 2] = out_size(rng);
    }
    const fill_kind fill = fill_for(static_cast<std::size_t>(i));
    check_adaptive_ops<T>(in_shape, out, kind, static_cast<std::size_t>(i), random_values<T>(in_shape, fill, rng));
  }
}

TEST_P(AdaptivePool, RandomShapes) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    check_random_shapes<T, 3>(GetParam().layout, 30);
    check_random_shapes<T, 4>(GetParam().layout, 30);
    check_random_shapes<T, 5>(GetParam().layout, 20);
  });
}

// N == 0, C == 0 and zero output sizes are valid and write nothing (check_case
// checks that every element of the output buffers keeps its fill value), even
// when the input plane is empty too.
TEST_P(AdaptivePool, EmptyIsValid) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const layout_kind kind = GetParam().layout;
    check_adaptive_ops<T, 4>({0, 3, 4, 4}, {2, 2}, kind, 0, {});
    check_adaptive_ops<T, 4>({2, 0, 4, 4}, {2, 2}, kind, 1, {});
    check_adaptive_ops<T, 4>({2, 3, 4, 4}, {0, 2}, kind, 2, std::vector<T>(2 * 3 * 4 * 4, T(1)));
    check_adaptive_ops<T, 4>({2, 3, 0, 4}, {0, 3}, kind, 3, {});
    check_adaptive_ops<T, 3>({1, 2, 0}, {0}, kind, 4, {});
    check_adaptive_ops<T, 5>({1, 2, 3, 0, 2}, {1, 0, 1}, kind, 5, {});
  });
}

// in = 5, out = 3: the middle window is [1, 4), one longer than ceil(5 / 3).
TEST_P(AdaptivePool, WindowLengthEdge) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const std::vector<T> x{1, 2, 4, 8, 16};
    EXPECT_EQ(reference::adaptive_avg(x, {1, 1, 5}, {1, 1, 3}), (std::vector<double>{1.5, 14.0 / 3, 12}));
    EXPECT_EQ(reference::adaptive_max(x, {1, 1, 5}, {1, 1, 3}).indices, (std::vector<std::int64_t>{1, 3, 4}));
    check_adaptive_ops<T, 3>({1, 1, 5}, {3}, GetParam().layout, 0, x);
    // The same edge on every axis at once.
    std::mt19937_64 rng(5);
    check_adaptive_ops<T, 5>({1, 2, 5, 5, 5}, {3, 3, 3}, GetParam().layout, 1,
                             random_values<T>(250, fill_kind::uniform, rng));
  });
}

// One NaN, or two, at every position of a row long enough for several vectors
// and a tail: the window's value is NaN and its index the last NaN's.
TEST_P(AdaptivePool, NanAtEveryPosition) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const T nan = std::numeric_limits<T>::quiet_NaN();
    const std::int64_t n = 37;  // windows [0, 19) and [18, 37)
    for (std::int64_t p = 0; p < n; ++p) {
      std::vector<T> x(n);
      for (std::int64_t i = 0; i < n; ++i) x[i] = static_cast<T>(i % 5);
      x[p] = nan;
      check_case<adaptive_max_op<true>, T, 3>({1, 1, n}, {1, 1, 2}, GetParam().layout, output_layout(p), x);
      x[n - 1 - p] = nan;
      check_case<adaptive_max_op<true>, T, 3>({1, 1, n}, {1, 1, 2}, GetParam().layout, output_layout(p + 1), x);
    }
    // NaN in a 2d window: it must win over larger values in later rows.
    std::vector<T> x(5 * 9, T(1));
    x[2 * 9 + 4] = nan;
    x[4 * 9 + 8] = T(100);
    check_case<adaptive_max_op<true>, T, 4>({1, 1, 5, 9}, {1, 1, 2, 2}, GetParam().layout, layout_kind::nchw, x);
    check_case<adaptive_avg_op, T, 4>({1, 1, 5, 9}, {1, 1, 2, 2}, GetParam().layout, layout_kind::nchw, x);
  });
}

// Two equal maxima at every pair of positions: the first keeps the index.
TEST_P(AdaptivePool, TiesAtEveryPair) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const std::int64_t n = 35;  // windows [0, 18) and [17, 35)
    std::size_t i = 0;
    for (std::int64_t p = 0; p < n; ++p)
      for (std::int64_t q = p + 1; q < n; q += 3) {
        std::vector<T> x(n, T(-2));
        x[p] = x[q] = T(7);
        check_case<adaptive_max_op<true>, T, 3>({1, 1, n}, {1, 1, 2}, GetParam().layout, output_layout(i++), x);
      }
  });
}

// +0 and -0 compare equal, so the first of them is the max, sign and all.
TEST_P(AdaptivePool, SignedZeros) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const T z = T(0);
    check_case<adaptive_max_op<true>, T, 3>({1, 2, 4}, {1, 2, 2}, GetParam().layout, layout_kind::nchw,
                                            {-z, z, z, -z, z, -z, -z, z});
    std::vector<T> x(19, -z);
    x[17] = z;
    check_case<adaptive_max_op<true>, T, 3>({1, 1, 19}, {1, 1, 1}, GetParam().layout, layout_kind::slice, x);
  });
}

// -inf everywhere: -inf, at the first element of each window (not the plane's).
TEST_P(AdaptivePool, AllNegativeInfinity) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const T inf = std::numeric_limits<T>::infinity();
    check_adaptive_ops<T, 4>({2, 3, 5, 7}, {3, 4}, GetParam().layout, 0, std::vector<T>(2 * 3 * 5 * 7, -inf));
    check_adaptive_ops<T, 5>({1, 2, 3, 3, 3}, {2, 2, 2}, GetParam().layout, 1, std::vector<T>(2 * 27, -inf));
    std::vector<T> x(40, -inf);
    x[39] = inf;
    check_adaptive_ops<T, 3>({1, 2, 20}, {6}, GetParam().layout, 2, x);
  });
}

// adaptive_avg_pool2d_pyramid: each level is what adaptive_avg_pool2d writes,
// bit for bit (one read of each plane serves all levels).
template <class Arch, class T>
void check_pyramid(const placed<T, 4>& input, const std::vector<T>& x,
                   const std::array<std::array<std::int64_t, 2>, 4>& bins, std::size_t i) {
  SCOPED_TRACE(Arch::name);
  std::array<placed<T, 4>, 4> outs;
  std::array<adapool::tensor_view<T, 4, adapool::strided>, 4> views;
  for (std::size_t level = 0; level < 4; ++level) {
    outs[level] = place(output_layout(i + level), with_spatial(input.extents(), bins[level]), output_fill<T>);
    views[level] = outs[level].view();
  }
  adapool::adaptive_avg_pool2d_pyramid<Arch>(input.view(), views);
  for (std::size_t level = 0; level < 4; ++level) {
    const auto out_shape = with_spatial(input.extents(), bins[level]);
    const reference::shape out_dims = to_shape(out_shape);
    EXPECT_TRUE(outs[level].margin_untouched(output_fill<T>));
    const std::vector<T> got = outs[level].logical();
    EXPECT_TRUE(close_averages("average", out_dims, got,
                               reference::adaptive_avg(x, to_shape(input.extents()), out_dims), magnitude(x)));
    const outcome<T> single = run_op<adaptive_avg_op, Arch>(input, out_shape, layout_kind::nchw);
    EXPECT_TRUE(same_maxima("pyramid vs adaptive_avg_pool2d", out_dims, got, single.values));
  }
}

TEST_P(AdaptivePool, Pyramid) {
  with_dtype(GetParam().type, 41, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    const std::vector<std::array<std::int64_t, 4>> shapes{{2, 5, 13, 11}, {1, 19, 6, 6}, {1, 3, 2, 3}};
    const std::vector<std::array<std::array<std::int64_t, 2>, 4>> pyramids{{{{1, 1}, {2, 2}, {3, 3}, {6, 6}}},
                                                                           {{{1, 2}, {4, 3}, {0, 2}, {7, 5}}}};
    std::size_t i = 0;
    for (const auto& shape : shapes)
      for (const auto& bins : pyramids) {
        const std::vector<T> x = random_values<T>(shape, fill_for(i), rng);
        placed<T, 4> input = place(GetParam().layout, shape, T(0));
        input.assign(x);
        check_pyramid<adapool::default_arch>(input, x, bins, i);
        check_pyramid<adapool::simd::scalar>(input, x, bins, i++);
      }
  });
}

INSTANTIATE_TEST_SUITE_P(Layouts, AdaptivePool, testing::ValuesIn(all_configs()), config_name);

}  // namespace adaptive_pool_tests
