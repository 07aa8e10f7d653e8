// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "../simd/compiler.hpp"
#include "../simd/target.hpp"

namespace adapool::detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {

// "[1, 8, 4, 4]", the way PyTorch prints a size.
template <std::size_t Rank>
std::string shape_string(const std::array<std::int64_t, Rank>& shape) {
  std::string text = "[";
  for (std::size_t axis = 0; axis < Rank; ++axis) {
    if (axis != 0) text += ", ";
    text += std::to_string(shape[axis]);
  }
  return text + "]";
}

// Product of the sizes, or -1 when a size is negative or the product overflows int64_t.
template <std::size_t Rank>
std::int64_t checked_element_count(const std::array<std::int64_t, Rank>& shape) {
  std::int64_t count = 1;
  for (std::int64_t s : shape) {
    if (s < 0 || simd::mul_overflow(count, s, &count)) return -1;
  }
  return count;
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail
