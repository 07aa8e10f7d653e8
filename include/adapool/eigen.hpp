// SPDX-License-Identifier: MIT
#pragma once

// Optional interop with Eigen's Tensor module (Eigen 3.3 or later). Include it
// beside <adapool/adapool.hpp>, which never includes it, so adapool itself does
// not depend on Eigen.
//
// An Eigen tensor has no notion of N, C or H; its indices are just positions.
// An *index order* tag says which Eigen index holds which adapool axis. Names
// are written for rank 4; rank 3 has L where H, W are, rank 5 has D, H, W:
//
//   order            Eigen indices   RowMajor memory        ColMajor memory
//   nchw (default)   (n, c, h, w)    NCHW: contiguous       strided
//   nhwc             (n, h, w, c)    NHWC: channels_last    strided
//   whcn             (w, h, c, n)    strided                NCHW: contiguous
//   cwhn             (c, w, h, n)    strided                NHWC: channels_last
//
// A ColMajor tensor keeps its FIRST index fastest, so ColMajor with the indices
// reversed is the same memory as RowMajor: whcn and cwhn are what a ColMajor
// user declares to hold NCHW or NHWC data. Every combination gives a correct
// view; the view's layout type is `contiguous` or `channels_last` when the
// memory is, and `strided` otherwise. Operations pick their loops from the
// actual strides, so a strided view is fast when its channels or its planes
// happen to be contiguous, and correct (but a gather) when neither is, as for a
// ColMajor tensor indexed (n, c, h, w) with a batch of more than one.
//
// Every operation also has a twin in this namespace that takes Eigen tensors
// and maps directly: adapool::eigen::adaptive_max_pool2d(x, out, indices),
// adapool::eigen::global_avg_pool(x), ... Each Eigen argument becomes view<Order>
// of itself (Order is the twin's first template argument, nchw by default; Arch
// its second); any other argument (adapool views, sizes) is passed on as is.
// The core operation then checks everything and reports errors as usual. An
// allocating twin returns Eigen tensors in the first Eigen argument's storage
// order and the same index order, so that the result reads like the input.
//
// Eigen::half and Eigen::bfloat16 tensors are viewed as adapool::float16 and
// adapool::bfloat16 (the same bits), and results in those types come back as
// Eigen::half and Eigen::bfloat16 tensors.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <type_traits>
#include <unsupported/Eigen/CXX11/Tensor>
#include <utility>

#include "adaptive_pool.hpp"
#include "backward.hpp"
#include "channel_pool.hpp"
#include "detail/view5d.hpp"
#include "element_types.hpp"
#include "global_pool.hpp"
#include "layout.hpp"
#include "power_pool.hpp"
#include "simd/arch.hpp"
#include "simd/target.hpp"
#include "tensor.hpp"
#include "tensor_view.hpp"

/// \namespace adapool::eigen
/// Views of Eigen tensors (view(), tensor_map()) and a twin of every operation
/// that takes and returns Eigen tensors; index orders say which Eigen index
/// holds which axis. Only with `<adapool/eigen.hpp>` (Eigen 3.3 or later).
namespace adapool::eigen {
inline namespace ADAPOOL_TARGET_NAMESPACE {

/// Eigen indices (n, c, spatial...): PyTorch's order. The default.
struct nchw {};
/// Eigen indices (n, spatial..., c): TensorFlow's order.
struct nhwc {};
/// Eigen indices (spatial reversed..., c, n): nchw reversed, NCHW memory when ColMajor.
struct whcn {};
/// Eigen indices (c, spatial reversed..., n): nhwc reversed, NHWC memory when ColMajor.
struct cwhn {};

namespace detail {

// Which Eigen index holds adapool's logical axis k (n, c, spatial...).
template <class Order, std::size_t Rank>
constexpr std::size_t eigen_index(std::size_t k) {
  const std::size_t last = Rank - 1;
  const std::size_t s = k - 2;  // spatial axis number, for k >= 2
  if constexpr (std::is_same_v<Order, nchw>) {
    return k;
  } else if constexpr (std::is_same_v<Order, nhwc>) {
    return k == 0 ? 0 : k == 1 ? last : 1 + s;
  } else if constexpr (std::is_same_v<Order, whcn>) {
    return k == 0 ? last : k == 1 ? last - 1 : last - 2 - s;
  } else {
    static_assert(std::is_same_v<Order, cwhn>, "adapool::eigen: the order is nchw, nhwc, whcn or cwhn");
    return k == 0 ? last : k == 1 ? 0 : last - 1 - s;
  }
}

// The layout an Eigen tensor's memory has when read in `Order`.
template <class Order, bool RowMajor>
using layout_for = std::conditional_t<
    (RowMajor && std::is_same_v<Order, nchw>) || (!RowMajor && std::is_same_v<Order, whcn>), contiguous,
    std::conditional_t<(RowMajor && std::is_same_v<Order, nhwc>) || (!RowMajor && std::is_same_v<Order, cwhn>),
                       channels_last, strided>>;

// Eigen's 16-bit floats have the bits of adapool's: binary16 and the top half
// of a float. Their tensors are viewed as adapool::float16 and
// adapool::bfloat16, and adapool's results in those types come back as
// Eigen's, so an Eigen::half model calls the same operations as a float one.
template <class T>
struct adapool_scalar {
  using type = T;
};
template <>
struct adapool_scalar<Eigen::half> {
  using type = float16;
};
template <>
struct adapool_scalar<Eigen::bfloat16> {
  using type = bfloat16;
};
template <class T>
struct adapool_scalar<const T> {
  using type = const typename adapool_scalar<T>::type;
};
template <class T>
using adapool_scalar_t = typename adapool_scalar<T>::type;

template <class T>
struct eigen_scalar {
  using type = T;
};
template <>
struct eigen_scalar<float16> {
  using type = Eigen::half;
};
template <>
struct eigen_scalar<bfloat16> {
  using type = Eigen::bfloat16;
};
template <class T>
struct eigen_scalar<const T> {
  using type = const typename eigen_scalar<T>::type;
};
template <class T>
using eigen_scalar_t = typename eigen_scalar<T>::type;

static_assert(sizeof(Eigen::half) == sizeof(float16) && alignof(Eigen::half) == alignof(float16) &&
                  sizeof(Eigen::bfloat16) == sizeof(bfloat16) && alignof(Eigen::bfloat16) == alignof(bfloat16),
              "Eigen's 16-bit floats are 16 bits, as adapool's are");

template <class Order, bool RowMajor, std::size_t Rank, class T, class Dimensions>
tensor_view<adapool_scalar_t<T>, Rank, layout_for<Order, RowMajor>> make(T* data_in, const Dimensions& dims) {
  // The same bits under adapool's name for the type (a no-op but for Eigen's 16-bit floats).
  auto* data = reinterpret_cast<adapool_scalar_t<T>*>(data_in);
  static_assert(Rank >= 3 && Rank <= 5, "adapool::eigen: tensors of rank 3, 4 or 5 (N, C and 1 to 3 spatial axes)");
  std::array<std::int64_t, Rank> eigen_strides{};
  std::int64_t step = 1;
  for (std::size_t i = 0; i < Rank; ++i) {
    const std::size_t axis = RowMajor ? Rank - 1 - i : i;  // fastest index first
    eigen_strides[axis] = step;
    step *= static_cast<std::int64_t>(dims[axis]);
  }
  std::array<std::int64_t, Rank> shape{}, strides{};
  for (std::size_t k = 0; k < Rank; ++k) {
    shape[k] = static_cast<std::int64_t>(dims[eigen_index<Order, Rank>(k)]);
    strides[k] = eigen_strides[eigen_index<Order, Rank>(k)];
  }
  if constexpr (std::is_same_v<layout_for<Order, RowMajor>, strided>) {
    return {data, shape, strides};
  } else {
    return {data, shape};  // the layout's own strides, equal to Eigen's
  }
}

template <class Tensor>
inline constexpr bool row_major = (static_cast<int>(Tensor::Layout) == static_cast<int>(Eigen::RowMajor));

}  // namespace detail

/// A writable view of an Eigen tensor, indexed as `Order` says (default: the
/// tensor is indexed (n, c, spatial...)). For example, for
/// `Eigen::Tensor<float, 4, Eigen::RowMajor> x(n, c, h, w)`, `view(x)` is a
/// contiguous NCHW view. The tensor must outlive the view and keep its size.
template <class Order = nchw, class Scalar, int Rank, int Options, class Index>
auto view(Eigen::Tensor<Scalar, Rank, Options, Index>& t) {
  using tensor_type = Eigen::Tensor<Scalar, Rank, Options, Index>;
  return detail::make<Order, detail::row_major<tensor_type>, Rank>(t.data(), t.dimensions());
}

/// A read-only view of an Eigen tensor.
template <class Order = nchw, class Scalar, int Rank, int Options, class Index>
auto view(const Eigen::Tensor<Scalar, Rank, Options, Index>& t) {
  using tensor_type = Eigen::Tensor<Scalar, Rank, Options, Index>;
  return detail::make<Order, detail::row_major<tensor_type>, Rank>(t.data(), t.dimensions());
}

/// A view of a temporary tensor would dangle.
template <class Order = nchw, class Scalar, int Rank, int Options, class Index>
void view(const Eigen::Tensor<Scalar, Rank, Options, Index>&& t) = delete;

/// A view of the memory an Eigen::TensorMap points to; writable unless the map
/// is over a `const` tensor type.
template <class Order = nchw, class Plain, int MapOptions>
auto view(const Eigen::TensorMap<Plain, MapOptions>& map) {
  using map_type = Eigen::TensorMap<Plain, MapOptions>;
  constexpr auto rank = static_cast<std::size_t>(map_type::NumIndices);
  return detail::make<Order, detail::row_major<map_type>, rank>(map.data(), map.dimensions());
}

/// The other way: an Eigen::TensorMap over a contiguous or channels-last view,
/// indexed (n, c, spatial...) for a contiguous view and (n, spatial..., c) for a
/// channels-last one, RowMajor. With `Order` = whcn (contiguous) or cwhn
/// (channels-last) it is the ColMajor map of the same memory. Strided views have
/// no dense Eigen equivalent.
template <class Order = void, class T, std::size_t Rank, class Layout>
auto map(const tensor_view<T, Rank, Layout>& v) {
  static_assert(!std::is_same_v<Layout, strided>, "adapool::eigen::map: Eigen maps need dense memory, not strides");
  using natural = std::conditional_t<std::is_same_v<Layout, contiguous>, nchw, nhwc>;
  using order = std::conditional_t<std::is_void_v<Order>, natural, Order>;
  constexpr bool is_row_major = std::is_same_v<order, natural>;
  static_assert(std::is_same_v<detail::layout_for<order, is_row_major>, Layout>,
                "adapool::eigen::map: this order does not describe the view's memory");
  using plain = Eigen::Tensor<detail::eigen_scalar_t<std::remove_const_t<T>>, static_cast<int>(Rank),
                              is_row_major ? Eigen::RowMajor : Eigen::ColMajor, Eigen::Index>;
  Eigen::DSizes<Eigen::Index, static_cast<int>(Rank)> dims;
  for (std::size_t k = 0; k < Rank; ++k)
    dims[detail::eigen_index<order, Rank>(k)] = static_cast<Eigen::Index>(v.extent(k));
  using scalar = typename plain::Scalar;
  return Eigen::TensorMap<std::conditional_t<std::is_const_v<T>, const plain, plain>>(
      reinterpret_cast<std::conditional_t<std::is_const_v<T>, const scalar, scalar>*>(v.data()), dims);
}

/// What the allocating `*_with_indices` twins return: Eigen tensors of the
/// values and of their int64_t indices, for `auto [values, indices] = ...`.
template <class Values, class Indices>
struct values_and_indices {
  Values values;    ///< The pooled maxima.
  Indices indices;  ///< Where each maximum is, as adapool::values_and_indices::indices says.
};

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

// The twins. Each takes the same arguments as the adapool operation of its
// name, with Eigen tensors or maps wherever a view goes (see the top of this
// file); the forms with an output size are spelled out so that `{2, 3}` works.

// ---------------------------------------------------------------- adaptive pooling

/// Eigen twin of adapool::adaptive_avg_pool1d(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::adaptive_avg_pool1d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_avg_pool1d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool1d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_avg_pool1d(): pools `in` (an Eigen tensor or map
/// indexed as `Order` says) to `output_size`, written as braces (`{2, 3}`), and
/// returns an Eigen tensor in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_avg_pool1d(In&& in, const std::array<std::int64_t, 1>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool1d<Arch>(v...); }, std::forward<In>(in),
                             output_size);
}

/// Eigen twin of adapool::adaptive_max_pool1d(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::adaptive_max_pool1d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_max_pool1d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool1d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_max_pool1d(): pools `in` (an Eigen tensor or map
/// indexed as `Order` says) to `output_size`, written as braces (`{2, 3}`), and
/// returns an Eigen tensor in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_max_pool1d(In&& in, const std::array<std::int64_t, 1>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool1d<Arch>(v...); }, std::forward<In>(in),
                             output_size);
}
/// Allocating Eigen twin of adapool::adaptive_max_pool1d_with_indices(): pools `in` (an Eigen tensor or map
/// indexed as `Order` says) to `output_size` and returns an eigen::values_and_indices
/// of Eigen tensors in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_max_pool1d_with_indices(In&& in, const std::array<std::int64_t, 1>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool1d_with_indices<Arch>(v...); },
                             std::forward<In>(in), output_size);
}

/// Eigen twin of adapool::adaptive_avg_pool2d(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::adaptive_avg_pool2d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_avg_pool2d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool2d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_avg_pool2d(): pools `in` (an Eigen tensor or map
/// indexed as `Order` says) to `output_size`, written as braces (`{2, 3}`), and
/// returns an Eigen tensor in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_avg_pool2d(In&& in, const std::array<std::int64_t, 2>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool2d<Arch>(v...); }, std::forward<In>(in),
                             output_size);
}

/// Eigen twin of adapool::adaptive_max_pool2d(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::adaptive_max_pool2d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_max_pool2d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool2d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_max_pool2d(): pools `in` (an Eigen tensor or map
/// indexed as `Order` says) to `output_size`, written as braces (`{2, 3}`), and
/// returns an Eigen tensor in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_max_pool2d(In&& in, const std::array<std::int64_t, 2>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool2d<Arch>(v...); }, std::forward<In>(in),
                             output_size);
}
/// Allocating Eigen twin of adapool::adaptive_max_pool2d_with_indices(): pools `in` (an Eigen tensor or map
/// indexed as `Order` says) to `output_size` and returns an eigen::values_and_indices
/// of Eigen tensors in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_max_pool2d_with_indices(In&& in, const std::array<std::int64_t, 2>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool2d_with_indices<Arch>(v...); },
                             std::forward<In>(in), output_size);
}

/// Eigen twin of adapool::adaptive_avg_pool3d(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::adaptive_avg_pool3d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_avg_pool3d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool3d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_avg_pool3d(): pools `in` (an Eigen tensor or map
/// indexed as `Order` says) to `output_size`, written as braces (`{2, 3}`), and
/// returns an Eigen tensor in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_avg_pool3d(In&& in, const std::array<std::int64_t, 3>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool3d<Arch>(v...); }, std::forward<In>(in),
                             output_size);
}

/// Eigen twin of adapool::adaptive_max_pool3d(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::adaptive_max_pool3d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_max_pool3d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool3d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_max_pool3d(): pools `in` (an Eigen tensor or map
/// indexed as `Order` says) to `output_size`, written as braces (`{2, 3}`), and
/// returns an Eigen tensor in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_max_pool3d(In&& in, const std::array<std::int64_t, 3>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool3d<Arch>(v...); }, std::forward<In>(in),
                             output_size);
}
/// Allocating Eigen twin of adapool::adaptive_max_pool3d_with_indices(): pools `in` (an Eigen tensor or map
/// indexed as `Order` says) to `output_size` and returns an eigen::values_and_indices
/// of Eigen tensors in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_max_pool3d_with_indices(In&& in, const std::array<std::int64_t, 3>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool3d_with_indices<Arch>(v...); },
                             std::forward<In>(in), output_size);
}

// ---------------------------------------------------------------- fused and pyramid

/// Eigen twin of adapool::adaptive_avg_max_pool2d(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::adaptive_avg_max_pool2d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_avg_max_pool2d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_max_pool2d<Arch>(v...); },
                             std::forward<Args>(args)...);
}

/// N x 2C x `output_size`: channels [0, C) the max, [C, 2C) the average.
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_concat_pool2d(In&& in, const std::array<std::int64_t, 2>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_concat_pool2d<Arch>(v...); },
                             std::forward<In>(in), output_size);
}

/// Outputs as a std::array of Eigen tensors (or of maps), or bins as `{1, 2, 3, 6}`.
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_avg_pool2d_pyramid(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool2d_pyramid<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_avg_pool2d_pyramid() with square levels of `bins[k] x bins[k]`,
/// e.g. `adaptive_avg_pool2d_pyramid(x, {1, 2, 3, 6})`: returns a std::array of Eigen
/// tensors in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In, std::size_t Levels>
auto adaptive_avg_pool2d_pyramid(In&& in, const std::int64_t (&bins)[Levels]) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool2d_pyramid<Arch>(v...); },
                             std::forward<In>(in), bins);
}

// ---------------------------------------------------------------- global and channel pooling

/// Eigen twin of adapool::global_avg_pool(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::global_avg_pool().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto global_avg_pool(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::global_avg_pool<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Eigen twin of adapool::global_max_pool(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::global_max_pool().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto global_max_pool(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::global_max_pool<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Eigen twin of adapool::global_max_pool_with_indices(): takes an Eigen tensor or map indexed as `Order`
/// says, returns an eigen::values_and_indices of Eigen tensors in its storage
/// order and index order. Errors as for adapool::global_max_pool_with_indices().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto global_max_pool_with_indices(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::global_max_pool_with_indices<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Eigen twin of adapool::channel_avg_pool(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::channel_avg_pool().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto channel_avg_pool(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::channel_avg_pool<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Eigen twin of adapool::channel_max_pool(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::channel_max_pool().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto channel_max_pool(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::channel_max_pool<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Eigen twin of adapool::channel_max_pool_with_indices(): takes an Eigen tensor or map indexed as `Order`
/// says, returns an eigen::values_and_indices of Eigen tensors in its storage
/// order and index order. Errors as for adapool::channel_max_pool_with_indices().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto channel_max_pool_with_indices(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::channel_max_pool_with_indices<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Eigen twin of adapool::channel_max_avg_pool(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::channel_max_avg_pool().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto channel_max_avg_pool(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::channel_max_avg_pool<Arch>(v...); },
                             std::forward<Args>(args)...);
}

// ---------------------------------------------------------------- GeM and LP pooling

// The power arguments (p, eps) follow the output, as in the operations.
/// Eigen twin of adapool::adaptive_gem_pool1d(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::adaptive_gem_pool1d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_gem_pool1d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_gem_pool1d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_gem_pool1d(): `output_size` in braces (`{l}`),
/// then the power arguments `rest` (p, and eps for GeM) as adapool::adaptive_gem_pool1d() takes them;
/// returns an Eigen tensor in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In, class... Rest>
auto adaptive_gem_pool1d(In&& in, const std::array<std::int64_t, 1>& output_size, Rest&&... rest) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_gem_pool1d<Arch>(v...); }, std::forward<In>(in),
                             output_size, std::forward<Rest>(rest)...);
}

/// Eigen twin of adapool::adaptive_gem_pool2d(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::adaptive_gem_pool2d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_gem_pool2d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_gem_pool2d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_gem_pool2d(): `output_size` in braces (`{h, w}`),
/// then the power arguments `rest` (p, and eps for GeM) as adapool::adaptive_gem_pool2d() takes them;
/// returns an Eigen tensor in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In, class... Rest>
auto adaptive_gem_pool2d(In&& in, const std::array<std::int64_t, 2>& output_size, Rest&&... rest) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_gem_pool2d<Arch>(v...); }, std::forward<In>(in),
                             output_size, std::forward<Rest>(rest)...);
}

/// Eigen twin of adapool::adaptive_gem_pool3d(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::adaptive_gem_pool3d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_gem_pool3d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_gem_pool3d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_gem_pool3d(): `output_size` in braces (`{d, h, w}`),
/// then the power arguments `rest` (p, and eps for GeM) as adapool::adaptive_gem_pool3d() takes them;
/// returns an Eigen tensor in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In, class... Rest>
auto adaptive_gem_pool3d(In&& in, const std::array<std::int64_t, 3>& output_size, Rest&&... rest) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_gem_pool3d<Arch>(v...); }, std::forward<In>(in),
                             output_size, std::forward<Rest>(rest)...);
}

/// Eigen twin of adapool::adaptive_lp_pool1d(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::adaptive_lp_pool1d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_lp_pool1d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_lp_pool1d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_lp_pool1d(): `output_size` in braces (`{l}`),
/// then the power arguments `rest` (p, and eps for GeM) as adapool::adaptive_lp_pool1d() takes them;
/// returns an Eigen tensor in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In, class... Rest>
auto adaptive_lp_pool1d(In&& in, const std::array<std::int64_t, 1>& output_size, Rest&&... rest) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_lp_pool1d<Arch>(v...); }, std::forward<In>(in),
                             output_size, std::forward<Rest>(rest)...);
}

/// Eigen twin of adapool::adaptive_lp_pool2d(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::adaptive_lp_pool2d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_lp_pool2d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_lp_pool2d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_lp_pool2d(): `output_size` in braces (`{h, w}`),
/// then the power arguments `rest` (p, and eps for GeM) as adapool::adaptive_lp_pool2d() takes them;
/// returns an Eigen tensor in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In, class... Rest>
auto adaptive_lp_pool2d(In&& in, const std::array<std::int64_t, 2>& output_size, Rest&&... rest) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_lp_pool2d<Arch>(v...); }, std::forward<In>(in),
                             output_size, std::forward<Rest>(rest)...);
}

/// Eigen twin of adapool::adaptive_lp_pool3d(): the same arguments, each view replaced by an
/// Eigen tensor or map indexed as `Order` says (adapool views pass through).
/// Writes the outputs given, or returns Eigen tensors in the first Eigen
/// argument's storage order and index order. Errors as for adapool::adaptive_lp_pool3d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_lp_pool3d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_lp_pool3d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_lp_pool3d(): `output_size` in braces (`{d, h, w}`),
/// then the power arguments `rest` (p, and eps for GeM) as adapool::adaptive_lp_pool3d() takes them;
/// returns an Eigen tensor in `in`'s storage order and index order.
template <class Order = nchw, class Arch = default_arch, class In, class... Rest>
auto adaptive_lp_pool3d(In&& in, const std::array<std::int64_t, 3>& output_size, Rest&&... rest) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_lp_pool3d<Arch>(v...); }, std::forward<In>(in),
                             output_size, std::forward<Rest>(rest)...);
}

// ---------------------------------------------------------------- backward passes

/// Eigen twin of adapool::adaptive_avg_pool1d_backward(): the same arguments (grad_out, grad_in, and the
/// indices for a max), each an Eigen tensor or map indexed as `Order` says, or an
/// adapool view. grad_in is overwritten; errors as for adapool::adaptive_avg_pool1d_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void adaptive_avg_pool1d_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::adaptive_avg_pool1d_backward<Arch>(v...); },
                      std::forward<Args>(args)...);
}
/// Eigen twin of adapool::adaptive_avg_pool2d_backward(): the same arguments (grad_out, grad_in, and the
/// indices for a max), each an Eigen tensor or map indexed as `Order` says, or an
/// adapool view. grad_in is overwritten; errors as for adapool::adaptive_avg_pool2d_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void adaptive_avg_pool2d_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::adaptive_avg_pool2d_backward<Arch>(v...); },
                      std::forward<Args>(args)...);
}
/// Eigen twin of adapool::adaptive_avg_pool3d_backward(): the same arguments (grad_out, grad_in, and the
/// indices for a max), each an Eigen tensor or map indexed as `Order` says, or an
/// adapool view. grad_in is overwritten; errors as for adapool::adaptive_avg_pool3d_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void adaptive_avg_pool3d_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::adaptive_avg_pool3d_backward<Arch>(v...); },
                      std::forward<Args>(args)...);
}
/// Eigen twin of adapool::adaptive_max_pool1d_backward(): the same arguments (grad_out, grad_in, and the
/// indices for a max), each an Eigen tensor or map indexed as `Order` says, or an
/// adapool view. grad_in is overwritten; errors as for adapool::adaptive_max_pool1d_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void adaptive_max_pool1d_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::adaptive_max_pool1d_backward<Arch>(v...); },
                      std::forward<Args>(args)...);
}
/// Eigen twin of adapool::adaptive_max_pool2d_backward(): the same arguments (grad_out, grad_in, and the
/// indices for a max), each an Eigen tensor or map indexed as `Order` says, or an
/// adapool view. grad_in is overwritten; errors as for adapool::adaptive_max_pool2d_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void adaptive_max_pool2d_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::adaptive_max_pool2d_backward<Arch>(v...); },
                      std::forward<Args>(args)...);
}
/// Eigen twin of adapool::adaptive_max_pool3d_backward(): the same arguments (grad_out, grad_in, and the
/// indices for a max), each an Eigen tensor or map indexed as `Order` says, or an
/// adapool view. grad_in is overwritten; errors as for adapool::adaptive_max_pool3d_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void adaptive_max_pool3d_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::adaptive_max_pool3d_backward<Arch>(v...); },
                      std::forward<Args>(args)...);
}
/// Eigen twin of adapool::global_avg_pool_backward(): the same arguments (grad_out, grad_in, and the
/// indices for a max), each an Eigen tensor or map indexed as `Order` says, or an
/// adapool view. grad_in is overwritten; errors as for adapool::global_avg_pool_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void global_avg_pool_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::global_avg_pool_backward<Arch>(v...); }, std::forward<Args>(args)...);
}
/// Eigen twin of adapool::global_max_pool_backward(): the same arguments (grad_out, grad_in, and the
/// indices for a max), each an Eigen tensor or map indexed as `Order` says, or an
/// adapool view. grad_in is overwritten; errors as for adapool::global_max_pool_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void global_max_pool_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::global_max_pool_backward<Arch>(v...); }, std::forward<Args>(args)...);
}
/// Eigen twin of adapool::channel_avg_pool_backward(): the same arguments (grad_out, grad_in, and the
/// indices for a max), each an Eigen tensor or map indexed as `Order` says, or an
/// adapool view. grad_in is overwritten; errors as for adapool::channel_avg_pool_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void channel_avg_pool_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::channel_avg_pool_backward<Arch>(v...); }, std::forward<Args>(args)...);
}
/// Eigen twin of adapool::channel_max_pool_backward(): the same arguments (grad_out, grad_in, and the
/// indices for a max), each an Eigen tensor or map indexed as `Order` says, or an
/// adapool view. grad_in is overwritten; errors as for adapool::channel_max_pool_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void channel_max_pool_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::channel_max_pool_backward<Arch>(v...); }, std::forward<Args>(args)...);
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::eigen
