// SPDX-License-Identifier: MIT
// CBAM's spatial attention (Woo et al., ECCV 2018) starts from two maps per
// pixel, the mean and the max over all channels, stacked as two channels:
//
//   s = torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], dim=1)  # N x 2 x H x W
//   attention = torch.sigmoid(conv7x7(s))
//
// Here both maps are written straight into the two channel slices of one
// N x 2 x H x W tensor, so there is no concatenation copy. A channel slice of an
// NCHW tensor keeps the tensor's strides but starts at channel k: a strided view.

#include <adapool/adapool.hpp>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

int main() {
  const std::int64_t N = 2, C = 32, H = 14, W = 14;

  // A feature map with arbitrary values (a fixed linear congruential sequence).
  adapool::tensor<float, 4> x({N, C, H, W});
  std::uint32_t state = 12345;
  for (std::int64_t i = 0; i < x.size(); ++i) {
    state = state * 1664525u + 1013904223u;
    x.data()[i] = static_cast<float>(state >> 8) / 16777216.0f * 4.0f - 2.0f;  // in [-2, 2)
  }

  // [readme:channel-slices]
  adapool::tensor<float, 4> s({N, 2, H, W});  // s[:, 0] = mean, s[:, 1] = max
  const adapool::tensor_view<float, 4> all = s.view();
  // Channel k of `s`: N x 1 x H x W, with the strides of the whole tensor.
  const auto channel = [&](std::int64_t k) {
    return adapool::make_strided_view(all.data() + k * all.stride(1), std::array<std::int64_t, 4>{N, 1, H, W},
                                      all.strides());
  };
  adapool::channel_avg_pool(x.view(), channel(0));  // x.mean(1, keepdim=True)
  adapool::channel_max_pool(x.view(), channel(1));  // x.amax(1, keepdim=True)
  // [readme-end]

  // Check every pixel against plain loops: the mean in double, the max exactly.
  int wrong = 0;
  for (std::int64_t n = 0; n < N; ++n) {
    for (std::int64_t h = 0; h < H; ++h) {
      for (std::int64_t w = 0; w < W; ++w) {
        double sum = 0;
        float max = -std::numeric_limits<float>::infinity();
        for (std::int64_t c = 0; c < C; ++c) {
          sum += x(n, c, h, w);
          max = std::fmax(max, x(n, c, h, w));
        }
        const double mean = sum / static_cast<double>(C);
        if (std::fabs(s(n, 0, h, w) - mean) > 1e-6 || s(n, 1, h, w) != max) ++wrong;
      }
    }
  }

  std::printf("x: %lld x %lld x %lld x %lld -> s: %lld x 2 x %lld x %lld (channel 0: mean, channel 1: max)\n",
              static_cast<long long>(N), static_cast<long long>(C), static_cast<long long>(H),
              static_cast<long long>(W), static_cast<long long>(N), static_cast<long long>(H),
              static_cast<long long>(W));
  std::printf("s[1, :, 0, 0] = [%.4f, %.4f]\n", static_cast<double>(s(1, 0, 0, 0)), static_cast<double>(s(1, 1, 0, 0)));
  if (wrong != 0) {
    std::printf("%d pixels differ from the plain loops\n", wrong);
    return 1;
  }
  std::printf("all %lld pixels match plain loops\n", static_cast<long long>(N * H * W));
  return 0;
}
