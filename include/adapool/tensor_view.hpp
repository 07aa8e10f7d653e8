// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "detail/format.hpp"
#include "error.hpp"
#include "layout.hpp"
#include "simd/target.hpp"

namespace adapool {

/// A non-owning view of an N x C x spatial tensor with 1, 2 or 3 spatial
/// dimensions (`Rank` 3, 4 or 5). `T` is `const float` for inputs, `float` for
/// outputs. `Layout` is `contiguous` (NCHW), `channels_last` (NHWC) or `strided`.
/// Sizes and strides are `int64_t` element counts; a view is checked by the
/// operation that uses it, so building one never fails.
template <class T, std::size_t Rank, class Layout = contiguous>
class tensor_view {
  static_assert(Rank >= 3 && Rank <= 5, "tensor_view: Rank is 3 (N, C, L), 4 (N, C, H, W) or 5");
  static_assert(!std::is_reference_v<T> && !std::is_volatile_v<T>, "tensor_view: T is an element type");

 public:
  using element_type = T;                                ///< `T` as given, `const float` for an input view.
  using value_type = std::remove_cv_t<T>;                ///< `T` without const: the element's value type.
  using layout_type = Layout;                            ///< contiguous, channels_last or strided.
  using extents_type = std::array<std::int64_t, Rank>;   ///< Sizes, and strides, one per axis.
  static constexpr std::size_t rank = Rank;              ///< Number of axes: N, C and the spatial ones.
  static constexpr std::size_t spatial_rank = Rank - 2;  ///< Number of spatial axes: 1, 2 or 3.

  /// A null view of shape all zeros (empty; any operation accepts it as empty).
  constexpr tensor_view() = default;

  /// A contiguous or channels-last view: strides follow from the shape.
  template <class L = Layout, std::enable_if_t<!std::is_same_v<L, strided>, int> = 0>
  constexpr tensor_view(T* data, const extents_type& shape)
      : data_(data), shape_(shape), strides_(Layout::strides_for(shape)) {}

  /// A strided view: `strides[i]` elements between neighbours along axis `i`.
  template <class L = Layout, std::enable_if_t<std::is_same_v<L, strided>, int> = 0>
  constexpr tensor_view(T* data, const extents_type& shape, const extents_type& strides)
      : data_(data), shape_(shape), strides_(strides) {}

  /// `float` -> `const float`, and any layout -> `strided`.
  template <class U, class OtherLayout,
            std::enable_if_t<std::is_convertible_v<U (*)[], T (*)[]> &&
                                 (std::is_same_v<OtherLayout, Layout> || std::is_same_v<Layout, strided>),
                             int> = 0>
  constexpr tensor_view(const tensor_view<U, Rank, OtherLayout>& other)  // NOLINT: implicit on purpose
      : data_(other.data()), shape_(other.shape()), strides_(other.strides()) {}

  /// Address of element (0, 0, ...): with negative strides, not the lowest address.
  constexpr T* data() const noexcept { return data_; }
  /// Sizes in logical order: N, C, spatial...
  constexpr const extents_type& shape() const noexcept { return shape_; }
  /// Elements (not bytes) between neighbours along each axis, in the order of shape().
  constexpr const extents_type& strides() const noexcept { return strides_; }
  /// Size of axis `axis` (0 = N, 1 = C, 2... = spatial); `axis < Rank` is not checked.
  constexpr std::int64_t extent(std::size_t axis) const { return shape_[axis]; }
  /// Stride of axis `axis`, in elements; `axis < Rank` is not checked.
  constexpr std::int64_t stride(std::size_t axis) const { return strides_[axis]; }

  /// Number of elements (0 when any size is 0). Meaningful once validated.
  constexpr std::int64_t size() const noexcept {
    std::int64_t count = 1;
    for (std::int64_t s : shape_) count *= s;
    return count;
  }
  /// True when any size is 0: operations read and write nothing of an empty view.
  constexpr bool empty() const noexcept {
    for (std::int64_t s : shape_)
      if (s == 0) return true;
    return false;
  }

  /// Element at (n, c, spatial...). No bounds check.
  template <class... Index>
  constexpr T& operator()(Index... index) const {
    static_assert(sizeof...(Index) == Rank, "tensor_view: one index per axis");
    const std::array<std::int64_t, Rank> at{static_cast<std::int64_t>(index)...};
    std::int64_t offset = 0;
    for (std::size_t axis = 0; axis < Rank; ++axis) offset += at[axis] * strides_[axis];
    return data_[offset];
  }

 private:
  T* data_ = nullptr;
  extents_type shape_{};
  extents_type strides_{};
};

inline namespace ADAPOOL_TARGET_NAMESPACE {

/// A view of `data` with the given sizes, for example
/// `make_view(ptr, 1, 8, 4, 4)` or `make_view<channels_last>(ptr, 1, 2048, 7, 7)`
/// (N = 1, C = 2048, 7 x 7, stored channels-last):
/// \snippet api_checks.cpp make_view example
/// Sizes are always given in the logical order N, C, spatial..., whatever the
/// layout: the layout decides the strides, not the order of the sizes.
template <class Layout = contiguous, class T, class... Sizes>
constexpr tensor_view<T, sizeof...(Sizes), Layout> make_view(T* data, Sizes... sizes) {
  static_assert(!std::is_same_v<Layout, strided>, "make_view: use make_strided_view for strided views");
  return {data, {static_cast<std::int64_t>(sizes)...}};
}

}  // namespace ADAPOOL_TARGET_NAMESPACE

namespace detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {

template <class View>
View checked_vector_view(const View& view, std::size_t vector_size) {
  const std::int64_t count = checked_element_count(view.shape());
  if (count < 0 || static_cast<std::uint64_t>(count) != vector_size) {
    report_error("make_view: a vector of " + std::to_string(vector_size) + " elements cannot be viewed with shape " +
                 shape_string(view.shape()));
    // Without exceptions the handler may return: hand back a view that every
    // operation rejects (null data, non-zero size) instead of one that overruns.
    return View(nullptr, view.shape());
  }
  return view;
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace detail

inline namespace ADAPOOL_TARGET_NAMESPACE {

/// A view of a whole `std::vector`; reports an error if its size is not the
/// product of `sizes`.
template <class Layout = contiguous, class T, class Allocator, class... Sizes>
tensor_view<T, sizeof...(Sizes), Layout> make_view(std::vector<T, Allocator>& values, Sizes... sizes) {
  return detail::checked_vector_view(make_view<Layout>(values.data(), sizes...), values.size());
}

/// A read-only view of a whole `std::vector`.
template <class Layout = contiguous, class T, class Allocator, class... Sizes>
tensor_view<const T, sizeof...(Sizes), Layout> make_view(const std::vector<T, Allocator>& values, Sizes... sizes) {
  return detail::checked_vector_view(make_view<Layout>(values.data(), sizes...), values.size());
}

/// A view with explicit element strides.
template <class T, std::size_t Rank>
constexpr tensor_view<T, Rank, strided> make_strided_view(T* data, const std::array<std::int64_t, Rank>& shape,
                                                          const std::array<std::int64_t, Rank>& strides) {
  return {data, shape, strides};
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool
