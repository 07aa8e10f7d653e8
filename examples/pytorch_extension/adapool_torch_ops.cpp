// SPDX-License-Identifier: MIT
// adapool's operators for PyTorch, torch.ops.adapool.<name>, with autograd.
// Layered as PyTorch's own operators are:
// - TORCH_LIBRARY declares each schema, named and shaped as torch.nn.functional's;
// - TORCH_LIBRARY_IMPL(adapool, CPU) binds it to the tensor form in <adapool/torch.hpp>;
// - TORCH_LIBRARY_IMPL(adapool, Autograd) wraps it in a torch::autograd::Function
//   whose backward calls adapool's backward kernels (registered too, as <name>_backward).
// Under torch.inference_mode() the dispatcher skips the Autograd layer entirely.
// Python loads the library with torch.ops.load_library(path) (see adapool_torch.py).

#include <ATen/core/LegacyTypeDispatch.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/cat.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/library.h>

#include <adapool/adapool.hpp>
#include <adapool/torch.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace {

namespace ops = adapool::torch;
using at::IntArrayRef;
using at::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::Function;
using torch::autograd::variable_list;

// A backward returns one gradient per forward argument, sizes included.
template <class F>
struct arity;
template <class R, class... Args>
struct arity<R (*)(Args...)> : std::integral_constant<std::size_t, sizeof...(Args)> {};

// Tensors the backward adds up: an undefined part (an output nobody used) adds nothing.
Tensor add_defined(Tensor sum, const Tensor& part) {
  if (!part.defined()) return sum;
  return sum.defined() ? sum.add_(part) : part;
}

// Averages: the backward needs only the input's shape and memory format, as
// aten::_adaptive_avg_pool2d_backward(grad_output, self) does.
template <auto Forward, auto Backward>
struct avg_function : Function<avg_function<Forward, Backward>> {
  template <class... Options>
  static Tensor forward(AutogradContext* ctx, const Tensor& x, Options... options) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    ctx->save_for_backward({x});
    return Forward(x, options...);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    variable_list result(arity<decltype(Forward)>::value);
    result[0] = Backward(grads[0], ctx->get_saved_variables()[0]);
    return result;
  }
};

// Maxima: values and indices, as ATen returns them; the gradient goes to the saved indices.
template <auto Forward, auto Backward>
struct max_function : Function<max_function<Forward, Backward>> {
  template <class... Options>
  static variable_list forward(AutogradContext* ctx, const Tensor& x, Options... options) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    auto [values, indices] = Forward(x, options...);
    ctx->save_for_backward({x, indices});
    ctx->mark_non_differentiable({indices});
    return {values, indices};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    variable_list result(arity<decltype(Forward)>::value);
    result[0] = Backward(grads[0], saved[0], saved[1]);
    return result;
  }

  template <class... Options>
  static std::tuple<Tensor, Tensor> call(const Tensor& x, Options... options) {
    variable_list out = max_function::apply(x, options...);
    return {out[0], out[1]};
  }
};

// The average and the max of the same windows: each output's gradient through
// its own backward, added (either may be unused, and then costs nothing).
struct avg_max_function : Function<avg_max_function> {
  static variable_list forward(AutogradContext* ctx, const Tensor& x, IntArrayRef output_size) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    auto [avg, max, indices] = ops::adaptive_avg_max_pool2d(x, output_size);
    ctx->save_for_backward({x, indices});
    ctx->mark_non_differentiable({indices});
    ctx->set_materialize_grads(false);
    return {avg, max, indices};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    Tensor grad;
    if (grads[0].defined()) grad = ops::adaptive_avg_pool2d_backward(grads[0], saved[0]);
    if (grads[1].defined()) grad = add_defined(grad, ops::adaptive_max_pool2d_backward(grads[1], saved[0], saved[1]));
    return {grad, Tensor()};
  }

  static std::tuple<Tensor, Tensor, Tensor> call(const Tensor& x, IntArrayRef output_size) {
    variable_list out = apply(x, output_size);
    return {out[0], out[1], out[2]};
  }
};

// The pyramid's levels are separate adaptive averages of one input: their
// gradients add up, each through adaptive_avg_pool2d's backward.
struct pyramid_function : Function<pyramid_function> {
  static variable_list forward(AutogradContext* ctx, const Tensor& x, IntArrayRef bins) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    ctx->save_for_backward({x});
    ctx->set_materialize_grads(false);
    return ops::adaptive_avg_pool2d_pyramid(x, bins);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const Tensor x = ctx->get_saved_variables()[0];
    Tensor grad;
    for (const Tensor& level : grads)
      if (level.defined()) grad = add_defined(grad, ops::adaptive_avg_pool2d_backward(level, x));
    return {grad, Tensor()};
  }
};

// Whether autograd records this call: the fused forms that return one stacked
// tensor keep no indices, so with gradients wanted they are composed instead.
bool records_grad(const Tensor& x) { return at::GradMode::is_enabled() && x.requires_grad(); }

// fastai's head, [max, avg] on channels: through avg_max_function and cat,
// whose backward splits the gradient between the two.
Tensor concat_pool2d_autograd(const Tensor& x, IntArrayRef output_size) {
  if (!records_grad(x)) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    return ops::adaptive_concat_pool2d(x, output_size);
  }
  const auto [avg, max, indices] = avg_max_function::call(x, output_size);
  return at::cat({max, avg}, 1);
}

using channel_avg = avg_function<&ops::channel_avg_pool<>, &ops::channel_avg_pool_backward<>>;
using channel_max = max_function<&ops::channel_max_pool<>, &ops::channel_max_pool_backward<>>;

// CBAM's [channel max, channel mean]: the two channel poolings and cat.
Tensor channel_max_avg_pool_autograd(const Tensor& x) {
  if (!records_grad(x)) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    return ops::channel_max_avg_pool(x);
  }
  const auto [max, indices] = channel_max::call(x, std::int64_t{1});
  return at::cat({max, channel_avg::apply(x, std::int64_t{1})}, 1);
}

}  // namespace

TORCH_LIBRARY(adapool, m) {
  m.def("adaptive_avg_pool1d(Tensor self, int[1] output_size) -> Tensor");
  m.def("adaptive_avg_pool2d(Tensor self, int[2] output_size) -> Tensor");
  m.def("adaptive_avg_pool3d(Tensor self, int[3] output_size) -> Tensor");
  m.def("adaptive_max_pool1d(Tensor self, int[1] output_size) -> (Tensor, Tensor)");
  m.def("adaptive_max_pool2d(Tensor self, int[2] output_size) -> (Tensor, Tensor)");
  m.def("adaptive_max_pool3d(Tensor self, int[3] output_size) -> (Tensor, Tensor)");
  m.def("global_avg_pool(Tensor self) -> Tensor");
  m.def("global_max_pool(Tensor self) -> (Tensor, Tensor)");
  m.def("channel_avg_pool(Tensor self, int out_channels=1) -> Tensor");
  m.def("channel_max_pool(Tensor self, int out_channels=1) -> (Tensor, Tensor)");
  m.def("adaptive_avg_max_pool2d(Tensor self, int[2] output_size) -> (Tensor, Tensor, Tensor)");
  m.def("adaptive_concat_pool2d(Tensor self, int[2] output_size) -> Tensor");
  m.def("channel_max_avg_pool(Tensor self) -> Tensor");
  m.def("adaptive_avg_pool2d_pyramid(Tensor self, int[] bins) -> Tensor[]");

  // The backward kernels, with aten::adaptive_max_pool2d_backward's argument order.
  m.def("adaptive_avg_pool1d_backward(Tensor grad_output, Tensor self) -> Tensor");
  m.def("adaptive_avg_pool2d_backward(Tensor grad_output, Tensor self) -> Tensor");
  m.def("adaptive_avg_pool3d_backward(Tensor grad_output, Tensor self) -> Tensor");
  m.def("adaptive_max_pool1d_backward(Tensor grad_output, Tensor self, Tensor indices) -> Tensor");
  m.def("adaptive_max_pool2d_backward(Tensor grad_output, Tensor self, Tensor indices) -> Tensor");
  m.def("adaptive_max_pool3d_backward(Tensor grad_output, Tensor self, Tensor indices) -> Tensor");
  m.def("global_avg_pool_backward(Tensor grad_output, Tensor self) -> Tensor");
  m.def("global_max_pool_backward(Tensor grad_output, Tensor self, Tensor indices) -> Tensor");
  m.def("channel_avg_pool_backward(Tensor grad_output, Tensor self) -> Tensor");
  m.def("channel_max_pool_backward(Tensor grad_output, Tensor self, Tensor indices) -> Tensor");

  // Which of adapool's instruction sets this build of the library runs.
  m.def("instruction_set() -> str", []() { return std::string(adapool::active_arch_name); });
}

TORCH_LIBRARY_IMPL(adapool, CPU, m) {
  m.impl("adaptive_avg_pool1d", &ops::adaptive_avg_pool1d<>);
  m.impl("adaptive_avg_pool2d", &ops::adaptive_avg_pool2d<>);
  m.impl("adaptive_avg_pool3d", &ops::adaptive_avg_pool3d<>);
  m.impl("adaptive_max_pool1d", &ops::adaptive_max_pool1d<>);
  m.impl("adaptive_max_pool2d", &ops::adaptive_max_pool2d<>);
  m.impl("adaptive_max_pool3d", &ops::adaptive_max_pool3d<>);
  m.impl("global_avg_pool", &ops::global_avg_pool<>);
  m.impl("global_max_pool", &ops::global_max_pool<>);
  m.impl("channel_avg_pool", &ops::channel_avg_pool<>);
  m.impl("channel_max_pool", &ops::channel_max_pool<>);
  m.impl("adaptive_avg_max_pool2d", &ops::adaptive_avg_max_pool2d<>);
  m.impl("adaptive_concat_pool2d", &ops::adaptive_concat_pool2d<>);
  m.impl("channel_max_avg_pool", &ops::channel_max_avg_pool<>);
  m.impl("adaptive_avg_pool2d_pyramid", &ops::adaptive_avg_pool2d_pyramid<>);
  m.impl("adaptive_avg_pool1d_backward", &ops::adaptive_avg_pool1d_backward<>);
  m.impl("adaptive_avg_pool2d_backward", &ops::adaptive_avg_pool2d_backward<>);
  m.impl("adaptive_avg_pool3d_backward", &ops::adaptive_avg_pool3d_backward<>);
  m.impl("adaptive_max_pool1d_backward", &ops::adaptive_max_pool1d_backward<>);
  m.impl("adaptive_max_pool2d_backward", &ops::adaptive_max_pool2d_backward<>);
  m.impl("adaptive_max_pool3d_backward", &ops::adaptive_max_pool3d_backward<>);
  m.impl("global_avg_pool_backward", &ops::global_avg_pool_backward<>);
  m.impl("global_max_pool_backward", &ops::global_max_pool_backward<>);
  m.impl("channel_avg_pool_backward", &ops::channel_avg_pool_backward<>);
  m.impl("channel_max_pool_backward", &ops::channel_max_pool_backward<>);
}

TORCH_LIBRARY_IMPL(adapool, Autograd, m) {
  using avg1d = avg_function<&ops::adaptive_avg_pool1d<>, &ops::adaptive_avg_pool1d_backward<>>;
  using avg2d = avg_function<&ops::adaptive_avg_pool2d<>, &ops::adaptive_avg_pool2d_backward<>>;
  using avg3d = avg_function<&ops::adaptive_avg_pool3d<>, &ops::adaptive_avg_pool3d_backward<>>;
  using max1d = max_function<&ops::adaptive_max_pool1d<>, &ops::adaptive_max_pool1d_backward<>>;
  using max2d = max_function<&ops::adaptive_max_pool2d<>, &ops::adaptive_max_pool2d_backward<>>;
  using max3d = max_function<&ops::adaptive_max_pool3d<>, &ops::adaptive_max_pool3d_backward<>>;
  using global_avg = avg_function<&ops::global_avg_pool<>, &ops::global_avg_pool_backward<>>;
  using global_max = max_function<&ops::global_max_pool<>, &ops::global_max_pool_backward<>>;

  m.impl("adaptive_avg_pool1d", [](const Tensor& x, IntArrayRef size) { return avg1d::apply(x, size); });
  m.impl("adaptive_avg_pool2d", [](const Tensor& x, IntArrayRef size) { return avg2d::apply(x, size); });
  m.impl("adaptive_avg_pool3d", [](const Tensor& x, IntArrayRef size) { return avg3d::apply(x, size); });
  m.impl("adaptive_max_pool1d", &max1d::call<IntArrayRef>);
  m.impl("adaptive_max_pool2d", &max2d::call<IntArrayRef>);
  m.impl("adaptive_max_pool3d", &max3d::call<IntArrayRef>);
  m.impl("global_avg_pool", [](const Tensor& x) { return global_avg::apply(x); });
  m.impl("global_max_pool", &global_max::call<>);
  m.impl("channel_avg_pool", [](const Tensor& x, std::int64_t channels) { return channel_avg::apply(x, channels); });
  m.impl("channel_max_pool", &channel_max::call<std::int64_t>);
  m.impl("adaptive_avg_max_pool2d", &avg_max_function::call);
  m.impl("adaptive_concat_pool2d", &concat_pool2d_autograd);
  m.impl("channel_max_avg_pool", &channel_max_avg_pool_autograd);
  m.impl("adaptive_avg_pool2d_pyramid", [](const Tensor& x, IntArrayRef bins) {
    return static_cast<std::vector<Tensor>>(pyramid_function::apply(x, bins));
  });
}
