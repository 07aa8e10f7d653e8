// SPDX-License-Identifier: MIT
#pragma once

// How a tensor form runs its adapool operation: check the tensors, allocate
// the results in the input's memory format, and call the operation on views
// of the element type the dtype names.

#include <ATen/core/Tensor.h>
#include <ATen/ops/empty.h>
#include <c10/core/ScalarType.h>
#include <c10/util/ArrayRef.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "../adaptive_pool.hpp"
#include "../power_pool.hpp"
#include "../simd/target.hpp"
#include "../torch_view.hpp"

namespace adapool::torch {
inline namespace ADAPOOL_TARGET_NAMESPACE {

namespace detail {

// What each core operation takes: average and max pooling (adaptive, global,
// channel) every element type; the fused, power-mean and backward operations
// float and double.
using all_types = type_list<float, double, float16, bfloat16, std::int8_t, std::uint8_t>;
using float_types = type_list<float, double>;

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

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::torch
