// SPDX-License-Identifier: MIT
// A C++20 program using adapool: the flags adapool.pc gives must not lower the
// standard the user asked for (a trailing -std=c++17 would, and std::span
// would then be missing).

#include <adapool/adapool.hpp>
#include <cstdio>
#include <numeric>
#include <span>
#include <vector>

#if __cplusplus < 202002L
#error "compiled as C++17 or older although the command line asked for C++20"
#endif

static float total(std::span<const float> values) { return std::accumulate(values.begin(), values.end(), 0.0f); }

int main() {
  std::vector<float> x(16);
  std::iota(x.begin(), x.end(), 0.0f);
  const auto pooled = adapool::adaptive_avg_pool2d(adapool::make_view(x, 1, 1, 4, 4), {2, 2});
  // Means of the 2 x 2 quadrants of 0..15: 2.5, 4.5, 10.5, 12.5.
  const float sum = total(std::span<const float>(pooled.values().data(), pooled.values().size()));
  std::printf("C++20 consumer: quadrant means add up to %g\n", static_cast<double>(sum));
  return sum == 30.0f ? 0 : 1;
}
