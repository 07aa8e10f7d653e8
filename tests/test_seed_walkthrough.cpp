// SPDX-License-Identifier: MIT
// The walkthrough of the README and examples/seed_demo.cpp as a test: one
// 1 x 8 x 4 x 4 feature map, x = (i * i + 3 * i) % 101 for i = 0..127.
// Global average and global max pooling give 1 x 8 x 1 x 1 (8 values); global
// depth-wise max (channel_max_pool) gives 1 x 1 x 4 x 4 (16 values). Each is
// compared with the reference and with the numbers PyTorch 1.13 printed for
// the same input (F.adaptive_avg_pool2d(x, 1), F.adaptive_max_pool2d(x, 1,
// return_indices=True), x.max(1, keepdim=True), x.mean(1, keepdim=True)).

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <array>
#include <cstdint>
#include <vector>

#include "reference.hpp"
#include "test_support.hpp"

namespace seed_walkthrough_tests {

using namespace adapool_test;

std::vector<float> seed_input() {
  std::vector<float> x(128);
  for (std::int64_t i = 0; i < 128; ++i) x[i] = static_cast<float>((i * i + 3 * i) % 101);
  return x;
}

// A function, not a global: nothing may run before main() checks the CPU.
reference::shape seed_shape() { return {1, 8, 4, 4}; }

template <class Arch>
void walk_through() {
  SCOPED_TRACE(Arch::name);
  const std::vector<float> x = seed_input();
  const reference::shape in_shape = seed_shape();
  const auto in = adapool::make_view(x, 1, 8, 4, 4);

  const adapool::tensor<float, 4> avg = adapool::global_avg_pool<Arch>(in);
  ASSERT_EQ(avg.shape(), (std::array<std::int64_t, 4>{1, 8, 1, 1}));
  const std::vector<double> want_avg = reference::adaptive_avg(x, in_shape, {1, 8, 1, 1});
  EXPECT_TRUE(close_averages("average", {1, 8}, avg.values(), want_avg, 100.0));
  EXPECT_TRUE(close_averages("average", {1, 8}, avg.values(),
                             std::vector<float>{36.875f, 50.625f, 46.125f, 42.3125f, 51.8125f, 43.0625f, 35, 52.875f},
                             100.0));

  const auto [max, argmax] = adapool::global_max_pool_with_indices<Arch>(in);
  ASSERT_EQ(max.shape(), (std::array<std::int64_t, 4>{1, 8, 1, 1}));
  const auto want_max = reference::adaptive_max(x, in_shape, {1, 8, 1, 1});
  EXPECT_TRUE(same_maxima("max", {1, 8}, max.values(), want_max.values));
  EXPECT_TRUE(same_indices("index", {1, 8}, argmax.values(), want_max.indices));
  EXPECT_TRUE(same_maxima("max", {1, 8}, max.values(), std::vector<float>{88, 100, 91, 91, 100, 88, 99, 100}));
  EXPECT_TRUE(same_indices("index", {1, 8}, argmax.values(), {8, 5, 4, 14, 13, 10, 3, 10}));
  EXPECT_TRUE(same_maxima("max", {1, 8}, adapool::global_max_pool<Arch>(in).values(), want_max.values));

  const auto [depth_max, channel] = adapool::channel_max_pool_with_indices<Arch>(in);
  ASSERT_EQ(depth_max.shape(), (std::array<std::int64_t, 4>{1, 1, 4, 4}));
  const auto want_depth = reference::channel_max(x, in_shape, 1);
  EXPECT_TRUE(same_maxima("channel max", {1, 16}, depth_max.values(), want_depth.values));
  EXPECT_TRUE(same_indices("channel", {1, 16}, channel.values(), want_depth.indices));
  EXPECT_TRUE(same_maxima("channel max", {1, 16}, depth_max.values(),
                          std::vector<float>{75, 79, 75, 99, 99, 100, 79, 93, 88, 94, 100, 93, 93, 100, 94, 68}));
  EXPECT_TRUE(same_indices("channel", {1, 16}, channel.values(), {5, 7, 1, 6, 6, 1, 5, 1, 0, 1, 7, 4, 7, 4, 7, 0}));
  EXPECT_TRUE(same_maxima("channel max", {1, 16}, adapool::channel_max_pool<Arch>(in).values(), want_depth.values));

  const adapool::tensor<float, 4> depth_mean = adapool::channel_avg_pool<Arch>(in);
  EXPECT_TRUE(
      close_averages("channel mean", {1, 16}, depth_mean.values(), reference::channel_avg(x, in_shape, 1), 100.0));
  EXPECT_TRUE(close_averages("channel mean", {1, 16}, depth_mean.values(),
                             std::vector<float>{27.25f, 42.25f, 21.375f, 40.375f, 61.375f, 33.875f, 46.25f, 48, 39.125f,
                                                57.5f, 52.625f, 49.75f, 61.5f, 50, 53.125f, 33},
                             100.0));
}

TEST(SeedWalkthrough, DefaultInstructionSet) { walk_through<adapool::default_arch>(); }
TEST(SeedWalkthrough, Scalar) { walk_through<adapool::simd::scalar>(); }

// The same numbers from a channels-last copy of the feature map.
TEST(SeedWalkthrough, ChannelsLast) {
  const std::vector<float> x = seed_input();
  adapool::tensor<float, 4, adapool::channels_last> nhwc({1, 8, 4, 4});
  for (std::int64_t c = 0; c < 8; ++c)
    for (std::int64_t h = 0; h < 4; ++h)
      for (std::int64_t w = 0; w < 4; ++w) nhwc(0, c, h, w) = x[(c * 4 + h) * 4 + w];
  const auto [max, argmax] = adapool::global_max_pool_with_indices(nhwc.view());
  EXPECT_TRUE(same_maxima("max", {1, 8}, max.values(), std::vector<float>{88, 100, 91, 91, 100, 88, 99, 100}));
  EXPECT_TRUE(same_indices("index", {1, 8}, argmax.values(), {8, 5, 4, 14, 13, 10, 3, 10}));
  const auto depth_max = adapool::channel_max_pool(nhwc.view());
  EXPECT_TRUE(same_maxima("channel max", {1, 16}, depth_max.values(),
                          std::vector<float>{75, 79, 75, 99, 99, 100, 79, 93, 88, 94, 100, 93, 93, 100, 94, 68}));
  const auto avg = adapool::global_avg_pool(nhwc.view());
  EXPECT_TRUE(close_averages("average", {1, 8}, avg.values(),
                             std::vector<float>{36.875f, 50.625f, 46.125f, 42.3125f, 51.8125f, 43.0625f, 35, 52.875f},
                             100.0));
}

}  // namespace seed_walkthrough_tests
