// SPDX-License-Identifier: MIT
#pragma once

// How an Eigen twin calls its adapool operation: each Eigen argument becomes
// a view, and an allocated result comes back as Eigen tensors.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <type_traits>
#include <unsupported/Eigen/CXX11/Tensor>
#include <utility>

#include "../eigen_view.hpp"
#include "../simd/target.hpp"
#include "../tensor.hpp"
#include "../tensor_view.hpp"
#include "view5d.hpp"

namespace adapool::eigen {
inline namespace ADAPOOL_TARGET_NAMESPACE {

namespace detail {

template <class X>
struct is_eigen : std::false_type {};
template <class Scalar, int Rank, int Options, class Index>
struct is_eigen<Eigen::Tensor<Scalar, Rank, Options, Index>> : std::true_type {};
template <class Plain, int MapOptions>
struct is_eigen<Eigen::TensorMap<Plain, MapOptions>> : std::true_type {};

// The pyramid's outputs: a std::array of Eigen tensors becomes a std::array of views.
template <class X>
struct is_eigen_array : std::false_type {};
template <class E, std::size_t Levels>
struct is_eigen_array<std::array<E, Levels>> : is_eigen<E> {};

template <class X>
using plain_t = std::remove_cv_t<std::remove_reference_t<X>>;

template <class Order, class Array, std::size_t... Level>
auto views_of(Array& tensors, std::index_sequence<Level...> /*levels*/) {
  using view_type = decltype(view<Order>(tensors[0]));
  return std::array<view_type, sizeof...(Level)>{view<Order>(tensors[Level])...};
}

// One argument of a twin, as the core operation takes it. A temporary Eigen
// tensor is viewed read-only, so passing one as an output does not compile.
template <class Order, class X>
decltype(auto) as_argument(X&& x) {
  using plain = plain_t<X>;
  if constexpr (is_eigen<plain>::value) {
    if constexpr (std::is_lvalue_reference_v<X>) {
      return view<Order>(x);
    } else {
      return view<Order>(std::as_const(x));
    }
  } else if constexpr (is_eigen_array<plain>::value) {
    return views_of<Order>(x, std::make_index_sequence<std::tuple_size_v<plain>>{});
  } else {
    return std::forward<X>(x);
  }
}

// Storage order of the first Eigen argument: 1 RowMajor, 0 ColMajor, -1 none.
template <class X>
constexpr int storage_of() {
  using plain = plain_t<X>;
  if constexpr (is_eigen<plain>::value) {
    return static_cast<int>(row_major<plain>);
  } else if constexpr (is_eigen_array<plain>::value) {
    return static_cast<int>(row_major<typename plain::value_type>);
  } else {
    return -1;
  }
}
template <class... Args>
constexpr int first_storage() {
  for (int storage : {storage_of<Args>()..., -1}) {
    if (storage >= 0) return storage;
  }
  return -1;
}

// Element-wise copy in logical order; one block copy when the memory orders agree.
template <class TIn, class TOut, std::size_t Rank, class LIn, class LOut>
void copy_elements(const tensor_view<TIn, Rank, LIn>& from, const tensor_view<TOut, Rank, LOut>& to) {
  if (from.empty()) return;
  if (from.strides() == to.strides() && std::is_same_v<LIn, contiguous>) {
    std::copy_n(from.data(), from.size(), to.data());
    return;
  }
  const auto src = adapool::detail::to_5d(from);
  const auto dst = adapool::detail::to_5d(to);
  for (std::int64_t n = 0; n < src.n; ++n)
    for (std::int64_t c = 0; c < src.c; ++c)
      for (std::int64_t d = 0; d < src.d; ++d)
        for (std::int64_t h = 0; h < src.h; ++h)
          for (std::int64_t w = 0; w < src.w; ++w) *dst.at(n, c, d, h, w) = *src.at(n, c, d, h, w);
}

// An allocating operation's adapool tensor as an Eigen tensor indexed in `Order`.
template <class Order, bool RowMajor, class T, std::size_t Rank, class Layout>
auto to_eigen(const tensor<T, Rank, Layout>& t) {
  Eigen::Tensor<eigen_scalar_t<T>, static_cast<int>(Rank), RowMajor ? Eigen::RowMajor : Eigen::ColMajor, Eigen::Index>
      result;
  Eigen::DSizes<Eigen::Index, static_cast<int>(Rank)> dims;
  for (std::size_t k = 0; k < Rank; ++k) dims[eigen_index<Order, Rank>(k)] = static_cast<Eigen::Index>(t.extent(k));
  result.resize(dims);
  copy_elements(t.view(), view<Order>(result));
  return result;
}
template <class Order, bool RowMajor, class T, std::size_t Rank, class Layout>
auto to_eigen(const adapool::values_and_indices<T, Rank, Layout>& r) {
  auto values = to_eigen<Order, RowMajor>(r.values);
  auto indices = to_eigen<Order, RowMajor>(r.indices);
  return eigen::values_and_indices<decltype(values), decltype(indices)>{std::move(values), std::move(indices)};
}
template <class Order, bool RowMajor, class T, std::size_t Rank, class Layout, std::size_t Levels>
auto to_eigen(const std::array<tensor<T, Rank, Layout>, Levels>& levels) {
  std::array<decltype(to_eigen<Order, RowMajor>(levels[0])), Levels> result;
  for (std::size_t k = 0; k < Levels; ++k) result[k] = to_eigen<Order, RowMajor>(levels[k]);
  return result;
}

// The one mechanism behind every twin: convert the arguments, call the core
// operation `op`, and return its result, as Eigen tensors when it allocated one
// and any argument was an Eigen tensor.
template <class Order, class Op, class... Args>
auto call(const Op& op, Args&&... args) {
  using result_type = decltype(op(as_argument<Order>(std::forward<Args>(args))...));
  constexpr int storage = first_storage<Args...>();
  if constexpr (std::is_void_v<result_type>) {
    op(as_argument<Order>(std::forward<Args>(args))...);
  } else if constexpr (storage < 0) {
    return op(as_argument<Order>(std::forward<Args>(args))...);
  } else {
    return to_eigen<Order, storage == 1>(op(as_argument<Order>(std::forward<Args>(args))...));
  }
}

}  // namespace detail

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::eigen
