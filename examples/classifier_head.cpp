// SPDX-License-Identifier: MIT
// A classifier head that pools instead of flattening, as ResNet's does:
//
//   features: N x 2048 x 7 x 7  ->  global average pool  ->  N x 2048
//   -> fully connected 2048 -> 1000  ->  softmax
//
// In PyTorch: `fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)).softmax(1)`.
// Flattening the 7 x 7 map instead would need a 100352 -> 1000 layer, 49 times
// the weights, and would tie the network to one input resolution. The feature
// map lives in an Eigen tensor; adapool pools it in place, and Eigen does the
// matrix product on the pooled result without a copy.

// GCC 12 warns inside its own AVX-512 intrinsics (-march=x86-64-v4 and up)
// where Eigen's matrix products use them: _mm512_undefined_ps initialises a
// variable with itself (GCC bug 105593, fixed in GCC 13).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <Eigen/Dense>
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic pop
#endif
#include <adapool/adapool.hpp>
#include <adapool/eigen.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <unsupported/Eigen/CXX11/Tensor>

int main() {
  const Eigen::Index N = 2, C = 2048, H = 7, W = 7, classes = 1000;

  // Backbone output, indexed (n, c, h, w) and RowMajor: contiguous NCHW memory,
  // as a PyTorch tensor from .contiguous() would be.
  Eigen::Tensor<float, 4, Eigen::RowMajor> features(N, C, H, W);
  features.setRandom();  // uniform in [0, 1)
  Eigen::Tensor<float, 4, Eigen::RowMajor> pooled(N, C, 1, 1);

  // [readme:eigen]
  // (n, c, h, w) RowMajor is contiguous NCHW: the views are adapool::nchw.
  adapool::global_avg_pool(adapool::eigen::view(features), adapool::eigen::view(pooled));
  // [readme-end]

  // The pooled N x C x 1 x 1 block is an N x C row-major matrix.
  using row_major_matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const row_major_matrix> x(pooled.data(), N, C);

  // A fully connected layer with fixed pseudo-random weights, then softmax.
  const Eigen::MatrixXf weight = Eigen::MatrixXf::Random(classes, C) * 0.05f;  // classes x C
  const Eigen::VectorXf bias = Eigen::VectorXf::Random(classes) * 0.01f;
  Eigen::MatrixXf logits = (x * weight.transpose()).rowwise() + bias.transpose();  // N x classes
  Eigen::MatrixXf probabilities = (logits.colwise() - logits.rowwise().maxCoeff()).array().exp().matrix();
  probabilities.array().colwise() /= probabilities.rowwise().sum().array();

  const long long pool_head = static_cast<long long>(C * classes + classes);
  const long long flatten_head = static_cast<long long>(C * H * W * classes + classes);
  std::printf("features %lld x %lld x %lld x %lld -> pooled %lld x %lld -> %lld classes\n", static_cast<long long>(N),
              static_cast<long long>(C), static_cast<long long>(H), static_cast<long long>(W),
              static_cast<long long>(N), static_cast<long long>(C), static_cast<long long>(classes));
  std::printf("parameters, pool + fc:    %11lld  (Linear(%lld, %lld))\n", pool_head, static_cast<long long>(C),
              static_cast<long long>(classes));
  std::printf("parameters, flatten + fc: %11lld  (Linear(%lld, %lld)), %.0fx as many\n", flatten_head,
              static_cast<long long>(C * H * W), static_cast<long long>(classes),
              static_cast<double>(flatten_head) / static_cast<double>(pool_head));
  for (Eigen::Index n = 0; n < N; ++n) {
    Eigen::Index best = 0;
    const float p = probabilities.row(n).maxCoeff(&best);
    std::printf("image %lld: class %lld, probability %.5f\n", static_cast<long long>(n), static_cast<long long>(best),
                static_cast<double>(p));
  }

  // Checks: each pooled value is its plane's mean (in double), and each row of
  // probabilities sums to 1.
  int wrong = 0;
  for (Eigen::Index n = 0; n < N; ++n) {
    for (Eigen::Index c = 0; c < C; ++c) {
      double sum = 0;
      for (Eigen::Index h = 0; h < H; ++h)
        for (Eigen::Index w = 0; w < W; ++w) sum += features(n, c, h, w);
      if (std::fabs(x(n, c) - sum / static_cast<double>(H * W)) > 1e-6) ++wrong;
    }
    if (std::fabs(probabilities.row(n).sum() - 1.0f) > 1e-5f) ++wrong;
  }
  if (pool_head != 2049000 || flatten_head != 100353000) ++wrong;
  if (wrong != 0) {
    std::printf("%d checks failed\n", wrong);
    return 1;
  }
  std::printf("pooled features and probabilities check out\n");
  return 0;
}
