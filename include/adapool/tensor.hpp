// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "detail/format.hpp"
#include "error.hpp"
#include "layout.hpp"
#include "tensor_view.hpp"

namespace adapool {

/// A small owning tensor, contiguous or channels-last, returned by the
/// allocating overloads and used by the examples. Take a `view()` to pass it to
/// an operation.
template <class T, std::size_t Rank, class Layout = contiguous>
class tensor {
  static_assert(!std::is_same_v<Layout, strided>, "tensor: owns contiguous or channels_last storage");

 public:
  using value_type = T;                                 ///< The element type.
  using extents_type = std::array<std::int64_t, Rank>;  ///< The shape: N, C, spatial...
  static constexpr std::size_t rank = Rank;             ///< Number of axes, 3 to 5.

  /// An empty tensor: shape all zeros, no storage.
  tensor() = default;

  /// Every element set to `value`. Reports an error for a negative or overflowing shape.
  explicit tensor(const extents_type& shape, T value = T()) : shape_(shape) {
    const std::int64_t count = detail::checked_element_count(shape);
    if (count < 0) {
      detail::report_error("tensor: cannot allocate shape " + detail::shape_string(shape));
      shape_ = {};
      return;
    }
    values_.assign(static_cast<std::size_t>(count), value);
  }

  /// A writable view of the elements, valid while the tensor lives and is not reassigned.
  tensor_view<T, Rank, Layout> view() { return {values_.data(), shape_}; }
  /// A read-only view of the elements.
  tensor_view<const T, Rank, Layout> view() const { return {values_.data(), shape_}; }

  /// The first element in memory.
  T* data() { return values_.data(); }
  /// The first element in memory, read-only.
  const T* data() const { return values_.data(); }
  /// Sizes in logical order, N, C, spatial..., whatever the layout.
  const extents_type& shape() const { return shape_; }
  /// Size of axis `axis` (0 = N, 1 = C, 2... = spatial); not bounds-checked.
  std::int64_t extent(std::size_t axis) const { return shape_[axis]; }
  /// Number of elements.
  std::int64_t size() const { return static_cast<std::int64_t>(values_.size()); }

  /// Element at (n, c, spatial...), in logical order whatever the layout.
  template <class... Index>
  T& operator()(Index... index) {
    return view()(index...);
  }
  /// Read-only element at (n, c, spatial...).
  template <class... Index>
  const T& operator()(Index... index) const {
    return view()(index...);
  }

  /// The elements in memory order.
  const std::vector<T>& values() const { return values_; }

 private:
  extents_type shape_{};
  std::vector<T> values_;
};

/// Values and indices from the `*_with_indices` operations; use as
/// `auto [values, indices] = adaptive_max_pool2d_with_indices(x, {3, 3});`.
template <class T, std::size_t Rank, class Layout = contiguous>
struct values_and_indices {
  tensor<T, Rank, Layout> values;              ///< The pooled maxima.
  tensor<std::int64_t, Rank, Layout> indices;  ///< Each maximum's offset within its input plane (PyTorch's).
};

namespace detail {
// Allocating overloads keep the input's memory format, as PyTorch does.
template <class Layout>
using owning_layout = std::conditional_t<std::is_same_v<Layout, strided>, contiguous, Layout>;
}  // namespace detail

}  // namespace adapool
