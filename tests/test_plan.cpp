// SPDX-License-Identifier: MIT
// The plan: for a shape meant for each strategy, planned_strategy names the
// strategy this suite's instruction set is expected to run, and the operation
// (through the default path and the scalar path) matches tests/reference.hpp.
// The expectations are written per instruction set where the plan depends on
// the vector width, so a change of threshold that moves a shape to another
// strategy fails here instead of silently testing something else.

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <array>
#include <cstdint>
#include <random>
#include <string>

#include "test_support.hpp"

namespace plan_tests {

using adapool::pooling;
using adapool_test::layout_kind;
using shape4 = std::array<std::int64_t, 4>;

const std::string arch = adapool::active_arch();
const bool scalar = arch == "scalar";
// Instruction sets with a fast lane permutation (the short-rows kernel) whose
// 8-float vectors hold a 13-element row.
const bool short_rows_13 = arch == "avx2" || arch == "avx512f";

template <class T = float>
std::string plan(pooling op, const shape4& in_shape, const shape4& out_shape, layout_kind in_kind = layout_kind::nchw) {
  auto in = adapool_test::place(in_kind, in_shape, T(0));
  auto out = adapool_test::place(layout_kind::nchw, out_shape, T(0));
  return adapool::planned_strategy(op, in.view(), out.view());
}

using avg = adapool_test::adaptive_avg_op;
using max = adapool_test::adaptive_max_op<true>;

template <class Op>
void check(const shape4& in_shape, const shape4& out_shape, layout_kind in_kind = layout_kind::nchw) {
  std::mt19937_64 rng(static_cast<std::uint64_t>(in_shape[1] * 131 + out_shape[3]));
  const auto x = adapool_test::random_values<float>(in_shape, adapool_test::fill_kind::specials, rng);
  adapool_test::check_case<Op>(in_shape, out_shape, in_kind, layout_kind::nchw, x);
}

// Expects `strategy` for an adaptive average or max, and the results of that
// operation (max with indices for either max form) on the same shape to match
// the reference, so that the strategy named is also the one tested.
void expect_plan(pooling op, const shape4& in_shape, const shape4& out_shape, const std::string& strategy,
                 layout_kind in_kind = layout_kind::nchw) {
  SCOPED_TRACE(adapool_test::shape_text(in_shape) + " -> " + adapool_test::shape_text(out_shape));
  EXPECT_EQ(plan(op, in_shape, out_shape, in_kind), strategy);
  if (op == pooling::average) {
    check<avg>(in_shape, out_shape, in_kind);
  } else {
    check<max>(in_shape, out_shape, in_kind);
  }
}

TEST(Plan, ChannelsLast) {
  expect_plan(pooling::average, {1, 64, 7, 7}, {1, 64, 1, 1}, "channels_last", layout_kind::nhwc);
  expect_plan(pooling::max_with_indices, {1, 64, 9, 9}, {1, 64, 4, 4}, "channels_last", layout_kind::nhwc);
}

TEST(Plan, GlobalAverage) {
  // 7 x 7 planes fit `lanes` at a time in every vector set; one lane sums them as streams.
  expect_plan(pooling::average, {1, 96, 7, 7}, {1, 96, 1, 1}, scalar ? "global_planes" : "global_small_planes");
  expect_plan(pooling::average, {1, 8, 56, 56}, {1, 8, 1, 1}, "global_planes");
  expect_plan(pooling::average, {1, 2, 300, 300}, {1, 2, 1, 1}, "global_chunks");
}

TEST(Plan, GlobalMax) {
  expect_plan(pooling::max_with_indices, {1, 96, 7, 7}, {1, 96, 1, 1}, scalar ? "lane_planes" : "global_small_planes");
  expect_plan(pooling::max, {1, 8, 56, 56}, {1, 8, 1, 1}, "global_planes");
}

TEST(Plan, Windows) {
  // 13 x 13 -> 7 x 7: short rows where 8-float vectors with lane picks exist,
  // lane planes elsewhere (169-element planes).
  const char* odd = short_rows_13 ? "short_rows" : "lane_planes";
  expect_plan(pooling::average, {2, 17, 13, 13}, {2, 17, 7, 7}, odd);
  expect_plan(pooling::max_with_indices, {2, 17, 13, 13}, {2, 17, 7, 7}, odd);
  // Two windows a row: a max over short rows would step through half a row
  // per output row with two lanes of a vector busy, so it runs elsewhere.
  expect_plan(pooling::average, {2, 17, 13, 13}, {2, 17, 7, 2}, odd);
  expect_plan(pooling::max_with_indices, {2, 17, 13, 13}, {2, 17, 7, 2}, "lane_planes");
  expect_plan(pooling::max, {1, 4, 7, 24}, {1, 4, 3, 2}, "lane_planes");
  // 400-element planes, rows of 40 (too long for short rows): column sums.
  expect_plan(pooling::average, {1, 4, 10, 40}, {1, 4, 5, 5}, "plane_columns");
  expect_plan(pooling::max, {1, 4, 10, 40}, {1, 4, 5, 5}, "plane_columns");
  // Rows of 300, past a column block: window rows one by one.
  expect_plan(pooling::average, {1, 2, 3, 300}, {1, 2, 2, 7}, "plane_rows");
  expect_plan(pooling::max_with_indices, {1, 2, 3, 300}, {1, 2, 2, 7}, "plane_rows");
}

TEST(Plan, AverageAndMax) {
  EXPECT_EQ(plan(pooling::average_and_max, {1, 96, 7, 7}, {1, 96, 1, 1}),
            scalar ? "separate_calls" : "global_small_planes");
  EXPECT_EQ(plan(pooling::average_and_max, {1, 8, 56, 56}, {1, 8, 1, 1}), "separate_calls");
  EXPECT_EQ(plan(pooling::average_and_max, {2, 17, 13, 13}, {2, 17, 7, 7}),
            short_rows_13 ? "short_rows" : "lane_planes");
  EXPECT_EQ(plan(pooling::average_and_max, {1, 4, 10, 40}, {1, 4, 5, 5}), "plane_columns");
}

TEST(Plan, ChannelPooling) {
  const shape4 in{1, 32, 28, 28}, out{1, 1, 28, 28};
  EXPECT_EQ(plan(pooling::channel_average, in, out), "channel_passes");
  EXPECT_EQ(plan(pooling::channel_average, in, out, layout_kind::nhwc), "channel_rows");
  EXPECT_EQ(plan(pooling::channel_average, in, out, layout_kind::transposed), "channel_columns");
  EXPECT_EQ(plan(pooling::channel_max, in, out), "channel_passes");
  EXPECT_EQ(plan(pooling::channel_max_with_indices, in, out), "channel_columns");
  EXPECT_EQ(plan(pooling::channel_max_with_indices, in, out, layout_kind::nhwc), "channel_rows");
  EXPECT_EQ(plan(pooling::channel_max_and_average, in, out), "channel_passes");
  // More than 64 channels a window: the sums flush into double, so the max
  // and the mean run as their own calls.
  EXPECT_EQ(plan(pooling::channel_max_and_average, {1, 100, 8, 8}, {1, 1, 8, 8}), "separate_calls");
  EXPECT_EQ(plan(pooling::channel_max_and_average, in, out, layout_kind::transposed), "channel_columns");
  for (const layout_kind kind : {layout_kind::nchw, layout_kind::nhwc, layout_kind::transposed}) {
    check<adapool_test::channel_avg_op>(in, out, kind);
    check<adapool_test::channel_max_op<true>>(in, out, kind);
    check<adapool_test::channel_max_op<false>>(in, out, kind);
  }
}

TEST(Plan, PowerAndNarrowTypes) {
  EXPECT_EQ(plan(pooling::power, {1, 64, 7, 7}, {1, 64, 2, 2}, layout_kind::nhwc), "channels_last");
  EXPECT_EQ(plan(pooling::power, {1, 64, 7, 7}, {1, 64, 2, 2}), "power_planes");
  using adapool::float16;
  EXPECT_EQ(plan<float16>(pooling::average, {1, 64, 7, 7}, {1, 64, 1, 1}), "narrow_small_planes");
  EXPECT_EQ(plan<float16>(pooling::max_with_indices, {1, 4, 10, 40}, {1, 4, 5, 5}), "narrow_planes");
  EXPECT_EQ(plan<float16>(pooling::channel_max, {1, 32, 8, 8}, {1, 1, 8, 8}), "narrow_channels");
}

template <class T = float>
std::string backward_plan(pooling op, const shape4& in_shape, const shape4& out_shape,
                          layout_kind in_kind = layout_kind::nchw) {
  auto grad_out = adapool_test::place(layout_kind::nchw, out_shape, T(0));
  auto grad_in = adapool_test::place(in_kind, in_shape, T(0));
  return adapool::planned_backward_strategy(op, grad_out.view(), grad_in.view());
}

// The backward passes' results are checked in every layout, against the
// reference and bit for bit across layouts (NCHW runs window_rows, the
// strided layouts windows), in test_backward.cpp.
TEST(Plan, BackwardPasses) {
  EXPECT_EQ(backward_plan(pooling::average, {2, 64, 7, 7}, {2, 64, 1, 1}), "fill_planes");
  EXPECT_EQ(backward_plan(pooling::average, {2, 64, 7, 7}, {2, 64, 1, 1}, layout_kind::nhwc), "fill_planes");
  EXPECT_EQ(backward_plan(pooling::average, {2, 64, 13, 13}, {2, 64, 7, 7}), "window_rows");
  EXPECT_EQ(backward_plan(pooling::average, {2, 3, 2, 300}, {2, 3, 3, 270}), "window_rows");
  EXPECT_EQ(backward_plan(pooling::average, {2, 64, 13, 13}, {2, 64, 7, 7}, layout_kind::nhwc), "channels_last");
  EXPECT_EQ(backward_plan(pooling::average, {2, 3, 13, 13}, {2, 3, 7, 7}, layout_kind::flipped), "windows");
  // 40 x 40 shares are more than window_rows keeps on the stack.
  EXPECT_EQ(backward_plan(pooling::average, {1, 2, 40, 40}, {1, 2, 40, 40}), "windows");
  EXPECT_EQ(backward_plan(pooling::max_with_indices, {2, 64, 13, 13}, {2, 64, 7, 7}), "scatter_planes");
  EXPECT_EQ(backward_plan(pooling::channel_max_with_indices, {1, 64, 5, 5}, {1, 1, 5, 5}), "channel_runs");
  EXPECT_EQ(backward_plan(pooling::channel_average, {1, 64, 5, 5}, {1, 4, 5, 5}), "channel_runs");
}

TEST(Plan, RejectsWhatTheOperationRejects) {
  adapool::tensor<float, 4> in({1, 3, 4, 4}), out({1, 2, 1, 1});
  EXPECT_THROW(adapool::planned_strategy(pooling::average, in.view(), out.view()), adapool::error);
  EXPECT_THROW(adapool::planned_backward_strategy(pooling::average, out.view(), in.view()), adapool::error);
  adapool::tensor<float, 4> grad_out({1, 3, 1, 1});
  EXPECT_THROW(adapool::planned_backward_strategy(pooling::power, grad_out.view(), in.view()), adapool::error);
}

}  // namespace plan_tests
