// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_VIEW5D_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_VIEW5D_HPP)
#undef ADAPOOL_DETAIL_VIEW5D_HPP
#else
#define ADAPOOL_DETAIL_VIEW5D_HPP
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "../parallel.hpp"
#include "../simd/target.hpp"
#include "../tensor_view.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// Every view as N x C x D x H x W: missing leading spatial axes get size 1, so
// one loop nest serves 1d, 2d and 3d, and the in-plane index d*H*W + h*W + w
// reduces to PyTorch's h*W + w and w.
template <class T>
struct view5d {
  T* data;
  std::int64_t n, c, d, h, w;
  std::int64_t stride_n, stride_c, stride_d, stride_h, stride_w;

  std::int64_t plane_size() const { return d * h * w; }
  T* at(std::int64_t in, std::int64_t ic, std::int64_t id, std::int64_t ih, std::int64_t iw) const {
    return data + in * stride_n + ic * stride_c + id * stride_d + ih * stride_h + iw * stride_w;
  }
  // Each (n, c) plane is one contiguous run in row-major order (axes of size 1
  // have no meaningful stride).
  bool planes_contiguous() const {
    return (w == 1 || stride_w == 1) && (h == 1 || stride_h == w) && (d == 1 || stride_d == h * w);
  }
  // The channels of a pixel are one contiguous run and pixels are not
  // (channels-last and its strided forms): loops then run along C.
  bool channels_contiguous() const { return stride_c == 1 && c > 1 && stride_w != 1; }
};

// A view whose planes are contiguous, seen as one long row per plane.
template <class T>
view5d<T> as_single_row(view5d<T> v) {
  v.w = v.plane_size();
  v.d = v.h = 1;
  v.stride_w = 1;
  v.stride_d = v.stride_h = v.w;
  return v;
}

template <class T, std::size_t Rank, class Layout>
view5d<T> to_5d(const tensor_view<T, Rank, Layout>& v) {
  std::int64_t size[3] = {1, 1, 1};
  std::int64_t stride[3] = {0, 0, 0};
  for (std::size_t axis = 2; axis < Rank; ++axis) {
    size[axis + 3 - Rank] = v.extent(axis);
    stride[axis + 3 - Rank] = v.stride(axis);
  }
  return {v.data(),    v.extent(0), v.extent(1), size[0],   size[1],  size[2],
          v.stride(0), v.stride(1), stride[0],   stride[1], stride[2]};
}

// Runs body(n, c0, count) on consecutive planes [c0, c0 + count) of image n,
// count <= block, a task each, spread over threads; `work` (elements touched)
// tells parallel_for whether threads pay.
template <class T, class Body>
void for_each_plane_block(const view5d<T>& v, std::int64_t block, std::int64_t work, const Body& body) {
  const std::int64_t blocks = (v.c + block - 1) / block;
  parallel_for(v.n * blocks, work, [&](std::int64_t task) {
    const std::int64_t n = task / blocks, c0 = task % blocks * block;
    body(n, c0, std::min(block, v.c - c0));
  });
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
