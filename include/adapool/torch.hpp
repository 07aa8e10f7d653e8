// SPDX-License-Identifier: MIT
#pragma once

// Optional interop with PyTorch's C++ tensors (libtorch / ATen, 1.13 or later).
// Include it beside <torch/torch.h> or <ATen/ATen.h>; <adapool/adapool.hpp>
// never includes it, so adapool itself does not depend on PyTorch.
//
// Two levels:
//  - views (<adapool/torch_view.hpp>, included here): adapool::torch::view<T,
//    Rank>(t) and mutable_view<T, Rank>(t) give a strided tensor_view over a
//    CPU tensor's memory, no copy, with the tensor's own sizes and strides;
//  - tensor forms: adapool::torch::adaptive_avg_pool2d(x, {7, 7}) and every
//    other operation take and return at::Tensor, named and ordered as in
//    torch.nn.functional and ATen. They pick the element type from the
//    tensor's dtype at run time and allocate results in the input's suggested
//    memory format (channels-last in, channels-last out; anything else gives
//    contiguous results), as ATen's CPU operators do.
//
// at::kHalf and at::kBFloat16 tensors are viewed as adapool::float16 and
// adapool::bfloat16 (the same bits), at::kChar and at::kByte as int8_t and
// uint8_t, at::kLong (indices) as int64_t. Bad tensors (undefined, not on the
// CPU, another dtype or rank) are reported through adapool's error path, as an
// adapool::error whose message names the function, the tensor and what was
// expected; the core operation then checks shapes, strides and overlaps with
// its own messages.
//
// The tensor forms record no autograd history (like a kernel called inside an
// autograd::Function): a training extension pairs each forward form with its
// backward form. Only <ATen/core/Tensor.h> and the one operator header used
// (empty) are included, since ATen's umbrella header costs compile time.

#include <ATen/core/Tensor.h>
#include <c10/util/ArrayRef.h>

#include <array>
#include <cstdint>
#include <tuple>
#include <vector>

#include "adaptive_pool.hpp"
#include "backward.hpp"
#include "channel_pool.hpp"
#include "detail/torch_calls.hpp"
#include "global_pool.hpp"
#include "power_pool.hpp"
#include "simd/arch.hpp"
#include "simd/target.hpp"
#include "torch_view.hpp"

namespace adapool::torch {
inline namespace ADAPOOL_TARGET_NAMESPACE {

// ---------------------------------------------------------------- adaptive pooling
//
// Every tensor form checks its tensors (defined, on the CPU, strided, the
// dtypes it names, the rank) and its sizes before it allocates, and throws
// adapool::error naming itself (`adapool::torch::adaptive_avg_pool2d: input has
// 3 dimensions [1, 8, 4], expected 4 (N, C, H, W)`); the core operation then
// checks the rest with its own message. Results are new tensors in the input's
// suggested memory format.

/// F.adaptive_avg_pool1d(x, output_size): N x C x L -> N x C x L'. Float,
/// Double, Half, BFloat16, Char and Byte (integers: the mean rounded to
/// nearest, ties to even). Averages within rounding of ATen's.
template <class Arch = default_arch>
::at::Tensor adaptive_avg_pool1d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  return detail::adaptive_avg<Arch, 3>("adapool::torch::adaptive_avg_pool1d", x, output_size);
}

/// F.adaptive_avg_pool2d(x, output_size): N x C x H x W -> N x C x H' x W'.
/// Dtypes as adaptive_avg_pool1d.
template <class Arch = default_arch>
::at::Tensor adaptive_avg_pool2d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  return detail::adaptive_avg<Arch, 4>("adapool::torch::adaptive_avg_pool2d", x, output_size);
}

/// F.adaptive_avg_pool3d(x, output_size): N x C x D x H x W -> N x C x D' x H' x W'.
template <class Arch = default_arch>
::at::Tensor adaptive_avg_pool3d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  return detail::adaptive_avg<Arch, 5>("adapool::torch::adaptive_avg_pool3d", x, output_size);
}

/// F.adaptive_max_pool1d(x, output_size, return_indices=True): (values,
/// indices), indices Long offsets within one input plane. Ties keep the first
/// maximum, a NaN wins (the last NaN's index), as in ATen: values and indices
/// are ATen's bit for bit, but that a NaN maximum is the NaN element itself
/// (ATen's vectorised loops may return another NaN). Dtypes as adaptive_avg_pool1d.
template <class Arch = default_arch>
std::tuple<::at::Tensor, ::at::Tensor> adaptive_max_pool1d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  return detail::adaptive_max<Arch, 3>("adapool::torch::adaptive_max_pool1d", x, output_size);
}

/// F.adaptive_max_pool2d(x, output_size, return_indices=True): (values,
/// indices), indices `h * W + w`. Rules as adaptive_max_pool1d.
template <class Arch = default_arch>
std::tuple<::at::Tensor, ::at::Tensor> adaptive_max_pool2d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  return detail::adaptive_max<Arch, 4>("adapool::torch::adaptive_max_pool2d", x, output_size);
}

/// F.adaptive_max_pool3d(x, output_size, return_indices=True): (values,
/// indices), indices `(d * H + h) * W + w`. Rules as adaptive_max_pool1d.
template <class Arch = default_arch>
std::tuple<::at::Tensor, ::at::Tensor> adaptive_max_pool3d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  return detail::adaptive_max<Arch, 5>("adapool::torch::adaptive_max_pool3d", x, output_size);
}

// ---------------------------------------------------------------- global pooling

/// Mean of every plane, any rank 3 to 5: N x C x S... -> N x C x 1...
/// (`x.mean({2, 3}, true)` for rank 4). Dtypes as adaptive_avg_pool1d.
template <class Arch = default_arch>
::at::Tensor global_avg_pool(const ::at::Tensor& x) {
  constexpr const char* op = "adapool::torch::global_avg_pool";
  if (!detail::check_input(op, x, 0, detail::all_types{})) return {};
  return detail::visit_rank(x, [&](auto rank) {
    return detail::pool_one<rank()>(x, detail::global_sizes(x), detail::all_types{},
                                    [](const auto& in, const auto& out) { adapool::global_avg_pool<Arch>(in, out); });
  });
}

/// Max of every plane with its in-plane index, any rank 3 to 5: (values,
/// indices), each N x C x 1... Rules as adaptive_max_pool1d.
template <class Arch = default_arch>
std::tuple<::at::Tensor, ::at::Tensor> global_max_pool(const ::at::Tensor& x) {
  constexpr const char* op = "adapool::torch::global_max_pool";
  if (!detail::check_input(op, x, 0, detail::all_types{})) return {};
  return detail::visit_rank(x, [&](auto rank) {
    return detail::pool_with_indices<rank()>(
        x, detail::global_sizes(x), detail::all_types{},
        [](const auto& in, const auto& out, const auto& indices) { adapool::global_max_pool<Arch>(in, out, indices); });
  });
}

// ---------------------------------------------------------------- channel pooling

/// Mean over adaptive windows of channels at every pixel, any rank 3 to 5:
/// N x C x S... -> N x out_channels x S...; out_channels = 1 is
/// `x.mean(1, true)`, more is F.adaptive_avg_pool1d over the channel axis.
/// Dtypes as adaptive_avg_pool1d; out_channels < 0 throws.
template <class Arch = default_arch>
::at::Tensor channel_avg_pool(const ::at::Tensor& x, std::int64_t out_channels = 1) {
  constexpr const char* op = "adapool::torch::channel_avg_pool";
  if (!detail::check_input(op, x, 0, detail::all_types{}) || !detail::check_out_channels(op, out_channels)) return {};
  return detail::visit_rank(x, [&](auto rank) {
    return detail::pool_one<rank()>(x, detail::replaced_sizes(x, 1, {out_channels}), detail::all_types{},
                                    [](const auto& in, const auto& out) { adapool::channel_avg_pool<Arch>(in, out); });
  });
}

/// Max over adaptive windows of channels at every pixel, with the winning
/// channel `c` in [0, C): (values, indices), each N x out_channels x S...
/// out_channels = 1 gives `x.amax(1, true)` and `x.max(1, true)`'s indices;
/// more is F.adaptive_max_pool1d over the channel axis (permuted), bit for bit.
/// Ties keep the first channel, a NaN wins (the last NaN's channel).
template <class Arch = default_arch>
std::tuple<::at::Tensor, ::at::Tensor> channel_max_pool(const ::at::Tensor& x, std::int64_t out_channels = 1) {
  constexpr const char* op = "adapool::torch::channel_max_pool";
  if (!detail::check_input(op, x, 0, detail::all_types{}) || !detail::check_out_channels(op, out_channels)) return {};
  return detail::visit_rank(x, [&](auto rank) {
    return detail::pool_with_indices<rank()>(x, detail::replaced_sizes(x, 1, {out_channels}), detail::all_types{},
                                             [](const auto& in, const auto& out, const auto& indices) {
                                               adapool::channel_max_pool<Arch>(in, out, indices);
                                             });
  });
}

// ---------------------------------------------------------------- fused forms

/// Average and max of the same windows in one pass: (avg, max, indices), each
/// N x C x H' x W', with exactly the bits of adaptive_avg_pool2d and
/// adaptive_max_pool2d. Float and Double.
template <class Arch = default_arch>
std::tuple<::at::Tensor, ::at::Tensor, ::at::Tensor> adaptive_avg_max_pool2d(const ::at::Tensor& x,
                                                                             ::at::IntArrayRef output_size) {
  constexpr const char* op = "adapool::torch::adaptive_avg_max_pool2d";
  if (!detail::check_input(op, x, 4, detail::float_types{}) || !detail::check_output_size(op, output_size, 2)) {
    return {};
  }
  const auto sizes = detail::replaced_sizes(x, 2, output_size);
  ::at::Tensor avg = detail::empty_like_format(x, sizes);
  auto [max, indices] = detail::pool_with_indices<4>(
      x, sizes, detail::float_types{}, [&](const auto& in, const auto& out, const auto& index_view) {
        using T = typename std::decay_t<decltype(out)>::value_type;
        adapool::adaptive_avg_max_pool2d<Arch>(in, detail::unchecked_view<T, 4>(avg), out, index_view);
      });
  return {avg, max, indices};
}

/// fastai's AdaptiveConcatPool2d, `cat([max, avg], 1)` in one pass: N x 2C x
/// H' x W', channels [0, C) the max and [C, 2C) the average, in the input's
/// suggested memory format. Float and Double.
template <class Arch = default_arch>
::at::Tensor adaptive_concat_pool2d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  constexpr const char* op = "adapool::torch::adaptive_concat_pool2d";
  if (!detail::check_input(op, x, 4, detail::float_types{}) || !detail::check_output_size(op, output_size, 2)) {
    return {};
  }
  auto sizes = detail::replaced_sizes(x, 2, output_size);
  const std::int64_t channels = sizes[1];
  sizes[1] = 2 * channels;
  return detail::pool_one<4>(x, sizes, detail::float_types{}, [&](const auto& in, const auto& all) {
    // The two halves are channel slices of the one result: no concatenation copy.
    const std::array<std::int64_t, 4> half{all.extent(0), channels, all.extent(2), all.extent(3)};
    const auto max = make_strided_view(all.data(), half, all.strides());
    const auto avg = make_strided_view(all.data() + channels * all.stride(1), half, all.strides());
    adapool::adaptive_avg_max_pool2d<Arch>(in, avg, max);
  });
}

/// CBAM's spatial-attention input, `cat([x.amax(1, true), x.mean(1, true)], 1)`
/// in one pass, any rank 3 to 5: N x 2 x S..., channel 0 the max and channel 1
/// the mean, in the input's suggested memory format. Float and Double.
template <class Arch = default_arch>
::at::Tensor channel_max_avg_pool(const ::at::Tensor& x) {
  constexpr const char* op = "adapool::torch::channel_max_avg_pool";
  if (!detail::check_input(op, x, 0, detail::float_types{})) return {};
  return detail::visit_rank(x, [&](auto rank) {
    return detail::pool_one<rank()>(
        x, detail::replaced_sizes(x, 1, {2}), detail::float_types{}, [](const auto& in, const auto& all) {
          auto one = all.shape();
          one[1] = 1;
          adapool::channel_max_avg_pool<Arch>(in, make_strided_view(all.data(), one, all.strides()),
                                              make_strided_view(all.data() + all.stride(1), one, all.strides()));
        });
  });
}

/// PSPNet's pyramid: `[F.adaptive_avg_pool2d(x, b) for b in bins]`, each
/// N x C x b x b with exactly the bits of adaptive_avg_pool2d, from one read
/// of the input per four levels. Float and Double; a negative bin throws.
template <class Arch = default_arch>
std::vector<::at::Tensor> adaptive_avg_pool2d_pyramid(const ::at::Tensor& x, ::at::IntArrayRef bins) {
  constexpr const char* op = "adapool::torch::adaptive_avg_pool2d_pyramid";
  if (!detail::check_input(op, x, 4, detail::float_types{})) return {};
  for (std::int64_t b : bins) {
    if (b < 0) {
      detail::fail(op, "bins " + detail::sizes_string(bins) + " has a negative size");
      return {};
    }
  }
  std::vector<::at::Tensor> levels;
  levels.reserve(bins.size());
  for (std::int64_t b : bins) levels.push_back(detail::empty_like_format(x, detail::replaced_sizes(x, 2, {b, b})));
  detail::visit_dtype(
      x,
      [&](auto tag) {
        using T = typename decltype(tag)::type;
        const auto in = detail::unchecked_view<const T, 4>(x);
        const auto outs = [&](std::size_t first, auto count) {
          std::array<tensor_view<T, 4, strided>, decltype(count)::value> views;
          for (std::size_t k = 0; k < views.size(); ++k) views[k] = detail::unchecked_view<T, 4>(levels[first + k]);
          return views;
        };
        // The core pyramid takes its level count at compile time: levels in
        // groups of four (PSPNet's 1, 2, 3, 6 is one group), then the rest.
        std::size_t first = 0;
        for (; first + 4 <= levels.size(); first += 4) {
          adapool::adaptive_avg_pool2d_pyramid<Arch>(in, outs(first, std::integral_constant<std::size_t, 4>{}));
        }
        const std::size_t rest = levels.size() - first;
        if (rest == 1) adapool::adaptive_avg_pool2d<Arch>(in, detail::unchecked_view<T, 4>(levels[first]));
        if (rest == 2) {
          adapool::adaptive_avg_pool2d_pyramid<Arch>(in, outs(first, std::integral_constant<std::size_t, 2>{}));
        }
        if (rest == 3) {
          adapool::adaptive_avg_pool2d_pyramid<Arch>(in, outs(first, std::integral_constant<std::size_t, 3>{}));
        }
        return 0;
      },
      detail::float_types{});
  return levels;
}

// ---------------------------------------------------------------- power means

/// GeM, `F.adaptive_avg_pool1d(x.clamp(min=eps).pow(p), output_size).pow(1 / p)`
/// computed in one pass (sums in double, see the core adaptive_gem_pool2d).
/// Float and Double; p or eps not finite and > 0 throws.
template <class Arch = default_arch>
::at::Tensor adaptive_gem_pool1d(const ::at::Tensor& x, ::at::IntArrayRef output_size, double p = 3,
                                 double eps = 1e-6) {
  return detail::adaptive_power<Arch, 3>("adapool::torch::adaptive_gem_pool1d", x, output_size, p, eps, true);
}

/// GeM over adaptive 2d windows; see adaptive_gem_pool1d.
template <class Arch = default_arch>
::at::Tensor adaptive_gem_pool2d(const ::at::Tensor& x, ::at::IntArrayRef output_size, double p = 3,
                                 double eps = 1e-6) {
  return detail::adaptive_power<Arch, 4>("adapool::torch::adaptive_gem_pool2d", x, output_size, p, eps, true);
}

/// GeM over adaptive 3d windows; see adaptive_gem_pool1d.
template <class Arch = default_arch>
::at::Tensor adaptive_gem_pool3d(const ::at::Tensor& x, ::at::IntArrayRef output_size, double p = 3,
                                 double eps = 1e-6) {
  return detail::adaptive_power<Arch, 5>("adapool::torch::adaptive_gem_pool3d", x, output_size, p, eps, true);
}

/// LP pooling over adaptive windows, (sum of x^p over the window)^(1/p): F.lp_pool1d's
/// formula with adaptive_avg_pool1d's windows. Float and Double; p not finite
/// and > 0 throws. Negative inputs as the core adaptive_lp_pool2d.
template <class Arch = default_arch>
::at::Tensor adaptive_lp_pool1d(const ::at::Tensor& x, ::at::IntArrayRef output_size, double p) {
  return detail::adaptive_power<Arch, 3>("adapool::torch::adaptive_lp_pool1d", x, output_size, p, 0, false);
}

/// LP pooling over adaptive 2d windows; see adaptive_lp_pool1d.
template <class Arch = default_arch>
::at::Tensor adaptive_lp_pool2d(const ::at::Tensor& x, ::at::IntArrayRef output_size, double p) {
  return detail::adaptive_power<Arch, 4>("adapool::torch::adaptive_lp_pool2d", x, output_size, p, 0, false);
}

/// LP pooling over adaptive 3d windows; see adaptive_lp_pool1d.
template <class Arch = default_arch>
::at::Tensor adaptive_lp_pool3d(const ::at::Tensor& x, ::at::IntArrayRef output_size, double p) {
  return detail::adaptive_power<Arch, 5>("adapool::torch::adaptive_lp_pool3d", x, output_size, p, 0, false);
}

// ---------------------------------------------------------------- backward passes
//
// Each returns grad_in, a new tensor shaped, typed and formatted as `input`
// (the forward's input, whose values are not read), from grad_out (shaped as
// the forward's output, any strides, expanded included). Float and Double;
// grad_out, input and indices must have one rank, and grad_out and input one
// dtype. Bit-identical to ATen's backward operators.

/// aten::_adaptive_avg_pool2d_backward for 1 spatial axis: grad_out N x C x L' -> N x C x L.
template <class Arch = default_arch>
::at::Tensor adaptive_avg_pool1d_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input) {
  if (!detail::check_backward("adapool::torch::adaptive_avg_pool1d_backward", grad_out, input, nullptr, 3)) return {};
  return detail::backward_into_new<3, false>(grad_out, input, nullptr, [](const auto& go, const auto& gi) {
    adapool::adaptive_avg_pool1d_backward<Arch>(go, gi);
  });
}

/// aten::_adaptive_avg_pool2d_backward(grad_out, input).
template <class Arch = default_arch>
::at::Tensor adaptive_avg_pool2d_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input) {
  if (!detail::check_backward("adapool::torch::adaptive_avg_pool2d_backward", grad_out, input, nullptr, 4)) return {};
  return detail::backward_into_new<4, false>(grad_out, input, nullptr, [](const auto& go, const auto& gi) {
    adapool::adaptive_avg_pool2d_backward<Arch>(go, gi);
  });
}

/// aten::_adaptive_avg_pool3d_backward(grad_out, input).
template <class Arch = default_arch>
::at::Tensor adaptive_avg_pool3d_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input) {
  if (!detail::check_backward("adapool::torch::adaptive_avg_pool3d_backward", grad_out, input, nullptr, 5)) return {};
  return detail::backward_into_new<5, false>(grad_out, input, nullptr, [](const auto& go, const auto& gi) {
    adapool::adaptive_avg_pool3d_backward<Arch>(go, gi);
  });
}

/// aten::adaptive_max_pool2d_backward for 1 spatial axis: grad_in is zero but
/// for grad_out added at each index (in [0, L), else an error naming it).
template <class Arch = default_arch>
::at::Tensor adaptive_max_pool1d_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input,
                                          const ::at::Tensor& indices) {
  if (!detail::check_backward("adapool::torch::adaptive_max_pool1d_backward", grad_out, input, &indices, 3)) return {};
  return detail::backward_into_new<3, true>(grad_out, input, &indices,
                                            [](const auto& go, const auto& idx, const auto& gi) {
                                              adapool::adaptive_max_pool1d_backward<Arch>(go, idx, gi);
                                            });
}

/// aten::adaptive_max_pool2d_backward(grad_out, input, indices).
template <class Arch = default_arch>
::at::Tensor adaptive_max_pool2d_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input,
                                          const ::at::Tensor& indices) {
  if (!detail::check_backward("adapool::torch::adaptive_max_pool2d_backward", grad_out, input, &indices, 4)) return {};
  return detail::backward_into_new<4, true>(grad_out, input, &indices,
                                            [](const auto& go, const auto& idx, const auto& gi) {
                                              adapool::adaptive_max_pool2d_backward<Arch>(go, idx, gi);
                                            });
}

/// aten::adaptive_max_pool3d_backward(grad_out, input, indices).
template <class Arch = default_arch>
::at::Tensor adaptive_max_pool3d_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input,
                                          const ::at::Tensor& indices) {
  if (!detail::check_backward("adapool::torch::adaptive_max_pool3d_backward", grad_out, input, &indices, 5)) return {};
  return detail::backward_into_new<5, true>(grad_out, input, &indices,
                                            [](const auto& go, const auto& idx, const auto& gi) {
                                              adapool::adaptive_max_pool3d_backward<Arch>(go, idx, gi);
                                            });
}

/// Gradient of global_avg_pool, any rank 3 to 5: every element of plane (n, c)
/// gets grad_out / plane size (the gradient of a mean, as autograd gives it
/// for F.adaptive_avg_pool2d(x, 1)).
template <class Arch = default_arch>
::at::Tensor global_avg_pool_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input) {
  if (!detail::check_backward("adapool::torch::global_avg_pool_backward", grad_out, input, nullptr, 0)) return {};
  return detail::backward_into_new<0, false>(grad_out, input, nullptr, [](const auto& go, const auto& gi) {
    adapool::global_avg_pool_backward<Arch>(go, gi);
  });
}

/// Gradient of global_max_pool, any rank 3 to 5: plane (n, c) is zero but for
/// grad_out at its index.
template <class Arch = default_arch>
::at::Tensor global_max_pool_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input,
                                      const ::at::Tensor& indices) {
  if (!detail::check_backward("adapool::torch::global_max_pool_backward", grad_out, input, &indices, 0)) return {};
  return detail::backward_into_new<0, true>(
      grad_out, input, &indices,
      [](const auto& go, const auto& idx, const auto& gi) { adapool::global_max_pool_backward<Arch>(go, idx, gi); });
}

/// Gradient of channel_avg_pool, any rank 3 to 5: at every pixel, each output
/// channel adds grad_out / window size to the channels of its window.
template <class Arch = default_arch>
::at::Tensor channel_avg_pool_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input) {
  if (!detail::check_backward("adapool::torch::channel_avg_pool_backward", grad_out, input, nullptr, 0)) return {};
  return detail::backward_into_new<0, false>(grad_out, input, nullptr, [](const auto& go, const auto& gi) {
    adapool::channel_avg_pool_backward<Arch>(go, gi);
  });
}

/// Gradient of channel_max_pool, any rank 3 to 5:
/// `zeros_like(input).scatter_add_(1, indices, grad_out)`; an index outside
/// [0, C) throws.
template <class Arch = default_arch>
::at::Tensor channel_max_pool_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input,
                                       const ::at::Tensor& indices) {
  if (!detail::check_backward("adapool::torch::channel_max_pool_backward", grad_out, input, &indices, 0)) return {};
  return detail::backward_into_new<0, true>(
      grad_out, input, &indices,
      [](const auto& go, const auto& idx, const auto& gi) { adapool::channel_max_pool_backward<Arch>(go, idx, gi); });
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::torch
