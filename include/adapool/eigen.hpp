// SPDX-License-Identifier: MIT
#pragma once

// Optional interop with Eigen's Tensor module (Eigen 3.3 or later). Include it
// beside <adapool/adapool.hpp>, which never includes it, so adapool itself does
// not depend on Eigen.
//
// Views of Eigen tensors, the index orders that say which Eigen index holds
// which adapool axis, and Eigen maps of adapool views are in
// <adapool/eigen_view.hpp>, which this header includes.
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

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "adaptive_pool.hpp"
#include "backward.hpp"
#include "channel_pool.hpp"
#include "detail/eigen_calls.hpp"
#include "eigen_view.hpp"
#include "global_pool.hpp"
#include "power_pool.hpp"
#include "simd/arch.hpp"
#include "simd/target.hpp"

namespace adapool::eigen {
inline namespace ADAPOOL_TARGET_NAMESPACE {

// The twins. Each takes the same arguments as the adapool operation of its
// name, with Eigen tensors or maps indexed as `Order` says wherever a view goes
// (adapool views pass through), and reports errors as that operation does. It
// writes the outputs given, or returns Eigen tensors in the first Eigen
// argument's storage order and index order. The allocating forms, whose output
// size is spelled out so that `{2, 3}` works, return Eigen tensors in `in`'s
// storage order and index order; a max `*_with_indices` returns them as an
// eigen::values_and_indices. Power means take p (and eps for GeM) after the
// output size; the backward twins overwrite grad_in.

// ---------------------------------------------------------------- adaptive pooling

/// Eigen twin of adapool::adaptive_avg_pool1d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_avg_pool1d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool1d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_avg_pool1d().
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_avg_pool1d(In&& in, const std::array<std::int64_t, 1>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool1d<Arch>(v...); }, std::forward<In>(in),
                             output_size);
}

/// Eigen twin of adapool::adaptive_max_pool1d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_max_pool1d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool1d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_max_pool1d().
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_max_pool1d(In&& in, const std::array<std::int64_t, 1>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool1d<Arch>(v...); }, std::forward<In>(in),
                             output_size);
}
/// Allocating Eigen twin of adapool::adaptive_max_pool1d_with_indices().
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_max_pool1d_with_indices(In&& in, const std::array<std::int64_t, 1>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool1d_with_indices<Arch>(v...); },
                             std::forward<In>(in), output_size);
}

/// Eigen twin of adapool::adaptive_avg_pool2d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_avg_pool2d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool2d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_avg_pool2d().
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_avg_pool2d(In&& in, const std::array<std::int64_t, 2>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool2d<Arch>(v...); }, std::forward<In>(in),
                             output_size);
}

/// Eigen twin of adapool::adaptive_max_pool2d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_max_pool2d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool2d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_max_pool2d().
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_max_pool2d(In&& in, const std::array<std::int64_t, 2>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool2d<Arch>(v...); }, std::forward<In>(in),
                             output_size);
}
/// Allocating Eigen twin of adapool::adaptive_max_pool2d_with_indices().
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_max_pool2d_with_indices(In&& in, const std::array<std::int64_t, 2>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool2d_with_indices<Arch>(v...); },
                             std::forward<In>(in), output_size);
}

/// Eigen twin of adapool::adaptive_avg_pool3d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_avg_pool3d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool3d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_avg_pool3d().
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_avg_pool3d(In&& in, const std::array<std::int64_t, 3>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool3d<Arch>(v...); }, std::forward<In>(in),
                             output_size);
}

/// Eigen twin of adapool::adaptive_max_pool3d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_max_pool3d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool3d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_max_pool3d().
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_max_pool3d(In&& in, const std::array<std::int64_t, 3>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool3d<Arch>(v...); }, std::forward<In>(in),
                             output_size);
}
/// Allocating Eigen twin of adapool::adaptive_max_pool3d_with_indices().
template <class Order = nchw, class Arch = default_arch, class In>
auto adaptive_max_pool3d_with_indices(In&& in, const std::array<std::int64_t, 3>& output_size) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_max_pool3d_with_indices<Arch>(v...); },
                             std::forward<In>(in), output_size);
}

// ---------------------------------------------------------------- fused and pyramid

/// Eigen twin of adapool::adaptive_avg_max_pool2d().
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
/// Allocating Eigen twin of adapool::adaptive_avg_pool2d_pyramid().
template <class Order = nchw, class Arch = default_arch, class In, std::size_t Levels>
auto adaptive_avg_pool2d_pyramid(In&& in, const std::int64_t (&bins)[Levels]) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_avg_pool2d_pyramid<Arch>(v...); },
                             std::forward<In>(in), bins);
}

// ---------------------------------------------------------------- global and channel pooling

/// Eigen twin of adapool::global_avg_pool().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto global_avg_pool(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::global_avg_pool<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Eigen twin of adapool::global_max_pool().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto global_max_pool(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::global_max_pool<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Eigen twin of adapool::global_max_pool_with_indices().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto global_max_pool_with_indices(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::global_max_pool_with_indices<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Eigen twin of adapool::channel_avg_pool().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto channel_avg_pool(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::channel_avg_pool<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Eigen twin of adapool::channel_max_pool().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto channel_max_pool(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::channel_max_pool<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Eigen twin of adapool::channel_max_pool_with_indices().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto channel_max_pool_with_indices(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::channel_max_pool_with_indices<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Eigen twin of adapool::channel_max_avg_pool().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto channel_max_avg_pool(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::channel_max_avg_pool<Arch>(v...); },
                             std::forward<Args>(args)...);
}

// ---------------------------------------------------------------- GeM and LP pooling

// The power arguments (p, eps) follow the output, as in the operations.
/// Eigen twin of adapool::adaptive_gem_pool1d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_gem_pool1d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_gem_pool1d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_gem_pool1d().
template <class Order = nchw, class Arch = default_arch, class In, class... Rest>
auto adaptive_gem_pool1d(In&& in, const std::array<std::int64_t, 1>& output_size, Rest&&... rest) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_gem_pool1d<Arch>(v...); }, std::forward<In>(in),
                             output_size, std::forward<Rest>(rest)...);
}

/// Eigen twin of adapool::adaptive_gem_pool2d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_gem_pool2d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_gem_pool2d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_gem_pool2d().
template <class Order = nchw, class Arch = default_arch, class In, class... Rest>
auto adaptive_gem_pool2d(In&& in, const std::array<std::int64_t, 2>& output_size, Rest&&... rest) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_gem_pool2d<Arch>(v...); }, std::forward<In>(in),
                             output_size, std::forward<Rest>(rest)...);
}

/// Eigen twin of adapool::adaptive_gem_pool3d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_gem_pool3d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_gem_pool3d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_gem_pool3d().
template <class Order = nchw, class Arch = default_arch, class In, class... Rest>
auto adaptive_gem_pool3d(In&& in, const std::array<std::int64_t, 3>& output_size, Rest&&... rest) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_gem_pool3d<Arch>(v...); }, std::forward<In>(in),
                             output_size, std::forward<Rest>(rest)...);
}

/// Eigen twin of adapool::adaptive_lp_pool1d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_lp_pool1d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_lp_pool1d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_lp_pool1d().
template <class Order = nchw, class Arch = default_arch, class In, class... Rest>
auto adaptive_lp_pool1d(In&& in, const std::array<std::int64_t, 1>& output_size, Rest&&... rest) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_lp_pool1d<Arch>(v...); }, std::forward<In>(in),
                             output_size, std::forward<Rest>(rest)...);
}

/// Eigen twin of adapool::adaptive_lp_pool2d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_lp_pool2d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_lp_pool2d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_lp_pool2d().
template <class Order = nchw, class Arch = default_arch, class In, class... Rest>
auto adaptive_lp_pool2d(In&& in, const std::array<std::int64_t, 2>& output_size, Rest&&... rest) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_lp_pool2d<Arch>(v...); }, std::forward<In>(in),
                             output_size, std::forward<Rest>(rest)...);
}

/// Eigen twin of adapool::adaptive_lp_pool3d().
template <class Order = nchw, class Arch = default_arch, class... Args>
auto adaptive_lp_pool3d(Args&&... args) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_lp_pool3d<Arch>(v...); },
                             std::forward<Args>(args)...);
}
/// Allocating Eigen twin of adapool::adaptive_lp_pool3d().
template <class Order = nchw, class Arch = default_arch, class In, class... Rest>
auto adaptive_lp_pool3d(In&& in, const std::array<std::int64_t, 3>& output_size, Rest&&... rest) {
  return detail::call<Order>([](auto&&... v) { return adapool::adaptive_lp_pool3d<Arch>(v...); }, std::forward<In>(in),
                             output_size, std::forward<Rest>(rest)...);
}

// ---------------------------------------------------------------- backward passes

/// Eigen twin of adapool::adaptive_avg_pool1d_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void adaptive_avg_pool1d_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::adaptive_avg_pool1d_backward<Arch>(v...); },
                      std::forward<Args>(args)...);
}
/// Eigen twin of adapool::adaptive_avg_pool2d_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void adaptive_avg_pool2d_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::adaptive_avg_pool2d_backward<Arch>(v...); },
                      std::forward<Args>(args)...);
}
/// Eigen twin of adapool::adaptive_avg_pool3d_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void adaptive_avg_pool3d_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::adaptive_avg_pool3d_backward<Arch>(v...); },
                      std::forward<Args>(args)...);
}
/// Eigen twin of adapool::adaptive_max_pool1d_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void adaptive_max_pool1d_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::adaptive_max_pool1d_backward<Arch>(v...); },
                      std::forward<Args>(args)...);
}
/// Eigen twin of adapool::adaptive_max_pool2d_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void adaptive_max_pool2d_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::adaptive_max_pool2d_backward<Arch>(v...); },
                      std::forward<Args>(args)...);
}
/// Eigen twin of adapool::adaptive_max_pool3d_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void adaptive_max_pool3d_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::adaptive_max_pool3d_backward<Arch>(v...); },
                      std::forward<Args>(args)...);
}
/// Eigen twin of adapool::global_avg_pool_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void global_avg_pool_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::global_avg_pool_backward<Arch>(v...); }, std::forward<Args>(args)...);
}
/// Eigen twin of adapool::global_max_pool_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void global_max_pool_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::global_max_pool_backward<Arch>(v...); }, std::forward<Args>(args)...);
}
/// Eigen twin of adapool::channel_avg_pool_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void channel_avg_pool_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::channel_avg_pool_backward<Arch>(v...); }, std::forward<Args>(args)...);
}
/// Eigen twin of adapool::channel_max_pool_backward().
template <class Order = nchw, class Arch = default_arch, class... Args>
void channel_max_pool_backward(Args&&... args) {
  detail::call<Order>([](auto&&... v) { adapool::channel_max_pool_backward<Arch>(v...); }, std::forward<Args>(args)...);
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::eigen
