// SPDX-License-Identifier: MIT
#pragma once

// Views of Eigen tensors (Eigen 3.3 or later), and Eigen maps of adapool views.
// <adapool/eigen.hpp> includes it and adds a twin of every operation.
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
// Eigen::half and Eigen::bfloat16 tensors are viewed as adapool::float16 and
// adapool::bfloat16 (the same bits), and results in those types come back as
// Eigen::half and Eigen::bfloat16 tensors.

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <unsupported/Eigen/CXX11/Tensor>

#include "element_types.hpp"
#include "layout.hpp"
#include "simd/target.hpp"
#include "tensor_view.hpp"

/// \namespace adapool::eigen
/// Views of Eigen tensors (view(), map()) and a twin of every operation
/// that takes and returns Eigen tensors; index orders say which Eigen index
/// holds which axis. Only with `<adapool/eigen.hpp>` (Eigen 3.3 or later);
/// `<adapool/eigen_view.hpp>` alone has the views.
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
}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::eigen
