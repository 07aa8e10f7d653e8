// SPDX-License-Identifier: MIT
#pragma once

// Gradients of the pooling operations, for training. Each backward pass writes
// the gradient with respect to the input, `grad_in` (shaped as the forward's
// input), from the gradient with respect to the output, `grad_out` (shaped as
// the forward's output):
//  - average: grad_in starts at zero; each output cell adds its share of
//    grad_out to every element of its window, so overlapping windows add up;
//  - max: grad_in starts at zero; each output cell adds its grad_out at the
//    index the forward saved.
// Each grad_in element is written by one thread, which adds its contributions
// in the order of the output cells (row-major, as PyTorch's CPU kernels do):
// no atomics, and the same bits for every thread count and memory layout.

#include <cstddef>

#include "detail/dispatch.hpp"
#include "simd/arch.hpp"
#include "simd/target.hpp"
#include "tensor_view.hpp"

namespace adapool {

inline namespace ADAPOOL_TARGET_NAMESPACE {

/// Gradient of adaptive_avg_pool1d: grad_out [N, C, L'] -> grad_in [N, C, L] (the
/// forward's input shape). grad_in is overwritten: zero, plus grad_out / window
/// size over each output's window (overlapping windows add up). Throws
/// `adapool::error` (or calls the error handler), writing nothing, on grad_out
/// with another N or C, an empty grad_in with a non-empty grad_out, grad_in
/// overlapping grad_out or itself, or a malformed view.
template <class Arch = default_arch, class TOut, class TIn, class LOut, class LIn>
void adaptive_avg_pool1d_backward(const tensor_view<TOut, 3, LOut>& grad_out, const tensor_view<TIn, 3, LIn>& grad_in) {
  detail::adaptive_avg_backward<Arch>("adaptive_avg_pool1d_backward", grad_out, grad_in, false);
}

/// Gradient of adaptive_avg_pool2d: grad_out [N, C, H', W'] -> grad_in [N, C, H, W].
/// Each output cell adds grad_out / kh / kw to every element of its kh x kw window,
/// in row-major order of the output cells (PyTorch's arithmetic and order; a 1 x 1
/// output, which PyTorch computes as a mean, adds grad_out / (H * W)). Any layout
/// for either view. Errors as for adaptive_avg_pool1d_backward.
template <class Arch = default_arch, class TOut, class TIn, class LOut, class LIn>
void adaptive_avg_pool2d_backward(const tensor_view<TOut, 4, LOut>& grad_out, const tensor_view<TIn, 4, LIn>& grad_in) {
  detail::adaptive_avg_backward<Arch>("adaptive_avg_pool2d_backward", grad_out, grad_in, false);
}

/// Gradient of adaptive_avg_pool3d: grad_out [N, C, D', H', W'] -> grad_in [N, C, D, H, W].
template <class Arch = default_arch, class TOut, class TIn, class LOut, class LIn>
void adaptive_avg_pool3d_backward(const tensor_view<TOut, 5, LOut>& grad_out, const tensor_view<TIn, 5, LIn>& grad_in) {
  detail::adaptive_avg_backward<Arch>("adaptive_avg_pool3d_backward", grad_out, grad_in, false);
}

/// Gradient of adaptive_max_pool1d: grad_in is zeroed, then each output cell adds
/// its grad_out at its index (an offset within the input plane, as the forward
/// returns it; `indices` has grad_out's shape). An index outside [0, L) is an
/// error reported before anything is written, naming its position. Other
/// errors as for adaptive_avg_pool1d_backward, plus indices of another shape or
/// overlapping grad_in.
template <class Arch = default_arch, class TOut, class TIdx, class TIn, class LOut, class LIdx, class LIn>
void adaptive_max_pool1d_backward(const tensor_view<TOut, 3, LOut>& grad_out, const tensor_view<TIdx, 3, LIdx>& indices,
                                  const tensor_view<TIn, 3, LIn>& grad_in) {
  detail::adaptive_max_backward<Arch>("adaptive_max_pool1d_backward", grad_out, indices, grad_in, false);
}

/// Gradient of adaptive_max_pool2d: indices are in-plane offsets h * W + w, in [0, H * W).
template <class Arch = default_arch, class TOut, class TIdx, class TIn, class LOut, class LIdx, class LIn>
void adaptive_max_pool2d_backward(const tensor_view<TOut, 4, LOut>& grad_out, const tensor_view<TIdx, 4, LIdx>& indices,
                                  const tensor_view<TIn, 4, LIn>& grad_in) {
  detail::adaptive_max_backward<Arch>("adaptive_max_pool2d_backward", grad_out, indices, grad_in, false);
}

/// Gradient of adaptive_max_pool3d: indices are in-plane offsets (d * H + h) * W + w.
template <class Arch = default_arch, class TOut, class TIdx, class TIn, class LOut, class LIdx, class LIn>
void adaptive_max_pool3d_backward(const tensor_view<TOut, 5, LOut>& grad_out, const tensor_view<TIdx, 5, LIdx>& indices,
                                  const tensor_view<TIn, 5, LIn>& grad_in) {
  detail::adaptive_max_backward<Arch>("adaptive_max_pool3d_backward", grad_out, indices, grad_in, false);
}

/// Gradient of global_avg_pool, any rank: grad_out [N, C, 1...] -> grad_in
/// [N, C, S...], every element of plane (n, c) set to grad_out / plane size.
/// Errors as for adaptive_avg_pool2d_backward, and a grad_out spatial size other than 1.
template <class Arch = default_arch, class TOut, class TIn, std::size_t Rank, class LOut, class LIn>
void global_avg_pool_backward(const tensor_view<TOut, Rank, LOut>& grad_out,
                              const tensor_view<TIn, Rank, LIn>& grad_in) {
  detail::adaptive_avg_backward<Arch>("global_avg_pool_backward", grad_out, grad_in, true);
}

/// Gradient of global_max_pool, any rank: plane (n, c) is zero but for
/// grad_out at its index. Errors as for adaptive_max_pool2d_backward, and a
/// grad_out spatial size other than 1.
template <class Arch = default_arch, class TOut, class TIdx, class TIn, std::size_t Rank, class LOut, class LIdx,
          class LIn>
void global_max_pool_backward(const tensor_view<TOut, Rank, LOut>& grad_out,
                              const tensor_view<TIdx, Rank, LIdx>& indices,
                              const tensor_view<TIn, Rank, LIn>& grad_in) {
  detail::adaptive_max_backward<Arch>("global_max_pool_backward", grad_out, indices, grad_in, true);
}

/// Gradient of channel_avg_pool: grad_out [N, C', S...] -> grad_in [N, C, S...].
/// At every pixel, output channel c' adds grad_out / window size to each
/// channel of its window, in the order of c'. Errors: grad_out with another N
/// or spatial sizes, C == 0 with a non-empty grad_out, overlapping memory, a
/// malformed view.
template <class Arch = default_arch, class TOut, class TIn, std::size_t Rank, class LOut, class LIn>
void channel_avg_pool_backward(const tensor_view<TOut, Rank, LOut>& grad_out,
                               const tensor_view<TIn, Rank, LIn>& grad_in) {
  detail::channel_avg_backward<Arch>("channel_avg_pool_backward", grad_out, grad_in);
}

/// Gradient of channel_max_pool: at every pixel, grad_out of output channel c'
/// is added to the channel its index names (in [0, C), as channel_max_pool
/// returns it). An index outside [0, C) is an error, reported before anything
/// is written. Other errors as for channel_avg_pool_backward, plus indices of
/// another shape or overlapping grad_in.
template <class Arch = default_arch, class TOut, class TIdx, class TIn, std::size_t Rank, class LOut, class LIdx,
          class LIn>
void channel_max_pool_backward(const tensor_view<TOut, Rank, LOut>& grad_out,
                               const tensor_view<TIdx, Rank, LIdx>& indices,
                               const tensor_view<TIn, Rank, LIn>& grad_in) {
  detail::channel_max_backward<Arch>("channel_max_pool_backward", grad_out, indices, grad_in);
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool
