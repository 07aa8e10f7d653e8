// SPDX-License-Identifier: MIT
// Accuracy of float averages over huge windows (workload W4: 1 x 3 x 1024 x 1024),
// against a double-precision reference. The data sit on a large offset
// (1000 + uniform [0, 1)), so a float running sum loses digits as it grows.
//
// The bar (SEMANTICS.md): at least as accurate as the better of PyTorch's
// two float strategies, a sequential sum and a cascade sum. Each test computes
// both in the test itself: a naive running float sum, which must be WORSE than
// the bound (so the bound means something), and a pairwise float sum standing
// in for PyTorch's cascade sum, which adapool must match or beat (within one
// float ulp of the result, the rounding of the final division).

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace accuracy_tests {

// Relative error every average must meet on these workloads.
constexpr double accuracy_bound = 1e-6;

struct sums {
  double exact = 0;    // in double: the reference
  float naive = 0;     // one running float sum
  float pairwise = 0;  // pairwise float sum
};

float pairwise_sum(const float* p, std::int64_t n, std::int64_t stride) {
  if (n <= 8) {
    float s = 0;
    for (std::int64_t i = 0; i < n; ++i) s += p[i * stride];
    return s;
  }
  const std::int64_t half = n / 2;
  return pairwise_sum(p, half, stride) + pairwise_sum(p + half * stride, n - half, stride);
}

sums sum_three_ways(const float* p, std::int64_t n, std::int64_t stride) {
  sums s;
  for (std::int64_t i = 0; i < n; ++i) {
    s.exact += static_cast<double>(p[i * stride]);
    s.naive += p[i * stride];
  }
  s.pairwise = pairwise_sum(p, n, stride);
  return s;
}

double relative_error(double got, double exact) { return std::abs(got - exact) / std::abs(exact); }

double float_ulp_at(double value) {
  const float f = static_cast<float>(value);
  return static_cast<double>(std::nextafter(f, 2 * f) - f) / std::abs(value);
}

std::vector<float> offset_noise(std::int64_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> noise(0.0f, 1.0f);
  std::vector<float> x(static_cast<std::size_t>(count));
  for (float& v : x) v = 1000.0f + noise(rng);
  return x;
}

// For each average: adapool's error within the bound and no worse than the
// pairwise sum's; the naive sum's worst error beyond the bound.
class accuracy_check {
 public:
  void add(const char* what, float got_default, float got_scalar, const sums& s, std::int64_t count) {
    const double exact = s.exact / static_cast<double>(count);
    const double pairwise_error = relative_error(static_cast<float>(s.pairwise / static_cast<float>(count)), exact);
    const double allowed = std::max(pairwise_error, float_ulp_at(exact));
    const std::pair<const char*, float> results[] = {{adapool::default_arch::name, got_default},
                                                     {"scalar", got_scalar}};
    for (const auto& [arch, got] : results) {
      const double error = relative_error(got, exact);
      EXPECT_LT(error, accuracy_bound) << what << ", " << arch;
      EXPECT_LE(error, allowed) << what << ", " << arch << ": worse than a pairwise float sum";
    }
    worst_naive_ = std::max(worst_naive_, relative_error(s.naive / static_cast<float>(count), exact));
  }
  ~accuracy_check() {
    EXPECT_GT(worst_naive_, accuracy_bound) << "a running float sum should fail this bound, or the test is too easy";
  }

 private:
  double worst_naive_ = 0;
};

TEST(Accuracy, GlobalAverageLargePlanes) {
  const std::int64_t c = 3, plane = 1024 * 1024;
  const std::vector<float> x = offset_noise(c * plane, 1);
  std::vector<float> best(c), scalar(c);
  adapool::global_avg_pool(adapool::make_view(x, 1, c, 1024, 1024), adapool::make_view(best, 1, c, 1, 1));
  adapool::global_avg_pool<adapool::simd::scalar>(adapool::make_view(x, 1, c, 1024, 1024),
                                                  adapool::make_view(scalar, 1, c, 1, 1));
  accuracy_check check;
  for (std::int64_t k = 0; k < c; ++k)
    check.add("channel", best[k], scalar[k], sum_three_ways(&x[k * plane], plane, 1), plane);
}

TEST(Accuracy, GlobalAverageLargePlanesChannelsLast) {
  const std::int64_t c = 3, plane = 1024 * 1024;
  const std::vector<float> x = offset_noise(c * plane, 2);  // memory order N, H, W, C
  std::vector<float> best(c), scalar(c);
  const auto in = adapool::make_view<adapool::channels_last>(x, 1, c, 1024, 1024);
  adapool::global_avg_pool(in, adapool::make_view(best, 1, c, 1, 1));
  adapool::global_avg_pool<adapool::simd::scalar>(in, adapool::make_view(scalar, 1, c, 1, 1));
  accuracy_check check;
  for (std::int64_t k = 0; k < c; ++k) check.add("channel", best[k], scalar[k], sum_three_ways(&x[k], plane, c), plane);
}

TEST(Accuracy, AdaptiveAverageLargeWindows) {
  const std::int64_t side = 1024, half = 512;
  const std::vector<float> x = offset_noise(side * side, 3);
  std::vector<float> best(4), scalar(4);
  adapool::adaptive_avg_pool2d(adapool::make_view(x, 1, 1, side, side), adapool::make_view(best, 1, 1, 2, 2));
  adapool::adaptive_avg_pool2d<adapool::simd::scalar>(adapool::make_view(x, 1, 1, side, side),
                                                      adapool::make_view(scalar, 1, 1, 2, 2));
  accuracy_check check;
  for (std::int64_t oh = 0; oh < 2; ++oh)
    for (std::int64_t ow = 0; ow < 2; ++ow) {
      // The window in row-major order, copied so the three sums see one run.
      std::vector<float> window;
      for (std::int64_t h = oh * half; h < (oh + 1) * half; ++h)
        window.insert(window.end(), &x[h * side + ow * half], &x[h * side + ow * half] + half);
      check.add("window", best[oh * 2 + ow], scalar[oh * 2 + ow], sum_three_ways(window.data(), half * half, 1),
                half * half);
    }
}

// The mean over 2^18 channels at each of 4 pixels, from NCHW (channels are
// planes apart) and from NHWC (channels adjacent).
TEST(Accuracy, ChannelAverageManyChannels) {
  const std::int64_t c = std::int64_t{1} << 18, pixels = 4;
  const std::vector<float> x = offset_noise(c * pixels, 4);
  for (bool channels_last : {false, true}) {
    SCOPED_TRACE(channels_last ? "nhwc" : "nchw");
    std::vector<float> best(pixels), scalar(pixels);
    if (channels_last) {
      const auto in = adapool::make_view<adapool::channels_last>(x, 1, c, 2, 2);
      adapool::channel_avg_pool(in, adapool::make_view(best, 1, 1, 2, 2));
      adapool::channel_avg_pool<adapool::simd::scalar>(in, adapool::make_view(scalar, 1, 1, 2, 2));
    } else {
      const auto in = adapool::make_view(x, 1, c, 2, 2);
      adapool::channel_avg_pool(in, adapool::make_view(best, 1, 1, 2, 2));
      adapool::channel_avg_pool<adapool::simd::scalar>(in, adapool::make_view(scalar, 1, 1, 2, 2));
    }
    accuracy_check check;
    for (std::int64_t p = 0; p < pixels; ++p) {
      const sums s = channels_last ? sum_three_ways(&x[p * c], c, 1) : sum_three_ways(&x[p], c, pixels);
      check.add("pixel", best[p], scalar[p], s, c);
    }
  }
}

}  // namespace accuracy_tests
