// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace adapool {

// Every view is indexed in the logical order N, C, spatial... (as PyTorch's
// tensors are, whatever their memory format). A layout only says where each
// element lives, so it never changes which elements form a window.

/// Row-major N x C x spatial: NCL, NCHW, NCDHW. Each (n, c) plane is contiguous.
struct contiguous {
  template <std::size_t Rank>
  static constexpr std::array<std::int64_t, Rank> strides_for(const std::array<std::int64_t, Rank>& shape) {
    std::array<std::int64_t, Rank> strides{};
    std::uint64_t step = 1;  // unsigned: overflow is caught by validation, not UB here
    for (std::size_t axis = Rank; axis-- > 0;) {
      strides[axis] = static_cast<std::int64_t>(step);
      step *= static_cast<std::uint64_t>(shape[axis]);
    }
    return strides;
  }
};

/// Channels-last: NLC, NHWC, NDHWC in memory. The channels of a pixel are contiguous.
struct channels_last {
  template <std::size_t Rank>
  static constexpr std::array<std::int64_t, Rank> strides_for(const std::array<std::int64_t, Rank>& shape) {
    std::array<std::int64_t, Rank> strides{};
    std::uint64_t step = 1;
    strides[1] = 1;
    step *= static_cast<std::uint64_t>(shape[1]);
    for (std::size_t axis = Rank; axis-- > 2;) {
      strides[axis] = static_cast<std::int64_t>(step);
      step *= static_cast<std::uint64_t>(shape[axis]);
    }
    strides[0] = static_cast<std::int64_t>(step);
    return strides;
  }
};

/// Any strides, in elements, including negative ones (a slice or a flipped view).
struct strided {};

using ncl = contiguous;
using nchw = contiguous;
using ncdhw = contiguous;
using nlc = channels_last;
using nhwc = channels_last;
using ndhwc = channels_last;

}  // namespace adapool
