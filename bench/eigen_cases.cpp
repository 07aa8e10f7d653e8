// SPDX-License-Identifier: MIT
// Eigen's Tensor module: pooling written as reductions over TensorMaps of the
// input. Global pooling reduces the spatial axes; a pyramid bin that divides
// the plane reduces the inner axes of a reshape [N, C, k, H/k, k, W/k]; global
// max with indices is argmax over [N*C, H*W] and a gather; channel pooling
// reduces axis 1. Two threads use Eigen's own thread pool.

#define EIGEN_USE_THREADS
#include <unsupported/Eigen/CXX11/Tensor>

#include <memory>

#include "common.hpp"

namespace adapool_bench {

namespace {

using index = Eigen::Index;
template <int Rank>
using input_map = Eigen::TensorMap<Eigen::Tensor<const float, Rank, Eigen::RowMajor>, Eigen::Aligned>;
template <int Rank>
using output_map = Eigen::TensorMap<Eigen::Tensor<float, Rank, Eigen::RowMajor>>;

class eigen_case final : public pool_case {
 public:
  eigen_case(const workload& w, int threads) : w_(w), in_(input_for(w)) {
    if (threads > 1) {
      pool_ = std::make_unique<Eigen::ThreadPool>(threads);
      device_ = std::make_unique<Eigen::ThreadPoolDevice>(pool_.get(), threads);
    }
    values_.resize(static_cast<std::size_t>(w.output_elements()));
    if (w.has_indices()) {
      indices_.resize(values_.size());
      argmax_ = Eigen::Tensor<index, 1, Eigen::RowMajor>(w.n * w.c);
    }
  }

  void run() override {
    if (device_) {
      compute(*device_);
    } else {
      compute(Eigen::DefaultDevice());
    }
  }

  pooled result() const override { return {values_, indices_}; }

 private:
  template <class Device>
  void compute(const Device& device) {
    const index n = w_.n, c = w_.c, h = w_.h, w = w_.w;
    float* out = values_.data();
    switch (w_.op) {
      case op_kind::global_avg:
      case op_kind::adaptive_avg:
        if (w_.format == memory_format::nhwc) {
          const input_map<4> x(in_, n, h, w, c);
          output_map<2>(out, n, c).device(device) = x.mean(Eigen::array<index, 2>{1, 2});
          break;
        }
        for (const auto& size : w_.output_sizes) {
          const index bins_y = size[0], bins_x = size[1];
          const input_map<6> x(in_, n, c, bins_y, h / bins_y, bins_x, w / bins_x);
          output_map<4>(out, n, c, bins_y, bins_x).device(device) = x.mean(Eigen::array<index, 2>{3, 5});
          out += n * c * bins_y * bins_x;
        }
        break;
      case op_kind::global_max_indices: {
        const input_map<2> x(in_, n * c, h * w);
        argmax_.device(device) = x.argmax(1);
        // The values are where the indices point: one gather, not a second pass.
        for (index plane = 0; plane < n * c; ++plane) {
          indices_[static_cast<std::size_t>(plane)] = argmax_(plane);
          out[plane] = in_[plane * h * w + argmax_(plane)];
        }
        break;
      }
      case op_kind::channel_max:
        output_map<3>(out, n, h, w).device(device) = input_map<4>(in_, n, c, h, w).maximum(Eigen::array<index, 1>{1});
        break;
      case op_kind::channel_avg:
        output_map<3>(out, n, h, w).device(device) = input_map<4>(in_, n, c, h, w).mean(Eigen::array<index, 1>{1});
        break;
      case op_kind::adaptive_max_indices:
      case op_kind::adaptive_concat:  // fused workloads run named implementations only
      case op_kind::channel_max_avg:
      case op_kind::adaptive_gem:
      case op_kind::adaptive_lp:
      case op_kind::adaptive_avg_backward:  // backward workloads run named implementations only
      case op_kind::adaptive_max_backward:
        break;  // unsupported, never prepared
    }
  }

  const workload& w_;
  const float* in_;
  std::unique_ptr<Eigen::ThreadPool> pool_;
  std::unique_ptr<Eigen::ThreadPoolDevice> device_;
  std::vector<float> values_;
  std::vector<std::int64_t> indices_;
  Eigen::Tensor<index, 1, Eigen::RowMajor> argmax_;
};

std::string eigen_unsupported(const workload& w) {
  if (w.op == op_kind::adaptive_max_indices) {
    return "no adaptive pooling: 13 -> 7 windows overlap and differ in size, which no reshape expresses";
  }
  if (w.op == op_kind::adaptive_avg && !w.windows_divide()) {
    return "no adaptive pooling: 13 -> 7 windows overlap and differ in size, which no reshape expresses";
  }
  return {};
}

}  // namespace

std::vector<implementation> eigen_implementations() {
  return {{"eigen", role::peer, /*threads=*/true, eigen_unsupported,
           [](const workload& w, int threads) -> std::unique_ptr<pool_case> {
             return std::make_unique<eigen_case>(w, threads);
           }}};
}

std::vector<std::pair<std::string, std::string>> eigen_context() {
  return {{"eigen_version", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                                std::to_string(EIGEN_MINOR_VERSION)}};
}

}  // namespace adapool_bench
