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
  /// Strides, in elements, of a row-major tensor of `shape`: W's is 1, C's is the
  /// plane size. Sizes that overflow wrap here; operations reject them.
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
  /// Strides, in elements, of a channels-last tensor of `shape`: C's is 1, the
  /// last spatial axis's is C. Sizes that overflow wrap here; operations reject them.
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

using ncl = contiguous;       ///< 1d contiguous: N x C x L.
using nchw = contiguous;      ///< 2d contiguous: N x C x H x W.
using ncdhw = contiguous;     ///< 3d contiguous: N x C x D x H x W.
using nlc = channels_last;    ///< 1d channels-last: N x L x C in memory.
using nhwc = channels_last;   ///< 2d channels-last: N x H x W x C in memory.
using ndhwc = channels_last;  ///< 3d channels-last: N x D x H x W x C in memory.

}  // namespace adapool
