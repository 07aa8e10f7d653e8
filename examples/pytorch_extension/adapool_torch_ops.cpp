// SPDX-License-Identifier: MIT
// adapool's operators for PyTorch, torch.ops.adapool.<name>, with autograd.
// Layered as PyTorch's own operators are:
// - TORCH_LIBRARY declares each schema, named and shaped as torch.nn.functional's;
// - TORCH_LIBRARY_IMPL(adapool, CPU) binds it to the tensor form in <adapool/torch.hpp>;
// - TORCH_LIBRARY_IMPL(adapool, Autograd) wraps it in a torch::autograd::Function
//   whose backward calls adapool's backward kernels (registered too, as <name>_backward)
//   through the dispatcher. They have Autograd kernels of their own, so gradients
//   of gradients (create_graph=True, gradient penalties) work as with ATen's.
// Under torch.inference_mode() the dispatcher skips the Autograd layer entirely.
// Python loads the library with torch.ops.load_library(path) (see adapool_torch.py).

#include <ATen/core/LegacyTypeDispatch.h>
#include <ATen/core/Tensor.h>
#include <ATen/core/dispatch/Dispatcher.h>
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

// Tensors the backward adds up: an undefined part (an output nobody used) adds
// nothing. In place unless autograd records the sum (create_graph=True).
Tensor add_defined(Tensor sum, const Tensor& part) {
  if (!part.defined()) return sum;
  if (!sum.defined()) return part;
  return at::GradMode::is_enabled() ? sum.add(part) : sum.add_(part);
}

template <class Signature>
c10::TypedOperatorHandle<Signature> find_op(const char* name) {
  return c10::Dispatcher::singleton().findSchemaOrThrow(name, "").typed<Signature>();
}

// The forward functions' backward passes call the backward operators through
// the dispatcher, so that under create_graph=True autograd records them.
template <const char* Name>
Tensor avg_backward(const Tensor& grad_out, const Tensor& x) {
  static const auto op = find_op<Tensor(const Tensor&, const Tensor&)>(Name);
  return op.call(grad_out, x);
}

template <const char* Name>
Tensor max_backward(const Tensor& grad_out, const Tensor& x, const Tensor& indices) {
  static const auto op = find_op<Tensor(const Tensor&, const Tensor&, const Tensor&)>(Name);
  return op.call(grad_out, x, indices);
}

namespace names {
constexpr char adaptive_avg_pool1d_backward[] = "adapool::adaptive_avg_pool1d_backward";
constexpr char adaptive_avg_pool2d_backward[] = "adapool::adaptive_avg_pool2d_backward";
constexpr char adaptive_avg_pool3d_backward[] = "adapool::adaptive_avg_pool3d_backward";
constexpr char adaptive_max_pool1d_backward[] = "adapool::adaptive_max_pool1d_backward";
constexpr char adaptive_max_pool2d_backward[] = "adapool::adaptive_max_pool2d_backward";
constexpr char adaptive_max_pool3d_backward[] = "adapool::adaptive_max_pool3d_backward";
constexpr char global_avg_pool_backward[] = "adapool::global_avg_pool_backward";
constexpr char global_max_pool_backward[] = "adapool::global_max_pool_backward";
constexpr char channel_avg_pool_backward[] = "adapool::channel_avg_pool_backward";
constexpr char channel_max_pool_backward[] = "adapool::channel_max_pool_backward";
}  // namespace names

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
    if (grads[0].defined()) grad = avg_backward<names::adaptive_avg_pool2d_backward>(grads[0], saved[0]);
    if (grads[1].defined())
      grad = add_defined(grad, max_backward<names::adaptive_max_pool2d_backward>(grads[1], saved[0], saved[1]));
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
      if (level.defined()) grad = add_defined(grad, avg_backward<names::adaptive_avg_pool2d_backward>(level, x));
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

using avg1d = avg_function<&ops::adaptive_avg_pool1d<>, &avg_backward<names::adaptive_avg_pool1d_backward>>;
using avg2d = avg_function<&ops::adaptive_avg_pool2d<>, &avg_backward<names::adaptive_avg_pool2d_backward>>;
using avg3d = avg_function<&ops::adaptive_avg_pool3d<>, &avg_backward<names::adaptive_avg_pool3d_backward>>;
using max1d = max_function<&ops::adaptive_max_pool1d<>, &max_backward<names::adaptive_max_pool1d_backward>>;
using max2d = max_function<&ops::adaptive_max_pool2d<>, &max_backward<names::adaptive_max_pool2d_backward>>;
using max3d = max_function<&ops::adaptive_max_pool3d<>, &max_backward<names::adaptive_max_pool3d_backward>>;
using global_avg = avg_function<&ops::global_avg_pool<>, &avg_backward<names::global_avg_pool_backward>>;
using global_max = max_function<&ops::global_max_pool<>, &max_backward<names::global_max_pool_backward>>;
using channel_avg = avg_function<&ops::channel_avg_pool<>, &avg_backward<names::channel_avg_pool_backward>>;
using channel_max = max_function<&ops::channel_max_pool<>, &max_backward<names::channel_max_pool_backward>>;

// CBAM's [channel max, channel mean]: the two channel poolings and cat.
Tensor channel_max_avg_pool_autograd(const Tensor& x) {
  if (!records_grad(x)) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    return ops::channel_max_avg_pool(x);
  }
  const auto [max, indices] = channel_max::call(x, std::int64_t{1});
  return at::cat({max, channel_avg::apply(x, std::int64_t{1})}, 1);
}

// The backward operators are linear in grad_output and use only the input's
// shape, so their own gradient is with respect to grad_output alone: for an
// average, the incoming gradient pooled over the same windows; for a max, the
// incoming gradient read at the saved indices. (ATen's double backward is the same.)
template <auto Backward, auto Pool>
struct avg_backward_function : Function<avg_backward_function<Backward, Pool>> {
  static Tensor forward(AutogradContext* ctx, const Tensor& grad_out, const Tensor& x) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    ctx->saved_data["grad_out_sizes"] = grad_out.sizes().vec();
    return Backward(grad_out, x);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    return {Pool(grads[0], ctx->saved_data["grad_out_sizes"].toIntVector()), Tensor()};
  }
};

template <auto Backward, auto Gather>
struct max_backward_function : Function<max_backward_function<Backward, Gather>> {
  static Tensor forward(AutogradContext* ctx, const Tensor& grad_out, const Tensor& x, const Tensor& indices) {
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    ctx->save_for_backward({indices});
    return Backward(grad_out, x, indices);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    return {Gather(grads[0], ctx->get_saved_variables()[0]), Tensor(), Tensor()};
  }
};

// The pooling a backward's gradient goes through, given grad_output's sizes.
Tensor pool_avg1d(const Tensor& g, IntArrayRef sizes) { return avg1d::apply(g, sizes.slice(2)); }
Tensor pool_avg2d(const Tensor& g, IntArrayRef sizes) { return avg2d::apply(g, sizes.slice(2)); }
Tensor pool_avg3d(const Tensor& g, IntArrayRef sizes) { return avg3d::apply(g, sizes.slice(2)); }
Tensor pool_global_avg(const Tensor& g, IntArrayRef /*sizes*/) { return global_avg::apply(g); }
Tensor pool_channel_avg(const Tensor& g, IntArrayRef sizes) { return channel_avg::apply(g, sizes[1]); }

// Indices within each plane (adaptive and global max) or channels (channel max).
Tensor gather_in_plane(const Tensor& g, const Tensor& indices) {
  return g.flatten(2).gather(2, indices.flatten(2)).reshape(indices.sizes());
}
Tensor gather_channel(const Tensor& g, const Tensor& indices) { return g.gather(1, indices); }

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
  m.def("instruction_set() -> str", []() { return std::string(adapool::active_arch()); });
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

  using avg1d_backward = avg_backward_function<&ops::adaptive_avg_pool1d_backward<>, &pool_avg1d>;
  using avg2d_backward = avg_backward_function<&ops::adaptive_avg_pool2d_backward<>, &pool_avg2d>;
  using avg3d_backward = avg_backward_function<&ops::adaptive_avg_pool3d_backward<>, &pool_avg3d>;
  using global_avg_backward = avg_backward_function<&ops::global_avg_pool_backward<>, &pool_global_avg>;
  using channel_avg_backward = avg_backward_function<&ops::channel_avg_pool_backward<>, &pool_channel_avg>;
  using max1d_backward = max_backward_function<&ops::adaptive_max_pool1d_backward<>, &gather_in_plane>;
  using max2d_backward = max_backward_function<&ops::adaptive_max_pool2d_backward<>, &gather_in_plane>;
  using max3d_backward = max_backward_function<&ops::adaptive_max_pool3d_backward<>, &gather_in_plane>;
  using global_max_backward = max_backward_function<&ops::global_max_pool_backward<>, &gather_in_plane>;
  using channel_max_backward = max_backward_function<&ops::channel_max_pool_backward<>, &gather_channel>;
  m.impl("adaptive_avg_pool1d_backward", [](const Tensor& g, const Tensor& x) { return avg1d_backward::apply(g, x); });
  m.impl("adaptive_avg_pool2d_backward", [](const Tensor& g, const Tensor& x) { return avg2d_backward::apply(g, x); });
  m.impl("adaptive_avg_pool3d_backward", [](const Tensor& g, const Tensor& x) { return avg3d_backward::apply(g, x); });
  m.impl("global_avg_pool_backward", [](const Tensor& g, const Tensor& x) { return global_avg_backward::apply(g, x); });
  m.impl("channel_avg_pool_backward",
         [](const Tensor& g, const Tensor& x) { return channel_avg_backward::apply(g, x); });
  m.impl("adaptive_max_pool1d_backward",
         [](const Tensor& g, const Tensor& x, const Tensor& i) { return max1d_backward::apply(g, x, i); });
  m.impl("adaptive_max_pool2d_backward",
         [](const Tensor& g, const Tensor& x, const Tensor& i) { return max2d_backward::apply(g, x, i); });
  m.impl("adaptive_max_pool3d_backward",
         [](const Tensor& g, const Tensor& x, const Tensor& i) { return max3d_backward::apply(g, x, i); });
  m.impl("global_max_pool_backward",
         [](const Tensor& g, const Tensor& x, const Tensor& i) { return global_max_backward::apply(g, x, i); });
  m.impl("channel_max_pool_backward",
         [](const Tensor& g, const Tensor& x, const Tensor& i) { return channel_max_backward::apply(g, x, i); });
}
