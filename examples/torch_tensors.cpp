// SPDX-License-Identifier: MIT
// Pooling at::Tensors: a model that holds its feature maps as PyTorch tensors
// calls adapool's tensor forms on them directly, with no sizes, strides, data
// pointers or copies of its own, and gets at::Tensors back in the input's
// memory format. Each result is checked against ATen's own operator.

#include <ATen/ATen.h>

#include <adapool/torch.hpp>
#include <cstdio>

int main() {
  // A batch of 2 feature maps, 64 channels of 7 x 7, channels-last as many CNNs keep them.
  const at::Tensor i = at::arange(2 * 64 * 7 * 7, at::kFloat);
  const at::Tensor features =
      (i * i + 3 * i).remainder(101).reshape({2, 64, 7, 7}).contiguous(at::MemoryFormat::ChannelsLast);

  // [readme:torch]
  // Named and ordered as torch.nn.functional; the dtype is read at run time.
  const at::Tensor pooled = adapool::torch::adaptive_avg_pool2d(features, {1, 1});              // 2 x 64 x 1 x 1
  const auto [maxima, indices] = adapool::torch::adaptive_max_pool2d(features, {3, 3});         // values, kLong indices
  const at::Tensor head = adapool::torch::adaptive_concat_pool2d(features, {1, 1}).flatten(1);  // 2 x 128
  const at::Tensor grad = adapool::torch::adaptive_max_pool2d_backward(at::ones_like(maxima), features, indices);
  const at::Tensor half = adapool::torch::global_avg_pool(features.to(at::kHalf));  // Half in, Half out
  // [readme-end]

  std::printf("adaptive_avg_pool2d(features, {1, 1})[0, :4] = %.4f %.4f %.4f %.4f\n", pooled[0][0][0][0].item<float>(),
              pooled[0][1][0][0].item<float>(), pooled[0][2][0][0].item<float>(), pooled[0][3][0][0].item<float>());
  std::printf(
      "adaptive_max_pool2d(features, {3, 3}): %lld x %lld x %lld x %lld values and indices, channels-last: %s\n",
      static_cast<long long>(maxima.size(0)), static_cast<long long>(maxima.size(1)),
      static_cast<long long>(maxima.size(2)), static_cast<long long>(maxima.size(3)),
      maxima.is_contiguous(at::MemoryFormat::ChannelsLast) && !maxima.is_contiguous() ? "yes" : "no");
  std::printf("adaptive_concat_pool2d head: %lld x %lld; Half global mean of channel 0: %.4f\n",
              static_cast<long long>(head.size(0)), static_cast<long long>(head.size(1)),
              half[0][0][0][0].item<float>());

  const auto [aten_maxima, aten_indices] = at::adaptive_max_pool2d(features, {3, 3});
  const bool ok = at::allclose(pooled, at::adaptive_avg_pool2d(features, {1, 1}), 1e-6, 1e-6) &&
                  at::equal(maxima, aten_maxima) && at::equal(indices, aten_indices) &&
                  at::equal(grad, at::adaptive_max_pool2d_backward(at::ones_like(maxima), features, indices)) &&
                  at::equal(head.slice(1, 0, 64), features.amax({2, 3})) &&
                  at::allclose(half.to(at::kFloat), pooled, 1e-2, 0) &&
                  indices.is_contiguous(at::MemoryFormat::ChannelsLast) && !indices.is_contiguous();
  std::printf("%s\n", ok ? "all results match ATen" : "MISMATCH against ATen");
  return ok ? 0 : 1;
}
