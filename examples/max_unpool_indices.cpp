// SPDX-License-Identifier: MIT
// Adaptive max pooling with indices, then the indices put to use:
//
//   y, idx = F.adaptive_max_pool2d(x, 3, return_indices=True)
//   unpooled = F.max_unpool2d(y, idx, 1, output_size=x.shape)  # scatter y back
//   grad_x = zeros; grad_x.view(N, C, -1).scatter_add_(2, idx.view(N, C, -1), grad_y.view(N, C, -1))
//
// An index is an offset inside one H x W input plane, h * W + w, with no batch
// or channel part, so scattering needs only the plane of the same (n, c).
// A 5 x 5 plane pooled to 3 x 3 has overlapping windows ([0, 2), [1, 4), [3, 5)
// along each axis), so one input element can be the max of several outputs:
// unpooling writes it once, the backward pass adds up all their gradients.

#include <adapool/adapool.hpp>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

void print_plane(const char* title, const adapool::tensor<float, 4>& t, std::int64_t c) {
  std::printf("%s\n", title);
  for (std::int64_t h = 0; h < t.extent(2); ++h) {
    for (std::int64_t w = 0; w < t.extent(3); ++w) std::printf("%6.1f", static_cast<double>(t(0, c, h, w)));
    std::printf("\n");
  }
}

}  // namespace

int main() {
  const std::int64_t N = 1, C = 2, H = 5, W = 5;
  // Channel 0 is arange(25); channel 1 is arange(25) negated with one peak of
  // 100 at (1, 1), inside four overlapping windows.
  adapool::tensor<float, 4> x({N, C, H, W});
  for (std::int64_t p = 0; p < H * W; ++p) {
    x(0, 0, p / W, p % W) = static_cast<float>(p);
    x(0, 1, p / W, p % W) = -static_cast<float>(p);
  }
  x(0, 1, 1, 1) = 100;

  // [readme:with-indices]
  auto [y, idx] = adapool::adaptive_max_pool2d_with_indices(x.view(), {3, 3});
  // y(n, c, i, j) == x(n, c, idx / W, idx % W) for every output (n, c, i, j).
  // [readme-end]

  // Max unpooling: every pooled value goes back to where it came from.
  adapool::tensor<float, 4> unpooled({N, C, H, W}, 0.0f);
  // Backward pass with grad_y = 1 everywhere: gradients of shared maxima add up.
  adapool::tensor<float, 4> grad_x({N, C, H, W}, 0.0f);
  for (std::int64_t n = 0; n < N; ++n) {
    for (std::int64_t c = 0; c < C; ++c) {
      for (std::int64_t i = 0; i < 3; ++i) {
        for (std::int64_t j = 0; j < 3; ++j) {
          const std::int64_t at = idx(n, c, i, j);
          unpooled(n, c, at / W, at % W) = y(n, c, i, j);
          grad_x(n, c, at / W, at % W) += 1.0f;
        }
      }
    }
  }

  for (std::int64_t c = 0; c < C; ++c) {
    std::printf("channel %lld, indices:", static_cast<long long>(c));
    for (std::int64_t i = 0; i < 9; ++i) std::printf(" %lld", static_cast<long long>(idx.values()[c * 9 + i]));
    std::printf("\n");
    print_plane("unpooled:", unpooled, c);
    print_plane("gradient of sum(y):", grad_x, c);
  }

  // Checks. Channel 0: the values PyTorch gives for arange(25), 5 x 5 -> 3 x 3.
  const std::vector<std::int64_t> golden = {6, 8, 9, 16, 18, 19, 21, 23, 24};
  int wrong = 0;
  for (std::int64_t k = 0; k < 9; ++k) {
    if (idx.values()[k] != golden[k] || y.values()[k] != static_cast<float>(golden[k])) ++wrong;
  }
  // Channel 1: the peak wins its four windows, so its gradient is 4.
  if (grad_x(0, 1, 1, 1) != 4.0f || unpooled(0, 1, 1, 1) != 100.0f) ++wrong;
  // Everywhere: each value came from its index, and the gradients sum to the output count.
  float grad_total = 0;
  for (float g : grad_x.values()) grad_total += g;
  if (grad_total != static_cast<float>(y.size())) ++wrong;
  for (std::int64_t c = 0; c < C; ++c)
    for (std::int64_t i = 0; i < 3; ++i)
      for (std::int64_t j = 0; j < 3; ++j)
        if (y(0, c, i, j) != x(0, c, idx(0, c, i, j) / W, idx(0, c, i, j) % W)) ++wrong;

  if (wrong != 0) {
    std::printf("%d checks failed\n", wrong);
    return 1;
  }
  std::printf("indices, unpooling and gradients are as expected\n");
  return 0;
}
