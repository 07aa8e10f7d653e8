// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include "simd/target.hpp"

namespace adapool {
inline namespace ADAPOOL_TARGET_NAMESPACE {

// PyTorch's adaptive window along one axis: output position `i` of `out` reads
// input positions [window_begin, window_end) of `in`. Integer arithmetic only:
// the float formula PyTorch once used gives wrong windows past 2^24. Both are
// exact while `in * out` fits in int64_t, which every operation checks first.
// https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/AdaptivePooling.h

/// floor(i * in / out), without forming i * in.
constexpr std::int64_t window_begin(std::int64_t i, std::int64_t in, std::int64_t out) {
  return (i / out) * in + ((i % out) * in) / out;
}

/// ceil((i + 1) * in / out).
constexpr std::int64_t window_end(std::int64_t i, std::int64_t in, std::int64_t out) {
  return 1 + ((i + 1) * in - 1) / out;
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool
