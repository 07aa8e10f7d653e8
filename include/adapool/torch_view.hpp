// SPDX-License-Identifier: MIT
#pragma once

// Views of libtorch tensors (1.13 or later): adapool::torch::view<T, Rank>(t)
// and mutable_view<T, Rank>(t) give a strided tensor_view over a CPU tensor's
// memory, no copy, with the tensor's own sizes and strides (channels-last,
// sliced, transposed and expanded tensors included). <adapool/torch.hpp>
// includes it and adds the tensor forms of every operation.

#include <ATen/core/Tensor.h>
#include <c10/core/ScalarType.h>
#include <c10/util/ArrayRef.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <type_traits>

#include "element_types.hpp"
#include "error.hpp"
#include "layout.hpp"
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

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::torch
