// SPDX-License-Identifier: MIT
#pragma once

// Power-mean pooling over PyTorch's adaptive windows (windows.hpp), 1, 2 or 3
// spatial axes:
//   GeM (generalised mean, Radenović et al., image retrieval):
//     out = (mean over the window of max(x, eps)^p)^(1/p)
//     p = 1 is the average; a large p approaches the max.
//   adaptive LP (PyTorch's lp_pool formula with adaptive windows):
//     out = (sum over the window of x^p)^(1/p)
// x^p is formed in the element type, the sums as adaptive_avg_pool forms them
// (float blocks combined in double), the root in double.

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "adaptive_pool.hpp"
#include "detail/dispatch.hpp"
#include "simd/arch.hpp"
#include "simd/target.hpp"
#include "tensor.hpp"
#include "tensor_view.hpp"

namespace adapool {

namespace detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {
// The allocating forms: N x C x `output_size`, in the input's memory format.
template <class Arch, class T, std::size_t Rank, class Layout>
tensor<std::remove_const_t<T>, Rank, owning_layout<Layout>> power_pooled(
    const char* op, const tensor_view<T, Rank, Layout>& in, const std::array<std::int64_t, Rank - 2>& output_size,
    double p, double eps, bool gem) {
  if (!check_output_size(op, output_size)) return {};
  tensor<std::remove_const_t<T>, Rank, owning_layout<Layout>> out(pooled_shape(in.shape(), output_size));
  adaptive_power<Arch>(op, in, out.view(), p, eps, gem);
  return out;
}
}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace detail

inline namespace ADAPOOL_TARGET_NAMESPACE {

/// GeM pooling over adaptive windows, [N, C, H, W] -> [N, C, output sizes]:
/// each output is (mean of max(x, eps)^p over its window)^(1/p). p = 1, 2, 3
/// and 4 are multiplications; any other p calls std::pow per element. A NaN in
/// a window makes its output NaN (the clamp keeps NaN); +inf gives +inf; -inf
/// is clamped to eps like any other small value. Throws `adapool::error` (or
/// calls the error handler) when p or eps is not a finite number > 0, and for
/// everything adaptive_avg_pool2d rejects (mismatched N or C, overlapping
/// memory, an empty input plane with a non-empty output, a malformed view);
/// nothing is written then.
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut>
void adaptive_gem_pool2d(const tensor_view<TIn, 4, LIn>& in, const tensor_view<TOut, 4, LOut>& out, double p = 3,
                         double eps = 1e-6) {
  detail::adaptive_power<Arch>("adaptive_gem_pool2d", in, out, p, eps, true);
}

/// Allocating form: N x C x `output_size`, in the input's memory format.
template <class Arch = default_arch, class T, class Layout>
tensor<std::remove_const_t<T>, 4, detail::owning_layout<Layout>> adaptive_gem_pool2d(
    const tensor_view<T, 4, Layout>& in, const std::array<std::int64_t, 2>& output_size, double p = 3,
    double eps = 1e-6) {
  return detail::power_pooled<Arch>("adaptive_gem_pool2d", in, output_size, p, eps, true);
}

/// adaptive_gem_pool2d over 1 spatial axis: [N, C, L] -> [N, C, output size].
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut>
void adaptive_gem_pool1d(const tensor_view<TIn, 3, LIn>& in, const tensor_view<TOut, 3, LOut>& out, double p = 3,
                         double eps = 1e-6) {
  detail::adaptive_power<Arch>("adaptive_gem_pool1d", in, out, p, eps, true);
}

/// Allocating form: N x C x `output_size`, in the input's memory format.
template <class Arch = default_arch, class T, class Layout>
tensor<std::remove_const_t<T>, 3, detail::owning_layout<Layout>> adaptive_gem_pool1d(
    const tensor_view<T, 3, Layout>& in, const std::array<std::int64_t, 1>& output_size, double p = 3,
    double eps = 1e-6) {
  return detail::power_pooled<Arch>("adaptive_gem_pool1d", in, output_size, p, eps, true);
}

/// adaptive_gem_pool2d over 3 spatial axes: [N, C, D, H, W] -> [N, C, output sizes].
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut>
void adaptive_gem_pool3d(const tensor_view<TIn, 5, LIn>& in, const tensor_view<TOut, 5, LOut>& out, double p = 3,
                         double eps = 1e-6) {
  detail::adaptive_power<Arch>("adaptive_gem_pool3d", in, out, p, eps, true);
}

/// Allocating form: N x C x `output_size`, in the input's memory format.
template <class Arch = default_arch, class T, class Layout>
tensor<std::remove_const_t<T>, 5, detail::owning_layout<Layout>> adaptive_gem_pool3d(
    const tensor_view<T, 5, Layout>& in, const std::array<std::int64_t, 3>& output_size, double p = 3,
    double eps = 1e-6) {
  return detail::power_pooled<Arch>("adaptive_gem_pool3d", in, output_size, p, eps, true);
}

/// LP pooling over adaptive windows, [N, C, H, W] -> [N, C, output sizes]:
/// each output is (sum of x^p over its window)^(1/p), PyTorch's lp_pool2d
/// formula (`avg_pool(x^p) * window size`, then `^(1/p)`) with the window of
/// adaptive_avg_pool2d. Negative inputs: x^p is std::pow's, so negative for an
/// odd integer p and NaN for a non-integer p; a negative window sum gives NaN
/// unless p = 1 (then the output is the sum itself), as in PyTorch. p = 1, 2, 3
/// and 4 are multiplications, any other p calls std::pow per element. NaN in a
/// window gives NaN; +inf gives +inf. Errors as for adaptive_gem_pool2d (p).
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut>
void adaptive_lp_pool2d(const tensor_view<TIn, 4, LIn>& in, const tensor_view<TOut, 4, LOut>& out, double p) {
  detail::adaptive_power<Arch>("adaptive_lp_pool2d", in, out, p, 0, false);
}

/// Allocating form: N x C x `output_size`, in the input's memory format.
template <class Arch = default_arch, class T, class Layout>
tensor<std::remove_const_t<T>, 4, detail::owning_layout<Layout>> adaptive_lp_pool2d(
    const tensor_view<T, 4, Layout>& in, const std::array<std::int64_t, 2>& output_size, double p) {
  return detail::power_pooled<Arch>("adaptive_lp_pool2d", in, output_size, p, 0, false);
}

/// adaptive_lp_pool2d over 1 spatial axis: [N, C, L] -> [N, C, output size].
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut>
void adaptive_lp_pool1d(const tensor_view<TIn, 3, LIn>& in, const tensor_view<TOut, 3, LOut>& out, double p) {
  detail::adaptive_power<Arch>("adaptive_lp_pool1d", in, out, p, 0, false);
}

/// Allocating form: N x C x `output_size`, in the input's memory format.
template <class Arch = default_arch, class T, class Layout>
tensor<std::remove_const_t<T>, 3, detail::owning_layout<Layout>> adaptive_lp_pool1d(
    const tensor_view<T, 3, Layout>& in, const std::array<std::int64_t, 1>& output_size, double p) {
  return detail::power_pooled<Arch>("adaptive_lp_pool1d", in, output_size, p, 0, false);
}

/// adaptive_lp_pool2d over 3 spatial axes: [N, C, D, H, W] -> [N, C, output sizes].
template <class Arch = default_arch, class TIn, class TOut, class LIn, class LOut>
void adaptive_lp_pool3d(const tensor_view<TIn, 5, LIn>& in, const tensor_view<TOut, 5, LOut>& out, double p) {
  detail::adaptive_power<Arch>("adaptive_lp_pool3d", in, out, p, 0, false);
}

/// Allocating form: N x C x `output_size`, in the input's memory format.
template <class Arch = default_arch, class T, class Layout>
tensor<std::remove_const_t<T>, 5, detail::owning_layout<Layout>> adaptive_lp_pool3d(
    const tensor_view<T, 5, Layout>& in, const std::array<std::int64_t, 3>& output_size, double p) {
  return detail::power_pooled<Arch>("adaptive_lp_pool3d", in, output_size, p, 0, false);
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool
