// SPDX-License-Identifier: MIT
#pragma once

// Optional interop with PyTorch's C++ tensors (libtorch / ATen, 1.13 or later).
// Include it beside <torch/torch.h> or <ATen/ATen.h>; <adapool/adapool.hpp>
// never includes it, so adapool itself does not depend on PyTorch.
//
// Two levels:
//  - views: adapool::torch::view<T, Rank>(t) and mutable_view<T, Rank>(t) give
//    a strided tensor_view over a CPU tensor's memory, no copy, with the
//    tensor's own sizes and strides (channels-last, sliced, transposed and
//    expanded tensors included);
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
#include <ATen/ops/empty.h>
#include <c10/core/ScalarType.h>
#include <c10/util/ArrayRef.h>

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
#include "simd/target.hpp"
#include "tensor_view.hpp"

namespace adapool::torch {
inline namespace ADAPOOL_TARGET_NAMESPACE {

namespace detail {

static_assert(sizeof(::at::Half) == sizeof(float16) && sizeof(::at::BFloat16) == sizeof(bfloat16),
              "ATen's 16-bit floats are 16 bits, as adapool's are");

template <class T>
struct dtype_of;
template <>
struct dtype_of<float> : std::integral_constant<::at::ScalarType, ::at::kFloat> {};
template <>
struct dtype_of<double> : std::integral_constant<::at::ScalarType, ::at::kDouble> {};
template <>
struct dtype_of<float16> : std::integral_constant<::at::ScalarType, ::at::kHalf> {};
template <>
struct dtype_of<bfloat16> : std::integral_constant<::at::ScalarType, ::at::kBFloat16> {};
template <>
struct dtype_of<std::int8_t> : std::integral_constant<::at::ScalarType, ::at::kChar> {};
template <>
struct dtype_of<std::uint8_t> : std::integral_constant<::at::ScalarType, ::at::kByte> {};
template <>
struct dtype_of<std::int64_t> : std::integral_constant<::at::ScalarType, ::at::kLong> {};

template <class T>
struct type_tag {
  using type = T;
};
template <class... T>
struct type_list {};

// What each core operation takes: average and max pooling (adaptive, global,
// channel) every element type; the fused, power-mean and backward operations
// float and double.
using all_types = type_list<float, double, float16, bfloat16, std::int8_t, std::uint8_t>;
using float_types = type_list<float, double>;

inline void fail(const char* op, const std::string& what) {
  adapool::detail::report_error(std::string(op) + ": " + what);
}

inline std::string sizes_string(::c10::IntArrayRef sizes) {
  std::string text = "[";
  for (std::size_t axis = 0; axis < sizes.size(); ++axis) {
    if (axis != 0) text += ", ";
    text += std::to_string(sizes[axis]);
  }
  return text + "]";
}

inline const char* axes_text(std::size_t rank) {
  return rank == 3 ? "(N, C, L)" : rank == 4 ? "(N, C, H, W)" : "(N, C, D, H, W)";
}

template <class... T>
std::string dtype_names(type_list<T...> /*types*/) {
  const std::array<const char*, sizeof...(T)> names{::c10::toString(dtype_of<T>::value)...};
  std::string text;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (k != 0) text += k + 1 == names.size() ? " or " : ", ";
    text += names[k];
  }
  return text;
}

// Checks that do not depend on the element type: a defined, dense CPU tensor
// whose memory holds its values as they read (no lazy negation).
inline bool check_tensor(const char* op, const ::at::Tensor& t, const char* name) {
  if (!t.defined()) {
    fail(op, std::string(name) + " is an undefined tensor");
    return false;
  }
  if (!t.device().is_cpu()) {
    fail(op, std::string(name) + " is on device " + t.device().str() + ", expected cpu");
    return false;
  }
  if (t.layout() != ::c10::kStrided) {
    std::ostringstream layout;
    layout << t.layout();  // "Sparse", "SparseCsr", "Mkldnn", ...
    fail(op, std::string(name) + " has layout " + layout.str() + ", expected Strided");
    return false;
  }
  if (t.is_neg()) {
    fail(op, std::string(name) + " has its negative bit set, expected materialised values (call resolve_neg())");
    return false;
  }
  return true;
}

template <class... T>
bool check_dtype(const char* op, const ::at::Tensor& t, const char* name, type_list<T...> types) {
  if (((t.scalar_type() == dtype_of<T>::value) || ...)) return true;
  fail(op, std::string(name) + " has dtype " + ::c10::toString(t.scalar_type()) + ", expected " + dtype_names(types));
  return false;
}

inline bool check_same_dtype(const char* op, const ::at::Tensor& t, const char* name, const ::at::Tensor& other,
                             const char* other_name) {
  if (t.scalar_type() == other.scalar_type()) return true;
  fail(op, std::string(name) + " has dtype " + ::c10::toString(t.scalar_type()) + ", expected " +
               ::c10::toString(other.scalar_type()) + " (the dtype of " + other_name + ")");
  return false;
}

inline bool check_rank(const char* op, const ::at::Tensor& t, const char* name, std::size_t rank) {
  if (t.dim() == static_cast<std::int64_t>(rank)) return true;
  fail(op, std::string(name) + " has " + std::to_string(t.dim()) + " dimensions " + sizes_string(t.sizes()) +
               ", expected " + std::to_string(rank) + " " + axes_text(rank));
  return false;
}

inline bool check_any_rank(const char* op, const ::at::Tensor& t, const char* name) {
  if (t.dim() >= 3 && t.dim() <= 5) return true;
  fail(op, std::string(name) + " has " + std::to_string(t.dim()) + " dimensions " + sizes_string(t.sizes()) +
               ", expected 3 to 5 (N, C and 1 to 3 spatial sizes)");
  return false;
}

// A view after every check has passed.
template <class T, std::size_t Rank>
tensor_view<T, Rank, strided> unchecked_view(const ::at::Tensor& t) {
  std::array<std::int64_t, Rank> shape{}, strides{};
  for (std::size_t axis = 0; axis < Rank; ++axis) {
    shape[axis] = t.size(static_cast<std::int64_t>(axis));
    strides[axis] = t.stride(static_cast<std::int64_t>(axis));
  }
  // data_ptr() is the first element's address (the storage offset applied);
  // the bytes are T's, under ATen's name for the type.
  return {static_cast<T*>(t.data_ptr()), shape, strides};
}

// Without exceptions a handler may return: a view every operation rejects
// (null data with a non-zero size) instead of one that reads wrong memory.
template <class T, std::size_t Rank>
tensor_view<T, Rank, strided> rejected_view() {
  std::array<std::int64_t, Rank> ones{};
  ones.fill(1);
  return {nullptr, ones, ones};
}

template <class T, std::size_t Rank>
tensor_view<T, Rank, strided> checked_view(const char* op, const ::at::Tensor& t, const char* name) {
  using value = std::remove_const_t<T>;
  static_assert(std::is_same_v<value, float> || std::is_same_v<value, double> || std::is_same_v<value, float16> ||
                    std::is_same_v<value, bfloat16> || std::is_same_v<value, std::int8_t> ||
                    std::is_same_v<value, std::uint8_t> || std::is_same_v<value, std::int64_t>,
                "adapool::torch: T is float, double, float16, bfloat16, int8_t, uint8_t or int64_t");
  static_assert(Rank >= 3 && Rank <= 5, "adapool::torch: Rank is 3 (N, C, L), 4 (N, C, H, W) or 5 (N, C, D, H, W)");
  if (!check_tensor(op, t, name) || !check_dtype(op, t, name, type_list<value>{}) || !check_rank(op, t, name, Rank)) {
    return rejected_view<T, Rank>();
  }
  return unchecked_view<T, Rank>(t);
}

// Calls body(type_tag<T>{}) for the T whose dtype `t` has; check_dtype has
// accepted it already.
template <class Body, class T, class... Rest>
auto visit_dtype(const ::at::Tensor& t, const Body& body, type_list<T, Rest...> /*types*/) {
  if constexpr (sizeof...(Rest) == 0) {
    return body(type_tag<T>{});
  } else {
    if (t.scalar_type() == dtype_of<T>::value) return body(type_tag<T>{});
    return visit_dtype(t, body, type_list<Rest...>{});
  }
}

// Calls body(std::integral_constant<std::size_t, Rank>{}) for a tensor of rank 3, 4 or 5.
template <class Body>
auto visit_rank(const ::at::Tensor& t, const Body& body) {
  if (t.dim() == 3) return body(std::integral_constant<std::size_t, 3>{});
  if (t.dim() == 4) return body(std::integral_constant<std::size_t, 4>{});
  return body(std::integral_constant<std::size_t, 5>{});
}

inline bool check_output_size(const char* op, ::c10::IntArrayRef output_size, std::size_t spatial_rank) {
  if (output_size.size() != spatial_rank) {
    fail(op, "output_size " + sizes_string(output_size) + " has " + std::to_string(output_size.size()) +
                 (output_size.size() == 1 ? " size" : " sizes") + ", expected " + std::to_string(spatial_rank));
    return false;
  }
  for (std::int64_t s : output_size) {
    if (s < 0) {
      fail(op, "output_size " + sizes_string(output_size) + " has a negative size");
      return false;
    }
  }
  return true;
}

inline bool check_out_channels(const char* op, std::int64_t out_channels) {
  if (out_channels >= 0) return true;
  fail(op, "out_channels is " + std::to_string(out_channels) + ", expected 0 or more");
  return false;
}

// A new tensor of `sizes` with x's dtype (or `dtype`) and device, in x's
// suggested memory format, as ATen allocates the results of its pooling operators.
inline ::at::Tensor empty_like_format(const ::at::Tensor& x, ::c10::IntArrayRef sizes) {
  return ::at::empty(sizes, x.options(), x.suggest_memory_format());
}
inline ::at::Tensor empty_like_format(const ::at::Tensor& x, ::c10::IntArrayRef sizes, ::at::ScalarType dtype) {
  return ::at::empty(sizes, x.options().dtype(dtype), x.suggest_memory_format());
}

inline std::vector<std::int64_t> replaced_sizes(const ::at::Tensor& x, std::size_t first_axis,
                                                ::c10::IntArrayRef sizes) {
  std::vector<std::int64_t> result(x.sizes().begin(), x.sizes().end());
  for (std::size_t k = 0; k < sizes.size(); ++k) result[first_axis + k] = sizes[k];
  return result;
}

inline std::vector<std::int64_t> global_sizes(const ::at::Tensor& x) {
  std::vector<std::int64_t> result(x.sizes().begin(), x.sizes().end());
  for (std::size_t axis = 2; axis < result.size(); ++axis) result[axis] = 1;
  return result;
}

// The checks every forward tensor form starts with.
template <class Types>
bool check_input(const char* op, const ::at::Tensor& x, std::size_t rank, Types types) {
  return check_tensor(op, x, "input") && check_dtype(op, x, "input", types) &&
         (rank == 0 ? check_any_rank(op, x, "input") : check_rank(op, x, "input", rank));
}

// A forward operation with one output: checks, allocates `sizes`, and calls
// body(input view, output view) with views of x's element type.
template <std::size_t Rank, class Types, class Body>
::at::Tensor pool_one(const ::at::Tensor& x, const std::vector<std::int64_t>& sizes, Types types, const Body& body) {
  ::at::Tensor out = empty_like_format(x, sizes);
  visit_dtype(
      x,
      [&](auto tag) {
        using T = typename decltype(tag)::type;
        body(unchecked_view<const T, Rank>(x), unchecked_view<T, Rank>(out));
        return 0;
      },
      types);
  return out;
}

// Max with indices: values in x's dtype, indices int64, both in x's format.
template <std::size_t Rank, class Types, class Body>
std::tuple<::at::Tensor, ::at::Tensor> pool_with_indices(const ::at::Tensor& x, const std::vector<std::int64_t>& sizes,
                                                         Types types, const Body& body) {
  ::at::Tensor out = empty_like_format(x, sizes);
  ::at::Tensor indices = empty_like_format(x, sizes, ::at::kLong);
  visit_dtype(
      x,
      [&](auto tag) {
        using T = typename decltype(tag)::type;
        body(unchecked_view<const T, Rank>(x), unchecked_view<T, Rank>(out),
             unchecked_view<std::int64_t, Rank>(indices));
        return 0;
      },
      types);
  return {out, indices};
}

template <class Arch, std::size_t Rank>
::at::Tensor adaptive_avg(const char* op, const ::at::Tensor& x, ::c10::IntArrayRef output_size) {
  if (!check_input(op, x, Rank, all_types{}) || !check_output_size(op, output_size, Rank - 2)) return {};
  return pool_one<Rank>(x, replaced_sizes(x, 2, output_size), all_types{}, [](const auto& in, const auto& out) {
    if constexpr (Rank == 3) adapool::adaptive_avg_pool1d<Arch>(in, out);
    if constexpr (Rank == 4) adapool::adaptive_avg_pool2d<Arch>(in, out);
    if constexpr (Rank == 5) adapool::adaptive_avg_pool3d<Arch>(in, out);
  });
}

template <class Arch, std::size_t Rank>
std::tuple<::at::Tensor, ::at::Tensor> adaptive_max(const char* op, const ::at::Tensor& x,
                                                    ::c10::IntArrayRef output_size) {
  if (!check_input(op, x, Rank, all_types{}) || !check_output_size(op, output_size, Rank - 2)) return {};
  return pool_with_indices<Rank>(x, replaced_sizes(x, 2, output_size), all_types{},
                                 [](const auto& in, const auto& out, const auto& indices) {
                                   if constexpr (Rank == 3) adapool::adaptive_max_pool1d<Arch>(in, out, indices);
                                   if constexpr (Rank == 4) adapool::adaptive_max_pool2d<Arch>(in, out, indices);
                                   if constexpr (Rank == 5) adapool::adaptive_max_pool3d<Arch>(in, out, indices);
                                 });
}

template <class Arch, std::size_t Rank>
::at::Tensor adaptive_power(const char* op, const ::at::Tensor& x, ::c10::IntArrayRef output_size, double p, double eps,
                            bool gem) {
  if (!check_input(op, x, Rank, float_types{}) || !check_output_size(op, output_size, Rank - 2)) return {};
  return pool_one<Rank>(x, replaced_sizes(x, 2, output_size), float_types{}, [&](const auto& in, const auto& out) {
    // The core's own names, so that its messages about p and eps name this function.
    if (gem) {
      if constexpr (Rank == 3) adapool::adaptive_gem_pool1d<Arch>(in, out, p, eps);
      if constexpr (Rank == 4) adapool::adaptive_gem_pool2d<Arch>(in, out, p, eps);
      if constexpr (Rank == 5) adapool::adaptive_gem_pool3d<Arch>(in, out, p, eps);
    } else {
      if constexpr (Rank == 3) adapool::adaptive_lp_pool1d<Arch>(in, out, p);
      if constexpr (Rank == 4) adapool::adaptive_lp_pool2d<Arch>(in, out, p);
      if constexpr (Rank == 5) adapool::adaptive_lp_pool3d<Arch>(in, out, p);
    }
  });
}

// The checks of a backward tensor form: grad_out of a float type and `rank`
// (any of 3 to 5 for rank 0), input of the same dtype and rank, and indices
// int64 of the same rank. The input's values are never read.
inline bool check_backward(const char* op, const ::at::Tensor& grad_out, const ::at::Tensor& input,
                           const ::at::Tensor* indices, std::size_t rank) {
  if (!check_tensor(op, grad_out, "grad_out") || !check_dtype(op, grad_out, "grad_out", float_types{}) ||
      !(rank == 0 ? check_any_rank(op, grad_out, "grad_out") : check_rank(op, grad_out, "grad_out", rank))) {
    return false;
  }
  const auto grad_rank = static_cast<std::size_t>(grad_out.dim());
  if (!check_tensor(op, input, "input") || !check_same_dtype(op, input, "input", grad_out, "grad_out") ||
      !check_rank(op, input, "input", grad_rank)) {
    return false;
  }
  return !indices ||
         (check_tensor(op, *indices, "indices") && check_dtype(op, *indices, "indices", type_list<std::int64_t>{}) &&
          check_rank(op, *indices, "indices", grad_rank));
}

// grad_in shaped, typed and formatted as the forward's input, as ATen's
// backward operators allocate it. Calls body(grad_out view, grad_in view), or
// body(grad_out view, indices view, grad_in view) for a max; Rank 0 stands for
// grad_out's rank, 3 to 5.
template <std::size_t Rank, bool WithIndices, class Body>
::at::Tensor backward_into_new(const ::at::Tensor& grad_out, const ::at::Tensor& input, const ::at::Tensor* indices,
                               const Body& body) {
  ::at::Tensor grad_in = empty_like_format(input, input.sizes());
  const auto run = [&](auto rank) {
    constexpr std::size_t r = decltype(rank)::value;
    return visit_dtype(
        grad_out,
        [&](auto tag) {
          using T = typename decltype(tag)::type;
          if constexpr (WithIndices) {
            body(unchecked_view<const T, r>(grad_out), unchecked_view<const std::int64_t, r>(*indices),
                 unchecked_view<T, r>(grad_in));
          } else {
            body(unchecked_view<const T, r>(grad_out), unchecked_view<T, r>(grad_in));
          }
          return 0;
        },
        float_types{});
  };
  if constexpr (Rank == 0) {
    visit_rank(grad_out, run);
  } else {
    run(std::integral_constant<std::size_t, Rank>{});
  }
  return grad_in;
}

}  // namespace detail

// ---------------------------------------------------------------- views

/// A read-only view of a CPU tensor's memory, no copy: sizes and strides as the
/// tensor has them (any strides: channels-last, sliced, transposed, expanded
/// with stride 0), indexed (n, c, spatial...). `T` is the adapool element type
/// of the tensor's dtype: float (Float), double (Double), adapool::float16
/// (Half), adapool::bfloat16 (BFloat16), std::int8_t (Char), std::uint8_t
/// (Byte) or std::int64_t (Long); `Rank` is 3 (N, C, L), 4 (N, C, H, W) or 5
/// (N, C, D, H, W). Throws adapool::error naming `name` for an undefined
/// tensor, one not on the CPU, not strided (sparse) or with its negative bit
/// set, another dtype or another number of dimensions, for example
/// `adapool::torch::view: input has dtype Half, expected Float`. The tensor's
/// storage must outlive the view.
template <class T, std::size_t Rank>
tensor_view<const T, Rank, strided> view(const ::at::Tensor& t, const char* name = "input") {
  return detail::checked_view<const T, Rank>("adapool::torch::view", t, name);
}

/// A writable view of a CPU tensor's memory, with the checks of view(). The
/// core operations reject a view that would write an element twice (an
/// expanded tensor) or overlap their input. Writes through the view are not
/// seen by autograd's version counter.
template <class T, std::size_t Rank>
tensor_view<T, Rank, strided> mutable_view(const ::at::Tensor& t, const char* name = "output") {
  return detail::checked_view<T, Rank>("adapool::torch::mutable_view", t, name);
}

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
