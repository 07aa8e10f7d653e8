// SPDX-License-Identifier: MIT
// Fused operations give exactly the bits of the separate calls they replace:
// adaptive_avg_max_pool2d / adaptive_concat_pool2d (average + max of the same
// windows) and channel_max_avg_pool (CBAM's channel max + mean).

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace fused_tests {

using adapool_test::error_message;
using adapool_test::mentions;

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

struct shape_case {
  std::int64_t n, c, h, w, oh, ow;
};

std::vector<shape_case> cases() {
  std::mt19937 rng(21);
  std::vector<shape_case> all = {{1, 8, 7, 7, 1, 1},
                                 {2, 17, 13, 13, 7, 7},
                                 {1, 3, 5, 5, 3, 3},
                                 {1, 4, 2, 3, 5, 4},
                                 // Whole planes: lane groups across batches, the largest lane plane, past it.
                                 {3, 70, 7, 7, 1, 1},
                                 {2, 5, 16, 16, 1, 1},
                                 {2, 9, 17, 17, 1, 1},
                                 {2, 3, 1, 1, 1, 1}};
  const auto upto = [&](std::int64_t most) {
    return 1 + static_cast<std::int64_t>(rng() % static_cast<unsigned>(most));
  };
  for (int i = 0; i < 24; ++i) all.push_back({upto(2), upto(70), upto(30), upto(30), upto(8), upto(8)});
  return all;
}

std::vector<float> random_input(const shape_case& s, std::mt19937& rng) {
  std::vector<float> x(static_cast<std::size_t>(s.n * s.c * s.h * s.w));
  for (float& v : x) {
    const unsigned r = rng() % 25;
    v = r == 0 ? std::nanf("") : r == 1 ? -INFINITY : static_cast<float>(rng() % 9);  // ties and specials
  }
  return x;
}

template <class In>
void check_avg_max(const In& in, const shape_case& s) {
  const auto concat = adapool::adaptive_concat_pool2d(in, {s.oh, s.ow});
  const auto avg = adapool::adaptive_avg_pool2d(in, {s.oh, s.ow});
  const auto [max, idx] = adapool::adaptive_max_pool2d_with_indices(in, {s.oh, s.ow});
  adapool::tensor<float, 4> avg2(avg.shape()), max2(avg.shape());
  adapool::tensor<std::int64_t, 4> idx2(avg.shape());
  adapool::adaptive_avg_max_pool2d(in, avg2.view(), max2.view(), idx2.view());
  ASSERT_EQ(concat.extent(1), 2 * s.c);
  for (std::int64_t n = 0; n < s.n; ++n)
    for (std::int64_t c = 0; c < s.c; ++c)
      for (std::int64_t i = 0; i < s.oh; ++i)
        for (std::int64_t j = 0; j < s.ow; ++j) {
          ASSERT_TRUE(same_bits(concat(n, c, i, j), max(n, c, i, j))) << n << " " << c << " " << i << " " << j;
          ASSERT_TRUE(same_bits(concat(n, s.c + c, i, j), avg(n, c, i, j)));
          ASSERT_TRUE(same_bits(avg2(n, c, i, j), avg(n, c, i, j)));
          ASSERT_TRUE(same_bits(max2(n, c, i, j), max(n, c, i, j)));
          ASSERT_EQ(idx2(n, c, i, j), idx(n, c, i, j));
        }
}

template <class In>
void check_channel(const In& in, const shape_case& s) {
  const auto both = adapool::channel_max_avg_pool(in);
  const auto max = adapool::channel_max_pool(in);
  const auto avg = adapool::channel_avg_pool(in);
  for (std::int64_t n = 0; n < s.n; ++n)
    for (std::int64_t i = 0; i < s.h; ++i)
      for (std::int64_t j = 0; j < s.w; ++j) {
        ASSERT_TRUE(same_bits(both(n, 0, i, j), max(n, 0, i, j))) << n << " " << i << " " << j;
        ASSERT_TRUE(same_bits(both(n, 1, i, j), avg(n, 0, i, j))) << n << " " << i << " " << j;
      }
}

// Calls check(view, case) for every case, through a contiguous view and a
// channels-last view of the same values.
template <class Check>
void for_each_case_and_layout(unsigned seed, Check&& check) {
  std::mt19937 rng(seed);
  for (const shape_case& s : cases()) {
    const std::vector<float> x = random_input(s, rng);
    check(adapool::make_view(x.data(), s.n, s.c, s.h, s.w), s);
    check(adapool::make_view<adapool::channels_last>(x.data(), s.n, s.c, s.h, s.w), s);
  }
}

TEST(Fused, AvgMaxEqualsSeparateCalls) {
  for_each_case_and_layout(5, [](const auto& in, const shape_case& s) { check_avg_max(in, s); });
}

TEST(Fused, ChannelMaxAvgEqualsSeparateCalls) {
  for_each_case_and_layout(6, [](const auto& in, const shape_case& s) { check_channel(in, s); });
}

// Channel slices of one tensor interleave in memory without sharing an
// element: accepted. Two views one element apart share elements: rejected,
// with nothing written.
TEST(Fused, InterleavedOutputsAcceptedSharedRejected) {
  const std::int64_t n = 2, c = 3, h = 4, w = 5;
  std::vector<float> x(static_cast<std::size_t>(n * c * h * w), 1.0f);
  const auto in = adapool::make_view(x.data(), n, c, h, w);
  std::vector<float> out(static_cast<std::size_t>(n * 2 * h * w), -7.0f);
  const std::array<std::int64_t, 4> shape{n, 1, h, w}, strides{2 * h * w, h * w, w, 1};
  adapool::channel_max_avg_pool(in, adapool::make_strided_view(out.data(), shape, strides),
                                adapool::make_strided_view(out.data() + h * w, shape, strides));
  for (float v : out) EXPECT_EQ(v, 1.0f);

  std::fill(out.begin(), out.end(), -7.0f);
  EXPECT_TRUE(mentions(error_message([&] {
                         adapool::channel_max_avg_pool(in, adapool::make_strided_view(out.data(), shape, strides),
                                                       adapool::make_strided_view(out.data() + 1, shape, strides));
                       }),
                       {"channel_max_avg_pool", "overlaps"}));
  for (float v : out) EXPECT_EQ(v, -7.0f);
}

TEST(Fused, MismatchedOutputsRejected) {
  std::vector<float> x(2 * 3 * 4 * 4, 1.0f), a(2 * 3 * 2 * 2, -7.0f), m(2 * 3 * 3 * 3, -7.0f);
  const auto in = adapool::make_view(x.data(), 2, 3, 4, 4);
  EXPECT_THROW(adapool::adaptive_avg_max_pool2d(in, adapool::make_view(a.data(), 2, 3, 2, 2),
                                                adapool::make_view(m.data(), 2, 3, 3, 3)),
               adapool::error);
  for (float v : a) EXPECT_EQ(v, -7.0f);
  for (float v : m) EXPECT_EQ(v, -7.0f);
}

}  // namespace fused_tests
