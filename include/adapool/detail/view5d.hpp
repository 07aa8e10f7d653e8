// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>

#include "../simd/target.hpp"
#include "../tensor_view.hpp"

namespace adapool::detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {

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

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail
