// SPDX-License-Identifier: MIT
// PSPNet's pyramid pooling module (Zhao et al., CVPR 2017) average-pools one
// feature map to 1 x 1, 2 x 2, 3 x 3 and 6 x 6 bins:
//
//   levels = [F.adaptive_avg_pool2d(x, b) for b in (1, 2, 3, 6)]
//
// Each level then goes through a 1 x 1 convolution, is upsampled back to H x W
// and concatenated with x. adaptive_avg_pool2d_pyramid computes all levels in
// one call, reading each input plane once, with the same results as one
// adaptive_avg_pool2d call per level. Adaptive windows make any H x W work:
// here W = 40, which 3 and 6 do not divide, so neighbouring windows share a column.

#include <adapool/adapool.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

int main() {
  const std::int64_t N = 1, C = 64, H = 30, W = 40;
  adapool::tensor<float, 4> x({N, C, H, W});
  for (std::int64_t i = 0; i < x.size(); ++i) x.data()[i] = std::sin(0.001f * static_cast<float>(i)) * 3.0f;

  // [readme:pyramid]
  const auto levels = adapool::adaptive_avg_pool2d_pyramid(x.view(), {1, 2, 3, 6});  // std::array of 4 tensors
  // [readme-end]

  int wrong = 0;
  for (const adapool::tensor<float, 4>& level : levels) {
    const std::int64_t bins = level.extent(2);
    // The same as pooling each level on its own, bit for bit.
    if (adapool::adaptive_avg_pool2d(x.view(), {bins, bins}).values() != level.values()) ++wrong;

    // Where each window lies: output j of `bins` reads [window_begin, window_end).
    std::printf("bins %lld: %lld x %lld x %lld x %lld, windows along W:", static_cast<long long>(bins),
                static_cast<long long>(level.extent(0)), static_cast<long long>(level.extent(1)),
                static_cast<long long>(level.extent(2)), static_cast<long long>(level.extent(3)));
    for (std::int64_t j = 0; j < bins; ++j) {
      std::printf(" [%lld, %lld)", static_cast<long long>(adapool::window_begin(j, W, bins)),
                  static_cast<long long>(adapool::window_end(j, W, bins)));
    }
    std::printf("\n");

    // Check: the mean of every window, summed in double.
    for (std::int64_t c = 0; c < C; ++c) {
      for (std::int64_t i = 0; i < bins; ++i) {
        for (std::int64_t j = 0; j < bins; ++j) {
          double sum = 0;
          std::int64_t count = 0;
          for (std::int64_t h = adapool::window_begin(i, H, bins); h < adapool::window_end(i, H, bins); ++h) {
            for (std::int64_t w = adapool::window_begin(j, W, bins); w < adapool::window_end(j, W, bins); ++w) {
              sum += x(0, c, h, w);
              ++count;
            }
          }
          const double mean = sum / static_cast<double>(count);
          if (std::fabs(level(0, c, i, j) - mean) > 1e-6 * std::max(1.0, std::fabs(mean))) ++wrong;
        }
      }
    }
  }

  if (wrong != 0) {
    std::printf("%d pooled values differ from plain loops\n", wrong);
    return 1;
  }
  std::printf("every level matches plain loops\n");
  return 0;
}
