// SPDX-License-Identifier: MIT
// Training a small model end to end with Eigen tensors and adapool:
//
//   features N x C x H x W  ->  adaptive average pool to 2 x 2  ->  flatten
//   -> dense layer (C*4 -> classes)  ->  softmax + cross-entropy
//
// The forward pass pools with adapool, the dense layer and softmax are Eigen
// matrix code. The backward pass runs the other way: the softmax and dense
// gradients in Eigen, then adapool's pooling backward pass turns the gradient
// of the pooled map into the gradient of the features, which a convolutional
// backbone would receive next. The example checks that gradient against finite
// differences once, then takes a few SGD steps on the dense layer and checks
// that the loss goes down. It exits with 1 if either check fails.
//
// Everything is double, as gradient checks usually are (PyTorch's gradcheck
// insists on it): finite differences in float lose most of their digits. A
// float model is the same code with `float`.

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
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <unsupported/Eigen/CXX11/Tensor>

namespace {

using Eigen::Index;
// (n, c, h, w) RowMajor: contiguous NCHW memory, as PyTorch lays tensors out.
using tensor4 = Eigen::Tensor<double, 4, Eigen::RowMajor>;
using matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr Index N = 24, C = 6, H = 6, W = 6, classes = 3, bins = 2;
constexpr Index D = C * bins * bins;  // flattened pooled features

struct dense_layer {
  matrix weight = matrix::Zero(classes, D);  // classes x D, PyTorch's nn.Linear layout
  Eigen::RowVectorXd bias = Eigen::RowVectorXd::Zero(classes);
};

// The pooled N x C x 2 x 2 tensor is contiguous, so it is already the N x D
// matrix that torch.flatten(x, 1) gives: a Map, no copy.
Eigen::Map<const matrix> flatten(const tensor4& pooled) { return {pooled.data(), N, D}; }

// Row-wise softmax of the logits, shifted by each row's max so exp cannot overflow.
matrix softmax(const matrix& logits) {
  matrix p = (logits.colwise() - logits.rowwise().maxCoeff()).array().exp().matrix();
  p.array().colwise() /= p.rowwise().sum().array();
  return p;
}

// Mean cross-entropy of the labels under `probabilities`.
double cross_entropy(const matrix& probabilities, const Eigen::VectorXi& labels) {
  double loss = 0;
  for (Index n = 0; n < N; ++n) loss -= std::log(probabilities(n, labels(n)));
  return loss / N;
}

struct forward_pass {
  tensor4 pooled;
  matrix probabilities;
  double loss;
};

forward_pass forward(const tensor4& features, const dense_layer& fc, const Eigen::VectorXi& labels) {
  forward_pass f;
  // The allocating form returns an Eigen tensor in the input's storage order.
  f.pooled = adapool::eigen::adaptive_avg_pool2d(features, {bins, bins});
  const matrix logits = (flatten(f.pooled) * fc.weight.transpose()).rowwise() + fc.bias;
  f.probabilities = softmax(logits);
  f.loss = cross_entropy(f.probabilities, labels);
  return f;
}

struct gradients {
  matrix weight;
  Eigen::RowVectorXd bias;
  tensor4 features;
};

gradients backward(const forward_pass& f, const dense_layer& fc, const Eigen::VectorXi& labels) {
  // Softmax + cross-entropy together have the simple gradient p - onehot(y),
  // divided by N because the loss is a mean over the batch.
  matrix grad_logits = f.probabilities;
  for (Index n = 0; n < N; ++n) grad_logits(n, labels(n)) -= 1;
  grad_logits /= N;

  gradients g;
  g.weight = grad_logits.transpose() * flatten(f.pooled);  // classes x D
  g.bias = grad_logits.colwise().sum();
  // The gradient of the flattened features, reshaped to N x C x 2 x 2 by
  // writing it into a tensor of that shape (same memory order as flatten).
  tensor4 grad_pooled(N, C, bins, bins);
  Eigen::Map<matrix>(grad_pooled.data(), N, D) = grad_logits * fc.weight;

  // [readme:eigen-training]
  // Each pooled cell's gradient is spread evenly over the features of its
  // window; the backward pass overwrites g.features, so no zeroing first.
  g.features = tensor4(N, C, H, W);
  adapool::eigen::adaptive_avg_pool2d_backward(grad_pooled, g.features);
  // [readme-end]
  return g;
}

}  // namespace

int main() {
  // Synthetic data: noise, plus a brighter top half of channel `label` and a
  // brighter bottom half of channel `label + 3`, so the classes differ in
  // where their signal sits, which the 2 x 2 pooling keeps and a dense layer
  // can learn. A fixed seed makes every run the same.
  std::mt19937 gen(7);
  std::normal_distribution<double> noise(0.0, 1.0);
  tensor4 features(N, C, H, W);
  Eigen::VectorXi labels(N);
  for (Index n = 0; n < N; ++n) {
    labels(n) = static_cast<int>(n % classes);
    for (Index c = 0; c < C; ++c)
      for (Index h = 0; h < H; ++h)
        for (Index w = 0; w < W; ++w) {
          const bool top = h < H / 2;
          const bool signal = (c == labels(n) && top) || (c == labels(n) + classes && !top);
          features(n, c, h, w) = noise(gen) + (signal ? 1.0 : 0.0);
        }
  }

  dense_layer fc;
  std::normal_distribution<double> init(0.0, 0.1);
  for (Index i = 0; i < fc.weight.size(); ++i) fc.weight.data()[i] = init(gen);

  // 1. Gradient check: the loss as a function of each feature, by central
  //    differences, against the gradient adapool's backward pass produced.
  //    Average pooling and the dense layer are linear and softmax is smooth,
  //    so the two agree to about eps^2 plus rounding.
  const forward_pass f = forward(features, fc, labels);
  const gradients g = backward(f, fc, labels);
  const double eps = 1e-5;
  double max_error = 0, max_gradient = 0;
  tensor4 probe = features;
  for (Index i = 0; i < probe.size(); ++i) {
    const double saved = probe.data()[i];
    probe.data()[i] = saved + eps;
    const double up = forward(probe, fc, labels).loss;
    probe.data()[i] = saved - eps;
    const double down = forward(probe, fc, labels).loss;
    probe.data()[i] = saved;
    const double numeric = (up - down) / (2 * eps);
    max_error = std::max(max_error, std::fabs(numeric - g.features.data()[i]));
    max_gradient = std::max(max_gradient, std::fabs(g.features.data()[i]));
  }
  std::printf("gradient check over %lld features: max |analytic - numeric| = %.2e (largest gradient %.2e)\n",
              static_cast<long long>(probe.size()), max_error, max_gradient);
  const bool gradient_ok = max_gradient > 0 && max_error <= 1e-7 * std::max(1.0, max_gradient) + 1e-9;

  // 2. A few SGD steps on the dense layer. The feature gradient is what a
  //    backbone would train on; here the features stay fixed.
  const double learning_rate = 0.5;
  const double first_loss = f.loss;
  double loss = f.loss;
  for (int step = 1; step <= 40; ++step) {
    const forward_pass fs = forward(features, fc, labels);
    const gradients gs = backward(fs, fc, labels);
    fc.weight -= learning_rate * gs.weight;
    fc.bias -= learning_rate * gs.bias;
    loss = forward(features, fc, labels).loss;
    if (step % 10 == 0) std::printf("step %2d: loss %.4f\n", step, loss);
  }
  const forward_pass last = forward(features, fc, labels);
  int correct = 0;
  for (Index n = 0; n < N; ++n) {
    Index predicted = 0;
    last.probabilities.row(n).maxCoeff(&predicted);
    correct += predicted == labels(n);
  }
  std::printf("loss %.4f -> %.4f, training accuracy %d / %lld\n", first_loss, loss, correct, static_cast<long long>(N));

  if (!gradient_ok) std::printf("FAILED: the pooling gradient does not match finite differences\n");
  if (!(loss < first_loss)) std::printf("FAILED: the loss did not decrease\n");
  return gradient_ok && loss < first_loss ? 0 : 1;
}
