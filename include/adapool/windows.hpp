// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "error.hpp"

#include "simd/target.hpp"

// PyTorch's adaptive window along one axis: output position `i` of `out` reads
// input positions [window_begin, window_end) of `in`. Integer arithmetic only:
// the float formula PyTorch once used gives wrong windows past 2^24. Both are
// exact while `in * out` fits in int64_t.
// https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/AdaptivePooling.h

namespace adapool {
namespace detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {

// The kernels' forms, unchecked: every operation validates its sizes once
// (validate.hpp) before any window is computed, so the loops pay no checks.
constexpr std::int64_t unchecked_window_begin(std::int64_t i, std::int64_t in, std::int64_t out) {
  return (i / out) * in + ((i % out) * in) / out;
}

constexpr std::int64_t unchecked_window_end(std::int64_t i, std::int64_t in, std::int64_t out) {
  return 1 + ((i + 1) * in - 1) / out;
}

constexpr bool valid_window_arguments(std::int64_t i, std::int64_t in, std::int64_t out) {
  return out >= 1 && in >= 0 && i >= 0 && i < out && in <= std::numeric_limits<std::int64_t>::max() / out;
}

inline void report_window_error(const char* function, std::int64_t i, std::int64_t in, std::int64_t out) {
  report_error(std::string(function) + ": i = " + std::to_string(i) + ", in = " + std::to_string(in) +
               ", out = " + std::to_string(out) + " break the preconditions 0 <= i < out, in >= 0, out >= 1" +
               " and in * out <= INT64_MAX");
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace detail

inline namespace ADAPOOL_TARGET_NAMESPACE {

/// The first input position, `floor(i * in / out)`, of output position `i`'s
/// window when an axis of `in` elements is pooled to `out` outputs (PyTorch's
/// adaptive window); computed without forming `i * in`.
/// @param i output position, `0 <= i < out`
/// @param in input size along the axis, `in >= 0`
/// @param out output size along the axis, `out >= 1`, with `in * out` within int64_t
/// @return the window's first input position, in `[0, in)` when `in >= 1`
///   (0 for an empty axis)
/// @throws adapool::error naming the function and the three arguments when a
///   precondition does not hold (without exceptions: the error handler is
///   called, and 0 is returned if it returns).
constexpr std::int64_t window_begin(std::int64_t i, std::int64_t in, std::int64_t out) {
  if (!detail::valid_window_arguments(i, in, out)) {
    detail::report_window_error("window_begin", i, in, out);
    return 0;
  }
  return detail::unchecked_window_begin(i, in, out);
}

/// One past the last input position, `ceil((i + 1) * in / out)`, of output
/// position `i`'s window (see window_begin); windows of neighbouring outputs
/// may overlap, and together they cover the whole axis.
/// @param i output position, `0 <= i < out`
/// @param in input size along the axis, `in >= 0`
/// @param out output size along the axis, `out >= 1`, with `in * out` within int64_t
/// @return the window's end, in `(window_begin(i, in, out), in]` when `in >= 1`
///   (0 for an empty axis: its windows are empty)
/// @throws adapool::error naming the function and the three arguments when a
///   precondition does not hold (without exceptions: the error handler is
///   called, and 0 is returned if it returns).
constexpr std::int64_t window_end(std::int64_t i, std::int64_t in, std::int64_t out) {
  if (!detail::valid_window_arguments(i, in, out)) {
    detail::report_window_error("window_end", i, in, out);
    return 0;
  }
  // The kernels' form is for in >= 1 (operations reject an empty axis): it
  // would end an empty axis's windows at 1.
  if (in == 0) return 0;
  return detail::unchecked_window_end(i, in, out);
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool
