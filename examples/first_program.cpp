// SPDX-License-Identifier: MIT
// [readme:first-program]
// Feature maps in a buffer you own (2 x 64 x 13 x 13 floats, NCHW), pooled to 7 x 7.
#include <adapool/adapool.hpp>
#include <cstdint>
#include <cstdio>
#include <vector>

int main() {
  const std::int64_t N = 2, C = 64, H = 13, W = 13;
  std::vector<float> features(N * C * H * W);
  for (std::size_t i = 0; i < features.size(); ++i) features[i] = static_cast<float>(i % 29);

  // A view is a pointer, a shape and strides: nothing is copied.
  const auto x = adapool::make_view(features, N, C, H, W);

  // F.adaptive_avg_pool2d(x, (7, 7)), written into a buffer you own.
  std::vector<float> avg(N * C * 7 * 7);
  adapool::adaptive_avg_pool2d(x, adapool::make_view(avg, N, C, 7, 7));

  // F.adaptive_max_pool2d(x, (7, 7), return_indices=True), into tensors adapool allocates.
  const auto [max, indices] = adapool::adaptive_max_pool2d_with_indices(x, {7, 7});

  // An index is an offset within its 13 x 13 plane, as in PyTorch.
  const std::int64_t at = indices(1, 5, 3, 4);
  std::printf("%s: avg %g, max %g at h = %lld, w = %lld\n", adapool::active_arch(), avg[0], max(1, 5, 3, 4),
              static_cast<long long>(at / W), static_cast<long long>(at % W));
  return max(1, 5, 3, 4) == x(1, 5, at / W, at % W) ? 0 : 1;
}
// [readme-end]
