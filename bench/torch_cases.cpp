// SPDX-License-Identifier: MIT
// PyTorch's C++ API (ATen), called as a model's forward pass calls it: the
// allocating operators on a tensor wrapping the workload's input without a
// copy, in channels-last memory format for the NHWC workloads, under
// InferenceMode as deployed inference runs. The N workloads' float16 and
// bfloat16 inputs are Half and BFloat16 tensors over the same bytes. The B
// workloads call the backward operators autograd calls for the pooling
// operators' gradients, on tensors wrapping the forward input, grad_out and
// the forward's indices.

#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/_adaptive_avg_pool2d_backward.h>
#include <ATen/ops/adaptive_avg_pool2d.h>
#include <ATen/ops/adaptive_max_pool2d.h>
#include <ATen/ops/adaptive_max_pool2d_backward.h>
#include <ATen/ops/amax.h>
#include <ATen/ops/cat.h>
#include <ATen/ops/clamp_min.h>
#include <ATen/ops/from_blob.h>
#include <ATen/ops/max_pool1d.h>
#include <ATen/ops/mean.h>
#include <ATen/ops/pow.h>
#include <c10/core/InferenceMode.h>
#include <torch/version.h>

#include <stdexcept>
#include <tuple>

#include "common.hpp"

namespace adapool_bench {

namespace {

enum class formulation {
  standard,    // adaptive_{avg,max}_pool2d; amax / mean over dim 1
  max_pool1d,  // channel max as permute + max_pool1d over C
};

at::ScalarType scalar_type(element_type element) {
  switch (element) {
    case element_type::f32:
      return at::kFloat;
    case element_type::f16:
      return at::kHalf;  // IEEE binary16, the bits of adapool::float16
    case element_type::bf16:
      return at::kBFloat16;  // the top half of a float, the bits of adapool::bfloat16
    case element_type::i8:
      return at::kChar;
  }
  throw std::logic_error("unknown element type");
}

class torch_case final : public pool_case {
 public:
  torch_case(const workload& w, int threads, formulation how) : w_(w), threads_(threads), how_(how) {
    const std::vector<std::int64_t> sizes = {w.n, w.c, w.h, w.w};
    const std::vector<std::int64_t> strides = w.format == memory_format::nhwc
                                                  ? std::vector<std::int64_t>{w.h * w.w * w.c, 1, w.w * w.c, w.c}
                                                  : std::vector<std::int64_t>{w.c * w.h * w.w, w.h * w.w, w.w, 1};
    // from_blob wants a mutable pointer; nothing here writes the input.
    x_ = at::from_blob(const_cast<void*>(input_data(w)), sizes, strides,
                       at::TensorOptions().dtype(scalar_type(w.element)));
    values_.resize(w.output_sizes.size());
    indices_.resize(w.output_sizes.size());
    if (w.op == op_kind::adaptive_lp) {
      const std::array<std::int64_t, 2> size = w.output_sizes[0];
      for (std::int64_t oy = 0; oy < size[0]; ++oy)
        for (std::int64_t ox = 0; ox < size[1]; ++ox)
          window_counts_.push_back(
              static_cast<float>((window_stop(oy, w.h, size[0]) - window_start(oy, w.h, size[0])) *
                                 (window_stop(ox, w.w, size[1]) - window_start(ox, w.w, size[1]))));
      window_sizes_ = at::from_blob(window_counts_.data(), {size[0], size[1]}, at::TensorOptions().dtype(at::kFloat));
    }
    if (w.is_backward()) {
      if (w.format != memory_format::nchw || w.output_sizes.size() != 1) {
        throw std::invalid_argument("backward passes are benchmarked on one NCHW output size");
      }
      const std::vector<std::int64_t> out_sizes = {w.n, w.c, w.output_sizes[0][0], w.output_sizes[0][1]};
      grad_output_ =
          at::from_blob(const_cast<float*>(grad_output_for(w)), out_sizes, at::TensorOptions().dtype(at::kFloat));
      if (w.op == op_kind::adaptive_max_backward) {
        saved_indices_ = at::from_blob(const_cast<std::int64_t*>(max_indices_for(w)), out_sizes,
                                       at::TensorOptions().dtype(at::kLong));
      }
    }
  }

  void activate() override { at::set_num_threads(threads_); }

  void run() override {
    c10::InferenceMode inference;
    switch (w_.op) {
      case op_kind::global_avg:
      case op_kind::adaptive_avg:
        for (std::size_t k = 0; k < values_.size(); ++k) {
          values_[k] = at::adaptive_avg_pool2d(x_, {w_.output_sizes[k][0], w_.output_sizes[k][1]});
        }
        break;
      case op_kind::global_max_indices:
      case op_kind::adaptive_max_indices:
        for (std::size_t k = 0; k < values_.size(); ++k) {
          std::tie(values_[k], indices_[k]) =
              at::adaptive_max_pool2d(x_, {w_.output_sizes[k][0], w_.output_sizes[k][1]});
        }
        break;
      case op_kind::channel_max:
        if (how_ == formulation::max_pool1d) {
          // [N, C, H, W] -> [N, HW, C], a max_pool1d window spanning all C, back to [N, 1, H, W].
          const at::Tensor pixels_by_channel = x_.flatten(2).permute({0, 2, 1});
          values_[0] = at::max_pool1d(pixels_by_channel, {w_.c}).view({w_.n, 1, w_.h, w_.w});
        } else {
          values_[0] = at::amax(x_, {1}, /*keepdim=*/true);
        }
        break;
      case op_kind::channel_avg:
        values_[0] = at::mean(x_, {1}, /*keepdim=*/true);
        break;
      // The compositions models write: fastai's AdaptiveConcatPool2d is
      // cat([max, avg], 1) (ATen's adaptive max computes its indices anyway),
      // CBAM's spatial attention cat([amax, mean], 1) over channels.
      case op_kind::adaptive_concat: {
        const std::array<std::int64_t, 2> size = w_.output_sizes[0];
        values_[0] = at::cat({std::get<0>(at::adaptive_max_pool2d(x_, size)), at::adaptive_avg_pool2d(x_, size)}, 1);
        break;
      }
      case op_kind::channel_max_avg:
        values_[0] = at::cat({at::amax(x_, {1}, /*keepdim=*/true), at::mean(x_, {1}, /*keepdim=*/true)}, 1);
        break;
      // GeM as retrieval code writes it (cnnimageretrieval-pytorch's gem()).
      case op_kind::adaptive_gem:
        values_[0] =
            at::adaptive_avg_pool2d(x_.clamp_min(gem_eps).pow(gem_p), {w_.output_sizes[0][0], w_.output_sizes[0][1]})
                .pow(1.0 / gem_p);
        break;
      // torch.nn.functional.lp_pool2d's formula, avg_pool(x.pow(p)) * window
      // size, then pow(1 / p), with adaptive windows: their sizes differ when
      // the windows overlap, so they are a tensor, made once in the constructor.
      case op_kind::adaptive_lp:
        values_[0] = at::adaptive_avg_pool2d(x_.pow(lp_p), {w_.output_sizes[0][0], w_.output_sizes[0][1]})
                         .mul(window_sizes_)
                         .pow(1.0 / lp_p);
        break;
      // What autograd runs for adaptive_avg_pool2d's and adaptive_max_pool2d's
      // gradients, given grad_output, the forward's input and its indices.
      case op_kind::adaptive_avg_backward:
        values_[0] = at::_adaptive_avg_pool2d_backward(grad_output_, x_);
        break;
      case op_kind::adaptive_max_backward:
        values_[0] = at::adaptive_max_pool2d_backward(grad_output_, x_, saved_indices_);
        break;
    }
  }

  pooled result() const override {
    pooled out;
    for (std::size_t k = 0; k < values_.size(); ++k) {
      // contiguous() gives logical NCHW order whatever the memory format; a
      // narrow result is widened to float, which holds each of its values.
      const at::Tensor values = values_[k].to(at::kFloat).contiguous();
      const at::Tensor indices = w_.has_indices() ? indices_[k].contiguous() : at::Tensor();
      append_logical(out, memory_format::nchw, values.data_ptr<float>(),
                     w_.has_indices() ? indices.data_ptr<std::int64_t>() : nullptr, values.size(0), values.size(1),
                     values.size(2), values.size(3));
    }
    return out;
  }

  std::string label() const override { return call_name(w_.op, how_); }

  static std::string call_name(op_kind op, formulation how) {
    switch (op) {
      case op_kind::global_avg:
      case op_kind::adaptive_avg:
        return "adaptive_avg_pool2d";
      case op_kind::global_max_indices:
      case op_kind::adaptive_max_indices:
        return "adaptive_max_pool2d";
      case op_kind::channel_max:
        return how == formulation::max_pool1d ? "permute + max_pool1d" : "amax(dim=1)";
      case op_kind::channel_avg:
        return "mean(dim=1)";
      case op_kind::adaptive_concat:
        return "cat(adaptive_max_pool2d, adaptive_avg_pool2d)";
      case op_kind::channel_max_avg:
        return "cat(amax(dim=1), mean(dim=1))";
      case op_kind::adaptive_gem:
        return "adaptive_avg_pool2d(x.clamp_min(eps).pow(p)).pow(1 / p)";
      case op_kind::adaptive_lp:
        return "adaptive_avg_pool2d(x.pow(p)).mul(window sizes).pow(1 / p)";
      case op_kind::adaptive_avg_backward:
        return "_adaptive_avg_pool2d_backward";
      case op_kind::adaptive_max_backward:
        return "adaptive_max_pool2d_backward";
    }
    return {};
  }

 private:
  const workload& w_;
  int threads_;
  formulation how_;
  at::Tensor x_;
  std::vector<float> window_counts_;  // adaptive_lp: the element count of each window,
  at::Tensor window_sizes_;           // and a tensor over them
  at::Tensor grad_output_;            // backward: grad_out,
  at::Tensor saved_indices_;          // and the forward's indices for the max
  std::vector<at::Tensor> values_;
  std::vector<at::Tensor> indices_;
};

// A narrow workload PyTorch has no kernel for: the same call on a 1 x 1 x 2 x 2
// tensor of the element type, and PyTorch's own error if it throws. Asked at
// run time, so the answer is this PyTorch's, not a remembered one.
std::string torch_unsupported(const workload& w) {
  if (!w.is_narrow()) return {};
  const std::vector<unsigned char> zeros(16);
  try {
    c10::InferenceMode inference;
    const at::Tensor x = at::from_blob(const_cast<unsigned char*>(zeros.data()), {1, 1, 2, 2},
                                       at::TensorOptions().dtype(scalar_type(w.element)));
    switch (w.op) {
      case op_kind::global_avg:
      case op_kind::adaptive_avg:
        at::adaptive_avg_pool2d(x, {1, 1});
        break;
      case op_kind::channel_max:
        at::amax(x, {1}, /*keepdim=*/true);
        break;
      case op_kind::channel_avg:
        at::mean(x, {1}, /*keepdim=*/true);
        break;
      default:
        return "not benchmarked on narrow element types";
    }
  } catch (const std::exception& e) {
    std::string message = e.what();
    message = message.substr(0, message.find('\n'));
    const char* type = w.element == element_type::i8 ? "int8" : w.element == element_type::f16 ? "float16" : "bfloat16";
    return "PyTorch has no " + torch_case::call_name(w.op, formulation::standard) + " for " + type + " (" +
           c10::toString(scalar_type(w.element)) + ") tensors: \"" + message + "\"";
  }
  return {};
}

}  // namespace

std::vector<implementation> torch_implementations() {
  implementation standard{"torch", role::peer, /*threads=*/true, torch_unsupported,
                          [](const workload& w, int threads) -> std::unique_ptr<pool_case> {
                            return std::make_unique<torch_case>(w, threads, formulation::standard);
                          }};
  implementation max_pool1d{"torch_max_pool1d",
                            role::peer,
                            /*threads=*/true,
                            [](const workload&) { return std::string(); },
                            [](const workload& w, int threads) -> std::unique_ptr<pool_case> {
                              return std::make_unique<torch_case>(w, threads, formulation::max_pool1d);
                            },
                            [](const workload& w) { return w.op == op_kind::channel_max; }};
  return {standard, max_pool1d};
}

std::vector<std::pair<std::string, std::string>> torch_context() {
  return {{"torch_version", std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                                std::to_string(TORCH_VERSION_PATCH)}};
}

}  // namespace adapool_bench
