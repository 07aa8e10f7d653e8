// SPDX-License-Identifier: MIT
// Pooling activations stored in 16 bits or quantised to 8 bits, without first
// converting the whole map to float:
//  - a float16 feature map through global average pooling (the classifier
//    head of a model run in half precision), next to the same values pooled
//    as float: the two agree to float16's rounding;
//  - an int8 map quantised as x = scale * q, pooled in int8: the mean stays
//    in the quantised domain, rounded to nearest (ties to even), within half
//    a quantisation step of the float mean;
//  - channel max with indices on bfloat16: the winning element, exactly.

#include <adapool/adapool.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>

int main() {
  const std::int64_t N = 2, C = 64, H = 7, W = 7;

  // Activations in [-4, 4) (a fixed linear congruential sequence), kept as float too.
  adapool::tensor<float, 4> reference({N, C, H, W});
  std::uint32_t state = 2024;
  for (std::int64_t i = 0; i < reference.size(); ++i) {
    state = state * 1664525u + 1013904223u;
    reference.data()[i] = static_cast<float>(state >> 8) / 16777216.0f * 8.0f - 4.0f;
  }
  const auto want = adapool::global_avg_pool(reference.view());

  // [readme:narrow-types]
  adapool::tensor<adapool::float16, 4> x({N, C, H, W});
  for (std::int64_t i = 0; i < x.size(); ++i) x.data()[i] = adapool::float16(reference.data()[i]);
  const auto pooled = adapool::global_avg_pool(x.view());  // N x C x 1 x 1, float16
  const float first = static_cast<float>(pooled.data()[0]);
  // [readme-end]

  int wrong = 0;
  double worst_half = 0;
  for (std::int64_t i = 0; i < pooled.size(); ++i) {
    // Rounding each input to float16 moves it by at most 2^-9 (|x| < 4), and
    // the mean's own rounding by at most half an ulp of the result.
    const double got = static_cast<float>(pooled.data()[i]);
    const double error = std::fabs(got - want.data()[i]);
    worst_half = std::fmax(worst_half, error);
    if (error > 0x1p-9 + std::fabs(want.data()[i]) * 0x1p-11) ++wrong;
  }

  // int8: q = round(x / scale) with scale = 4 / 127.
  const float scale = 4.0f / 127.0f;
  adapool::tensor<std::int8_t, 4> q({N, C, H, W});
  for (std::int64_t i = 0; i < q.size(); ++i)
    q.data()[i] = static_cast<std::int8_t>(std::lround(std::fmax(-127.0f, reference.data()[i] / scale)));
  const auto q_mean = adapool::global_avg_pool(q.view());
  double worst_q = 0;
  for (std::int64_t i = 0; i < q_mean.size(); ++i) {
    // Quantising moves each input by at most half a step; rounding the mean, another half.
    const double error = std::fabs(scale * q_mean.data()[i] - want.data()[i]);
    worst_q = std::fmax(worst_q, error);
    if (error > scale) ++wrong;
  }

  // bfloat16 channel max: value and channel of the winner, compared with float's.
  adapool::tensor<adapool::bfloat16, 4> b({N, C, H, W});
  for (std::int64_t i = 0; i < b.size(); ++i) b.data()[i] = adapool::bfloat16(reference.data()[i]);
  const auto [b_max, b_channel] = adapool::channel_max_pool_with_indices(b.view());
  for (std::int64_t n = 0; n < N; ++n) {
    for (std::int64_t p = 0; p < H * W; ++p) {
      const std::int64_t c = b_channel.data()[n * H * W + p];
      const adapool::bfloat16 winner = b.data()[(n * C + c) * H * W + p];
      if (winner.bits != b_max.data()[n * H * W + p].bits) ++wrong;
      for (std::int64_t k = 0; k < C; ++k) {
        const float v = static_cast<float>(b.data()[(n * C + k) * H * W + p]);
        // No channel beats the winner, and none before it ties it.
        if (v > static_cast<float>(winner) || (k < c && v == static_cast<float>(winner))) ++wrong;
      }
    }
  }

  std::printf(
      "float16 global average, %lld x %lld x %lld x %lld: first mean %.6f, largest difference from float %.2e\n",
      static_cast<long long>(N), static_cast<long long>(C), static_cast<long long>(H), static_cast<long long>(W),
      static_cast<double>(first), worst_half);
  std::printf("int8 global average (scale %.5f): largest difference from float %.4f (half a step is %.4f)\n",
              static_cast<double>(scale), worst_q, static_cast<double>(scale) / 2);
  std::printf("bfloat16 channel max with indices: %lld pixels checked\n", static_cast<long long>(N * H * W));
  if (wrong != 0) {
    std::printf("%d results are wrong\n", wrong);
    return 1;
  }
  std::printf("all results agree\n");
  return 0;
}
