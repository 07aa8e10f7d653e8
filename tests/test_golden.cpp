// SPDX-License-Identifier: MIT
// Values computed once by PyTorch 1.13 (CPU, float32): a small C++ program
// against libtorch called at::adaptive_{avg,max}_pool{1,2,3}d on the inputs
// below and printed every result with 9 significant digits (enough to
// round-trip a float). Channel pooling goldens came from PyTorch's own recipe:
// permute to (N*H*W, 1, C), adaptive_{avg,max}_pool1d over C, permute back;
// for C' = 1 they equal x.amax(1) and x.mean(1). The results were also checked
// through a channels-last input (the same values and indices).
//
// Maxima and indices must match exactly; averages within the suite's
// tolerance (PyTorch rounds its float sums its own way).

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "test_support.hpp"

namespace golden_tests {

using namespace adapool_test;

constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();
constexpr float inf_f = std::numeric_limits<float>::infinity();

// The inputs as the golden program built them: x[k] = ((k * mul) % mod) * scale + shift.
std::vector<float> pattern(std::int64_t count, std::int64_t mul, std::int64_t mod, float scale, float shift) {
  std::vector<float> x(static_cast<std::size_t>(count));
  for (std::int64_t k = 0; k < count; ++k) x[k] = static_cast<float>((k * mul) % mod) * scale + shift;
  return x;
}

std::vector<float> arange(std::int64_t count) { return pattern(count, 1, count, 1.0f, 0.0f); }

// Runs Op on x (NCHW and NHWC in, through both instruction sets) and compares
// with the golden values.
template <class Op, std::size_t Rank>
void check_golden(const std::array<std::int64_t, Rank>& in_shape, const std::array<std::int64_t, Rank>& out_shape,
                  const std::vector<float>& x, const std::vector<float>& values,
                  const std::vector<std::int64_t>& indices = {}) {
  const reference::shape out_dims = to_shape(out_shape);
  ASSERT_EQ(static_cast<std::int64_t>(values.size()), element_count(out_shape));
  for (layout_kind kind : {layout_kind::nchw, layout_kind::nhwc}) {
    SCOPED_TRACE(layout_name(kind));
    placed<float, Rank> input = place(kind, in_shape, 0.0f);
    input.assign(x);
    const outcome<float> best = run_op<Op, adapool::default_arch>(input, out_shape, layout_kind::nchw);
    const outcome<float> scalar = run_op<Op, adapool::simd::scalar>(input, out_shape, layout_kind::nchw);
    for (const outcome<float>* got : {&best, &scalar}) {
      SCOPED_TRACE(got == &best ? adapool::default_arch::name : "scalar");
      if constexpr (Op::is_max) {
        EXPECT_TRUE(same_maxima("max", out_dims, got->values, values));
        EXPECT_TRUE(same_indices("index", out_dims, got->indices, indices));
      } else {
        EXPECT_TRUE(close_averages("average", out_dims, got->values, values, magnitude(x)));
      }
    }
  }
}

TEST(Golden, Arange5x5To3x3) {
  const std::vector<float> x = arange(25);
  check_golden<adaptive_max_op<true>, 4>({1, 1, 5, 5}, {1, 1, 3, 3}, x, {6, 8, 9, 16, 18, 19, 21, 23, 24},
                                         {6, 8, 9, 16, 18, 19, 21, 23, 24});
  check_golden<adaptive_avg_op, 4>({1, 1, 5, 5}, {1, 1, 3, 3}, x, {3, 4.5f, 6, 10.5f, 12, 13.5f, 18, 19.5f, 21});
}

// Non-divisible in both axes, two channels, integer values with many ties.
TEST(Golden, NonDivisible2d) {
  const std::vector<float> x = pattern(70, 37, 23, 1, -11);  // 1 x 2 x 5 x 7
  check_golden<adaptive_max_op<true>, 4>(
      {1, 2, 5, 7}, {1, 2, 3, 4}, x,
      {9, 9, 8, 10, 9, 9, 11, 10, 7, 9, 9, 8, 10, 10, 6, 11, 8, 10, 10, 9, 11, 11, 10, 6},
      {8, 8, 3, 13, 8, 8, 18, 13, 21, 31, 31, 26, 1, 1, 4, 6, 14, 24, 24, 19, 29, 29, 24, 27});
  check_golden<adaptive_avg_op, 4>(
      {1, 2, 5, 7}, {1, 2, 3, 4}, x,
      {-1.0f,         0.833333313f,  -1.83333337f, 0.0f,         0.333333343f, -1.66666663f, 0.777777731f, 1.33333337f,
       -0.25f,        -0.333333343f, 0.833333313f, 0.75f,        0.25f,        0.166666672f, -2.5f,        1.25f,
       -0.333333343f, 0.222222224f,  0.111111112f, 0.666666687f, 1.0f,         2.83333325f,  0.166666672f, -3.75f});
}

// 1d: ties everywhere (the first maximum wins), and out > in.
TEST(Golden, OneDimensional) {
  const std::vector<float> x = pattern(20, 7, 5, 1, 0);  // 1 x 2 x 10
  check_golden<adaptive_max_op<true>, 3>({1, 2, 10}, {1, 2, 4}, x, {4, 4, 4, 4, 4, 4, 4, 4}, {2, 2, 7, 7, 2, 2, 7, 7});
  check_golden<adaptive_avg_op, 3>({1, 2, 10}, {1, 2, 4}, x,
                                   {2, 2.66666675f, 2, 2.66666675f, 2, 2.66666675f, 2, 2.66666675f});
  check_golden<adaptive_max_op<true>, 3>(
      {1, 2, 10}, {1, 2, 13}, x, {0, 2, 4, 4, 1, 3, 3, 2, 2, 4, 4, 3, 3, 0, 2, 4, 4, 1, 3, 3, 2, 2, 4, 4, 3, 3},
      {0, 1, 2, 2, 3, 4, 4, 6, 6, 7, 7, 9, 9, 0, 1, 2, 2, 3, 4, 4, 6, 6, 7, 7, 9, 9});
  check_golden<adaptive_avg_op, 3>({1, 2, 10}, {1, 2, 13}, x, {0, 1, 3, 2.5f, 1, 2, 1.5f, 1, 2, 3, 2.5f, 2, 3,
                                                               0, 1, 3, 2.5f, 1, 2, 1.5f, 1, 2, 3, 2.5f, 2, 3});
}

// The window-length edge: in = 5, out = 3 reads [0, 2), [1, 4), [3, 5).
TEST(Golden, WindowLengthEdge) {
  const std::vector<float> x{1, 2, 4, 8, 16};
  check_golden<adaptive_avg_op, 3>({1, 1, 5}, {1, 1, 3}, x, {1.5f, 4.66666651f, 12});
  check_golden<adaptive_max_op<true>, 3>({1, 1, 5}, {1, 1, 3}, x, {2, 8, 16}, {1, 3, 4});
}

TEST(Golden, ThreeDimensional) {
  const std::vector<float> x = pattern(60, 13, 17, 0.5f, -4);  // 1 x 1 x 3 x 4 x 5
  check_golden<adaptive_max_op<true>, 5>({1, 1, 3, 4, 5}, {1, 1, 2, 3, 2}, x,
                                         {3.5f, 3.5f, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3},
                                         {26, 9, 30, 13, 30, 13, 47, 47, 30, 47, 30, 39});
  check_golden<adaptive_avg_op, 5>({1, 1, 3, 4, 5}, {1, 1, 2, 3, 2}, x,
                                   {0.166666672f, -0.291666657f, 0.791666687f, -0.375f, 0.0f, -0.458333343f,
                                    -0.166666672f, 0.791666687f, 0.458333343f, 0.0f, 0.375f, -0.791666687f});
}

// NaN (the last NaN's index), ties, +/-inf, and windows of only -inf.
TEST(Golden, SpecialValues) {
  const std::vector<float> x{1, nan_f, 3, 3, nan_f, 2, -inf_f, -inf_f, 5, 5, -inf_f, -inf_f, 0, 5, inf_f, -1};
  check_golden<adaptive_max_op<true>, 4>({1, 1, 4, 4}, {1, 1, 2, 2}, x, {nan_f, 3, 5, inf_f}, {4, 2, 8, 14});
  check_golden<adaptive_avg_op, 4>({1, 1, 4, 4}, {1, 1, 2, 2}, x, {nan_f, -inf_f, 3.75f, nan_f});
  check_golden<adaptive_max_op<true>, 4>({1, 1, 4, 4}, {1, 1, 3, 3}, x,
                                         {nan_f, nan_f, 3, nan_f, 5, -inf_f, 5, inf_f, inf_f},
                                         {4, 1, 2, 4, 9, 6, 8, 14, 14});
  const std::vector<float> neg_inf{-inf_f, -inf_f, -inf_f, -inf_f, -inf_f, -inf_f, 7, -inf_f};
  check_golden<adaptive_max_op<true>, 4>({1, 1, 2, 4}, {1, 1, 2, 2}, neg_inf, {-inf_f, -inf_f, -inf_f, 7},
                                         {0, 2, 4, 6});
}

// Output larger than the input: windows overlap and repeat.
TEST(Golden, OutputLargerThanInput) {
  const std::vector<float> x{1, 2, 3, 4, 5, 6};
  check_golden<adaptive_max_op<true>, 4>({1, 1, 2, 3}, {1, 1, 3, 5}, x, {1, 2, 2, 3, 3, 4, 5, 5, 6, 6, 4, 5, 5, 6, 6},
                                         {0, 1, 1, 2, 2, 3, 4, 4, 5, 5, 3, 4, 4, 5, 5});
  check_golden<adaptive_avg_op, 4>({1, 1, 2, 3}, {1, 1, 3, 5}, x,
                                   {1, 1.5f, 2, 2.5f, 3, 2.5f, 3, 3.5f, 4, 4.5f, 4, 4.5f, 5, 5.5f, 6});
}

TEST(Golden, GlobalPool) {
  const std::vector<float> x = arange(25);
  check_golden<global_max_op<true>, 4>({1, 1, 5, 5}, {1, 1, 1, 1}, x, {24}, {24});
  check_golden<global_avg_op, 4>({1, 1, 5, 5}, {1, 1, 1, 1}, x, {12});
}

TEST(Golden, ChannelPool) {
  const std::vector<float> x = pattern(30, 11, 7, 1, -3);  // 1 x 5 x 2 x 3
  check_golden<channel_max_op<true>, 4>({1, 5, 2, 3}, {1, 1, 2, 3}, x, {3, 3, 3, 2, 2, 3}, {2, 3, 4, 0, 1, 0});
  check_golden<channel_avg_op, 4>({1, 5, 2, 3}, {1, 1, 2, 3}, x,
                                  {0.200000003f, 0, -0.200000003f, -0.400000006f, -0.600000024f, 0.600000024f});
  check_golden<channel_max_op<true>, 4>({1, 5, 2, 3}, {1, 2, 2, 3}, x, {3, 1, 1, 2, 2, 3, 3, 3, 3, 1, 1, 2},
                                        {2, 0, 1, 0, 1, 0, 2, 3, 4, 2, 3, 2});
  check_golden<channel_avg_op, 4>({1, 5, 2, 3}, {1, 2, 2, 3}, x,
                                  {0, -0.666666687f, -1.33333337f, 0.333333343f, -0.333333343f, 1.33333337f,
                                   1.33333337f, 0.666666687f, 0, -0.666666687f, -1.33333337f, 0.333333343f});
}

}  // namespace golden_tests
