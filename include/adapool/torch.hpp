// SPDX-License-Identifier: MIT
#pragma once

// Optional interop with libtorch (ATen) tensors. Include it beside
// <torch/torch.h> or <ATen/ATen.h>; adapool.hpp never includes it, so adapool
// itself does not depend on libtorch.
//
// Two levels:
//  - view<T, Rank>(t) and mutable_view<T, Rank>(t) turn a CPU at::Tensor into
//    an adapool view of the same memory, sizes and strides as given (contiguous,
//    channels-last, sliced, transposed or expanded), after checking that it is
//    defined, on the CPU, strided, of element type T and of rank Rank.
//  - Every operation has a tensor form in this namespace, named and ordered as
//    torch.nn.functional: it takes `const at::Tensor&`, picks the element type
//    from the tensor's dtype at run time, allocates its results in the input's
//    suggested memory format (channels-last in, channels-last out; anything
//    else gives contiguous results) and returns at::Tensor, or a std::tuple
//    (values, indices) for the maxima, indices being kLong as in ATen.
//
// Element types: float (kFloat), double (kDouble), adapool::float16 (kHalf),
// adapool::bfloat16 (kBFloat16), std::int8_t (kChar), std::uint8_t (kByte), and
// std::int64_t (kLong) for indices. The basic average and max operations
// (adaptive, global, channel) take all six; the fused, pyramid, GeM/LP and
// backward operations take kFloat and kDouble, as the core operations do.
//
// A tensor that fails a check is reported through adapool's error path
// (adapool::error, or the error handler without exceptions) with a message
// naming the function, the tensor and what was expected, e.g.
// `adapool::torch::view: input has dtype Half, expected Float`. The core
// operations then check shapes and memory as they do for any view.

#include <ATen/ATen.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "adaptive_pool.hpp"
#include "backward.hpp"
#include "channel_pool.hpp"
#include "element_types.hpp"
#include "error.hpp"
#include "global_pool.hpp"
#include "layout.hpp"
#include "power_pool.hpp"
#include "simd/arch.hpp"
#include "tensor_view.hpp"

namespace adapool::torch {

namespace detail {

using adapool::detail::report_error;

// ATen's Half and BFloat16 are the bits of adapool's types, so a tensor's
// data_ptr is viewed directly, without a copy.
static_assert(sizeof(::c10::Half) == sizeof(float16) && sizeof(::c10::BFloat16) == sizeof(bfloat16),
              "ATen's 16-bit floats are 16 bits, as adapool's are");

template <class T>
struct scalar_type_of {
  static_assert(sizeof(T) == 0,
                "adapool::torch: T is float, double, adapool::float16, adapool::bfloat16, std::int8_t, "
                "std::uint8_t or std::int64_t");
};
template <>
struct scalar_type_of<float> {
  static constexpr ::c10::ScalarType value = ::c10::ScalarType::Float;
};
template <>
struct scalar_type_of<double> {
  static constexpr ::c10::ScalarType value = ::c10::ScalarType::Double;
};
template <>
struct scalar_type_of<float16> {
  static constexpr ::c10::ScalarType value = ::c10::ScalarType::Half;
};
template <>
struct scalar_type_of<bfloat16> {
  static constexpr ::c10::ScalarType value = ::c10::ScalarType::BFloat16;
};
template <>
struct scalar_type_of<std::int8_t> {
  static constexpr ::c10::ScalarType value = ::c10::ScalarType::Char;
};
template <>
struct scalar_type_of<std::uint8_t> {
  static constexpr ::c10::ScalarType value = ::c10::ScalarType::Byte;
};
template <>
struct scalar_type_of<std::int64_t> {
  static constexpr ::c10::ScalarType value = ::c10::ScalarType::Long;
};

// "[1, 8, 4]", as adapool and PyTorch print sizes.
inline std::string sizes_string(::at::IntArrayRef sizes) {
  std::string text = "[";
  for (std::size_t axis = 0; axis < sizes.size(); ++axis) {
    if (axis != 0) text += ", ";
    text += std::to_string(sizes[axis]);
  }
  return text + "]";
}

inline const char* axes_text(std::int64_t rank) {
  switch (rank) {
    case 3:
      return "(N, C, L)";
    case 4:
      return "(N, C, H, W)";
    default:
      return "(N, C, D, H, W)";
  }
}

inline bool fail(const char* op, const char* name, const std::string& what) {
  report_error(std::string(op) + ": " + name + what);
  return false;
}

// What every tensor handed to adapool must be, whatever its type and rank.
inline bool check_tensor(const char* op, const char* name, const ::at::Tensor& t) {
  if (!t.defined()) return fail(op, name, " is an undefined tensor");
  if (t.device().type() != ::c10::DeviceType::CPU) {
    return fail(op, name, " is on device " + t.device().str() + ", expected cpu");
  }
  if (t.layout() != ::c10::kStrided) {
    std::ostringstream layout;
    layout << t.layout();
    return fail(op, name, " has layout " + layout.str() + ", expected Strided");
  }
  // A lazily negated view's memory holds the values before negation.
  if (t.is_neg()) return fail(op, name, " is a negated view, call resolve_neg() first");
  return true;
}

inline bool check_rank(const char* op, const char* name, const ::at::Tensor& t, std::int64_t rank) {
  if (t.dim() == rank) return true;
  return fail(op, name,
              " has " + std::to_string(t.dim()) + " dimensions " + sizes_string(t.sizes()) + ", expected " +
                  std::to_string(rank) + " " + axes_text(rank));
}

// Global and channel pooling take any rank from 3 to 5.
inline bool check_rank_3_to_5(const char* op, const char* name, const ::at::Tensor& t) {
  if (t.dim() >= 3 && t.dim() <= 5) return true;
  return fail(op, name,
              " has " + std::to_string(t.dim()) + " dimensions " + sizes_string(t.sizes()) +
                  ", expected 3, 4 or 5 (N, C and 1 to 3 spatial axes)");
}

inline bool check_dtype(const char* op, const char* name, const ::at::Tensor& t, ::c10::ScalarType expected) {
  if (t.scalar_type() == expected) return true;
  return fail(
      op, name,
      std::string(" has dtype ") + ::c10::toString(t.scalar_type()) + ", expected " + ::c10::toString(expected));
}

// The view itself, once the tensor is checked: sizes and strides as ATen has them.
template <class T, std::size_t Rank>
tensor_view<T, Rank, strided> view_of(const ::at::Tensor& t) {
  std::array<std::int64_t, Rank> shape{}, strides{};
  for (std::size_t axis = 0; axis < Rank; ++axis) {
    shape[axis] = t.size(static_cast<std::int64_t>(axis));
    strides[axis] = t.stride(static_cast<std::int64_t>(axis));
  }
  return {static_cast<T*>(t.data_ptr()), shape, strides};
}

// Without exceptions the error handler may return: hand back a view that every
// operation rejects (null data, non-zero size) rather than an empty one, which
// they would accept and leave unwritten.
template <class T, std::size_t Rank>
tensor_view<T, Rank, strided> rejected_view() {
  std::array<std::int64_t, Rank> ones{};
  ones.fill(1);
  return {nullptr, ones, ones};
}

template <class T, std::size_t Rank>
tensor_view<T, Rank, strided> checked_view(const char* op, const char* name, const ::at::Tensor& t) {
  using value = std::remove_const_t<T>;
  if (!check_tensor(op, name, t) || !check_dtype(op, name, t, scalar_type_of<value>::value) ||
      !check_rank(op, name, t, static_cast<std::int64_t>(Rank))) {
    return rejected_view<T, Rank>();
  }
  return view_of<T, Rank>(t);
}

template <class T>
struct type_tag {
  using type = T;
};

// Calls f(type_tag<T>{}) with the element type of t's dtype. `AllTypes`: the
// six element types of the basic operations; otherwise float and double only,
// so that f is never instantiated for a type its core operation rejects.
template <bool AllTypes, class F>
auto dispatch(const char* op, const char* name, const ::at::Tensor& t, F&& f) -> decltype(f(type_tag<float>{})) {
  switch (t.scalar_type()) {
    case ::c10::ScalarType::Float:
      return f(type_tag<float>{});
    case ::c10::ScalarType::Double:
      return f(type_tag<double>{});
    default:
      break;
  }
  if constexpr (AllTypes) {
    switch (t.scalar_type()) {
      case ::c10::ScalarType::Half:
        return f(type_tag<float16>{});
      case ::c10::ScalarType::BFloat16:
        return f(type_tag<bfloat16>{});
      case ::c10::ScalarType::Char:
        return f(type_tag<std::int8_t>{});
      case ::c10::ScalarType::Byte:
        return f(type_tag<std::uint8_t>{});
      default:
        break;
    }
  }
  fail(op, name,
       std::string(" has dtype ") + ::c10::toString(t.scalar_type()) + ", expected " +
           (AllTypes ? "Float, Double, Half, BFloat16, Char or Byte" : "Float or Double"));
  return {};
}

// Calls f(std::integral_constant<std::size_t, Rank>{}) with t's rank, 3 to 5 (checked before).
template <class F>
auto with_rank(const ::at::Tensor& t, F&& f) -> decltype(f(std::integral_constant<std::size_t, 4>{})) {
  switch (t.dim()) {
    case 3:
      return f(std::integral_constant<std::size_t, 3>{});
    case 4:
      return f(std::integral_constant<std::size_t, 4>{});
    default:
      return f(std::integral_constant<std::size_t, 5>{});
  }
}

inline bool check_output_size(const char* op, ::at::IntArrayRef output_size, std::size_t spatial_rank) {
  if (output_size.size() != spatial_rank) {
    static const char* const axes[] = {"", "(L)", "(H, W)", "(D, H, W)"};
    return fail(op, "output_size",
                " has " + std::to_string(output_size.size()) + " values " + sizes_string(output_size) + ", expected " +
                    std::to_string(spatial_rank) + " " + axes[spatial_rank]);
  }
  for (std::int64_t s : output_size) {
    if (s < 0) return fail(op, "output_size", " " + sizes_string(output_size) + " has a negative size");
  }
  return true;
}

// A result: `sizes`, the dtype `dtype`, in `like`'s suggested memory format.
inline ::at::Tensor allocate(const ::at::Tensor& like, ::at::IntArrayRef sizes, ::c10::ScalarType dtype) {
  return ::at::empty(sizes, like.options().dtype(dtype), like.suggest_memory_format());
}
inline ::at::Tensor allocate(const ::at::Tensor& like, ::at::IntArrayRef sizes) {
  return allocate(like, sizes, like.scalar_type());
}

// N and C of x, then `spatial`.
inline std::vector<std::int64_t> pooled_sizes(const ::at::Tensor& x, ::at::IntArrayRef spatial) {
  std::vector<std::int64_t> sizes{x.size(0), x.size(1)};
  sizes.insert(sizes.end(), spatial.begin(), spatial.end());
  return sizes;
}

// The rank-specific core operations, chosen by the views' rank.
template <class Arch, class In, class Out>
void core_adaptive_avg(const In& in, const Out& out) {
  if constexpr (In::rank == 3) {
    adapool::adaptive_avg_pool1d<Arch>(in, out);
  } else if constexpr (In::rank == 4) {
    adapool::adaptive_avg_pool2d<Arch>(in, out);
  } else {
    adapool::adaptive_avg_pool3d<Arch>(in, out);
  }
}
template <class Arch, class In, class Out, class Indices>
void core_adaptive_max(const In& in, const Out& out, const Indices& indices) {
  if constexpr (In::rank == 3) {
    adapool::adaptive_max_pool1d<Arch>(in, out, indices);
  } else if constexpr (In::rank == 4) {
    adapool::adaptive_max_pool2d<Arch>(in, out, indices);
  } else {
    adapool::adaptive_max_pool3d<Arch>(in, out, indices);
  }
}
template <class Arch, class In, class Out>
void core_gem(const In& in, const Out& out, double p, double eps) {
  if constexpr (In::rank == 3) {
    adapool::adaptive_gem_pool1d<Arch>(in, out, p, eps);
  } else if constexpr (In::rank == 4) {
    adapool::adaptive_gem_pool2d<Arch>(in, out, p, eps);
  } else {
    adapool::adaptive_gem_pool3d<Arch>(in, out, p, eps);
  }
}
template <class Arch, class In, class Out>
void core_lp(const In& in, const Out& out, double p) {
  if constexpr (In::rank == 3) {
    adapool::adaptive_lp_pool1d<Arch>(in, out, p);
  } else if constexpr (In::rank == 4) {
    adapool::adaptive_lp_pool2d<Arch>(in, out, p);
  } else {
    adapool::adaptive_lp_pool3d<Arch>(in, out, p);
  }
}
template <class Arch, class GradOut, class GradIn>
void core_adaptive_avg_backward(const GradOut& grad_out, const GradIn& grad_in) {
  if constexpr (GradOut::rank == 3) {
    adapool::adaptive_avg_pool1d_backward<Arch>(grad_out, grad_in);
  } else if constexpr (GradOut::rank == 4) {
    adapool::adaptive_avg_pool2d_backward<Arch>(grad_out, grad_in);
  } else {
    adapool::adaptive_avg_pool3d_backward<Arch>(grad_out, grad_in);
  }
}
template <class Arch, class GradOut, class Indices, class GradIn>
void core_adaptive_max_backward(const GradOut& grad_out, const Indices& indices, const GradIn& grad_in) {
  if constexpr (GradOut::rank == 3) {
    adapool::adaptive_max_pool1d_backward<Arch>(grad_out, indices, grad_in);
  } else if constexpr (GradOut::rank == 4) {
    adapool::adaptive_max_pool2d_backward<Arch>(grad_out, indices, grad_in);
  } else {
    adapool::adaptive_max_pool3d_backward<Arch>(grad_out, indices, grad_in);
  }
}

// ------------------------------------------------------------ shared bodies of the tensor forms

template <class Arch, std::size_t Rank>
::at::Tensor adaptive_avg(const char* op, const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  if (!check_tensor(op, "input", x) || !check_rank(op, "input", x, Rank) ||
      !check_output_size(op, output_size, Rank - 2)) {
    return {};
  }
  return dispatch<true>(op, "input", x, [&](auto tag) {
    using T = typename decltype(tag)::type;
    ::at::Tensor out = allocate(x, pooled_sizes(x, output_size));
    core_adaptive_avg<Arch>(view_of<const T, Rank>(x), view_of<T, Rank>(out));
    return out;
  });
}

template <class Arch, std::size_t Rank>
std::tuple<::at::Tensor, ::at::Tensor> adaptive_max(const char* op, const ::at::Tensor& x,
                                                    ::at::IntArrayRef output_size) {
  if (!check_tensor(op, "input", x) || !check_rank(op, "input", x, Rank) ||
      !check_output_size(op, output_size, Rank - 2)) {
    return {};
  }
  return dispatch<true>(op, "input", x, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const auto sizes = pooled_sizes(x, output_size);
    ::at::Tensor out = allocate(x, sizes);
    ::at::Tensor indices = allocate(x, sizes, ::c10::ScalarType::Long);
    core_adaptive_max<Arch>(view_of<const T, Rank>(x), view_of<T, Rank>(out), view_of<std::int64_t, Rank>(indices));
    return std::make_tuple(out, indices);
  });
}

template <class Arch, std::size_t Rank>
::at::Tensor adaptive_power(const char* op, const ::at::Tensor& x, ::at::IntArrayRef output_size, double p, double eps,
                            bool gem) {
  if (!check_tensor(op, "input", x) || !check_rank(op, "input", x, Rank) ||
      !check_output_size(op, output_size, Rank - 2)) {
    return {};
  }
  return dispatch<false>(op, "input", x, [&](auto tag) {
    using T = typename decltype(tag)::type;
    ::at::Tensor out = allocate(x, pooled_sizes(x, output_size));
    if (gem) {
      core_gem<Arch>(view_of<const T, Rank>(x), view_of<T, Rank>(out), p, eps);
    } else {
      core_lp<Arch>(view_of<const T, Rank>(x), view_of<T, Rank>(out), p);
    }
    return out;
  });
}

inline std::vector<std::int64_t> global_sizes(const ::at::Tensor& x) {
  std::vector<std::int64_t> sizes(static_cast<std::size_t>(x.dim()), 1);
  sizes[0] = x.size(0);
  sizes[1] = x.size(1);
  return sizes;
}

inline std::vector<std::int64_t> channel_sizes(const ::at::Tensor& x, std::int64_t channels) {
  std::vector<std::int64_t> sizes(x.sizes().begin(), x.sizes().end());
  sizes[1] = channels;
  return sizes;
}

inline bool check_out_channels(const char* op, std::int64_t out_channels) {
  if (out_channels >= 0) return true;
  return fail(op, "out_channels", " is " + std::to_string(out_channels) + ", a negative size");
}

// The checks of a backward pass: grad_output and input (and indices) defined
// CPU tensors of the forward's rank, grad_output of the input's dtype.
inline bool check_backward(const char* op, const ::at::Tensor& grad_out, const ::at::Tensor& input,
                           const ::at::Tensor* indices, std::int64_t rank) {
  const bool tensors_ok = check_tensor(op, "grad_output", grad_out) && check_tensor(op, "input", input) &&
                          (rank != 0 ? check_rank(op, "input", input, rank) : check_rank_3_to_5(op, "input", input)) &&
                          check_rank(op, "grad_output", grad_out, input.dim()) &&
                          (!indices || check_tensor(op, "indices", *indices));
  if (!tensors_ok) return false;
  if (indices && (!check_rank(op, "indices", *indices, input.dim()) ||
                  !check_dtype(op, "indices", *indices, ::c10::ScalarType::Long))) {
    return false;
  }
  if (grad_out.scalar_type() != input.scalar_type()) {
    return fail(op, "grad_output",
                std::string(" has dtype ") + ::c10::toString(grad_out.scalar_type()) + ", expected " +
                    ::c10::toString(input.scalar_type()) + " (the input's)");
  }
  return true;
}

// grad_in: the input's sizes, dtype and suggested memory format.
inline ::at::Tensor allocate_grad_in(const ::at::Tensor& input) { return allocate(input, input.sizes()); }

}  // namespace detail

// ---------------------------------------------------------------- views

/// A read-only view of a CPU tensor's memory: `tensor_view<const T, Rank, strided>`
/// with the tensor's sizes and strides as given (any memory format, slice,
/// transpose or stride-0 expansion; the operation that uses the view accepts or
/// rejects those strides). T is float, double, adapool::float16 (kHalf),
/// adapool::bfloat16 (kBFloat16), std::int8_t (kChar), std::uint8_t (kByte) or
/// std::int64_t (kLong); Rank is 3 (N, C, L), 4 (N, C, H, W) or 5 (N, C, D, H, W).
/// Reports an error naming `name` for an undefined tensor, a device other than
/// the CPU, a non-strided layout (sparse, mkldnn), a lazily negated view, another
/// dtype or another rank, e.g. `adapool::torch::view: input has 3 dimensions
/// [1, 8, 4], expected 4 (N, C, H, W)`. The tensor's storage must outlive the view.
template <class T, std::size_t Rank>
tensor_view<const T, Rank, strided> view(const ::at::Tensor& t, const char* name = "input") {
  return detail::checked_view<const T, Rank>("adapool::torch::view", name, t);
}

/// A writable view of a CPU tensor's memory, for an operation's output, indices
/// or gradient; checks and errors as for view(). An `at::Tensor` is a handle, so
/// a `const at::Tensor&` may be written through, as ATen's `out=` arguments are.
template <class T, std::size_t Rank>
tensor_view<T, Rank, strided> mutable_view(const ::at::Tensor& t, const char* name = "output") {
  return detail::checked_view<T, Rank>("adapool::torch::mutable_view", name, t);
}

// ---------------------------------------------------------------- adaptive pooling

/// Tensor form of adaptive_avg_pool1d: [N, C, L] -> [N, C, output_size[0]], in
/// the input's memory format. kFloat, kDouble, kHalf, kBFloat16, kChar, kByte.
/// Errors: x undefined, not on the CPU, not of rank 3 or of another dtype;
/// output_size not of one non-negative size; and everything the core operation
/// rejects.
template <class Arch = default_arch>
::at::Tensor adaptive_avg_pool1d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  return detail::adaptive_avg<Arch, 3>("adapool::torch::adaptive_avg_pool1d", x, output_size);
}

/// Tensor form of adaptive_avg_pool2d: [N, C, H, W] -> [N, C, output_size], as
/// at::adaptive_avg_pool2d (averages accumulate in at least float). Types and
/// errors as for adaptive_avg_pool1d, with rank 4 and two output sizes.
template <class Arch = default_arch>
::at::Tensor adaptive_avg_pool2d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  return detail::adaptive_avg<Arch, 4>("adapool::torch::adaptive_avg_pool2d", x, output_size);
}

/// Tensor form of adaptive_avg_pool3d: [N, C, D, H, W] -> [N, C, output_size].
template <class Arch = default_arch>
::at::Tensor adaptive_avg_pool3d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  return detail::adaptive_avg<Arch, 5>("adapool::torch::adaptive_avg_pool3d", x, output_size);
}

/// Tensor form of adaptive_max_pool1d: (values, indices), indices kLong offsets
/// within the input row, both in the input's memory format. Ties keep the first
/// position; NaN wins (index of the last NaN), as in ATen. Types and errors as
/// for adaptive_avg_pool1d.
template <class Arch = default_arch>
std::tuple<::at::Tensor, ::at::Tensor> adaptive_max_pool1d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  return detail::adaptive_max<Arch, 3>("adapool::torch::adaptive_max_pool1d", x, output_size);
}

/// Tensor form of adaptive_max_pool2d: (values, indices) as
/// at::adaptive_max_pool2d returns them, indices `h * W + w` within the plane.
template <class Arch = default_arch>
std::tuple<::at::Tensor, ::at::Tensor> adaptive_max_pool2d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  return detail::adaptive_max<Arch, 4>("adapool::torch::adaptive_max_pool2d", x, output_size);
}

/// Tensor form of adaptive_max_pool3d: (values, indices `(d * H + h) * W + w`).
template <class Arch = default_arch>
std::tuple<::at::Tensor, ::at::Tensor> adaptive_max_pool3d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  return detail::adaptive_max<Arch, 5>("adapool::torch::adaptive_max_pool3d", x, output_size);
}

// ---------------------------------------------------------------- global and channel pooling

/// Tensor form of global_avg_pool: [N, C, S...] -> [N, C, 1...], rank 3 to 5,
/// as `x.mean(spatial dims, keepdim=true)`. All six element types.
template <class Arch = default_arch>
::at::Tensor global_avg_pool(const ::at::Tensor& x) {
  constexpr const char* op = "adapool::torch::global_avg_pool";
  if (!detail::check_tensor(op, "input", x) || !detail::check_rank_3_to_5(op, "input", x)) return {};
  return detail::dispatch<true>(op, "input", x, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return detail::with_rank(x, [&](auto rank) {
      constexpr std::size_t Rank = decltype(rank)::value;
      ::at::Tensor out = detail::allocate(x, detail::global_sizes(x));
      adapool::global_avg_pool<Arch>(detail::view_of<const T, Rank>(x), detail::view_of<T, Rank>(out));
      return out;
    });
  });
}

/// Tensor form of global_max_pool: (values [N, C, 1...], kLong in-plane indices),
/// rank 3 to 5, with adaptive_max_pool2d's tie and NaN rules.
template <class Arch = default_arch>
std::tuple<::at::Tensor, ::at::Tensor> global_max_pool(const ::at::Tensor& x) {
  constexpr const char* op = "adapool::torch::global_max_pool";
  if (!detail::check_tensor(op, "input", x) || !detail::check_rank_3_to_5(op, "input", x)) return {};
  return detail::dispatch<true>(op, "input", x, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return detail::with_rank(x, [&](auto rank) {
      constexpr std::size_t Rank = decltype(rank)::value;
      const auto sizes = detail::global_sizes(x);
      ::at::Tensor out = detail::allocate(x, sizes);
      ::at::Tensor indices = detail::allocate(x, sizes, ::c10::ScalarType::Long);
      adapool::global_max_pool<Arch>(detail::view_of<const T, Rank>(x), detail::view_of<T, Rank>(out),
                                     detail::view_of<std::int64_t, Rank>(indices));
      return std::make_tuple(out, indices);
    });
  });
}

/// Tensor form of channel_avg_pool: [N, C, S...] -> [N, out_channels, S...], the
/// mean over adaptive windows of channels (out_channels = 1: `x.mean(1, true)`).
/// Rank 3 to 5, all six element types. Errors: a negative out_channels, and as
/// for global_avg_pool.
template <class Arch = default_arch>
::at::Tensor channel_avg_pool(const ::at::Tensor& x, std::int64_t out_channels = 1) {
  constexpr const char* op = "adapool::torch::channel_avg_pool";
  if (!detail::check_tensor(op, "input", x) || !detail::check_rank_3_to_5(op, "input", x) ||
      !detail::check_out_channels(op, out_channels)) {
    return {};
  }
  return detail::dispatch<true>(op, "input", x, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return detail::with_rank(x, [&](auto rank) {
      constexpr std::size_t Rank = decltype(rank)::value;
      ::at::Tensor out = detail::allocate(x, detail::channel_sizes(x, out_channels));
      adapool::channel_avg_pool<Arch>(detail::view_of<const T, Rank>(x), detail::view_of<T, Rank>(out));
      return out;
    });
  });
}

/// Tensor form of channel_max_pool: (values [N, out_channels, S...], kLong
/// indices = the winning channel in [0, C)). out_channels = 1 is
/// `x.max(1, true)`; ties keep the first channel, NaN wins (the last NaN's
/// channel). Types and errors as for channel_avg_pool.
template <class Arch = default_arch>
std::tuple<::at::Tensor, ::at::Tensor> channel_max_pool(const ::at::Tensor& x, std::int64_t out_channels = 1) {
  constexpr const char* op = "adapool::torch::channel_max_pool";
  if (!detail::check_tensor(op, "input", x) || !detail::check_rank_3_to_5(op, "input", x) ||
      !detail::check_out_channels(op, out_channels)) {
    return {};
  }
  return detail::dispatch<true>(op, "input", x, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return detail::with_rank(x, [&](auto rank) {
      constexpr std::size_t Rank = decltype(rank)::value;
      const auto sizes = detail::channel_sizes(x, out_channels);
      ::at::Tensor out = detail::allocate(x, sizes);
      ::at::Tensor indices = detail::allocate(x, sizes, ::c10::ScalarType::Long);
      adapool::channel_max_pool<Arch>(detail::view_of<const T, Rank>(x), detail::view_of<T, Rank>(out),
                                      detail::view_of<std::int64_t, Rank>(indices));
      return std::make_tuple(out, indices);
    });
  });
}

// ---------------------------------------------------------------- fused and pyramid

/// Tensor form of adaptive_avg_max_pool2d: (avg, max, indices) of the same
/// windows in one pass, each what adaptive_avg_pool2d / adaptive_max_pool2d
/// return. kFloat and kDouble only; other errors as for adaptive_avg_pool2d.
template <class Arch = default_arch>
std::tuple<::at::Tensor, ::at::Tensor, ::at::Tensor> adaptive_avg_max_pool2d(const ::at::Tensor& x,
                                                                             ::at::IntArrayRef output_size) {
  constexpr const char* op = "adapool::torch::adaptive_avg_max_pool2d";
  if (!detail::check_tensor(op, "input", x) || !detail::check_rank(op, "input", x, 4) ||
      !detail::check_output_size(op, output_size, 2)) {
    return {};
  }
  return detail::dispatch<false>(op, "input", x, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const auto sizes = detail::pooled_sizes(x, output_size);
    ::at::Tensor avg = detail::allocate(x, sizes);
    ::at::Tensor max = detail::allocate(x, sizes);
    ::at::Tensor indices = detail::allocate(x, sizes, ::c10::ScalarType::Long);
    adapool::adaptive_avg_max_pool2d<Arch>(detail::view_of<const T, 4>(x), detail::view_of<T, 4>(avg),
                                           detail::view_of<T, 4>(max), detail::view_of<std::int64_t, 4>(indices));
    return std::make_tuple(avg, max, indices);
  });
}

/// Tensor form of adaptive_concat_pool2d (fastai's AdaptiveConcatPool2d):
/// [N, 2C, output_size], channels [0, C) the max and [C, 2C) the average, as
/// `at::cat({max, avg}, 1)`, in the input's memory format. kFloat and kDouble.
template <class Arch = default_arch>
::at::Tensor adaptive_concat_pool2d(const ::at::Tensor& x, ::at::IntArrayRef output_size) {
  constexpr const char* op = "adapool::torch::adaptive_concat_pool2d";
  if (!detail::check_tensor(op, "input", x) || !detail::check_rank(op, "input", x, 4) ||
      !detail::check_output_size(op, output_size, 2)) {
    return {};
  }
  return detail::dispatch<false>(op, "input", x, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const std::int64_t channels = x.size(1);
    auto sizes = detail::pooled_sizes(x, output_size);
    sizes[1] = 2 * channels;
    ::at::Tensor out = detail::allocate(x, sizes);
    // The two halves are views of `out`; in channels-last memory they
    // interleave without sharing an element, which the core accepts.
    adapool::adaptive_avg_max_pool2d<Arch>(detail::view_of<const T, 4>(x),
                                           detail::view_of<T, 4>(out.narrow(1, channels, channels)),
                                           detail::view_of<T, 4>(out.narrow(1, 0, channels)));
    return out;
  });
}

/// Tensor form of channel_max_avg_pool (CBAM's spatial-attention input):
/// [N, 2, S...], channel 0 the max and channel 1 the mean over all channels, as
/// `at::cat({x.amax(1, true), x.mean(1, true)}, 1)`, in the input's memory
/// format. Rank 3 to 5, kFloat and kDouble.
template <class Arch = default_arch>
::at::Tensor channel_max_avg_pool(const ::at::Tensor& x) {
  constexpr const char* op = "adapool::torch::channel_max_avg_pool";
  if (!detail::check_tensor(op, "input", x) || !detail::check_rank_3_to_5(op, "input", x)) return {};
  return detail::dispatch<false>(op, "input", x, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return detail::with_rank(x, [&](auto rank) {
      constexpr std::size_t Rank = decltype(rank)::value;
      ::at::Tensor out = detail::allocate(x, detail::channel_sizes(x, 2));
      adapool::channel_max_avg_pool<Arch>(detail::view_of<const T, Rank>(x),
                                          detail::view_of<T, Rank>(out.narrow(1, 0, 1)),
                                          detail::view_of<T, Rank>(out.narrow(1, 1, 1)));
      return out;
    });
  });
}

namespace detail {
// The core pyramid takes a compile-time number of outputs: levels go in groups
// of up to four (PSPNet's 1, 2, 3, 6 is one group), each group reading the
// input once, and each output is exactly adaptive_avg_pool2d's.
template <class Arch, class T, std::size_t Levels>
void pyramid_group(const tensor_view<const T, 4, strided>& in, const std::vector<::at::Tensor>& outs,
                   std::size_t first) {
  std::array<tensor_view<T, 4, strided>, Levels> views;
  for (std::size_t k = 0; k < Levels; ++k) views[k] = view_of<T, 4>(outs[first + k]);
  adapool::adaptive_avg_pool2d_pyramid<Arch>(in, views);
}
}  // namespace detail

/// Tensor form of adaptive_avg_pool2d_pyramid: one [N, C, b, b] result per bin
/// b, each equal to adaptive_avg_pool2d(x, {b, b}), in the input's memory
/// format; up to four levels share one pass over the input. kFloat and kDouble.
/// Errors: a negative bin, and as for adaptive_avg_pool2d.
template <class Arch = default_arch>
std::vector<::at::Tensor> adaptive_avg_pool2d_pyramid(const ::at::Tensor& x, ::at::IntArrayRef bins) {
  constexpr const char* op = "adapool::torch::adaptive_avg_pool2d_pyramid";
  if (!detail::check_tensor(op, "input", x) || !detail::check_rank(op, "input", x, 4)) return {};
  for (std::int64_t b : bins) {
    if (b < 0) {
      detail::fail(op, "bins", " " + detail::sizes_string(bins) + " has a negative size");
      return {};
    }
  }
  return detail::dispatch<false>(op, "input", x, [&](auto tag) {
    using T = typename decltype(tag)::type;
    std::vector<::at::Tensor> outs;
    outs.reserve(bins.size());
    for (std::int64_t b : bins) outs.push_back(detail::allocate(x, detail::pooled_sizes(x, {b, b})));
    const auto in = detail::view_of<const T, 4>(x);
    std::size_t first = 0;
    for (; first + 4 <= outs.size(); first += 4) detail::pyramid_group<Arch, T, 4>(in, outs, first);
    switch (outs.size() - first) {
      case 3:
        detail::pyramid_group<Arch, T, 3>(in, outs, first);
        break;
      case 2:
        detail::pyramid_group<Arch, T, 2>(in, outs, first);
        break;
      case 1:
        detail::pyramid_group<Arch, T, 1>(in, outs, first);
        break;
      default:
        break;
    }
    return outs;
  });
}

// ---------------------------------------------------------------- GeM and LP pooling

/// Tensor form of adaptive_gem_pool1d: [N, C, L] -> [N, C, output_size],
/// (mean of max(x, eps)^p)^(1/p) over each adaptive window. kFloat and kDouble.
/// Errors: p or eps not a finite number > 0, and as for adaptive_avg_pool1d.
template <class Arch = default_arch>
::at::Tensor adaptive_gem_pool1d(const ::at::Tensor& x, ::at::IntArrayRef output_size, double p = 3,
                                 double eps = 1e-6) {
  return detail::adaptive_power<Arch, 3>("adapool::torch::adaptive_gem_pool1d", x, output_size, p, eps, true);
}

/// Tensor form of adaptive_gem_pool2d (GeM pooling, Radenović et al.).
template <class Arch = default_arch>
::at::Tensor adaptive_gem_pool2d(const ::at::Tensor& x, ::at::IntArrayRef output_size, double p = 3,
                                 double eps = 1e-6) {
  return detail::adaptive_power<Arch, 4>("adapool::torch::adaptive_gem_pool2d", x, output_size, p, eps, true);
}

/// Tensor form of adaptive_gem_pool3d.
template <class Arch = default_arch>
::at::Tensor adaptive_gem_pool3d(const ::at::Tensor& x, ::at::IntArrayRef output_size, double p = 3,
                                 double eps = 1e-6) {
  return detail::adaptive_power<Arch, 5>("adapool::torch::adaptive_gem_pool3d", x, output_size, p, eps, true);
}

/// Tensor form of adaptive_lp_pool1d: (sum of x^p over each adaptive window)^(1/p),
/// PyTorch's lp_pool formula. kFloat and kDouble. Errors: p not a finite
/// number > 0, and as for adaptive_avg_pool1d.
template <class Arch = default_arch>
::at::Tensor adaptive_lp_pool1d(const ::at::Tensor& x, ::at::IntArrayRef output_size, double p) {
  return detail::adaptive_power<Arch, 3>("adapool::torch::adaptive_lp_pool1d", x, output_size, p, 0, false);
}

/// Tensor form of adaptive_lp_pool2d.
template <class Arch = default_arch>
::at::Tensor adaptive_lp_pool2d(const ::at::Tensor& x, ::at::IntArrayRef output_size, double p) {
  return detail::adaptive_power<Arch, 4>("adapool::torch::adaptive_lp_pool2d", x, output_size, p, 0, false);
}

/// Tensor form of adaptive_lp_pool3d.
template <class Arch = default_arch>
::at::Tensor adaptive_lp_pool3d(const ::at::Tensor& x, ::at::IntArrayRef output_size, double p) {
  return detail::adaptive_power<Arch, 5>("adapool::torch::adaptive_lp_pool3d", x, output_size, p, 0, false);
}

// ---------------------------------------------------------------- backward passes

namespace detail {

template <class Arch, std::size_t Rank>
::at::Tensor adaptive_avg_backward(const char* op, const ::at::Tensor& grad_out, const ::at::Tensor& input) {
  if (!check_backward(op, grad_out, input, nullptr, Rank)) return {};
  return dispatch<false>(op, "input", input, [&](auto tag) {
    using T = typename decltype(tag)::type;
    ::at::Tensor grad_in = allocate_grad_in(input);
    core_adaptive_avg_backward<Arch>(view_of<const T, Rank>(grad_out), view_of<T, Rank>(grad_in));
    return grad_in;
  });
}

template <class Arch, std::size_t Rank>
::at::Tensor adaptive_max_backward(const char* op, const ::at::Tensor& grad_out, const ::at::Tensor& input,
                                   const ::at::Tensor& indices) {
  if (!check_backward(op, grad_out, input, &indices, Rank)) return {};
  return dispatch<false>(op, "input", input, [&](auto tag) {
    using T = typename decltype(tag)::type;
    ::at::Tensor grad_in = allocate_grad_in(input);
    core_adaptive_max_backward<Arch>(view_of<const T, Rank>(grad_out), view_of<const std::int64_t, Rank>(indices),
                                     view_of<T, Rank>(grad_in));
    return grad_in;
  });
}

}  // namespace detail

/// Gradient of adaptive_avg_pool1d, as at::adaptive_avg_pool1d's backward:
/// grad_output [N, C, L'] -> grad_input of `input`'s sizes, dtype and memory
/// format (input is the forward's input; only its sizes, dtype and format are
/// used). kFloat and kDouble. Errors: any tensor undefined or not on the CPU,
/// ranks other than 3, grad_output of another dtype than input, and everything
/// the core operation rejects (N or C that differ, ...).
template <class Arch = default_arch>
::at::Tensor adaptive_avg_pool1d_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input) {
  return detail::adaptive_avg_backward<Arch, 3>("adapool::torch::adaptive_avg_pool1d_backward", grad_out, input);
}

/// Gradient of adaptive_avg_pool2d, as at::_adaptive_avg_pool2d_backward(grad_output, self).
template <class Arch = default_arch>
::at::Tensor adaptive_avg_pool2d_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input) {
  return detail::adaptive_avg_backward<Arch, 4>("adapool::torch::adaptive_avg_pool2d_backward", grad_out, input);
}

/// Gradient of adaptive_avg_pool3d, as at::_adaptive_avg_pool3d_backward(grad_output, self).
template <class Arch = default_arch>
::at::Tensor adaptive_avg_pool3d_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input) {
  return detail::adaptive_avg_backward<Arch, 5>("adapool::torch::adaptive_avg_pool3d_backward", grad_out, input);
}

/// Gradient of adaptive_max_pool1d: grad_input of `input`'s sizes, dtype and
/// memory format, zero but for grad_output added at each saved index. `indices`
/// (kLong) is what adaptive_max_pool1d returned. Errors as for
/// adaptive_avg_pool1d_backward, plus indices not kLong or out of range.
template <class Arch = default_arch>
::at::Tensor adaptive_max_pool1d_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input,
                                          const ::at::Tensor& indices) {
  return detail::adaptive_max_backward<Arch, 3>("adapool::torch::adaptive_max_pool1d_backward", grad_out, input,
                                                indices);
}

/// Gradient of adaptive_max_pool2d, as at::adaptive_max_pool2d_backward(grad_output, self, indices).
template <class Arch = default_arch>
::at::Tensor adaptive_max_pool2d_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input,
                                          const ::at::Tensor& indices) {
  return detail::adaptive_max_backward<Arch, 4>("adapool::torch::adaptive_max_pool2d_backward", grad_out, input,
                                                indices);
}

/// Gradient of adaptive_max_pool3d, as at::adaptive_max_pool3d_backward(grad_output, self, indices).
template <class Arch = default_arch>
::at::Tensor adaptive_max_pool3d_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input,
                                          const ::at::Tensor& indices) {
  return detail::adaptive_max_backward<Arch, 5>("adapool::torch::adaptive_max_pool3d_backward", grad_out, input,
                                                indices);
}

/// Gradient of global_avg_pool, rank 3 to 5: every element of plane (n, c) of
/// grad_input gets grad_output / plane size. kFloat and kDouble.
template <class Arch = default_arch>
::at::Tensor global_avg_pool_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input) {
  constexpr const char* op = "adapool::torch::global_avg_pool_backward";
  if (!detail::check_backward(op, grad_out, input, nullptr, 0)) return {};
  return detail::dispatch<false>(op, "input", input, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return detail::with_rank(input, [&](auto rank) {
      constexpr std::size_t Rank = decltype(rank)::value;
      ::at::Tensor grad_in = detail::allocate_grad_in(input);
      adapool::global_avg_pool_backward<Arch>(detail::view_of<const T, Rank>(grad_out),
                                              detail::view_of<T, Rank>(grad_in));
      return grad_in;
    });
  });
}

/// Gradient of global_max_pool, rank 3 to 5: plane (n, c) is zero but for
/// grad_output at its index. kFloat and kDouble.
template <class Arch = default_arch>
::at::Tensor global_max_pool_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input,
                                      const ::at::Tensor& indices) {
  constexpr const char* op = "adapool::torch::global_max_pool_backward";
  if (!detail::check_backward(op, grad_out, input, &indices, 0)) return {};
  return detail::dispatch<false>(op, "input", input, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return detail::with_rank(input, [&](auto rank) {
      constexpr std::size_t Rank = decltype(rank)::value;
      ::at::Tensor grad_in = detail::allocate_grad_in(input);
      adapool::global_max_pool_backward<Arch>(detail::view_of<const T, Rank>(grad_out),
                                              detail::view_of<const std::int64_t, Rank>(indices),
                                              detail::view_of<T, Rank>(grad_in));
      return grad_in;
    });
  });
}

/// Gradient of channel_avg_pool, rank 3 to 5: grad_output [N, C', S...] ->
/// grad_input [N, C, S...]. kFloat and kDouble.
template <class Arch = default_arch>
::at::Tensor channel_avg_pool_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input) {
  constexpr const char* op = "adapool::torch::channel_avg_pool_backward";
  if (!detail::check_backward(op, grad_out, input, nullptr, 0)) return {};
  return detail::dispatch<false>(op, "input", input, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return detail::with_rank(input, [&](auto rank) {
      constexpr std::size_t Rank = decltype(rank)::value;
      ::at::Tensor grad_in = detail::allocate_grad_in(input);
      adapool::channel_avg_pool_backward<Arch>(detail::view_of<const T, Rank>(grad_out),
                                               detail::view_of<T, Rank>(grad_in));
      return grad_in;
    });
  });
}

/// Gradient of channel_max_pool, rank 3 to 5: grad_output of output channel c'
/// goes to the channel its index names. kFloat and kDouble.
template <class Arch = default_arch>
::at::Tensor channel_max_pool_backward(const ::at::Tensor& grad_out, const ::at::Tensor& input,
                                       const ::at::Tensor& indices) {
  constexpr const char* op = "adapool::torch::channel_max_pool_backward";
  if (!detail::check_backward(op, grad_out, input, &indices, 0)) return {};
  return detail::dispatch<false>(op, "input", input, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return detail::with_rank(input, [&](auto rank) {
      constexpr std::size_t Rank = decltype(rank)::value;
      ::at::Tensor grad_in = detail::allocate_grad_in(input);
      adapool::channel_max_pool_backward<Arch>(detail::view_of<const T, Rank>(grad_out),
                                               detail::view_of<const std::int64_t, Rank>(indices),
                                               detail::view_of<T, Rank>(grad_in));
      return grad_in;
    });
  });
}

}  // namespace adapool::torch
