// SPDX-License-Identifier: MIT
// adapool on every workload: the default instruction set and the scalar path,
// each through the non-allocating overloads a latency-bound caller would use.
// The fused workloads also run as two separate calls, one per pooling; the
// backward workloads call the gradients of backward.hpp.

#include <adapool/adapool.hpp>
#include <adapool/backward.hpp>

#include <array>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common.hpp"

namespace adapool_bench {

namespace {

template <class Arch>
class adapool_case final : public pool_case {
 public:
  adapool_case(const workload& w, int threads, bool two_calls = false)
      : w_(w), in_(input_for(w)), threads_(threads), two_calls_(two_calls) {
    for (const auto& size : w.output_sizes) {
      values_.emplace_back(static_cast<std::size_t>(w.n * w.output_channels() * size[0] * size[1]));
      if (w.has_indices()) indices_.emplace_back(values_.back().size());
    }
  }

  void run() override {
    const adapool::scoped_num_threads scope(threads_);
    if (w_.format == memory_format::nhwc) {
      run_on(adapool::make_view<adapool::channels_last>(in_, w_.n, w_.c, w_.h, w_.w));
    } else {
      run_on(adapool::make_view(in_, w_.n, w_.c, w_.h, w_.w));
    }
  }

  pooled result() const override {
    pooled out;
    for (std::size_t k = 0; k < values_.size(); ++k) {
      const auto& size = w_.output_sizes[k];
      append_logical(out, output_format(), values_[k].data(), w_.has_indices() ? indices_[k].data() : nullptr, w_.n,
                     w_.output_channels(), size[0], size[1]);
    }
    return out;
  }

  // The instruction set, the form of a fused workload, and the strategy
  // adapool plans for it (strategy.hpp), which the report prints.
  std::string label() const override {
    const std::string plan = "; strategy " + planned();
    if (!w_.is_fused()) return Arch::name + plan;
    const bool concat = w_.op == op_kind::adaptive_concat;
    if (two_calls_) return concat ? "adaptive_avg_pool2d + adaptive_max_pool2d" : "channel_max_pool + channel_avg_pool";
    return (concat ? "adaptive_avg_max_pool2d into the concat halves" : "channel_max_avg_pool") + plan;
  }

 private:
  // Outputs keep the input's memory format, as PyTorch's do.
  memory_format output_format() const { return w_.format; }

  template <class Layout>
  adapool::tensor_view<float, 4, Layout> output(std::size_t k, Layout) {
    const std::int64_t channels = w_.pooled_channels();
    return {values_[k].data(), {w_.n, channels, w_.output_sizes[k][0], w_.output_sizes[k][1]}};
  }
  template <class Layout>
  adapool::tensor_view<std::int64_t, 4, Layout> index_output(std::size_t k, Layout) {
    return {indices_[k].data(), {w_.n, w_.c, w_.output_sizes[k][0], w_.output_sizes[k][1]}};
  }

  // Channels [first, first + count) of output 0 (a concatenation), as a strided view.
  adapool::tensor_view<float, 4, adapool::strided> channels(std::int64_t first, std::int64_t count) {
    const auto& size = w_.output_sizes[0];
    const adapool::tensor_view<float, 4> all(values_[0].data(), {w_.n, w_.output_channels(), size[0], size[1]});
    return adapool::make_strided_view(all.data() + first * all.stride(1),
                                      std::array<std::int64_t, 4>{w_.n, count, size[0], size[1]}, all.strides());
  }

  std::string planned() const {
    if (values_.size() == 4) return "pyramid (one read for every level)";
    const auto& size = w_.output_sizes[0];
    const std::int64_t out_c = w_.pooled_channels();
    // Outputs keep the input's memory format; the concat halves are strided.
    using strided = adapool::tensor_view<const float, 4, adapool::strided>;
    const std::array<std::int64_t, 4> in_shape{w_.n, w_.c, w_.h, w_.w}, out_shape{w_.n, out_c, size[0], size[1]},
        all_shape{w_.n, w_.output_channels(), size[0], size[1]};
    const bool nhwc = w_.format == memory_format::nhwc;
    const auto strides = [&](const std::array<std::int64_t, 4>& shape) {
      return nhwc ? adapool::tensor_view<const float, 4, adapool::channels_last>(nullptr, shape).strides()
                  : adapool::tensor_view<const float, 4, adapool::contiguous>(nullptr, shape).strides();
    };
    const strided in(in_, in_shape, strides(in_shape));
    const strided out(values_[0].data(), out_shape, strides(all_shape));
    return adapool::planned_strategy<Arch>(pooling_of(w_.op), in, out);
  }

  static adapool::pooling pooling_of(op_kind op) {
    switch (op) {
      case op_kind::global_avg:
      case op_kind::adaptive_avg:
        return adapool::pooling::average;
      case op_kind::global_max_indices:
      case op_kind::adaptive_max_indices:
        return adapool::pooling::max_with_indices;
      case op_kind::channel_max:
        return adapool::pooling::channel_max;
      case op_kind::channel_avg:
        return adapool::pooling::channel_average;
      case op_kind::adaptive_concat:
        return adapool::pooling::average_and_max;
      case op_kind::adaptive_gem:
      case op_kind::adaptive_lp:
        return adapool::pooling::power;
      case op_kind::channel_max_avg:
        return adapool::pooling::channel_max_and_average;
      case op_kind::adaptive_avg_backward:  // backward_case runs these
      case op_kind::adaptive_max_backward:
        break;
    }
    return adapool::pooling::average;
  }

  template <class Layout>
  void run_on(const adapool::tensor_view<const float, 4, Layout>& in) {
    switch (w_.op) {
      case op_kind::global_avg:
        adapool::global_avg_pool<Arch>(in, output(0, Layout{}));
        break;
      case op_kind::global_max_indices:
        adapool::global_max_pool<Arch>(in, output(0, Layout{}), index_output(0, Layout{}));
        break;
      case op_kind::adaptive_avg:
        if (values_.size() == 4) {  // W8's pyramid: one call, each plane read once
          adapool::adaptive_avg_pool2d_pyramid<Arch>(
              in, std::array<adapool::tensor_view<float, 4, Layout>, 4>{output(0, Layout{}), output(1, Layout{}),
                                                                        output(2, Layout{}), output(3, Layout{})});
          break;
        }
        for (std::size_t k = 0; k < values_.size(); ++k) adapool::adaptive_avg_pool2d<Arch>(in, output(k, Layout{}));
        break;
      case op_kind::adaptive_max_indices:
        for (std::size_t k = 0; k < values_.size(); ++k) {
          adapool::adaptive_max_pool2d<Arch>(in, output(k, Layout{}), index_output(k, Layout{}));
        }
        break;
      case op_kind::channel_max:
        adapool::channel_max_pool<Arch>(in, output(0, Layout{}));
        break;
      case op_kind::channel_avg:
        adapool::channel_avg_pool<Arch>(in, output(0, Layout{}));
        break;
      // Both write the halves of one concatenated output, as the allocating
      // adaptive_concat_pool2d and channel_max_avg_pool do, without allocating.
      case op_kind::adaptive_concat:
        if (two_calls_) {
          adapool::adaptive_avg_pool2d<Arch>(in, channels(w_.c, w_.c));
          adapool::adaptive_max_pool2d<Arch>(in, channels(0, w_.c));
        } else {
          adapool::adaptive_avg_max_pool2d<Arch>(in, channels(w_.c, w_.c), channels(0, w_.c));
        }
        break;
      case op_kind::adaptive_gem:
        adapool::adaptive_gem_pool2d<Arch>(in, output(0, Layout{}), gem_p, gem_eps);
        break;
      case op_kind::adaptive_lp:
        adapool::adaptive_lp_pool2d<Arch>(in, output(0, Layout{}), lp_p);
        break;
      case op_kind::channel_max_avg:
        if (two_calls_) {
          adapool::channel_max_pool<Arch>(in, channels(0, 1));
          adapool::channel_avg_pool<Arch>(in, channels(1, 1));
        } else {
          adapool::channel_max_avg_pool<Arch>(in, channels(0, 1), channels(1, 1));
        }
        break;
      case op_kind::adaptive_avg_backward:  // backward_case runs these
      case op_kind::adaptive_max_backward:
        break;
    }
  }

  const workload& w_;
  const float* in_;
  int threads_;
  bool two_calls_;
  std::vector<std::vector<float>> values_;
  std::vector<std::vector<std::int64_t>> indices_;
};

// The N workloads: float16, bfloat16 or int8 in, the same type out, through
// the same non-allocating overloads.
template <class Arch, class T>
class narrow_case final : public pool_case {
 public:
  narrow_case(const workload& w, int threads) : w_(w), in_(static_cast<const T*>(input_data(w))), threads_(threads) {
    if (w.has_indices() || w.is_fused() || w.is_power()) {
      throw std::invalid_argument("narrow element types are benchmarked for averages and maxima without indices");
    }
    for (const auto& size : w.output_sizes) {
      values_.emplace_back(static_cast<std::size_t>(w.n * w.output_channels() * size[0] * size[1]));
    }
  }

  void run() override {
    const adapool::scoped_num_threads scope(threads_);
    if (w_.format == memory_format::nhwc) {
      run_on(adapool::make_view<adapool::channels_last>(in_, w_.n, w_.c, w_.h, w_.w));
    } else {
      run_on(adapool::make_view(in_, w_.n, w_.c, w_.h, w_.w));
    }
  }

  pooled result() const override {
    pooled out;
    for (std::size_t k = 0; k < values_.size(); ++k) {
      const auto& size = w_.output_sizes[k];
      std::vector<float> widened(values_[k].size());
      for (std::size_t i = 0; i < widened.size(); ++i) widened[i] = static_cast<float>(values_[k][i]);
      append_logical(out, w_.format, widened.data(), nullptr, w_.n, w_.output_channels(), size[0], size[1]);
    }
    return out;
  }

  std::string label() const override { return Arch::name; }

 private:
  template <class Layout>
  adapool::tensor_view<T, 4, Layout> output(std::size_t k, Layout) {
    return {values_[k].data(), {w_.n, w_.output_channels(), w_.output_sizes[k][0], w_.output_sizes[k][1]}};
  }

  template <class Layout>
  void run_on(const adapool::tensor_view<const T, 4, Layout>& in) {
    switch (w_.op) {
      case op_kind::global_avg:
        adapool::global_avg_pool<Arch>(in, output(0, Layout{}));
        break;
      case op_kind::adaptive_avg:
        for (std::size_t k = 0; k < values_.size(); ++k) adapool::adaptive_avg_pool2d<Arch>(in, output(k, Layout{}));
        break;
      case op_kind::channel_max:
        adapool::channel_max_pool<Arch>(in, output(0, Layout{}));
        break;
      case op_kind::channel_avg:
        adapool::channel_avg_pool<Arch>(in, output(0, Layout{}));
        break;
      default:
        break;  // refused by the constructor
    }
  }

  const workload& w_;
  const T* in_;
  int threads_;
  std::vector<std::vector<T>> values_;
};

// The B workloads: the gradient with respect to the input, written into a
// grad_in buffer made once, from the workload's grad_out (and, for the max,
// the indices of the forward), through the views the training code passes.
template <class Arch>
class backward_case final : public pool_case {
 public:
  backward_case(const workload& w, int threads)
      : w_(w),
        grad_out_(grad_output_for(w)),
        indices_(w.op == op_kind::adaptive_max_backward ? max_indices_for(w) : nullptr),
        threads_(threads),
        grad_in_(static_cast<std::size_t>(w.input_elements())) {
    if (w.format != memory_format::nchw || w.output_sizes.size() != 1) {
      throw std::invalid_argument("backward passes are benchmarked on one NCHW output size");
    }
  }

  void run() override {
    const adapool::scoped_num_threads scope(threads_);
    const auto& size = w_.output_sizes[0];
    const auto grad_out = adapool::make_view(grad_out_, w_.n, w_.c, size[0], size[1]);
    const auto grad_in = adapool::make_view(grad_in_.data(), w_.n, w_.c, w_.h, w_.w);
    if (w_.op == op_kind::adaptive_max_backward) {
      adapool::adaptive_max_pool2d_backward<Arch>(grad_out, adapool::make_view(indices_, w_.n, w_.c, size[0], size[1]),
                                                  grad_in);
    } else {
      adapool::adaptive_avg_pool2d_backward<Arch>(grad_out, grad_in);
    }
  }

  pooled result() const override { return {grad_in_, {}}; }

  // The instruction set; backward passes have no planned strategy to show.
  std::string label() const override { return Arch::name; }

 private:
  const workload& w_;
  const float* grad_out_;
  const std::int64_t* indices_;
  int threads_;
  std::vector<float> grad_in_;
};

template <class Arch>
std::unique_ptr<pool_case> prepare(const workload& w, int threads) {
  if (w.is_backward()) return std::make_unique<backward_case<Arch>>(w, threads);
  switch (w.element) {
    case element_type::f32:
      return std::make_unique<adapool_case<Arch>>(w, threads);
    case element_type::f16:
      return std::make_unique<narrow_case<Arch, adapool::float16>>(w, threads);
    case element_type::bf16:
      return std::make_unique<narrow_case<Arch, adapool::bfloat16>>(w, threads);
    case element_type::i8:
      return std::make_unique<narrow_case<Arch, std::int8_t>>(w, threads);
  }
  return nullptr;
}

template <class Arch>
implementation make_implementation(std::string name) {
  return {std::move(name), role::library, /*threads=*/true, [](const workload&) { return std::string(); },
          [](const workload& w, int threads) -> std::unique_ptr<pool_case> { return prepare<Arch>(w, threads); }};
}

}  // namespace

std::vector<implementation> adapool_implementations() {
  std::vector<implementation> list;
  list.push_back(make_implementation<adapool::default_arch>("adapool"));
  auto scalar = make_implementation<adapool::simd::scalar>("adapool_scalar");
  scalar.kind = role::baseline;  // the SIMD gain, not a contender of its own
  list.push_back(std::move(scalar));
  // The fused operations' gain: the same outputs from two single operations.
  implementation two_calls{"adapool_two_calls",
                           role::baseline,
                           /*threads=*/true,
                           [](const workload&) { return std::string(); },
                           [](const workload& w, int threads) -> std::unique_ptr<pool_case> {
                             return std::make_unique<adapool_case<adapool::default_arch>>(w, threads, true);
                           },
                           [](const workload& w) { return w.is_fused(); }};
  list.push_back(std::move(two_calls));
  return list;
}

std::vector<std::pair<std::string, std::string>> adapool_context() {
  return {{"adapool_version", std::to_string(ADAPOOL_VERSION_MAJOR) + "." + std::to_string(ADAPOOL_VERSION_MINOR) +
                                  "." + std::to_string(ADAPOOL_VERSION_PATCH)},
          {"adapool_isa", adapool::active_arch()}};
}

}  // namespace adapool_bench
